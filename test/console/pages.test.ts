// The console's orders, routing and inventory pages over plain HTTP, the alert rules that watch
// them (stuck orders, variances, accuracy), sessions kept in the store across processes, and the
// sign-in limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startApiServer } from '../../src/api/index.ts';
import { startAlerting } from '../../src/console/alerts/index.ts';
import { sessionIdHash } from '../../src/console/sessions.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub, HubFacade } from '../../src/engine/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, startTestApi, type TestApi } from '../api/harness.ts';
import { signIn } from './client.ts';

const SECRET = 'hook-signing-secret-0123456789';
const VIEWER = 'acme-viewer-key-0123456789abcdef';
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
type Json = Record<string, any>;

describe('console: orders and routing pages, and the stuck-order alert', () => {
  let api: TestApi;
  let wms: Awaited<ReturnType<typeof startReceiver>>;
  let hook: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    wms = await startReceiver();
    hook = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms-ewr: { type: webhook, allowPrivateNetworks: true, url: "${wms.url}/ewr" }
  wms-chi: { type: webhook, allowPrivateNetworks: true, url: "${wms.url}/chi" }
flows:
  - { name: orders-to-ewr, from: [api], types: [sales_order], facilities: [EWR], to: wms-ewr }
  - { name: orders-to-chi, from: [api], types: [sales_order], facilities: [CHI], to: wms-chi }
routing:
  facilities:
    EWR: { endpoint: wms-ewr, coordinates: { lat: 40.73, lon: -74.17 }, serviceArea: { countries: [US] } }
    CHI: { endpoint: wms-chi, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
  policy: complete
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: stuck_order }]
  channels: [{ type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }]
`, { keys: [`{ name: acme-viewer, tenant: acme, key: ${VIEWER}, role: viewer }`] });
  });
  after(async () => {
    await api.close();
    await wms.close();
    await hook.close();
  });

  const post = async (doc: unknown, key: string = KEYS.acme) => {
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: doc, key })).json() as { messageId: number };
    await waitFor(async () => (await api.hub.store.getMessage(key === KEYS.acme ? 'acme' : 'globex', messageId))?.status !== 'pending', 10_000, `message ${messageId}`);
    return messageId;
  };

  it('lists orders by status, stuck ones with why, and shows one order\'s ledger', async () => {
    const late = await post(salesOrder('SO-LATE-1', 2, { facility: 'EWR', requestedShipDate: daysAgo(10) }));
    await post(salesOrder('SO-FINE-1', 1, { facility: 'EWR', requestedShipDate: daysAgo(-30) }));
    const user = await signIn(api);
    const all = await user.get('/orders');
    assert.equal(all.status, 200);
    assert.match(all.text, /SO-LATE-1/);
    assert.match(all.text, /SO-FINE-1/);
    const stuck = await user.get('/orders?status=stuck');
    assert.match(stuck.text, /SO-LATE-1/);
    assert.doesNotMatch(stuck.text, /SO-FINE-1/, 'an order with time left is not stuck');
    assert.match(stuck.text, /SHIP_DATE_MISSED/);
    assert.doesNotMatch((await user.get('/orders?status=shipped')).text, /SO-LATE-1/);
    const found = await user.get('/orders?number=SO-LATE-1');
    assert.equal(found.location, '/orders/SO-LATE-1');
    const page = await user.get('/orders/SO-LATE-1');
    assert.equal(page.status, 200);
    assert.match(page.text, /ORDER_ACCEPTED/);
    assert.match(page.text, new RegExp(`/messages/${late}`));
    assert.match(page.text, /SKU-2/);
    assert.equal((await user.get('/orders/SO-NONE')).status, 404);
  });

  it('an operator holds and releases an order, both in the audit log; a viewer may not', async () => {
    await post(salesOrder('SO-HOLD-1', 1, { facility: 'EWR' }));
    const viewer = await signIn(api, VIEWER);
    assert.doesNotMatch((await viewer.get('/orders/SO-HOLD-1')).text, /Hold reason/);
    assert.equal((await viewer.post('/orders/SO-HOLD-1/hold', { reason: 'no' })).status, 403);
    const operator = await signIn(api);
    assert.equal((await operator.post('/orders/SO-NONE/hold', { reason: 'x' })).status, 404, 'the console holds only orders it knows');
    assert.equal((await operator.post('/orders/SO-HOLD-1/hold', { reason: 'customer on credit hold' })).status, 303);
    const held = (await api.call('/v1/orders/SO-HOLD-1').then((r) => r.json())) as Json;
    assert.deepEqual(held.holds.map((h: Json) => [h.by, h.releasedAt]), [['operator', undefined]]);
    assert.match((await operator.get('/orders/SO-HOLD-1')).text, /customer on credit hold/);
    assert.equal((await operator.post('/orders/SO-HOLD-1/release')).status, 303);
    const released = (await api.call('/v1/orders/SO-HOLD-1').then((r) => r.json())) as Json;
    assert.ok(released.holds[0].releasedAt);
    const audit = await api.hub.store.listAudit('acme');
    assert.deepEqual(audit.filter((a) => a.subject === 'order SO-HOLD-1').map((a) => a.action).reverse(), ['hold-order', 'release-order']);
  });

  it('shows a routed order\'s decision with every candidate and its reasons, and lists decisions', async () => {
    const asOf = minutesAgo(1);
    for (const [facility, onHand] of [['EWR', '0'], ['CHI', '12']] as const) {
      await post({ type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand, uom: 'EA' }] });
    }
    await post(salesOrder('SO-ROUTE-1', 1, {
      facility: 'auto', shipTo: { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' },
      lines: [{ lineNumber: 1, sku: 'TEA', quantity: '5', uom: 'EA' }],
    }));
    const user = await signIn(api);
    const list = await user.get('/routing');
    assert.match(list.text, /SO-ROUTE-1/);
    assert.match(list.text, /CHI/);
    assert.doesNotMatch((await user.get('/routing?status=unroutable')).text, /SO-ROUTE-1/);
    const page = await user.get('/orders/SO-ROUTE-1');
    assert.match(page.text, /<h2 id="routing-h">Routing<\/h2>/);
    // EWR is nearer but has none: its row says why it was not chosen.
    assert.match(page.text, /<tr><td>EWR<\/td><td>no<\/td>[\s\S]*?TEA: 0 of 5 available/);
    assert.match(page.text, /<tr class="chosen"><td>CHI<\/td><td>yes<\/td>/);
  });

  it('alerts a stuck order once, by webhook, and tells when it is no longer stuck', async () => {
    await api.alerting.runOnce();
    await api.alerting.runOnce();
    const raised = hook.received.map((r) => JSON.parse(r.body.toString()) as Json).filter((b) => b.alert.kind === 'stuck_order');
    assert.deepEqual(raised.map((b) => [b.state, b.alert.subject]), [['raised', 'order SO-LATE-1']], 'once, and only the late order');
    assert.match(raised[0]!.text, /SO-LATE-1 \(EWR\) is stuck/);
    // Shipped in full: no longer stuck, the alert resolves and that is told.
    await post(shipment('SO-LATE-1', { facility: 'EWR', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '1', uom: 'EA' }, { lineNumber: 2, sku: 'SKU-2', quantity: '2', uom: 'EA' }] }));
    assert.equal((await api.call('/v1/orders/SO-LATE-1').then((r) => r.json()) as Json).status, 'shipped');
    await api.alerting.runOnce();
    const told = hook.received.map((r) => JSON.parse(r.body.toString()) as Json).filter((b) => b.alert.kind === 'stuck_order');
    assert.deepEqual(told.map((b) => b.state), ['raised', 'resolved']);
  });

  it('lists expected inbound by status and shows one PO\'s lines against its receipts', async () => {
    await post({ type: 'purchase_order', poNumber: 'PO-C1', facility: 'EWR', lines: [{ lineNumber: 1, sku: 'TEA', quantity: '10', uom: 'EA' }] });
    const user = await signIn(api);
    assert.match((await user.get('/inbound?status=expected')).text, /PO-C1/);
    assert.doesNotMatch((await user.get('/inbound?status=received')).text, /PO-C1/);
    assert.equal((await user.get('/inbound?reference=PO-C1')).location, '/inbound/PO-C1');
    const page = await user.get('/inbound/PO-C1');
    assert.equal(page.status, 200);
    assert.match(page.text, /<td>TEA<\/td><td>EA<\/td><td>10<\/td><td>0<\/td><td>0<\/td><td>10<\/td>/);
    assert.equal((await user.get('/inbound/PO-NONE')).status, 404);
  });

  it('keeps tenant globex\'s orders and decisions out of acme\'s pages', async () => {
    await post(salesOrder('SO-GX-77', 1), KEYS.globex);
    const user = await signIn(api);
    assert.equal((await user.get('/orders/SO-GX-77')).status, 404);
    assert.doesNotMatch((await user.get('/orders')).text, /SO-GX-77/);
    assert.equal((await user.post('/orders/SO-GX-77/hold', { reason: 'forged' })).status, 404);
    assert.deepEqual((await api.call('/v1/orders/SO-GX-77', { key: KEYS.globex }).then((r) => r.json()) as Json).holds, []);
  });
});

describe('console: inventory pages, variance decisions, and the variance and accuracy alerts', () => {
  let api: TestApi;
  let erp: Awaited<ReturnType<typeof startReceiver>>;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  const post = (endpoint: string, doc: Json, key: string) => api.call(`/v1/endpoints/${endpoint}/messages`, { method: 'POST', json: doc, headers: { 'idempotency-key': key } });
  const snapshot = (facility: string, asOf: string, positions: Array<[string, string]>) => (
    { type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: positions.map(([sku, onHand]) => ({ sku, onHand, uom: 'EA' })) });

  before(async () => {
    erp = await startReceiver();
    hook = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms-in: { type: http }
  erp-in: { type: http }
  erp-out: { type: webhook, allowPrivateNetworks: true, url: "${erp.url}/erp" }
flows:
  - { name: corrections, types: [inventory_adjustment], from: [inventory], to: erp-out }
inventory:
  erpEndpoints: [erp-in, erp-out]
alerts:
  evaluateEveryMs: 600000
  rules:
    - { type: variance, over: 2 }
    - { type: accuracy_below, targetPercent: 90 }
  channels: [{ type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }]
`, { keys: [`{ name: acme-viewer, tenant: acme, key: ${VIEWER}, role: viewer }`] });
    // B differs by 3 (over the rule's 2), C by 1 (within it), A agrees.
    assert.equal((await post('erp-in', snapshot('DC1', minutesAgo(2), [['A', '100'], ['B', '50'], ['C', '30']]), 'erp-1')).status, 202);
    assert.equal((await post('wms-in', snapshot('DC1', minutesAgo(3), [['A', '100'], ['B', '47'], ['C', '31']]), 'wms-1')).status, 202);
    await waitFor(async () => (await api.hub.store.searchMessages({ tenant: 'acme', status: 'pending' })).length === 0, 10_000, 'snapshots stored');
  });
  after(async () => {
    await api.close();
    await erp.close();
    await hook.close();
  });

  const bodies = () => hook.received.map((r) => JSON.parse(r.body.toString()) as Json);
  let run: Json;

  it('alerts a variance over the threshold and accuracy under the target, once each', async () => {
    run = (await (await api.call('/v1/reconciliations', { method: 'POST', json: {} })).json() as Json).run;
    await api.alerting.runOnce();
    await api.alerting.runOnce();
    const raised = bodies().filter((b) => b.state === 'raised').map((b) => [b.alert.kind, b.alert.subject]).sort();
    // B's variance (3 > 2) alerts; C's (1) is within the rule.
    assert.deepEqual(raised, [['accuracy_below', 'all facilities'], ['variance', 'DC1 B']]);
    assert.match(bodies().find((b) => b.alert.kind === 'accuracy_below')!.text, /33\.3 % at reconciliation run \d+, below the target of 90 %/);
    assert.match(bodies().find((b) => b.alert.kind === 'variance')!.text, /DC1 B: the warehouse counts -3 EA less than the ERP/);
  });

  it('lists runs and the accuracy trend, shows a run\'s variances; an operator approves one into an adjustment, which resolves its alert', async () => {
    const user = await signIn(api);
    const inventory = await user.get('/inventory');
    assert.equal(inventory.status, 200);
    assert.match(inventory.text, new RegExp(`/inventory/runs/${run.id}`));
    assert.match(inventory.text, /33\.3 %/, 'one of three positions agrees');
    const series = JSON.parse(/data-accuracy="([^"]+)"/.exec(inventory.text)![1]!.replace(/&quot;/g, '"'));
    assert.deepEqual(series.rate, [33.3]);
    const page = await user.get(`/inventory/runs/${run.id}`);
    assert.match(page.text, /<td>B<\/td>[\s\S]*?<td>-3<\/td>/);
    const b = (await api.hub.store.listReconciliationResults('acme', run.id, { status: 'variance' })).find((r) => r.sku === 'B')!;
    const viewer = await signIn(api, VIEWER);
    assert.doesNotMatch((await viewer.get(`/inventory/runs/${run.id}`)).text, />Approve</);
    assert.equal((await viewer.post(`/inventory/runs/${run.id}/decide`, { position: String(b.position), action: 'approved' })).status, 403);
    assert.equal((await user.post(`/inventory/runs/${run.id}/decide`, { position: '999', action: 'approved' })).status, 303);
    assert.deepEqual(await api.hub.store.listVarianceDecisions('acme', { runId: run.id }), [], 'no decision on a position that is not a variance');
    const done = await user.post(`/inventory/runs/${run.id}/decide`, { position: String(b.position), action: 'approved' });
    assert.equal(done.status, 303);
    assert.match((await user.get(done.location!)).text, /Approved: adjustment REC-/);
    await waitFor(() => erp.received.some((r) => JSON.parse(r.body.toString()).type === 'inventory_adjustment'), 10_000, 'the adjustment at the ERP');
    assert.match((await user.get(`/inventory/runs/${run.id}`)).text, /approved<\/span> by acme-erp/);
    // Asked again (another tab): the first decision stands, nothing more is sent.
    const again = await user.post(`/inventory/runs/${run.id}/decide`, { position: String(b.position), action: 'rejected' });
    assert.match((await user.get(again.location!)).text, /was approved before/);
    assert.ok((await api.hub.store.listAudit('acme')).some((a) => a.action === 'approve-variance' && a.subject === `run ${run.id} position ${b.position}`));
    assert.match((await user.get('/inventory/positions?facility=DC1')).text, /3 position\(s\)/);
    // The go-live audit runs when asked: stock differences of B and C are among its findings.
    assert.doesNotMatch((await user.get('/inventory/audit')).text, /finding\(s\)/);
    const audit = await user.get('/inventory/audit?run=1&kind=stock_difference');
    assert.match(audit.text, /0 ERP item\(s\), 0 warehouse item\(s\): \d+ finding\(s\)/);
    assert.match(audit.text, /stock difference/);
    // Decided: the variance's alert resolves and that is told; accuracy is still below target.
    await api.alerting.runOnce();
    assert.deepEqual(bodies().filter((x) => x.state === 'resolved').map((x) => x.alert.kind), ['variance']);
    assert.equal((await api.hub.store.listAlerts('acme', { open: true, kind: 'accuracy_below' })).length, 1);
  });
});

describe('console: sessions in the store, and the sign-in limit', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi(`
console: { signIn: { maxFailuresPerIp: 4, maxFailuresPerKeyPrefix: 3, windowMinutes: 5 } }
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }]
`);
  });
  after(async () => {
    await api.close();
  });

  it('keeps people signed in across a second process over the same store; the store holds only the id\'s hash; sign-out ends it everywhere', async () => {
    const user = await signIn(api);
    const id = decodeURIComponent(user.cookie.split('=')[1]!);
    const rows = api.hub.store.dialect === 'sqlite' ? (api.hub.store as unknown as { db: import('better-sqlite3').Database }).db.prepare('SELECT id_hash FROM console_sessions').all() as Array<{ id_hash: string }> : [];
    assert.ok(rows.some((r) => r.id_hash === sessionIdHash(id)), 'kept by its hash');
    assert.ok(!rows.some((r) => r.id_hash === id), 'never by the id itself');
    const second = await Hub.start(parseConfig(`
store: sqlite:${api.dir}/hub.db
defaultTenant: acme
api: { keys: [{ name: acme-erp, tenant: acme, key: ${KEYS.acme} }] }
`, api.dir), { logger: pino({ level: 'silent' }), sources: false });
    const other = await startApiServer(second, { listen: '127.0.0.1:0' });
    try {
      const there = await fetch(`${other.url}/messages`, { redirect: 'manual', headers: { cookie: user.cookie } });
      assert.equal(there.status, 200, 'signed in on the second process too');
      // A tenant switch or a flash written by one process is read by the other: sign out here, refused there.
      assert.equal((await user.post('/logout')).status, 303);
      const after = await fetch(`${other.url}/messages`, { redirect: 'manual', headers: { cookie: user.cookie } });
      assert.equal(after.status, 303);
    } finally {
      await other.close();
      await second.stop();
    }
  });

  it('answers 429 with Retry-After after too many failed sign-ins with one key prefix, and from one address', async () => {
    const attempt = (key: string, forwardedFor?: string) => fetch(`${api.url}/login`, {
      method: 'POST', redirect: 'manual', headers: { origin: api.url, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) }, body: new URLSearchParams({ key }),
    });
    for (let i = 0; i < 3; i++) assert.equal((await attempt(`guessing-${i}-0123456789abcdef`)).status, 403);
    const limited = await attempt('guessing-9-0123456789abcdef');
    assert.equal(limited.status, 429);
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 300, `Retry-After ${wait}`);
    assert.match(await limited.text(), /Too many failed sign-ins/);
    // The right key with another prefix still signs in: the prefix limit is per prefix.
    assert.equal((await attempt(KEYS.acme)).status, 303);
    // One more failure from this address (4 in all) and the address is refused, whatever the key.
    assert.equal((await attempt('another-prefix-0123456789abcdef')).status, 403);
    const byAddress = await attempt(KEYS.acme);
    assert.equal(byAddress.status, 429, 'the address is over its limit');
    // X-Forwarded-For is not believed without console.trustProxy: it cannot dodge the limit.
    assert.equal((await attempt(KEYS.acme, '203.0.113.9')).status, 429);
  });
});

describe('alerting on workers: one process of the cluster at a time, by lease', () => {
  let api: TestApi;
  let hook: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    hook = await startReceiver();
    api = await startTestApi(`
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }]
  channels: [{ type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }]
`);
  });
  after(async () => {
    await api.close();
    await hook.close();
  });

  it('a worker without the API alerts only while it holds the lease, and takes over when the holder stops', async () => {
    // A worker process: a hub over the same store, no API, no console, with alerting started as `causeway worker` does.
    const worker = await Hub.start(parseConfig(`
store: sqlite:${api.dir}/hub.db
defaultTenant: acme
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }]
  channels: [{ type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }]
`, api.dir), { logger: pino({ level: 'silent' }), sources: false, workerId: 'worker-2' });
    const workerAlerting = startAlerting(HubFacade.of(worker));
    try {
      const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: { ...salesOrder('SO-L1'), orderNumber: undefined } })).json() as { messageId: number };
      await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status === 'quarantined', 10_000, 'quarantine');
      // The serving process takes the lease first and tells; the worker, asked while it is held, does nothing.
      await api.alerting.runOnce();
      assert.equal(hook.received.length, 1);
      await api.hub.store.resolveDeadLetters('acme', (await api.hub.store.listOpenDeadLetters('acme', 10)).map((d) => d.id), 'ops', Date.now());
      await workerAlerting.runOnce();
      assert.equal(hook.received.length, 1, 'the worker holds no lease: the resolution is not its to tell');
      assert.equal((await api.hub.store.listAlerts('acme', { open: true })).length, 1);
      // The serving process stops (its lease released): the worker takes over and tells the resolution.
      await api.alerting.stop();
      await workerAlerting.runOnce();
      assert.equal(hook.received.length, 2);
      assert.equal(JSON.parse(hook.received[1]!.body.toString()).state, 'resolved');
    } finally {
      await workerAlerting.stop();
      await worker.stop();
    }
  });
});
