// Inventory truth through the API: stock from both sides, a shipment the ERP has not taken yet,
// a real variance approved into an adjustment that reaches the ERP once, accuracy in the KPIs and
// metrics, availability, and the audit as CSV.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startTestApi, type TestApi } from './harness.ts';

type Json = Record<string, any>;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function snapshot(facility: string, asOf: string, positions: Array<[string, string, string?]>): Json {
  return { type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: positions.map(([sku, onHand, status]) => ({ sku, onHand, uom: 'EA', ...(status ? { status } : {}) })) };
}

describe('inventory through the API', () => {
  let api: TestApi;
  let erp: Awaited<ReturnType<typeof startReceiver>>;
  const post = (endpoint: string, doc: Json, key: string) => api.call(`/v1/endpoints/${endpoint}/messages`, { method: 'POST', json: doc, headers: { 'idempotency-key': key } });
  /** The ERP refuses shipments for now (they stay in flight) and takes adjustments. */
  let shipmentsRefused = true;

  before(async () => {
    erp = await startReceiver((r) => (JSON.parse(r.body.toString()).type === 'shipment' && shipmentsRefused ? 503 : 200));
    api = await startTestApi(`
endpoints:
  wms-in: { type: http }
  erp-in: { type: http }
  erp-out: { type: webhook, allowPrivateNetworks: true, url: "${erp.url}/erp", retry: { maxAttempts: 50, initialDelayMs: 60000, maxDelayMs: 60000 } }
flows:
  - { name: to-erp, types: [shipment], from: [wms-in], to: erp-out }
  - { name: corrections, types: [inventory_adjustment], from: [inventory], to: erp-out }
inventory:
  erpEndpoints: [erp-in, erp-out]
  availability: { safetyStock: { bySku: { A: "5" } } }
`);
    assert.equal((await post('erp-in', snapshot('DC1', minutesAgo(2), [['A', '100'], ['B', '50'], ['C', '30']]), 'erp-1')).status, 202);
    assert.equal((await post('wms-in', snapshot('DC1', minutesAgo(30), [['A', '100'], ['B', '47'], ['C', '30', 'hold']]), 'wms-1')).status, 202);
    const ship = { type: 'shipment', shipmentNumber: 'SH-1', orderNumber: 'SO-1', facility: 'DC1', occurredAt: minutesAgo(20), shippedAt: minutesAgo(20), lines: [{ lineNumber: 1, sku: 'A', quantity: '10', uom: 'EA' }] };
    assert.equal((await post('wms-in', ship, 'wms-2')).status, 202);
    await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', type: 'shipment' }))[0]?.attempts === 1, 10_000, 'the shipment refused once by the ERP');
  });
  after(async () => {
    await api.close();
    await erp.close();
  });

  it('reconciles: the shipment in flight explains A, B is the one variance, and the run is listed', async () => {
    const res = await api.call('/v1/reconciliations', { method: 'POST', json: {} });
    assert.equal(res.status, 201);
    const { run, variances } = (await res.json()) as Json;
    assert.deepEqual(run.counts, { match: 1, in_flight: 1, timing: 0, variance: 1 });
    assert.deepEqual(run.accuracy.overall, { compared: 3, agreeing: 2, rate: 0.6667 });
    assert.deepEqual(variances.map((v: Json) => [v.sku, v.correctedDifference]), [['B', '-3']]);
    const detail = (await (await api.call(`/v1/reconciliations/${run.id}?status=in_flight`)).json()) as Json;
    assert.deepEqual(detail.results.map((r: Json) => [r.sku, r.difference, r.correctedDifference, r.documents.map((d: Json) => `${d.reference} ${d.delivery} ${d.quantity}`)]), [['A', '-10', '0', ['SH-1 pending -10']]]);
    assert.equal(detail.results[0].erp.inTransit, '-10');
    const list = (await (await api.call('/v1/reconciliations')).json()) as Json;
    assert.deepEqual(list.items.map((r: Json) => r.id), [run.id]);
  });

  it('approving the variance sends one adjustment to the ERP however often it is approved, and logs who decided', async () => {
    const [{ id: runId }] = ((await (await api.call('/v1/reconciliations')).json()) as Json).items;
    const { results: [b] } = (await (await api.call(`/v1/reconciliations/${runId}?status=variance`)).json()) as Json;
    const approve = () => api.call(`/v1/reconciliations/${runId}/decisions`, { method: 'POST', json: { positions: [b.position], action: 'approve', note: 'recounted' } });
    const first = (await (await approve()).json()) as Json;
    assert.deepEqual(first.decisions.map((d: Json) => [d.sku, d.action, d.quantity, d.decidedBy]), [['B', 'approved', '-3', 'api key acme-erp']]);
    assert.equal(first.adjustments[0].duplicate, false);
    const again = (await (await approve()).json()) as Json;
    assert.equal(again.adjustments[0].duplicate, true);
    const rejected = (await (await api.call(`/v1/reconciliations/${runId}/decisions`, { method: 'POST', json: { positions: [b.position], action: 'reject' } })).json()) as Json;
    assert.equal(rejected.decisions[0].action, 'approved', 'the first decision stands');
    const adjustment = await waitFor(() => erp.received.map((r) => JSON.parse(r.body.toString())).find((d) => d.type === 'inventory_adjustment'), 10_000, 'the adjustment at the ERP');
    assert.equal(adjustment.adjustmentNumber, `REC-${runId}-${b.position}`);
    assert.deepEqual(adjustment.lines.map((l: Json) => [l.sku, l.quantity, l.reason]), [['B', '-3', 'reconciliation']]);
    assert.deepEqual(adjustment.references, [{ qualifier: 'reconciliation', value: String(runId) }]);
    const log = (await (await api.call('/v1/inventory/decisions')).json()) as Json;
    assert.deepEqual(log.items.map((d: Json) => [d.sku, d.action, d.note]), [['B', 'approved', 'recounted']]);
    // The ERP took it: a new run shows B as agreeing, counted on the ERP side.
    await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', type: 'inventory_adjustment', status: 'delivered' })).length === 1, 10_000, 'the adjustment delivered');
    const next = (await (await api.call('/v1/reconciliations', { method: 'POST', json: { facility: 'DC1' } })).json()) as Json;
    assert.deepEqual(next.run.counts, { match: 2, in_flight: 1, timing: 0, variance: 0 });
    const compared = (await (await api.call(`/v1/reconciliations/${runId}/compare?with=${next.run.id}`)).json()) as Json;
    assert.equal(compared.resolvedVariances, 1);
    assert.equal(erp.received.filter((r) => JSON.parse(r.body.toString()).type === 'inventory_adjustment').length, 1);
  });

  it('shows accuracy in the KPIs and the metrics', async () => {
    const kpis = (await (await api.call('/v1/kpis')).json()) as Json;
    assert.equal(kpis.inventoryAccuracy.latest.overall.rate, 0.6667);
    assert.ok(kpis.inventoryAccuracy.trend.length >= 2);
    const metrics = await (await api.call('/metrics', { key: null })).text();
    assert.match(metrics, /causeway_inventory_accuracy_ratio\{tenant="acme",facility="all"\} 0\.6667/);
    assert.match(metrics, /causeway_inventory_accuracy_ratio\{tenant="acme",facility="DC1"\} 0\.6667/);
  });

  it('gives available-to-promise, never on hand: holds and the safety buffer are taken off', async () => {
    const { items } = (await (await api.call('/v1/inventory/availability?facility=DC1')).json()) as Json;
    assert.deepEqual(items.map((a: Json) => [a.sku, a.onHand, a.available]), [['A', '90', '85'], ['B', '47', '47'], ['C', '30', '0']]);
  });

  it('publishes availability once per change, as inventory_availability documents from endpoint inventory', async () => {
    const inventory = (await import('../../src/engine/index.ts')).HubFacade.of(api.hub).inventory;
    assert.equal(await inventory.publishAvailability('acme'), 3);
    assert.equal(await inventory.publishAvailability('acme'), 0);
    const [message] = await api.hub.store.listMessages({ tenant: 'acme', endpoint: 'inventory', limit: 1 });
    const docs = JSON.parse(message!.body.toString()) as Json[];
    assert.deepEqual(docs.map((d) => [d.type, d.sku, d.available]), [['inventory_availability', 'A', '85'], ['inventory_availability', 'B', '47'], ['inventory_availability', 'C', '0']]);
    await waitFor(async () => (await api.hub.store.getMessage('acme', message!.id))?.status === 'processed', 10_000, 'the availability message processed');
  });

  it('audits item masters given in the request, as CSV too', async () => {
    const body = { erp: [{ sku: 'A', baseUom: 'EA', weight: { value: '1', unit: 'KG' }, dimensions: { length: '1', width: '1', height: '1', unit: 'CM' } }], warehouse: [{ sku: 'a ', baseUom: 'EA' }] };
    const report = (await (await api.call('/v1/audits', { method: 'POST', json: body })).json()) as Json;
    assert.equal(report.counts.sku_variant, 1);
    const csv = await api.call('/v1/audits?format=csv', { method: 'POST', json: body });
    assert.match(csv.headers.get('content-type')!, /text\/csv/);
    assert.match(await csv.text(), /^kind,side,sku,record,field,found,action\r\n/);
  });
});

describe('availability published when stock changes', () => {
  let api: TestApi;
  let shop: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    shop = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms-in: { type: http }
  shop: { type: webhook, allowPrivateNetworks: true, url: "${shop.url}/atp" }
flows:
  - { name: atp, from: [inventory], types: [inventory_availability], to: shop }
inventory:
  availability: { publishEveryMs: 3600000, safetyStock: { byCategory: { fragile: "2" } } }
`);
  });
  after(async () => {
    await api.close();
    await shop.close();
  });

  it('sends available, not on hand, soon after a count arrives, and again only for what changed', async () => {
    const items = [{ type: 'item', sku: 'VASE', baseUom: 'EA', category: 'fragile' }];
    assert.equal((await api.call('/v1/endpoints/wms-in/messages', { method: 'POST', json: items, headers: { 'idempotency-key': 'items' } })).status, 202);
    const count = (key: string, vase: string, cup: string) => api.call('/v1/endpoints/wms-in/messages', {
      method: 'POST', headers: { 'idempotency-key': key },
      json: { type: 'inventory_snapshot', facility: 'DC1', asOf: minutesAgo(0), positions: [{ sku: 'VASE', onHand: vase, allocated: '3', uom: 'EA' }, { sku: 'CUP', onHand: cup, uom: 'EA' }] },
    });
    assert.equal((await count('c1', '10', '4')).status, 202);
    const sent = () => shop.received.map((r) => JSON.parse(r.body.toString()) as Json);
    const first = await waitFor(() => (sent().length >= 2 ? sent() : undefined), 15_000, 'availability at the shop');
    assert.deepEqual(first.map((d) => [d.sku, d.available, d.onHand]).sort(), [['CUP', '4', '4'], ['VASE', '5', '10']]);
    assert.equal((await count('c2', '10', '6')).status, 202);
    const second = await waitFor(() => (sent().length >= 3 ? sent() : undefined), 15_000, 'the changed figure at the shop');
    assert.deepEqual(second.slice(2).map((d) => [d.sku, d.available]), [['CUP', '6']]);
  });
});
