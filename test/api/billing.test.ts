// Billing end to end through a hub: orders sent, the warehouse's shipments applied by the rules,
// usage recorded once (a replayed shipment and a re-sent copy are not billed again), the month
// closed while the scheduled sweep runs, the invoice exported as CSV, and every line traced back to its documents.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HubFacade } from '../../src/engine/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, problemOf, startTestApi, type TestApi } from './harness.ts';

type Json = Record<string, any>;

const shipment = (n: number, over: Json = {}) => ({
  type: 'shipment', shipmentNumber: `SH-${n}`, orderNumber: `SO-${n}`, facility: 'DC1', shippedAt: '2021-03-10T10:00:00Z',
  packages: [{ trackingNumber: `1Z${n}` }], lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '1', uom: 'EA' }, { lineNumber: 2, sku: 'SKU-2', quantity: '2', uom: 'EA' }], ...over,
});

describe('billing through the hub', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/orders" }
  erp-invoices: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/invoices" }
flows:
  - { name: orders-to-wms, types: [sales_order], to: wms }
billing:
  sendTo: erp-invoices
  sweepEveryMs: 100
  tenants:
    acme:
      currency: EUR
      minimum: "10"
      rates:
        order: "1.25"
        order_line: "0.10"
        order_unit: { tiers: [{ upTo: 5, price: "0.50" }, { price: "0.20" }] }
        package: "0.333"
`);
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  const settled = () => waitFor(async () => (await api.hub.store.listMessages({ tenant: 'acme', status: 'pending' })).length === 0, 15_000, 'acme to settle');

  it('records shipments applied once, closes the month once, and traces each line to its documents', async () => {
    for (const n of [1, 2, 3]) assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder(`SO-${n}`) })).status, 202);
    await settled();
    const shipped: number[] = [];
    for (const n of [1, 2, 3]) {
      const res = await api.call('/v1/documents', { method: 'POST', json: shipment(n) });
      assert.equal(res.status, 202);
      shipped.push((await res.json()).messageId);
    }
    // The same shipment sent again under another idempotency key, and a message replayed: billed once.
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: shipment(1), headers: { 'idempotency-key': 'resent-SH-1' } })).status, 202);
    await settled();
    assert.equal((await api.call(`/v1/messages/${shipped[1]}/replay`, { method: 'POST' })).status < 300, true);
    await settled();

    assert.equal((await problemOf(await api.call('/v1/billing/periods/2021-03/invoice'))).status, 404, 'not closed yet');
    const bad = await problemOf(await api.call('/v1/billing/periods/2999-01/close', { method: 'POST' }));
    assert.equal(bad.status, 422, 'a month that has not ended cannot be closed');

    const res = await api.call('/v1/billing/periods/2021-03/close', { method: 'POST' });
    assert.equal(res.status, 200);
    const invoice = await res.json() as Json;
    assert.equal(invoice.closedNow, true);
    // 3 orders, 6 lines, 9 units (5 at 0.50, 4 at 0.20), 3 packages at 0.333 each (rounded once per line).
    assert.deepEqual(invoice.lines.map((l: Json) => [l.line, l.kind, l.tier, l.quantity, l.unitPrice, l.amount]), [
      [1, 'order', 1, '3', '1.25', '3.75'],
      [2, 'order_line', 1, '6', '0.1', '0.60'],
      [3, 'order_unit', 1, '5', '0.5', '2.50'],
      [4, 'order_unit', 2, '4', '0.2', '0.80'],
      [5, 'package', 1, '3', '0.333', '1.00'],
      [6, 'minimum', 0, '1', '1.35', '1.35'],
    ]);
    assert.equal(invoice.total, '10.00');

    const again = await (await api.call('/v1/billing/periods/2021-03/close', { method: 'POST' })).json() as Json;
    assert.equal(again.closedNow, false);
    assert.deepEqual(again.lines, invoice.lines, 'closing twice gives the same lines');

    // The invoice went to the 3PL's ERP as an invoice document, once, whatever the closes.
    const sent = () => receiver.received.filter((r) => r.path === '/invoices');
    await waitFor(() => sent().length === 1, 10_000, 'the invoice to reach the ERP');
    const doc = JSON.parse(sent()[0]!.body.toString()) as Json;
    assert.equal(doc.type, 'invoice');
    // Decimals travel in canonical form ("10" for "10.00"), as every document's do.
    assert.deepEqual([doc.client, doc.period, doc.currency, doc.total], ['acme', '2021-03', 'EUR', '10']);
    const figures = (l: Json, rate: string) => [l.kind, Number(l.quantity), Number(l[rate]), Number(l.amount)];
    assert.deepEqual(doc.lines.map((l: Json) => figures(l, 'rate')), invoice.lines.map((l: Json) => figures(l, 'unitPrice')));
    assert.deepEqual(doc.lines[0].usageKeys, ['shipment:SH-1', 'shipment:SH-2', 'shipment:SH-3'], 'each line names the usage it billed');
    assert.deepEqual(doc.lines.at(-1).usageKeys, [], 'the minimum has none');

    // Late usage of March (a shipment that arrives after the close) does not change March.
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-4') })).status, 202);
    await settled();
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: shipment(4) })).status, 202);
    await settled();
    await api.call('/v1/billing/periods/2021-03/close', { method: 'POST' });
    assert.deepEqual((await (await api.call('/v1/billing/periods/2021-03/invoice')).json() as Json).lines, invoice.lines);
    const invoices = await api.hub.store.listMessages({ tenant: 'acme', endpoint: 'billing' });
    assert.equal(invoices.length, 1, 'three closes put one invoice into the outbox');
    assert.equal(sent().length, 1, 'and the ERP received it once');
    // The scheduled sweep records it; it waits, unbilled, for the next close.
    await waitFor(async () => (await api.hub.store.listUsageEvents('acme', { invoicePeriod: null, kind: 'order' })).map((e) => e.key).join() === 'shipment:SH-4', 10_000, 'the sweep to record SH-4');

    const csv = await api.call('/v1/billing/periods/2021-03/invoice?format=csv');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    assert.equal(rows[0], 'tenant,period,line,kind,tier,quantity,unit_price,amount,currency');
    assert.equal(rows[3], 'acme,2021-03,3,order_unit,1,5,0.5,2.50,EUR');
    assert.equal(rows.length, 7);

    const traced = await (await api.call('/v1/billing/periods/2021-03/lines/1/events')).json() as Json;
    assert.deepEqual(traced.items.map((e: Json) => e.key).sort(), ['shipment:SH-1', 'shipment:SH-2', 'shipment:SH-3']);
    for (const e of traced.items as Json[]) {
      const lineage = await (await api.call(`/v1/messages/${e.messageId}/lineage`)).json() as Json;
      assert.ok(JSON.stringify(lineage).includes(e.documentId), `event ${e.key}'s message holds its document`);
    }
    assert.deepEqual((await (await api.call('/v1/billing/periods/2021-03/lines/6/events')).json() as Json).items, [], 'the minimum has no events');
    assert.equal((await api.call('/v1/billing/periods/2021-03/lines/7/events')).status, 404);
    assert.equal((await api.call('/v1/billing/periods/2021-03/invoice', { key: KEYS.globex })).status, 404, 'another client sees no invoice of acme\'s');
  });
});

/** A hub with only these billing settings, for the tests of one describe. */
function storageHub(tenants: string): { api: TestApi; settled(): Promise<unknown> } {
  const hub = { api: undefined as unknown as TestApi, settled: () => waitFor(async () => (await hub.api.hub.store.listMessages({ tenant: 'acme', status: 'pending' })).length === 0, 15_000, 'acme to settle') };
  before(async () => { hub.api = await startTestApi(`\nbilling:\n  sweepEveryMs: 0\n  tenants:\n${tenants}`); });
  after(async () => { await hub.api.close(); });
  return hub;
}

describe('storage through the hub', () => {
  const hub = storageHub(`    acme: { rates: { storage_unit_day: "0.01" } }
    globex: { rates: { order: "1" } }
`);

  it('counts the warehouse\'s units on hand at the end of each day, once per facility and day', async () => {
    const { api } = hub;
    const day = 86_400_000;
    const now = Date.now();
    const snapshot = (facility: string, onHand: string[]) => ({
      type: 'inventory_snapshot', facility, asOf: new Date(now - 3 * day).toISOString(), positions: onHand.map((q, i) => ({ sku: `SKU-${i + 1}`, onHand: q, uom: 'EA' })),
    });
    for (const s of [snapshot('DC1', ['7', '3.5']), snapshot('DC2', ['0'])]) assert.equal((await api.call('/v1/documents', { method: 'POST', json: s })).status, 202);
    await hub.settled();
    const { billing } = HubFacade.of(api.hub);
    // Positions are as the hub knew them at each day's end: the snapshot came in today, so the sweeps run from tomorrow.
    assert.equal(await billing.sweep('acme', now + day), 1, 'the first time, the day before only; DC2 holds nothing');
    assert.equal(await billing.sweep('acme', now + day), 0, 'a day is counted once');
    assert.equal(await billing.sweep('acme', now + 3 * day), 2, 'each day ended since');
    const events = await api.hub.store.listUsageEvents('acme', { kind: 'storage_unit_day' });
    const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
    assert.deepEqual(events.map((e) => [e.key, e.quantity]).sort(), [0, 1, 2].map((d) => [`storage:DC1:${dayOf(now + d * day)}`, '10.5']));
    assert.equal(await billing.sweep('globex', now), 0, 'a card that does not price storage counts none');
  });
});

describe('storage by cubic volume and by pallet through the hub', () => {
  const hub = storageHub(`    acme: { volumeUnit: m3, rates: { storage_volume_day: "0.40", storage_pallet_day: "0.75" } }
`);

  it('measures each SKU from the item master, and the close names the SKUs it could not measure', async () => {
    const { api } = hub;
    const day = 86_400_000;
    const now = Date.now();
    const items = [
      { type: 'item', sku: 'BOX', baseUom: 'EA', conversions: [{ uom: 'CS', factor: '10' }], dimensions: { length: '50', width: '40', height: '50', unit: 'cm' }, unitsPerPallet: '40' },
      { type: 'item', sku: 'BARE', baseUom: 'EA' },
    ];
    for (const item of items) assert.equal((await api.call('/v1/documents', { method: 'POST', json: item })).status, 202);
    const snapshot = {
      type: 'inventory_snapshot', facility: 'DC1', asOf: new Date(now - 3 * day).toISOString(),
      positions: [{ sku: 'BOX', onHand: '5', uom: 'CS' }, { sku: 'BOX', lot: 'L2', onHand: '1', uom: 'EA' }, { sku: 'BARE', onHand: '7', uom: 'EA' }],
    };
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: snapshot })).status, 202);
    await hub.settled();
    const { billing } = HubFacade.of(api.hub);
    assert.equal(await billing.sweep('acme', now + day), 3, 'volume, pallets and the unmeasured SKU, for the one day');
    const kinds = Object.fromEntries((await api.hub.store.listUsageEvents('acme', {})).map((e) => [e.kind, e.quantity]));
    // 51 boxes of 0.1 m³; 51 on 40 a pallet take 2 positions.
    assert.deepEqual(kinds, { storage_volume_day: '5.1', storage_pallet_day: '2', 'unmeasured:BARE': '7' });
    const period = new Date(now).toISOString().slice(0, 7);
    const closed = await billing.close('acme', period, now + 40 * day);
    assert.deepEqual(closed.lines.map((l) => [l.kind, l.quantity, l.amount]), [['storage_volume_day', '5.1', '2.04'], ['storage_pallet_day', '2', '1.50']]);
    assert.deepEqual(closed.unmeasured, ['BARE']);
  });
});
