import type { Child } from 'hono/jsx';
import type { Session } from './sessions.ts';

export const NAV = [
  ['/', 'Overview'], ['/messages', 'Messages'], ['/orders', 'Orders'], ['/inbound', 'Inbound'], ['/inventory', 'Inventory'], ['/routing', 'Routing'], ['/dead-letters', 'Dead letters'], ['/edi', 'EDI'],
  ['/endpoints', 'Endpoints'], ['/alerts', 'Alerts'], ['/audit', 'Audit log'],
] as const;

/** Times as an operator reads them: UTC, to the second, the same on every screen. */
export const when = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z');

export function age(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** A form that changes something: POST with the session's CSRF token. */
export function Action(props: { action: string; session: Session; label: string; confirm?: string; fields?: Record<string, string | number | undefined>; danger?: boolean }) {
  return (
    <form method="post" action={props.action} class="inline" hx-confirm={props.confirm}>
      <input type="hidden" name="_csrf" value={props.session.csrf} />
      {Object.entries(props.fields ?? {}).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => <input type="hidden" name={k} value={String(v)} />)}
      <button type="submit" class={props.danger ? 'danger' : undefined}>{props.label}</button>
    </form>
  );
}

export function Status(props: { value: string }) {
  return <span class={`status status-${props.value.replace(/[^a-z_]/g, '')}`}>{props.value.replace(/_/g, ' ')}</span>;
}

/** A table that scrolls sideways on a phone rather than squeezing its columns. */
export function Table(props: { head: string[]; children: Child; caption?: string; empty?: string; rows: number }) {
  return (
    <div class="table-wrap">
      <table>
        {props.caption && <caption>{props.caption}</caption>}
        <thead><tr>{props.head.map((h) => <th scope="col">{h}</th>)}</tr></thead>
        <tbody>{props.rows === 0 ? <tr><td colspan={props.head.length}>{props.empty ?? 'Nothing here.'}</td></tr> : props.children}</tbody>
      </table>
    </div>
  );
}

export function Notice(props: { text?: string; error?: boolean }) {
  if (!props.text) return null;
  return <p class={props.error ? 'notice error' : 'notice'} role={props.error ? 'alert' : 'status'}>{props.text}</p>;
}

export interface PageOptions {
  title: string;
  path: string;
  session?: Session;
  tenants?: string[];
  notice?: string;
  error?: string;
  scripts?: string[];
}

export function Page(props: PageOptions & { children: Child }) {
  const { session } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}' />
        <title>{`${props.title} · Causeway`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <link rel="stylesheet" href="/assets/uPlot.min.css" />
        <script src="/assets/htmx.min.js" defer></script>
        {(props.scripts ?? []).map((s) => <script src={s} defer></script>)}
        <script src="/assets/console.js" defer></script>
      </head>
      <body hx-boost={session ? 'true' : undefined} hx-headers={session ? JSON.stringify({ 'x-csrf-token': session.csrf }) : undefined}>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <a class="brand" href="/">Causeway</a>
          {session && (
            <nav aria-label="Main">
              <ul>{[...NAV, ...(session.keyTenant === '*' ? [['/clients', 'Clients'] as const] : [])].map(([href, label]) => <li><a href={href} aria-current={props.path === href ? 'page' : undefined}>{label}</a></li>)}</ul>
            </nav>
          )}
          {session && (
            <div class="who">
              {session.keyTenant === '*' ? (
                <form method="post" action="/tenant" class="inline">
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <label for="tenant-switch">Tenant</label>
                  <select id="tenant-switch" name="tenant">
                    {(props.tenants ?? [session.tenant]).map((t) => <option value={t} selected={t === session.tenant}>{t}</option>)}
                  </select>
                  <button type="submit">Switch</button>
                </form>
              ) : <span>Tenant <strong>{session.tenant}</strong></span>}
              <span class="role">{session.keyName} · {session.grant}</span>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={session.csrf} />
                <button type="submit">Sign out</button>
              </form>
            </div>
          )}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          <Notice text={props.notice} />
          <Notice text={props.error} error />
          {props.children}
        </main>
      </body>
    </html>
  );
}
