// Tenants share one hub, one store and one API, and nothing of one is seen or touched by another.
// Tenant globex is set up with data of every kind (messages, deliveries, dead letters, EDI groups,
// duplicates, alerts, files in its 3PL's folder); then every operation of the API is called with
// acme's key and globex's names and ids, and globex's rows and files must not have moved.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiOperations, type Operation } from '../../src/api/index.ts';
import { readX12 } from '../../src/edi/x12/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { CONSOLE_ACTIONS, CONSOLE_READS } from '../../src/console/index.tsx';
import { groupDeadLetters } from '../../src/engine/dead-letter-patterns.ts';
import { signIn } from '../console/client.ts';
import { KEYS, startTestApi, type TestApi } from './harness.ts';

type Json = Record<string, any>;

/** An interchange as a 3PL writes it, from `sender` to CAUSEWAY, counts computed. */
function interchangeFrom(sender: string, isa13: number, groups: Array<{ functionalId: string; control: number; sets: Array<{ id: string; body: string }> }>): string {
  const ic = String(isa13).padStart(9, '0');
  let out = ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', sender.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*') + '~\n';
  let st = 0;
  for (const g of groups) {
    out += `GS*${g.functionalId}*${sender}*CAUSEWAY*20261122*1200*${g.control}*X*004010~\n`;
    for (const s of g.sets) {
      const control = String(++st + 100).padStart(4, '0');
      const segments = s.body.split('~').filter((x) => x.trim());
      out += `ST*${s.id}*${control}~\n${segments.map((x) => `${x}~\n`).join('')}SE*${segments.length + 2}*${control}~\n`;
    }
    out += `GE*${g.sets.length}*${g.control}~\n`;
  }
  return out + `IEA*${groups.length}*${ic}~\n`;
}

const BODY_846 = 'BIA*00*DD*INV-1*20261122*2300~N1*WH**9*AMS1~LIN*1*VN*SKU-1~QTY*17*40*EA~QTY*QC*4*EA~QTY*33*36*EA~CTT*1~';

const query = (url: string) => [...new URL(url, 'http://x').searchParams.values()];

/** The forged acknowledgment of the outside acceptance run: acme's, naming globex's partner profile. */
const forgedAck = (partner: string) => ({
  type: 'acknowledgment', status: 'accepted', acknowledges: { senderId: 'GLOBEX3PL', groupControlNumber: '9001', functionalId: 'SW' },
  sets: [{ transactionSetId: '945', controlNumber: '0101', status: 'accepted' }],
  extensions: { x12Ack: { partner, set: '997', interchange: '000000501', senderQualifier: 'ZZ', senderId: 'GLOBEX3PL' } },
});

describe('tenancy: acme never sees or touches globex', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const globexFolder = () => join(api.dir, 'globex-3pl', 'in');
  const filesOf = (dir: string) => {
    try {
      return readdirSync(dir).filter((f) => !f.startsWith('.')).sort().map((f) => [f, readFileSync(join(dir, f), 'latin1')]);
    } catch {
      return [];
    }
  };
  const asGlobex = (path: string, init: Parameters<TestApi['call']>[1] = {}) => api.call(path, { ...init, key: KEYS.globex });

  /** Waits until nothing of a tenant is pending: every message decided, every delivery settled. */
  async function settled(tenant: string): Promise<void> {
    const { store } = api.hub;
    await waitFor(async () => (await store.listMessages({ tenant, status: 'pending' })).length === 0
      && (await store.listDeliveries({ tenant, status: 'pending' })).length === 0, 15_000, `${tenant} to settle`);
  }

  /** Everything of a tenant the store and its partner's folder hold. */
  async function snapshot(tenant: string): Promise<Json> {
    const { store } = api.hub;
    const messages = await store.listMessages({ tenant, limit: 1000 });
    return {
      messages: messages.map((m) => ({ ...m, body: m.body.toString('base64') })),
      lineages: await Promise.all(messages.map((m) => store.lineage(tenant, m.id))),
      deliveries: await store.listDeliveries({ tenant, limit: 1000 }),
      deadLetters: await store.listDeadLetters(tenant, { includeReplayed: true, limit: 1000 }),
      groups: await store.listEdiGroups({ tenant, limit: 1000 }),
      duplicates: await store.listEdiDuplicates(tenant, { limit: 1000 }),
      alerts: await store.listAlerts(tenant, { limit: 1000 }),
      reconciliations: await Promise.all((await store.listReconciliations(tenant, { limit: 1000 })).map(async (r) => ({ ...r, results: await store.listReconciliationResults(tenant, r.id, { limit: 1000 }) }))),
      decisions: await store.listVarianceDecisions(tenant, { limit: 1000 }),
      availability: await store.listPublishedAvailability(tenant),
      invoice: await store.billingPeriod(tenant, '2020-01'),
      usage: await store.listUsageEvents(tenant, { limit: 1000 }),
      folder: filesOf(globexFolder()),
      ledgers: await store.getLedgers(tenant, ['order:GX-1', 'order:GX-2']),
    };
  }

  before(async () => {
    receiver = await startReceiver((r) => (r.path.startsWith('/globex') && JSON.parse(r.body.toString()).orderNumber === 'GX-2' ? 422 : 200));
    api = await startTestApi(`
partners:
  acme-3pl:
    ours: { id: CAUSEWAY }
    theirs: { id: ACME3PL }
    usage: T
    acknowledgments: { endpoint: acme-3pl-out, deadline: 1h }
  globex-3pl:
    ours: { id: CAUSEWAY }
    theirs: { id: GLOBEX3PL }
    usage: T
    acknowledgments: { endpoint: globex-3pl-out, deadline: 1h }
endpoints:
  acme-wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/acme" }
  acme-3pl-out: { type: folder, outbox: ./acme-3pl/in, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  acme-x12-in: { type: http, codec: x12 }
  globex-wms: { type: webhook, allowPrivateNetworks: true, tenant: globex, url: "${receiver.url}/globex" }
  globex-3pl-out: { type: folder, tenant: globex, outbox: ./globex-3pl/in, fileExtension: .edi, codec: x12, codecOptions: { partner: globex-3pl } }
  globex-3pl-in: { type: http, tenant: globex, codec: x12, codecOptions: { partner: globex-3pl } }
billing:
  tenants:
    acme: { rates: { order: "1.00" } }
    globex: { currency: USD, minimum: "250", rates: { order: "2.00" } }
flows:
  - { name: acme-orders, tenant: acme, types: [sales_order], to: acme-wms }
  - { name: globex-orders, tenant: globex, types: [sales_order], to: globex-wms }
  - { name: globex-orders-3pl, tenant: globex, types: [sales_order], to: globex-3pl-out }
`);
    // globex: two orders (one refused by its WMS: a dead letter), each written as a 940 for its 3PL.
    for (const order of ['GX-1', 'GX-2']) assert.equal((await asGlobex('/v1/documents', { method: 'POST', json: salesOrder(order) })).status, 202);
    // A message that cannot be read: quarantined, a dead letter too.
    assert.equal((await asGlobex('/v1/documents', { method: 'POST', json: { type: 'sales_order' } })).status, 422);
    const written = await waitFor(() => {
      const files = filesOf(globexFolder());
      return files.length === 2 ? files : undefined;
    }, 10_000, 'two 940s in globex\'s 3PL folder');
    // The 3PL rejects the first 940's group (an alert on the group, and one on the order it carried), and sends that 997 twice (a duplicate interchange).
    const groups = written.flatMap(([, text]) => [...readX12(text)].flatMap((i) => (i.kind === 'set' ? [{ group: i.set.group.controlNumber, set: i.set.controlNumber }] : [])));
    const reject = interchangeFrom('GLOBEX3PL', 701, [{ functionalId: 'FA', control: 9101, sets: [{ id: '997', body: `AK1*OW*${groups[0]!.group}~AK2*940*${groups[0]!.set}~AK5*R*5~AK9*R*1*1*0~` }] }]);
    for (let i = 0; i < 2; i++) {
      const headers = { 'content-type': 'application/edi-x12', 'idempotency-key': `globex-997-${i}` };
      assert.equal((await asGlobex('/v1/endpoints/globex-3pl-in/messages', { method: 'POST', body: reject, headers })).status, 202);
    }
    // globex's stock: a snapshot of its facility, a reconciliation run of it.
    const gxSnapshot = { type: 'inventory_snapshot', facility: 'GX-DC', asOf: new Date().toISOString(), positions: [{ sku: 'GX-SKU', onHand: '7', uom: 'EA' }] };
    assert.equal((await asGlobex('/v1/documents', { method: 'POST', json: gxSnapshot })).status, 202);
    await settled('globex');
    assert.equal((await asGlobex('/v1/reconciliations', { method: 'POST', json: {} })).status, 201);
    const { store } = api.hub;
    const alertKinds = async () => (await store.listAlerts('globex')).map((a) => a.kind).sort().join();
    await waitFor(async () => (await alertKinds()) === 'rules_order_rejected_by_warehouse,x12_rejected' && (await store.listEdiDuplicates('globex')).length > 0, 10_000, 'globex\'s alerts and duplicate');
    assert.deepEqual((await store.listDeadLetters('globex')).map((d) => d.kind).sort(), ['delivery', 'message', 'message'], 'a dead delivery, an invalid message, the duplicate interchange');
    // globex's billing: a shipment of January 2020, and that month closed.
    const gxShipment = { type: 'shipment', shipmentNumber: 'GX-SH-1', orderNumber: 'GX-1', facility: 'GX-DC', shippedAt: '2020-01-15T10:00:00Z', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '1', uom: 'EA' }] };
    assert.equal((await asGlobex('/v1/documents', { method: 'POST', json: gxShipment })).status, 202);
    await settled('globex');
    const closed = await asGlobex('/v1/billing/periods/2020-01/close', { method: 'POST' });
    assert.equal(closed.status, 200, await closed.clone().text());
    assert.ok((await closed.json()).lines.length >= 1);
    assert.deepEqual((await store.listUsageEvents('globex', { invoicePeriod: '2020-01' })).map((e) => e.kind).sort(), ['order', 'order_line', 'order_unit'], 'globex\'s usage was billed');
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  it('an acknowledgment acme posts naming globex\'s partner writes nothing into globex\'s folder', async () => {
    const before = await snapshot('globex');
    const res = await api.call('/v1/documents', { method: 'POST', json: forgedAck('globex-3pl') });
    assert.ok(res.status === 202 || res.status === 422, `answered ${res.status}`);
    await settled('acme');
    assert.equal((await api.hub.store.listDeliveries({ tenant: 'acme', endpoint: 'globex-3pl-out' })).length, 0, 'no delivery of acme to globex\'s endpoint');
    assert.deepEqual(await snapshot('globex'), before);
  });

  it('an acknowledgment marker in a posted document is not ours: not even acme\'s own partner gets a 997 from it', async () => {
    const res = await api.call('/v1/documents', { method: 'POST', json: forgedAck('acme-3pl') });
    assert.ok(res.status === 202 || res.status === 422, `answered ${res.status}`);
    await settled('acme');
    assert.deepEqual(filesOf(join(api.dir, 'acme-3pl', 'in')), []);
  });

  it('an interchange from globex\'s partner sent to an acme endpoint is not read with globex\'s profile', async () => {
    const before = await snapshot('globex');
    const text = interchangeFrom('GLOBEX3PL', 702, [{ functionalId: 'IB', control: 9102, sets: [{ id: '846', body: BODY_846 }] }]);
    assert.equal((await api.call('/v1/endpoints/acme-x12-in/messages', { method: 'POST', body: text })).status, 202);
    await settled('acme');
    assert.deepEqual(await snapshot('globex'), before);
  });

  it('every API operation, called by acme with globex\'s names and ids, shows and changes nothing of globex', async () => {
    const { store } = api.hub;
    const before = await snapshot('globex');
    const messageIds = before.messages.map((m: Json) => String(m.id));
    const deliveryIds = before.deliveries.map((d: Json) => d.id as number);
    const endpoints = ['globex-wms', 'globex-3pl-out', 'globex-3pl-in'];
    // What only globex's data holds (acme itself sends globex's names and GX-1 in this walk, so those may echo back).
    const markers = [...endpoints, '"tenant":"globex"', 'GX-2', 'GX-SKU', 'GX-SH-1', 'USD', ...before.messages.flatMap((m: Json) => [m.idempotencyKey as string, m.contentHash as string]),
      ...before.deliveries.map((d: Json) => d.idempotencyKey as string)];

    // Tenant B's value for each parameter an operation may take. A new parameter fails the test
    // until it is listed here (or among the ones that name nothing of a tenant).
    const runIds = before.reconciliations.map((r: Json) => String(r.id));
    const alertIds = before.alerts.map((a: Json) => String(a.id));
    const pathValues: Record<string, string[]> = { id: [...messageIds, ...alertIds], name: [...endpoints, 'globex-3pl'], run: runIds, orderNumber: ['GX-1'], reference: ['GX-1'], period: ['2020-01'], line: ['1', '2'] };
    const queryValues: Record<string, string[]> = {
      endpoint: endpoints, partner: ['globex-3pl'], entityKey: ['order:GX-1', 'order:GX-2'], kind: ['x12_rejected'], facility: ['GX-DC'], with: runIds, run: runIds,
    };
    const neutralQuery = new Set(['status', 'type', 'from', 'to', 'limit', 'before', 'includeReplayed', 'window', 'after', 'at', 'format', 'state']);
    const jsonBodies: Record<string, unknown[]> = {
      ReplayWindowRequest: [
        { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
        ...endpoints.map((endpoint) => ({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', endpoint })),
      ],
      DeadLetterReplayRequest: [{ deliveryIds }, { all: true }],
      ReconciliationRequest: [{}, { facility: 'GX-DC' }],
      VarianceDecisionRequest: [{ positions: [1, 2], action: 'approve' }, { positions: [1], action: 'reject' }],
      AuditRequest: [{}],
      HoldRequest: [{ reason: 'credit hold' }],
    };
    const rawBodies: Record<string, Array<{ body: string; contentType: string; name?: string }>> = {
      ingestDocuments: [
        { body: JSON.stringify(forgedAck('globex-3pl')), contentType: 'application/json' },
        { body: JSON.stringify({ ...salesOrder('GX-1'), tenant: 'globex' }), contentType: 'application/json' },
      ],
      ingestRawMessage: [
        { body: JSON.stringify(salesOrder('GX-1')), contentType: 'application/json' },
        { body: interchangeFrom('GLOBEX3PL', 703, [{ functionalId: 'IB', control: 9103, sets: [{ id: '846', body: BODY_846 }] }]), contentType: 'application/edi-x12', name: 'acme-x12-in' },
      ],
    };
    // Open operations carry no tenant's data: health, the OpenAPI document, and the metrics an
    // operator's Prometheus scrapes across the whole hub.
    const operations = apiOperations(api.hub);
    assert.deepEqual(operations.filter((op) => op.open).map((op) => op.operationId).sort(), ['getHealth', 'getMetrics', 'getOpenApi']);

    const calls: Array<{ op: Operation; url: string; init: RequestInit }> = [];
    for (const op of operations.filter((o) => !o.open)) {
      const paramNames = Object.keys(op.params?.shape ?? {});
      for (const p of paramNames) assert.ok(pathValues[p], `${op.operationId}: no value of globex's for path parameter "${p}"; add one`);
      const paths = paramNames.reduce<string[]>((acc, p) => acc.flatMap((path) => pathValues[p]!.map((v) => path.replace(`{${p}}`, encodeURIComponent(v)))), [op.path]);
      const queries: string[] = ['', '?tenant=globex'];
      for (const q of Object.keys(op.query?.shape ?? {})) {
        if (neutralQuery.has(q)) continue;
        assert.ok(queryValues[q], `${op.operationId}: no value of globex's for query parameter "${q}"; add one or call it neutral`);
        for (const v of queryValues[q]!) queries.push(`?${q}=${encodeURIComponent(v)}`);
      }
      const bodies: Array<{ body?: string; contentType?: string; path?: string }> = [{}];
      if (op.body?.kind === 'json') {
        const values = jsonBodies[op.body.component ?? ''];
        assert.ok(values, `${op.operationId}: no body of globex's values for ${op.body.component}; add one`);
        bodies.splice(0, 1, ...values.map((b) => ({ body: JSON.stringify(b), contentType: 'application/json' })));
      } else if (op.body?.kind === 'raw') {
        const values = rawBodies[op.operationId];
        assert.ok(values, `${op.operationId}: no raw body to send; add one`);
        bodies.splice(0, 1, ...values.map((b) => ({ body: b.body, contentType: b.contentType, path: b.name && op.path.replace('{name}', b.name) })));
      }
      for (const path of paths) {
        for (const query of queries) {
          for (const b of bodies) {
            const headers: Record<string, string> = b.contentType ? { 'content-type': b.contentType } : {};
            calls.push({ op, url: (b.path ?? path) + query, init: { method: op.method.toUpperCase(), body: b.body, headers } });
          }
        }
      }
    }
    assert.ok(calls.length > 50, `${calls.length} calls`);

    for (const { op, url, init } of calls) {
      const res = await api.call(url, { ...init, key: KEYS.acme });
      const text = await res.text();
      const what = `${op.operationId} ${init.method} ${url} -> ${res.status}`;
      if (res.status >= 400) {
        assert.ok([400, 403, 404, 422].includes(res.status), `${what}: ${text.slice(0, 300)}`);
        continue;
      }
      assert.ok(res.status < 300, what);
      if (!res.headers.get('content-type')?.includes('json')) assert.fail(`${what}: a tenant's route answered ${res.headers.get('content-type')}`);
      const body = JSON.parse(text) as Json;
      for (const m of markers) assert.ok(!text.includes(m), `${what} shows "${m}": ${text.slice(0, 300)}`);
      if (Array.isArray(body.items)) {
        for (const item of body.items as Json[]) {
          assert.notEqual(item.tenant, 'globex', what);
          assert.notEqual(item.partner, 'globex-3pl', what);
        }
        if (query(url).some((v) => v.includes('globex') || v.includes('GX-'))) assert.deepEqual(body.items, [], `${what}: a filter on globex's names finds nothing`);
      }
      if (typeof body.requeued === 'number' && String(init.body).includes('deliveryIds')) assert.equal(body.requeued, 0, `${what}: globex's dead deliveries stay dead`);
    }
    await settled('acme');
    await settled('globex');
    assert.deepEqual(await snapshot('globex'), before, 'globex\'s rows and files are as they were');
    assert.equal((await store.listDeliveries({ tenant: 'acme', endpoint: 'globex-3pl-out' })).length, 0);
  });

  it('every console page and action, used by acme with globex\'s ids, names and groups, shows and changes nothing of globex', async () => {
    const before = await snapshot('globex');
    // globex's own setup (its key ran a reconciliation) is in its audit log already; acme must add nothing.
    const auditBefore = await api.hub.store.listAudit('globex');
    const ids = [...before.messages.map((m: Json) => String(m.id)), ...before.alerts.map((a: Json) => String(a.id))];
    const markers = ['globex-wms', 'globex-3pl-out', 'globex-3pl-in', 'GX-2', ...before.messages.map((m: Json) => m.idempotencyKey as string)];
    const groups = groupDeadLetters(await api.hub.store.listOpenDeadLetters('globex', 1000)).map((g) => g.key);
    assert.ok(groups.length > 0);
    const acme = await signIn(api);
    const runs = before.reconciliations.map((r: Json) => String(r.id));
    assert.ok(runs.length > 0 && before.ledgers.length > 0, 'globex has runs and orders to be asked for');
    const values: Record<string, string[]> = { id: ids, order: ['GX-1', 'GX-2'], run: runs };
    const expand = (path: string): string[] => {
      const m = /\{(\w+)\}/.exec(path);
      return m ? values[m[1]!]!.flatMap((v) => expand(path.replace(m[0], v))) : [path];
    };
    const queries = ['', '?endpoint=globex-wms', '?q=GX-1', '?q=order:GX-1', '?status=quarantined', '?tenant=globex', '?state=resolved'];
    let pages = 0;
    for (const path of CONSOLE_READS.flatMap(expand)) {
      for (const query of queries) {
        const res = await acme.get(path + query);
        const what = `GET ${path}${query} -> ${res.status}`;
        assert.ok([200, 404].includes(res.status), what);
        for (const m of markers) assert.ok(!res.text.includes(m), `${what} shows "${m}"`);
        pages++;
      }
    }
    assert.ok(pages > 50, `${pages} pages`);
    const forms: Array<Record<string, string>> = [{}, ...groups.map((group) => ({ group })), { endpoint: 'globex-wms' }, { q: 'GX-2' }, { reason: 'forged hold' },
      ...before.reconciliations.flatMap((r: Json) => r.results.map((p: Json) => ({ position: String(p.position), action: 'approved' }))),
      { as: 'raw', body: JSON.stringify(salesOrder('GX-9')), note: 'forged' }];
    for (const path of CONSOLE_ACTIONS.flatMap(expand)) {
      for (const form of forms) {
        const res = await acme.post(path, form);
        assert.ok([303, 404].includes(res.status), `POST ${path} ${JSON.stringify(form)} -> ${res.status}`);
      }
    }
    await settled('acme');
    await settled('globex');
    assert.deepEqual(await snapshot('globex'), before, 'globex\'s rows and files are as they were');
    assert.deepEqual(await api.hub.store.listAudit('globex'), auditBefore, 'nothing was done in globex\'s name');
  });
});
