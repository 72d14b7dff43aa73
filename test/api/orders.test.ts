// The orders API reads the rules' ledgers: an order's state, its lines, every document decided
// against it with its verdict; an operator holds and releases an order; stuck orders are listed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inboundView, orderList, orderView } from '../../src/api/schemas.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';
import { startTestApi, type TestApi } from './harness.ts';

describe('API: orders and expected inbound', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, url: "http://127.0.0.1:9/wms" }
  erp: { type: webhook, url: "http://127.0.0.1:9/erp" }
flows:
  - { name: to-wms, from: [api], types: [sales_order, purchase_order], to: wms }
  - { name: to-erp, from: [api], types: [shipment, receipt], to: erp }
`);
  });
  after(async () => { await api.close(); });

  async function post(doc: unknown): Promise<number> {
    const res = await api.call('/v1/documents', { method: 'POST', json: doc });
    assert.equal(res.status, 202, await res.clone().text());
    const { messageId } = await res.json() as { messageId: number };
    await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status !== 'pending', 10_000, `message ${messageId} processed`);
    return messageId;
  }
  const order = async (n: string) => orderView.parse(await (await api.call(`/v1/orders/${n}`)).json());

  it('shows an order\'s state, lines and events with verdicts, and lists it by state and facility', async () => {
    const placed = await post(salesOrder('SO-A1', 2, { facility: 'AMS1' }));
    const shipped = await post(shipment('SO-A1'));
    const refused = await post(shipment('SO-A1', { shipmentNumber: 'SH-OVER', lines: [{ lineNumber: 2, sku: 'SKU-2', quantity: '5', uom: 'EA' }] }));
    const o = await order('SO-A1');
    assert.equal(o.status, 'partially_shipped');
    assert.equal(o.facility, 'AMS1');
    assert.deepEqual(o.lines.map((l) => [l.sku, l.ordered, l.shipped, l.open]), [['SKU-1', '1', '1', '0'], ['SKU-2', '2', '0', '2']]);
    assert.deepEqual(o.events.map((e) => [e.documentType, e.verdict, e.rule, e.messageId]), [
      ['sales_order', 'apply', 'ORDER_ACCEPTED', placed], ['shipment', 'apply', 'SHIPMENT_APPLIED', shipped], ['shipment', 'refuse', 'OVER_SHIPMENT', refused],
    ]);
    assert.match(o.events[2]!.reason, /SH-OVER ships 5 EA/);
    const listed = orderList.parse(await (await api.call('/v1/orders?status=partially_shipped&facility=AMS1')).json());
    assert.deepEqual(listed.items.map((i) => i.orderNumber), ['SO-A1']);
    assert.deepEqual(orderList.parse(await (await api.call('/v1/orders?status=shipped')).json()).items, []);
    assert.equal((await api.call('/v1/orders/SO-NONE')).status, 404);
  });

  it('holds an order (a credit hold set before the order came) and sends it once released', async () => {
    assert.equal((await api.call('/v1/orders/SO-H1/release', { method: 'POST' })).status, 404, 'nothing to release yet');
    const held = await api.call('/v1/orders/SO-H1/hold', { method: 'POST', json: { reason: 'customer on credit hold' } });
    assert.equal(held.status, 200);
    assert.deepEqual(orderView.parse(await held.json()).holds.map((h) => [h.by, h.releasedAt]), [['operator', undefined]]);
    const change = await post(salesOrder('SO-H1', 1));
    assert.deepEqual((await order('SO-H1')).held.map((h) => h.waitingFor), ['release']);
    assert.equal((await order('SO-H1')).status, 'held');
    assert.deepEqual(await api.hub.store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-H1' }), [], 'a held order is not sent');
    const released = await api.call('/v1/orders/SO-H1/release', { method: 'POST' });
    assert.equal(released.status, 200);
    await waitFor(async () => (await order('SO-H1')).events.some((e) => e.rule === 'ORDER_ACCEPTED'), 10_000, 'the order decided again');
    const events = (await order('SO-H1')).events.filter((e) => e.messageId === change).map((e) => `${e.verdict} ${e.rule}`);
    assert.deepEqual(events, ['hold ORDER_ON_HOLD', 'apply ORDER_ACCEPTED']);
    const deliveries = await api.hub.store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-H1' });
    assert.equal(deliveries.length, 1, 'sent once released');
  });

  it('lists stuck orders: not shipped by their requested date', async () => {
    await post(salesOrder('SO-LATE', 1, { requestedShipDate: '2026-01-02' }));
    const stuck = orderList.parse(await (await api.call('/v1/orders?status=stuck')).json());
    assert.deepEqual(stuck.items.map((i) => [i.orderNumber, i.stuck.map((s) => s.rule)]), [['SO-LATE', ['SHIP_DATE_MISSED']]]);
  });

  it('shows expected inbound against its receipts', async () => {
    await post({ type: 'purchase_order', poNumber: 'PO-1', facility: 'AMS1', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '10', uom: 'EA' }] });
    const res = await api.call('/v1/inbound/PO-1');
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as { status: string; lines: Array<{ expected: string; received: string }> };
    assert.equal(body.status, 'expected');
    assert.deepEqual(body.lines.map((l) => [l.expected, l.received]), [['10', '0']]);
    const list = await (await api.call('/v1/inbound?status=expected')).json() as { items: Array<{ reference: string }> };
    assert.deepEqual(list.items.map((i) => i.reference), ['PO-1']);
  });

  it('holds a purchase order (before it came) and sends only its newest version once released', async () => {
    const inbound = async (ref: string) => inboundView.parse(await (await api.call(`/v1/inbound/${ref}`)).json());
    const po = (quantity: string, occurredAt: string) => ({
      type: 'purchase_order', poNumber: 'PO-H1', facility: 'AMS1', occurredAt, lines: [{ lineNumber: 1, sku: 'SKU-1', quantity, uom: 'EA' }],
    });
    assert.equal((await api.call('/v1/inbound/PO-H1/release', { method: 'POST' })).status, 404, 'nothing to release yet');
    const held = await api.call('/v1/inbound/PO-H1/hold', { method: 'POST', json: { reason: 'supplier under review' } });
    assert.equal(held.status, 200, await held.clone().text());
    assert.deepEqual(inboundView.parse(await held.json()).holds.map((h) => [h.by, h.releasedAt]), [['operator', undefined]]);
    const first = await post(po('10', '2026-03-01T08:00:00Z'));
    const second = await post(po('12', '2026-03-01T09:00:00Z'));
    const waiting = await inbound('PO-H1');
    assert.equal(waiting.status, 'held');
    assert.deepEqual(waiting.held.map((h) => h.waitingFor), ['release', 'release']);
    assert.deepEqual(await api.hub.store.listDeliveries({ tenant: 'acme', entityKey: 'inbound:PO-H1' }), [], 'a held purchase order is not sent');
    const listed = await (await api.call('/v1/inbound?status=held')).json() as { items: Array<{ reference: string }> };
    assert.deepEqual(listed.items.map((i) => i.reference), ['PO-H1']);

    const released = await api.call('/v1/inbound/PO-H1/release', { method: 'POST' });
    assert.equal(released.status, 200);
    await waitFor(async () => (await inbound('PO-H1')).events.some((e) => e.rule === 'PO_ACCEPTED'), 10_000, 'the purchase order decided again');
    const after = await inbound('PO-H1');
    const of = (m: number) => after.events.filter((e) => e.messageId === m).map((e) => `${e.verdict} ${e.rule}`);
    assert.deepEqual(of(first), ['hold PO_ON_HOLD', 'stale OUT_OF_ORDER'], 'the older version, decided again first, is out of date');
    assert.deepEqual(of(second), ['hold PO_ON_HOLD', 'apply PO_ACCEPTED']);
    assert.equal(after.status, 'expected');
    assert.deepEqual(after.held, []);
    assert.deepEqual(after.lines.map((l) => l.expected), ['12']);
    const deliveries = await api.hub.store.listDeliveries({ tenant: 'acme', entityKey: 'inbound:PO-H1' });
    assert.deepEqual(deliveries.map((d) => d.messageId), [second], 'only the newest version is sent, once');
  });
});
