import type { HubFacade } from '../../engine/index.ts';
import type { MessageEdit, MessageSearch, MessageSummary } from '../../store/index.ts';
import { Action, Page, Status, Table, when, type PageOptions } from '../layout.tsx';
import { mayOperate, type Session } from '../sessions.ts';

const STATUSES = ['pending', 'processed', 'quarantined'] as const;
/** Shown in a page; the rest is a download away. */
const SHOWN_BYTES = 64 * 1024;

export interface SearchForm {
  q: string;
  type: string;
  status: string;
  endpoint: string;
  from: string;
  to: string;
}

export function readSearch(query: Record<string, string>): SearchForm {
  const pick = (k: string) => (query[k] ?? '').trim().slice(0, 200);
  return { q: pick('q'), type: pick('type'), status: pick('status'), endpoint: pick('endpoint'), from: pick('from'), to: pick('to') };
}

/** The form's fields as the store's search; a time that does not parse is left out rather than guessed. */
export function toSearch(f: SearchForm): Omit<MessageSearch, 'tenant'> {
  const time = (v: string) => {
    if (!v) return undefined;
    const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    return Number.isNaN(t) ? undefined : t;
  };
  return {
    text: f.q || undefined, type: f.type || undefined, status: (STATUSES as readonly string[]).includes(f.status) ? f.status as MessageSearch['status'] : undefined,
    endpoint: f.endpoint || undefined, from: time(f.from), to: time(f.to),
  };
}

const PAGE = 50;

export async function messagesPage(engine: HubFacade, tenant: string, session: Session, form: SearchForm, before: number | undefined, options: PageOptions) {
  const rows = await engine.searchMessages(tenant, { ...toSearch(form), before, limit: PAGE });
  const endpoints = engine.endpointsOf(tenant);
  const next = rows.length === PAGE ? rows[rows.length - 1]!.id : undefined;
  const params = (extra: Record<string, string>) => new URLSearchParams(Object.entries({ ...form, ...extra }).filter(([, v]) => v !== '')).toString();
  return (
    <Page {...options}>
      <form method="get" action="/messages" class="search" role="search">
        <div><label for="q">Order, PO, entity key, partner ref or id</label><input id="q" name="q" value={form.q} placeholder="SO-1001" /></div>
        <div><label for="type">Document type</label><input id="type" name="type" value={form.type} placeholder="sales_order" /></div>
        <div>
          <label for="status">Status</label>
          <select id="status" name="status"><option value="">any</option>{STATUSES.map((s) => <option value={s} selected={form.status === s}>{s}</option>)}</select>
        </div>
        <div>
          <label for="endpoint">Endpoint</label>
          <select id="endpoint" name="endpoint"><option value="">any</option>{endpoints.map((e) => <option value={e.name} selected={form.endpoint === e.name}>{e.name}</option>)}<option value="api" selected={form.endpoint === 'api'}>api</option></select>
        </div>
        <div><label for="from">Received from (UTC)</label><input id="from" name="from" type="datetime-local" value={form.from} /></div>
        <div><label for="to">until (UTC)</label><input id="to" name="to" type="datetime-local" value={form.to} /></div>
        <div><button type="submit">Search</button></div>
      </form>
      {mayOperate(session) && rows.length > 0 && (
        <Action action="/messages/replay" session={session} label="Replay every message this search matches" confirm="Process every matching message again?" fields={{ ...form }} />
      )}
      <MessageTable rows={rows} />
      <p class="pager">{before !== undefined && <a href={`/messages?${params({})}`}>Newest</a>} {next !== undefined && <a href={`/messages?${params({ before: String(next) })}`}>Older</a>}</p>
    </Page>
  );
}

function MessageTable(props: { rows: MessageSummary[] }) {
  return (
    <Table head={['Id', 'Received', 'Endpoint', 'Partner ref', 'Status', 'Gen', 'Size', 'First error']} rows={props.rows.length} empty="No message matches.">
      {props.rows.map((m) => (
        <tr>
          <td><a href={`/messages/${m.id}`}>#{m.id}</a></td>
          <td>{when(m.receivedAt)}</td>
          <td>{m.endpoint}</td>
          <td>{m.partnerRef ?? '—'}</td>
          <td><Status value={m.status} /></td>
          <td>{m.generation}</td>
          <td>{m.size} B</td>
          <td>{m.errors[0] ? `${m.errors[0].code} ${m.errors[0].path ?? ''}` : ''}</td>
        </tr>
      ))}
    </Table>
  );
}

/** Bytes as text when they are text; otherwise say what they are. */
export function showBytes(body: Buffer): string {
  const shown = body.subarray(0, SHOWN_BYTES);
  const text = shown.toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (text.includes('\uFFFD') || /[\x00-\x08\x0E-\x1F]/.test(text)) return `(${body.length} bytes of binary content: download the raw message)`;
  return body.length > SHOWN_BYTES ? `${text}\n… (${body.length - SHOWN_BYTES} more bytes: download the raw message)` : text;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

export async function messagePage(engine: HubFacade, tenant: string, session: Session, id: number, options: PageOptions) {
  const [lineage, edits] = await Promise.all([engine.lineage(tenant, id), engine.messageEdits(tenant, id)]);
  if (!lineage) return undefined;
  const { message: m, documents, deliveries } = lineage;
  const operator = mayOperate(session);
  return (
    <Page {...options} title={`Message #${m.id}`}>
      <dl class="facts">
        <dt>Status</dt><dd><Status value={m.status} /> generation {m.generation}</dd>
        <dt>Endpoint</dt><dd>{m.endpoint} ({m.codec})</dd>
        <dt>Received</dt><dd>{when(m.receivedAt)}</dd>
        <dt>Partner ref</dt><dd>{m.partnerRef ?? '—'}</dd>
        <dt>Idempotency key</dt><dd><code>{m.idempotencyKey}</code></dd>
        <dt>Duplicates</dt><dd>{m.duplicates}</dd>
      </dl>
      {m.errors.length > 0 && (
        <section aria-labelledby="errors-h">
          <h2 id="errors-h">Errors</h2>
          <ul class="errors">{m.errors.map((e) => <li><code>{e.code}</code> <code>{e.path ?? '$'}</code> {e.message}</li>)}</ul>
        </section>
      )}
      {m.warnings.length > 0 && (
        <section aria-labelledby="warnings-h">
          <h2 id="warnings-h">Warnings</h2>
          <p>Read with an assumption or left out; the message went through.</p>
          <ul class="warnings">{m.warnings.map((e) => <li><code>{e.code}</code> <code>{e.path ?? '$'}</code> {e.message}</li>)}</ul>
        </section>
      )}
      <p class="actions">
        <a href={`/messages/${m.id}/raw`} download>Download raw</a>
        {operator && <Action action={`/messages/${m.id}/replay`} session={session} label="Replay" confirm="Process this message again with the current configuration?" />}
        {operator && m.status === 'quarantined' && <a class="button" href={`/messages/${m.id}/edit`}>Edit and retry</a>}
      </p>
      <section aria-labelledby="lineage-h">
        <h2 id="lineage-h">Lineage</h2>
        <div class="lineage">
          <div><h3>Raw</h3><pre tabindex={0}>{showBytes(m.body)}</pre></div>
          <div>
            <h3>Canonical</h3>
            {documents.length === 0 ? <p>No document (yet).</p> : documents.map((d) => (
              <details open={d.generation === m.generation}>
                <summary>{d.type} <code>{d.entityKey}</code> gen {d.generation}</summary>
                <pre tabindex={0}>{pretty(d.body)}</pre>
              </details>
            ))}
          </div>
          <div>
            <h3>Mapped</h3>
            {deliveries.length === 0 ? <p>No delivery.</p> : deliveries.map((d) => (
              <details open>
                <summary>to {d.endpoint} ({d.contentType})</summary>
                <pre tabindex={0}>{showBytes(d.payload)}</pre>
              </details>
            ))}
          </div>
        </div>
      </section>
      <section aria-labelledby="deliveries-h">
        <h2 id="deliveries-h">Deliveries</h2>
        {deliveries.length === 0 ? <p>None.</p> : deliveries.map((d) => (
          <div class="delivery">
            <h3>#{d.id} to {d.endpoint} <Status value={d.status} /> <small>{d.documentType} {d.entityKey} · flow {d.flow}</small></h3>
            <Table head={['Attempt', 'Finished', 'Outcome', 'HTTP', 'Partner ref', 'Answer or error']} rows={d.attemptLog.length} empty="Not tried yet.">
              {d.attemptLog.map((a, i) => (
                <tr>
                  <td>{i + 1}</td><td>{when(a.finishedAt)}</td><td><Status value={a.outcome} /></td><td>{a.statusCode ?? '—'}</td>
                  <td>{a.partnerRef ?? '—'}</td><td class="wrap">{a.error ?? a.response ?? ''}</td>
                </tr>
              ))}
            </Table>
          </div>
        ))}
      </section>
      {edits.length > 0 && <EditHistory edits={edits} />}
    </Page>
  );
}

function EditHistory(props: { edits: MessageEdit[] }) {
  return (
    <section aria-labelledby="edits-h">
      <h2 id="edits-h">Corrections</h2>
      <Table head={['Generation replaced', 'By', 'When', 'Note', 'Body before']} rows={props.edits.length}>
        {props.edits.map((e) => (
          <tr>
            <td>{e.generation}</td><td>{e.editedBy}</td><td>{when(e.editedAt)}</td><td>{e.note}</td>
            <td><details><summary>{e.bodyBefore.length} bytes ({e.codecBefore})</summary><pre tabindex={0}>{showBytes(e.bodyBefore)}</pre></details></td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

export async function editPage(engine: HubFacade, tenant: string, session: Session, id: number, options: PageOptions) {
  const lineage = await engine.lineage(tenant, id);
  if (!lineage) return undefined;
  const m = lineage.message;
  return (
    <Page {...options} title={`Edit and retry message #${m.id}`}>
      {m.status !== 'quarantined' ? <p>Only a quarantined message can be corrected; this one is {m.status}.</p> : (
        <form method="post" action={`/messages/${m.id}/edit`} class="edit">
          <input type="hidden" name="_csrf" value={session.csrf} />
          <ul class="errors">{m.errors.map((e) => <li><code>{e.code}</code> <code>{e.path ?? '$'}</code> {e.message}</li>)}</ul>
          <fieldset>
            <legend>What you correct</legend>
            <label><input type="radio" name="as" value="raw" checked /> The raw message, decoded again as {m.codec}</label>
            <label><input type="radio" name="as" value="canonical" /> The canonical document(s), as JSON</label>
          </fieldset>
          <label for="body">Corrected content</label>
          <textarea id="body" name="body" rows={20} spellcheck={false}>{m.body.toString('utf8')}</textarea>
          <label for="note">Why (kept in the audit log)</label>
          <input id="note" name="note" required maxlength={500} />
          <p>The quarantined version is kept; the correction runs as generation {m.generation + 1}.</p>
          <button type="submit">Save and retry</button>
        </form>
      )}
    </Page>
  );
}
