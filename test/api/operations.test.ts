import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { createApi, KeyRing } from '../../src/api/index.ts';
import { consoleApp } from '../../src/console/index.tsx';
import { kpis as kpisSchema } from '../../src/api/schemas.ts';
import { Hub, HubFacade } from '../../src/engine/index.ts';
import { DOCUMENT_TYPES } from '../../src/model/index.ts';
import { salesOrder } from '../support/documents.ts';
import { signIn } from '../console/client.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, problemOf, startTestApi, type TestApi } from './harness.ts';

type Json = Record<string, any>;

/** Every $ref in the document points at something that exists in it. */
function unresolvedRefs(doc: Json): string[] {
  const missing: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') {
          let at: any = doc;
          for (const part of x.replace(/^#\//, '').split('/')) at = at?.[part];
          if (!x.startsWith('#/') || at === undefined) missing.push(x);
        } else walk(x);
      }
    }
  };
  walk(doc);
  return missing;
}

describe('API: KPIs, metrics, health and the OpenAPI document', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/orders" }
flows:
  - { name: orders-to-wms, types: [sales_order], to: wms }
`);
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-400') })).json();
    await api.call('/v1/documents', { method: 'POST', body: '{"type":', headers: { 'content-type': 'application/json' } });
    await waitFor(async () => (await (await api.call(`/v1/messages/${messageId}/lineage`)).json()).deliveries[0]?.status === 'delivered', 10_000, 'delivery');
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  it('gives the KPIs of the key\'s tenant over a window', async () => {
    const res = await api.call('/v1/kpis?window=15m');
    assert.equal(res.status, 200);
    const k = kpisSchema.parse(await res.json());
    assert.equal(k.window.seconds, 900);
    assert.equal(Date.parse(k.window.to) - Date.parse(k.window.from), 900_000);
    assert.equal(k.syncLatencyMs.fromReceived.count, 1);
    assert.ok(k.syncLatencyMs.fromReceived.p99! >= 0);
    assert.equal(k.throughput.delivered, 1);
    assert.equal(k.throughput.messages, 2);
    assert.equal(k.counts.quarantined, 1);
    assert.equal(k.errorRate.quarantinedPerThousandMessages, 500);
    const other = kpisSchema.parse(await (await api.call('/v1/kpis?tenant=globex', { key: KEYS.operator })).json());
    assert.equal(other.throughput.messages, 0);
    const bad = await problemOf(await api.call('/v1/kpis?window=2h'));
    assert.equal(bad.errors![0].path, 'query.window');
  });

  it('serves Prometheus metrics with the causeway_ series and the backlog from the store', async () => {
    const res = await api.call('/metrics', { key: null });
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^causeway_messages_received_total\{tenant="acme",endpoint="api"\} 2$/m);
    assert.match(text, /^causeway_messages_quarantined_total\{tenant="acme",endpoint="api"\} 1$/m);
    assert.match(text, /^causeway_delivery_attempts_total\{endpoint="wms",outcome="delivered"\} 1$/m);
    assert.match(text, /^# TYPE causeway_backlog gauge$/m);
  });

  it('answers /health with the store reachable', async () => {
    const res = await api.call('/health', { key: null });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('describes every route and every document type in a valid OpenAPI 3.1 document', async () => {
    const doc = (await (await api.call('/openapi.json', { key: null })).json()) as Json;
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Causeway API');
    assert.ok(doc.info.version);
    const routes = Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    assert.deepEqual(routes, [
      'GET /health', 'GET /metrics', 'GET /openapi.json',
      'GET /v1/alerts', 'GET /v1/audit-log', 'GET /v1/billing/periods/{period}/invoice', 'GET /v1/billing/periods/{period}/lines/{line}/events', 'GET /v1/clients', 'GET /v1/dead-letters', 'GET /v1/deliveries', 'GET /v1/edi/duplicates', 'GET /v1/edi/groups', 'GET /v1/inbound', 'GET /v1/inbound/{reference}',
      'GET /v1/inventory/availability', 'GET /v1/inventory/decisions', 'GET /v1/inventory/positions',
      'GET /v1/kpis', 'GET /v1/messages', 'GET /v1/messages/{id}',
      'GET /v1/messages/{id}/lineage', 'GET /v1/messages/{id}/raw', 'GET /v1/orders', 'GET /v1/orders/{orderNumber}',
      'GET /v1/reconciliations', 'GET /v1/reconciliations/{run}', 'GET /v1/reconciliations/{run}/compare',
      'POST /v1/alerts/{id}/acknowledge', 'POST /v1/alerts/{id}/resolve', 'POST /v1/audits', 'POST /v1/billing/periods/{period}/close', 'POST /v1/config/reload', 'POST /v1/dead-letters/replay', 'POST /v1/documents', 'POST /v1/endpoints/{name}/messages',
      'POST /v1/inbound/{reference}/hold', 'POST /v1/inbound/{reference}/release', 'POST /v1/messages/{id}/replay',
      'POST /v1/orders/{orderNumber}/hold', 'POST /v1/orders/{orderNumber}/release',
      'POST /v1/reconciliations', 'POST /v1/reconciliations/{run}/decisions', 'POST /v1/replay',
    ]);
    // The router and the document come from one list; a route added without a description would show here.
    // The console shares the app: its pages and forms are not API operations (docs/console.md).
    const engine = HubFacade.of(api.hub);
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`;
    const pages = new Set(consoleApp(engine, new KeyRing(engine.apiSettings.keys, engine)).routes.map(key));
    assert.ok(pages.has('GET /messages/{id}'));
    const mounted = [...new Set(createApi(api.hub).routes.filter((r) => r.method !== 'ALL').map(key))].filter((r) => !pages.has(r)).sort();
    assert.deepEqual(mounted, routes);
    assert.deepEqual(unresolvedRefs(doc), []);
    const operationIds = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) {
        assert.ok(op.operationId && !operationIds.has(op.operationId), `${method} ${path}: operationId`);
        operationIds.add(op.operationId);
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${path}: a success response`);
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          assert.ok(op.parameters.some((p: Json) => p.in === 'path' && p.required && `{${p.name}}` === name), `${method} ${path}: path parameter ${name}`);
        }
        for (const [status, r] of Object.entries(op.responses as Json)) {
          if (Number(status) >= 400) assert.ok(r.content['application/problem+json'], `${method} ${path} ${status}: a problem`);
        }
      }
    }
    const schemas = doc.components.schemas as Json;
    const mapping = schemas.CanonicalDocument.discriminator.mapping as Json;
    assert.deepEqual(Object.keys(mapping).sort(), [...DOCUMENT_TYPES].sort());
    for (const type of DOCUMENT_TYPES) {
      const s = unresolvedRefs({ ...doc, probe: { $ref: mapping[type] } });
      assert.deepEqual(s, [], type);
      const target = schemas[mapping[type].split('/').pop()];
      assert.equal(target.properties.type.const, type);
      assert.equal(target.$schema, undefined);
    }
    // Request schemas come from the zod schemas that parse the requests.
    assert.deepEqual(schemas.ReplayWindowRequest.required.sort(), ['from', 'to']);
    assert.deepEqual(doc.paths['/v1/messages'].get.parameters.filter((p: Json) => p.in === 'query').map((p: Json) => p.name),
      ['status', 'endpoint', 'from', 'to', 'limit', 'before']);
    assert.deepEqual(doc.paths['/v1/messages'].get.parameters.find((p: Json) => p.name === 'status').schema.enum, ['pending', 'processed', 'quarantined']);
    assert.equal(doc.paths['/v1/documents'].post.responses['422'].content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await api.call('/v1/nothing-here');
    assert.equal(res.status, 404);
    await problemOf(res);
  });
});

describe('API: /health without a store', () => {
  it('answers 503 when the store does not answer', async () => {
    const loaded = parseConfig('store: ":memory:"\n', process.cwd());
    const hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), processor: false, delivery: false, sources: false });
    const app = createApi(hub);
    assert.equal((await app.request('/health')).status, 200);
    await hub.store.close();
    const res = await app.request('/health');
    assert.equal(res.status, 503);
    assert.equal((await problemOf(res)).type, 'https://causeway.dev/problems/unavailable');
    await hub.stop();
  });
});

describe('API: the operator\'s view over every client', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    // Both warehouses are down: each client's order waits in its backlog.
    receiver = await startReceiver(() => 503);
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/acme", retry: { maxAttempts: 1000, initialDelayMs: 60000 } }
  globex-wms: { type: webhook, tenant: globex, allowPrivateNetworks: true, url: "${receiver.url}/globex", retry: { maxAttempts: 1000, initialDelayMs: 60000 } }
flows:
  - { name: orders-to-wms, tenant: acme, types: [sales_order], to: wms }
  - { name: globex-orders, tenant: globex, types: [sales_order], to: globex-wms }
`);
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-A1') })).status, 202);
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-G1'), key: KEYS.globex })).status, 202);
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-G2'), key: KEYS.globex })).status, 202);
    await waitFor(() => receiver.received.length >= 3, 10_000, 'a first try of each order');
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  it('gives each client\'s figures and the backlog of all of them, oldest first, to an operator key only', async () => {
    const res = await api.call('/v1/clients?window=15m', { key: KEYS.operator });
    assert.equal(res.status, 200);
    const view = await res.json() as { clients: Array<{ tenant: string; throughput: { messages: number }; backlog: { pending: number; oldestAgeMs: number } }>; backlog: Array<{ tenant: string; endpoint: string; pending: number; oldestAgeMs: number }> };
    const byTenant = new Map(view.clients.map((c) => [c.tenant, c]));
    assert.deepEqual([...byTenant.keys()].sort(), ['acme', 'globex']);
    assert.equal(byTenant.get('acme')!.throughput.messages, 1);
    assert.equal(byTenant.get('globex')!.throughput.messages, 2);
    assert.equal(byTenant.get('globex')!.backlog.pending, 2);
    assert.deepEqual(view.backlog.map((b) => [b.tenant, b.endpoint, b.pending]).sort(), [['acme', 'wms', 1], ['globex', 'globex-wms', 2]]);
    assert.ok(view.backlog[0]!.oldestAgeMs >= view.backlog[1]!.oldestAgeMs, 'the oldest first');
    // A client's key, even one that may operate, sees only its own figures (GET /v1/kpis), never this.
    for (const key of [KEYS.acme, KEYS.globex]) {
      const refused = await problemOf(await api.call('/v1/clients', { key }));
      assert.equal(refused.status, 403);
      assert.equal(refused.errors![0]!.code, 'OPERATOR_KEY_REQUIRED');
    }
  });

  it('shows the same in the console to an operator, and to no client', async () => {
    const operator = await signIn(api, KEYS.operator);
    const page = await operator.get('/clients');
    assert.equal(page.status, 200);
    const rows = [...page.text.matchAll(/<tr><td>(acme|globex)<\/td><td>([a-z][\w-]*)<\/td><td>(\d+)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(rows.sort(), [['acme', 'wms', '1'], ['globex', 'globex-wms', '2']]);
    assert.match(page.text, /href="\/clients"/, 'in the operator\'s menu');
    const client = await signIn(api, KEYS.acme);
    const refused = await client.get('/clients');
    assert.equal(refused.status, 404);
    assert.ok(!refused.text.includes('globex'));
    assert.doesNotMatch((await client.get('/')).text, /href="\/clients"/);
  });
});
