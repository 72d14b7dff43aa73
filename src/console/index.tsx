import { Readable } from 'node:stream';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { allows, TENANT, type KeyRing } from '../api/auth.ts';
import type { HubFacade } from '../engine/index.ts';
import { asset } from './assets.ts';
import { Page, type PageOptions } from './layout.tsx';
import { editPage, messagePage, messagesPage, readSearch, toSearch } from './pages/messages.tsx';
import { clientsPage } from './pages/clients.tsx';
import { overviewPage } from './pages/overview.tsx';
import { auditReportPage, inventoryPage, positionsPage, runPage } from './pages/inventory.tsx';
import { INBOUND_STATUSES, inboundOnePage, inboundPage, orderPage, ordersPage, readOrderStatus, readRoutingCursor, routingPage } from './pages/orders.tsx';
import { alertsPage, auditPage, deadLettersPage, ediPage, endpointsPage, loginPage } from './pages/operations.tsx';
import { csrfMatches, mayOperate, Sessions, type Session } from './sessions.ts';
import { SignInLimiter } from './sign-in-limit.ts';

export { Sessions } from './sessions.ts';

interface ConsoleEnv {
  Variables: { session: Session };
}

const COOKIE = 'causeway_session';
/** Replay of a search stops here: beyond it, narrow the search or use `causeway replay`. */
const REPLAY_MAX = 10_000;

/** No inline script or style, no framing, nothing from elsewhere. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A page of the console, or the routes of a console action: every one that reads tenant data, for the tenancy walk. */
export const CONSOLE_READS = [
  '/', '/messages', '/messages/{id}', '/messages/{id}/raw', '/messages/{id}/edit', '/dead-letters', '/edi', '/endpoints', '/alerts', '/audit',
  '/orders', '/orders/{order}', '/inbound', '/inbound/{order}', '/routing', '/inventory', '/inventory/runs/{run}', '/inventory/positions', '/inventory/audit', '/clients',
] as const;
export const CONSOLE_ACTIONS = [
  '/messages/{id}/replay', '/messages/{id}/edit', '/messages/replay', '/dead-letters/replay', '/dead-letters/resolve', '/alerts/{id}/acknowledge', '/alerts/{id}/resolve',
  '/orders/{order}/hold', '/orders/{order}/release', '/inventory/runs/{run}/decide',
] as const;

/**
 * Renders the main pages once, for every tenant, before the console answers: the statements are
 * prepared, the closed trend hours summed and kept (once per store: a restart finds them), the
 * dead letters' error patterns read and kept, the store's pages for the newest rows cached, and the
 * page code compiled by the JIT. Nothing is sent anywhere. Returns how long it took, ms.
 */
export async function warmConsole(engine: HubFacade): Promise<number> {
  const started = performance.now();
  const options = (title: string, path: string): PageOptions => ({ title, path });
  for (const tenant of engine.tenants()) {
    // A reader's view: the pages as a viewer of the tenant sees them.
    const reader: Session = { id: '', idHash: '', csrf: '', keyName: 'warm-up', scopes: ['read'], grant: 'viewer', keyTenant: tenant, tenant, expiresAt: 0 };
    const pages = await Promise.all([
      overviewPage(engine, tenant, options('Overview', '/')),
      messagesPage(engine, tenant, reader, readSearch({}), undefined, options('Messages', '/messages')),
      deadLettersPage(engine, tenant, reader, options('Dead letters', '/dead-letters')),
      endpointsPage(engine, tenant, options('Endpoints', '/endpoints')),
      ediPage(engine, tenant, undefined, options('EDI', '/edi')),
      alertsPage(engine, tenant, reader, 'open', undefined, options('Alerts', '/alerts')),
      ordersPage(engine, tenant, {}, options('Orders', '/orders')),
      routingPage(engine, tenant, {}, options('Routing', '/routing')),
      inventoryPage(engine, tenant, undefined, options('Inventory', '/inventory')),
    ]);
    for (const p of pages) String(p);
  }
  return performance.now() - started;
}

const idOf = (c: Context) => {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
};

/**
 * The operations console on the API's app: sign-in with an API key gives a session cookie;
 * pages are rendered here (Hono's JSX) and enhanced with htmx; every POST carries the session's
 * CSRF token and comes from this origin; every action is written to the audit log.
 */
export function consoleApp(engine: HubFacade, keys: KeyRing): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const settings = engine.consoleSettings;
  const sessions = new Sessions(engine.consoleSessionStore, settings.sessionHours * 3_600_000);
  const limiter = new SignInLimiter({ ...settings.signIn, windowMs: settings.signIn.windowMinutes * 60_000 });
  /** The client's address: the proxy's word for it only when told to trust the proxy. */
  const clientIp = (c: Context) => {
    const forwarded = settings.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
    if (forwarded) return forwarded;
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const log = engine.logger.child({ component: 'console' });

  const secure = (c: Context) => new URL(c.req.url).protocol === 'https:' || (settings.trustProxy && c.req.header('x-forwarded-proto') === 'https');
  const options = (c: Context<ConsoleEnv>, title: string, path: string): PageOptions => {
    const session = c.get('session');
    const { flash } = session;
    session.flash = undefined;
    return { title, path, session, tenants: session.keyTenant === '*' ? engine.tenants() : undefined, notice: flash?.notice, error: flash?.error };
  };
  const back = async (c: Context<ConsoleEnv>, to: string, flash: { notice?: string; error?: string }) => {
    await sessions.setFlash(c.get('session'), flash);
    return c.redirect(to, 303);
  };
  const audit = (c: Context<ConsoleEnv>, action: string, subject: string, detail?: unknown) => {
    const s = c.get('session');
    return engine.recordAudit({ tenant: s.tenant, actor: s.keyName, action, subject, detail, at: Date.now() });
  };
  const html = (c: Context, body: unknown, status: 200 | 400 | 403 | 404 = 200) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    return c.html(`<!doctype html>${String(body)}`, status);
  };
  const sameOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    if (origin === undefined || origin === 'null') return origin === undefined && c.req.header('sec-fetch-site') !== 'cross-site';
    return origin === new URL(c.req.url).origin || (settings.trustProxy && new URL(origin).host === c.req.header('x-forwarded-host'));
  };

  /** A session is needed; a POST must also carry its CSRF token and come from this origin. */
  const signedIn = (need: 'read' | 'operate' = 'read'): MiddlewareHandler<ConsoleEnv> => async (c, next) => {
    const session = await sessions.find(getCookie(c, COOKIE));
    if (!session) {
      if (c.req.method !== 'GET') return html(c, <Page title="Signed out" path="">Your session has ended. <a href="/login">Sign in</a></Page>, 403);
      return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    }
    c.set('session', session);
    // Shown on this page once: forgotten in the store now, kept on the request for the page.
    if (session.flash) await sessions.setFlash(session, null);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      const token = c.req.header('x-csrf-token') ?? (typeof form._csrf === 'string' ? form._csrf : undefined);
      if (!sameOrigin(c) || !csrfMatches(session, token)) {
        log.warn({ key: session.keyName, path: c.req.path }, 'console request refused: CSRF token or origin missing or wrong');
        return html(c, <Page title="Refused" path="" session={session}>This request did not come from the console (CSRF check failed). Nothing was changed.</Page>, 403);
      }
      if (need === 'operate' && !mayOperate(session)) {
        return html(c, <Page title="Not allowed" path="" session={session}>Your key ({session.keyName}) may only read: replaying, correcting and resolving need a key with the operate scope (an operator key).</Page>, 403);
      }
    }
    await next();
  };

  app.get('/assets/:file', (c) => {
    const a = asset(c.req.param('file'));
    if (!a) return c.notFound();
    if (c.req.header('if-none-match') === a.etag) return c.body(null, 304);
    return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, etag: a.etag, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
  });

  // Signing in and out.

  app.get('/login', (c) => {
    const next = c.req.query('next') ?? '/';
    return html(c, loginPage({ title: 'Sign in', path: '/login', next: next.startsWith('/') && !next.startsWith('//') ? next : '/' }));
  });
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key.trim() : '';
    const nextPath = typeof form.next === 'string' && form.next.startsWith('/') && !form.next.startsWith('//') ? form.next : '/';
    const ip = clientIp(c);
    const wait = limiter.retryAfter(ip, key);
    if (wait > 0) {
      log.warn({ ip }, 'console sign-in refused: too many failed sign-ins');
      c.header('retry-after', String(wait));
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
      return c.html(`<!doctype html>${String(loginPage({ title: 'Sign in', path: '/login', next: nextPath, error: `Too many failed sign-ins: try again in ${wait} s.` }))}`, 429);
    }
    const refuse = (why: string, error: string, name?: string) => {
      limiter.failed(ip, key);
      log.warn({ key: name, ip }, `console sign-in refused${why}`);
      return html(c, loginPage({ title: 'Sign in', path: '/login', next: nextPath, error }), 403);
    };
    // Signing someone in to the attacker's account is a CSRF too: only this origin may post here.
    const who = sameOrigin(c) && key ? await keys.identify(key) : undefined;
    if (!who) return refuse('', 'That key is not known.');
    const now = Date.now();
    if (who.expiresAt !== undefined && now >= who.expiresAt) return refuse(': the key has expired', 'That key has expired.', who.name);
    // The console shows a tenant's data: a key only for pushing documents or scraping metrics may not read it.
    if (!allows(who.scopes, 'read')) return refuse(': the key lacks the read scope', 'That key may not read (it lacks the read scope).', who.name);
    const tenant = who.tenant === '*' ? engine.tenants()[0] ?? 'default' : who.tenant;
    const session = await sessions.open(who, tenant, now);
    setCookie(c, COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', secure: secure(c), path: '/', maxAge: settings.sessionHours * 3600 });
    await engine.recordAudit({ tenant, actor: who.name, action: 'sign-in', subject: 'console', detail: { role: who.role, scopes: who.scopes }, at: Date.now() });
    return c.redirect(nextPath, 303);
  });
  app.post('/logout', signedIn(), async (c) => {
    await audit(c, 'sign-out', 'console');
    await sessions.close(c.get('session'));
    deleteCookie(c, COOKIE, { path: '/', secure: secure(c), httpOnly: true, sameSite: 'Strict' });
    return c.redirect('/login', 303);
  });
  app.post('/tenant', signedIn(), async (c) => {
    const s = c.get('session');
    const asked = String((await c.req.parseBody()).tenant ?? '');
    if (s.keyTenant !== '*' || !TENANT.test(asked)) return back(c, '/', { error: 'This key cannot switch tenants.' });
    const from = s.tenant;
    await sessions.switchTenant(s, asked);
    await audit(c, 'switch-tenant', `tenant ${asked}`, { from });
    return c.redirect('/', 303);
  });

  // Pages.

  const before = (c: Context) => {
    const b = Number(c.req.query('before'));
    return Number.isSafeInteger(b) && b > 0 ? b : undefined;
  };
  app.get('/', signedIn(), async (c) => html(c, await overviewPage(engine, c.get('session').tenant, options(c, 'Overview', '/'))));
  app.get('/messages', signedIn(), async (c) => html(c, await messagesPage(engine, c.get('session').tenant, c.get('session'), readSearch(c.req.query()), before(c), options(c, 'Messages', '/messages'))));
  app.get('/messages/:id', signedIn(), async (c) => {
    const id = idOf(c);
    const page = id && await messagePage(engine, c.get('session').tenant, c.get('session'), id, options(c, 'Message', '/messages'));
    return page ? html(c, page) : html(c, <Page {...options(c, 'No such message', '/messages')}>This tenant has no message {c.req.param('id')}.</Page>, 404);
  });
  app.get('/messages/:id/raw', signedIn(), async (c) => {
    const id = idOf(c);
    const m = id && await engine.rawMessage(c.get('session').tenant, id);
    if (!m) return c.text('no such message', 404);
    // Streamed from the stored chunks: a large message is never held whole.
    return c.body(Readable.toWeb(Readable.from(m.body)) as ReadableStream<Uint8Array>, 200, {
      'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="message-${id}.raw"`, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store',
    });
  });
  app.get('/messages/:id/edit', signedIn(), async (c) => {
    const id = idOf(c);
    const page = id && await editPage(engine, c.get('session').tenant, c.get('session'), id, options(c, 'Edit and retry', '/messages'));
    return page ? html(c, page) : html(c, <Page {...options(c, 'No such message', '/messages')}>This tenant has no message {c.req.param('id')}.</Page>, 404);
  });
  app.get('/dead-letters', signedIn(), async (c) => html(c, await deadLettersPage(engine, c.get('session').tenant, c.get('session'), options(c, 'Dead letters', '/dead-letters'))));
  app.get('/edi', signedIn(), async (c) => html(c, await ediPage(engine, c.get('session').tenant, before(c), options(c, 'EDI', '/edi'))));
  app.get('/endpoints', signedIn(), async (c) => html(c, await endpointsPage(engine, c.get('session').tenant, options(c, 'Endpoints', '/endpoints'))));
  app.get('/alerts', signedIn(), async (c) => {
    const state = c.req.query('state') === 'resolved' ? 'resolved' : 'open';
    return html(c, await alertsPage(engine, c.get('session').tenant, c.get('session'), state, before(c), options(c, 'Alerts', '/alerts')));
  });
  app.get('/orders', signedIn(), async (c) => {
    const number = c.req.query('number')?.trim();
    // "Find" by number goes straight to the order's page.
    if (number) return c.redirect(`/orders/${encodeURIComponent(number.slice(0, 200))}`, 303);
    const after = c.req.query('after');
    return html(c, await ordersPage(engine, c.get('session').tenant, {
      status: readOrderStatus(c.req.query('status')), facility: c.req.query('facility')?.trim().slice(0, 100) || undefined, after: after?.startsWith('order:') ? after.slice(0, 300) : undefined,
    }, options(c, 'Orders', '/orders')));
  });
  app.get('/orders/:number', signedIn(), async (c) => {
    const number = c.req.param('number');
    const page = await orderPage(engine, c.get('session').tenant, c.get('session'), number, options(c, 'Order', '/orders'));
    return page ? html(c, page) : html(c, <Page {...options(c, 'No such order', '/orders')}>This tenant has no such order.</Page>, 404);
  });
  app.get('/inbound', signedIn(), async (c) => {
    const reference = c.req.query('reference')?.trim();
    if (reference) return c.redirect(`/inbound/${encodeURIComponent(reference.slice(0, 200))}`, 303);
    const status = c.req.query('status');
    const after = c.req.query('after');
    return html(c, await inboundPage(engine, c.get('session').tenant, {
      status: (INBOUND_STATUSES as readonly string[]).includes(status ?? '') ? status : undefined,
      facility: c.req.query('facility')?.trim().slice(0, 100) || undefined, after: after?.startsWith('inbound:') ? after.slice(0, 300) : undefined,
    }, options(c, 'Inbound', '/inbound')));
  });
  app.get('/inbound/:reference', signedIn(), async (c) => {
    const page = await inboundOnePage(engine, c.get('session').tenant, c.req.param('reference'), options(c, 'Inbound', '/inbound'));
    return page ? html(c, page) : html(c, <Page {...options(c, 'No such inbound', '/inbound')}>This tenant expects no such inbound.</Page>, 404);
  });
  app.get('/inventory/audit', signedIn(), async (c) => html(c, await auditReportPage(engine, c.get('session').tenant, c.req.query('run') === '1', c.req.query('kind')?.slice(0, 40), options(c, 'Go-live audit', '/inventory'))));
  app.get('/routing', signedIn(), async (c) => html(c, await routingPage(engine, c.get('session').tenant, { status: c.req.query('status'), before: readRoutingCursor(c.req.query('before')) }, options(c, 'Routing', '/routing'))));
  app.get('/inventory', signedIn(), async (c) => html(c, await inventoryPage(engine, c.get('session').tenant, before(c), options(c, 'Inventory', '/inventory'))));
  app.get('/inventory/positions', signedIn(), async (c) => {
    const after = Number(c.req.query('after'));
    return html(c, await positionsPage(engine, c.get('session').tenant, { facility: c.req.query('facility')?.trim().slice(0, 100), after: Number.isSafeInteger(after) && after > 0 ? after : undefined }, options(c, 'Stock positions', '/inventory')));
  });
  app.get('/inventory/runs/:id', signedIn(), async (c) => {
    const id = idOf(c);
    const after = Number(c.req.query('after'));
    const page = id && await runPage(engine, c.get('session').tenant, c.get('session'), id, { status: c.req.query('status'), after: Number.isSafeInteger(after) && after > 0 ? after : undefined }, options(c, 'Reconciliation run', '/inventory'));
    return page ? html(c, page) : html(c, <Page {...options(c, 'No such run', '/inventory')}>This tenant has no reconciliation run {c.req.param('id')}.</Page>, 404);
  });
  // Every client at once: the 3PL's own staff only, signed in with an operator key.
  app.get('/clients', signedIn(), async (c) => (c.get('session').keyTenant === '*'
    ? html(c, await clientsPage(engine, options(c, 'Clients', '/clients')))
    : html(c, <Page {...options(c, 'Not found', '/clients')}>Only an operator key sees every client.</Page>, 404)));
  app.get('/audit', signedIn(), async (c) => html(c, await auditPage(engine, c.get('session').tenant, before(c), options(c, 'Audit log', '/audit'))));

  // Actions: operators only, each in the audit log.

  app.post('/messages/replay', signedIn('operate'), async (c) => {
    const form = readSearch(Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)])));
    const tenant = c.get('session').tenant;
    const ids: number[] = [];
    let cursor: number | undefined;
    while (ids.length < REPLAY_MAX) {
      const rows = await engine.searchMessages(tenant, { ...toSearch(form), before: cursor, limit: 1000 });
      ids.push(...rows.map((m) => m.id));
      if (rows.length < 1000) break;
      cursor = rows[rows.length - 1]!.id;
    }
    const requeued = await engine.replayMessages(tenant, ids.slice(0, REPLAY_MAX));
    await audit(c, 'replay-messages', 'messages matching a search', { search: form, matched: ids.length, requeued });
    return back(c, `/messages?${new URLSearchParams(Object.entries(form).filter(([, v]) => v !== '')).toString()}`,
      { notice: `${requeued} message(s) will be processed again${ids.length >= REPLAY_MAX ? ` (the first ${REPLAY_MAX}; narrow the search for the rest)` : ''}.` });
  });
  app.post('/messages/:id/replay', signedIn('operate'), async (c) => {
    const id = idOf(c);
    const requeued = id && await engine.replayMessage(c.get('session').tenant, id);
    if (requeued === undefined || !id) return html(c, <Page {...options(c, 'No such message', '/messages')}>This tenant has no message {c.req.param('id')}.</Page>, 404);
    await audit(c, 'replay-message', `message ${id}`, { requeued });
    return back(c, `/messages/${id}`, { notice: requeued ? 'The message will be processed again.' : 'The message is still pending: nothing to replay.' });
  });
  app.post('/messages/:id/edit', signedIn('operate'), async (c) => {
    const id = idOf(c);
    const form = await c.req.parseBody();
    const body = typeof form.body === 'string' ? form.body : '';
    const as = form.as === 'canonical' ? 'canonical' : 'raw';
    const note = typeof form.note === 'string' ? form.note.trim().slice(0, 500) : '';
    const tenant = c.get('session').tenant;
    if (!id) return html(c, <Page {...options(c, 'No such message', '/messages')}>No such message.</Page>, 404);
    if (!note) return back(c, `/messages/${id}/edit`, { error: 'Say why the message is corrected: the note goes to the audit log.' });
    let done: { generation: number } | undefined;
    try {
      done = await engine.correctMessage(tenant, id, { as, body: Buffer.from(body, 'utf8'), by: c.get('session').keyName, note });
    } catch (e) {
      return back(c, `/messages/${id}/edit`, { error: `The canonical document is not JSON: ${(e as Error).message}` });
    }
    if (!done) return back(c, `/messages/${id}`, { error: 'Only a quarantined message of this tenant can be corrected.' });
    await audit(c, 'correct-message', `message ${id}`, { as, note, generation: done.generation, bytes: Buffer.byteLength(body) });
    return back(c, `/messages/${id}`, { notice: `Corrected: generation ${done.generation} is being processed; the quarantined version is kept.` });
  });
  app.post('/dead-letters/replay', signedIn('operate'), async (c) => {
    const key = String((await c.req.parseBody()).group ?? '');
    const n = await engine.replayDeadLetterGroup(c.get('session').tenant, key);
    if (n === undefined) return back(c, '/dead-letters', { error: 'That group has no open dead letter any more.' });
    await audit(c, 'replay-dead-letters', `dead-letter group ${key}`, { requeued: n });
    return back(c, '/dead-letters', { notice: `${n} tried again.` });
  });
  app.post('/dead-letters/resolve', signedIn('operate'), async (c) => {
    const key = String((await c.req.parseBody()).group ?? '');
    const n = await engine.resolveDeadLetterGroup(c.get('session').tenant, key, c.get('session').keyName);
    if (n === undefined) return back(c, '/dead-letters', { error: 'That group has no open dead letter any more.' });
    await audit(c, 'resolve-dead-letters', `dead-letter group ${key}`, { resolved: n });
    return back(c, '/dead-letters', { notice: `${n} marked resolved.` });
  });
  app.post('/orders/:number/hold', signedIn('operate'), async (c) => {
    const number = c.req.param('number');
    const reason = String((await c.req.parseBody()).reason ?? '').trim().slice(0, 200);
    const tenant = c.get('session').tenant;
    // The console holds orders it shows; a hold set before its order arrives is the API's (the ERP's credit hold).
    if (!(await engine.order(tenant, number))) return html(c, <Page {...options(c, 'No such order', '/orders')}>This tenant has no such order.</Page>, 404);
    if (!reason) return back(c, `/orders/${encodeURIComponent(number)}`, { error: 'Say why the order is held: the reason goes to the ledger and the audit log.' });
    await engine.holdOrder(tenant, number, { reason, by: c.get('session').keyName });
    await audit(c, 'hold-order', `order ${number}`, { reason });
    return back(c, `/orders/${encodeURIComponent(number)}`, { notice: 'Held: the order is not sent to the warehouse until released.' });
  });
  app.post('/orders/:number/release', signedIn('operate'), async (c) => {
    const number = c.req.param('number');
    const released = await engine.releaseOrder(c.get('session').tenant, number, c.get('session').keyName);
    if (!released) return html(c, <Page {...options(c, 'No such order', '/orders')}>This tenant has no such order.</Page>, 404);
    await audit(c, 'release-order', `order ${number}`);
    return back(c, `/orders/${encodeURIComponent(number)}`, { notice: 'Released: what waited for the release is processed again.' });
  });
  app.post('/inventory/runs/:id/decide', signedIn('operate'), async (c) => {
    const id = idOf(c);
    const tenant = c.get('session').tenant;
    if (!id || !(await engine.inventory.getRun(tenant, id))) return html(c, <Page {...options(c, 'No such run', '/inventory')}>This tenant has no reconciliation run {c.req.param('id')}.</Page>, 404);
    const form = await c.req.parseBody();
    const position = Number(form.position);
    const action = form.action === 'approved' ? 'approved' : form.action === 'rejected' ? 'rejected' : undefined;
    if (!Number.isSafeInteger(position) || position < 1 || !action) return back(c, `/inventory/runs/${id}`, { error: 'Name a position and approve or reject it.' });
    const [variance] = await engine.inventory.results(tenant, id, { status: 'variance', after: position - 1, limit: 1 });
    if (variance?.position !== position) return back(c, `/inventory/runs/${id}`, { error: `Position ${position} of run ${id} is not a variance.` });
    const outcome = await engine.inventory.decide(tenant, id, [position], action, c.get('session').keyName, typeof form.note === 'string' ? form.note.slice(0, 500) : undefined);
    const first = outcome.decisions[0];
    await audit(c, `${action === 'approved' ? 'approve' : 'reject'}-variance`, `run ${id} position ${position}`, { sku: variance.sku, facility: variance.facility, quantity: variance.correctedDifference, message: outcome.messages[0]?.messageId });
    const already = first && first.action !== action;
    return back(c, `/inventory/runs/${id}`, already ? { error: `Position ${position} was ${first.action} before: the first decision stands.` }
      : { notice: action === 'approved' ? `Approved: adjustment ${outcome.messages[0]?.adjustmentNumber ?? ''} goes out.` : 'Rejected: nothing is sent.' });
  });
  app.post('/alerts/:id/acknowledge', signedIn('operate'), async (c) => {
    const id = idOf(c);
    const ok = !!id && await engine.acknowledgeAlert(c.get('session').tenant, id, c.get('session').keyName);
    if (ok) await audit(c, 'acknowledge-alert', `alert ${id}`);
    return back(c, '/alerts', ok ? { notice: 'Acknowledged.' } : { error: 'No such open alert.' });
  });
  app.post('/alerts/:id/resolve', signedIn('operate'), async (c) => {
    const id = idOf(c);
    const ok = !!id && await engine.resolveAlert(c.get('session').tenant, id);
    if (ok) await audit(c, 'resolve-alert', `alert ${id}`);
    return back(c, '/alerts', ok ? { notice: 'Resolved.' } : { error: 'No such open alert.' });
  });
  return app;
}
