import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CANCELS_PURCHASE_ORDER, parseSourceCursor, signHmac } from '../../../src/connectors/wms-rest/index.ts';
import type { DeliveryOutcome } from '../../../src/transports/index.ts';
import { startTestApi } from '../../api/harness.ts';
import { salesOrder } from '../../support/documents.ts';
import { startReceiver, waitFor } from '../../support/receiver.ts';
import { CUSTOMER_ID, EXTENSIV_CLIENT, ExtensivContract, stamp } from './contract-extensiv.ts';
import { documentsOf, endpointOf, never, outbound, push, type Endpoint } from './helpers.ts';

function settings(server: ExtensivContract, over: Record<string, unknown> = {}) {
  return {
    url: server.url,
    profile: 'extensiv-3pl-warehouse-manager',
    auth: { kind: 'oauth2', clientId: EXTENSIV_CLIENT.id, clientSecret: EXTENSIV_CLIENT.secret, params: { user_login_id: EXTENSIV_CLIENT.userLoginId } },
    vars: { customerId: String(CUSTOMER_ID) },
    facilities: { RNO: '2', ONT: '3' },
    produce: ['shipment', 'receipt', 'return_receipt', 'inventory_adjustment', 'inventory_snapshot'],
    webhook: {},
    reconcileEveryMs: 0,
    snapshotEveryMs: 0,
    // The tests' own pace; the budget itself is tested below.
    requestsPerMinute: 60_000,
    ...over,
  };
}

const order = (number: string, over: Record<string, unknown> = {}) => salesOrder(number, 2, { facility: 'RNO', ...over });

function delivered(outcome: DeliveryOutcome): string {
  assert.equal(outcome.kind, 'delivered', JSON.stringify(outcome));
  return (outcome as { partnerRef: string }).partnerRef;
}

describe('Extensiv 3PL Warehouse Manager profile: contract tests against a server built from Extensiv\'s public API documentation (not Extensiv)', () => {
  let server: ExtensivContract;
  let wms: Endpoint;

  before(async () => {
    server = await new ExtensivContract().start();
    wms = endpointOf(settings(server));
  });
  after(() => server.close());

  describe('writes', () => {
    it('creates an order once, with our order number as its reference; a repeated delivery finds it instead of creating another', async () => {
      const first = delivered(await wms.sink.deliver(outbound(order('SO-100')), never));
      const o = server.orderByRef('SO-100')!;
      assert.equal(String(o.readOnly.orderId), first);
      assert.equal(o.facilityIdentifier.id, 2);
      assert.equal(o.customerIdentifier.id, CUSTOMER_ID);
      assert.equal(o.shipTo.city, 'Rotterdam');
      assert.deepEqual(o.orderItems.map((i: { itemIdentifier: { sku: string }; qty: number }) => [i.itemIdentifier.sku, i.qty]), [['SKU-1', 1], ['SKU-2', 2]]);
      // A fresh endpoint (a restart: nothing cached) looks the reference up before creating.
      const restarted = endpointOf(settings(server));
      assert.equal(delivered(await restarted.sink.deliver(outbound(order('SO-100')), never)), first);
      assert.equal([...server.orders.values()].filter((s) => s.resource.referenceNum === 'SO-100').length, 1);
    });

    it('creates the ERP\'s backorder of an order it has as an order of its own, under the order number and the backorder\'s reference; a redelivery finds it', async () => {
      const original = delivered(await wms.sink.deliver(outbound(order('SO-200')), never));
      const backorder = outbound(order('SO-200', { lines: [{ lineNumber: '2', sku: 'SKU-2', quantity: '1', uom: 'EA' }], extensions: { backorder: { reference: 'CS-7' } } }));
      const id = delivered(await wms.sink.deliver(backorder, never));
      assert.notEqual(id, original);
      const made = server.orderByRef('SO-200-BO-CS-7')!;
      assert.equal(String(made.readOnly.orderId), id);
      assert.deepEqual(made.orderItems.map((i: { itemIdentifier: { sku: string }; qty: number }) => [i.itemIdentifier.sku, i.qty]), [['SKU-2', 1]]);
      assert.equal(server.orderByRef('SO-200')!.orderItems.length, 2, 'the order itself is left as it was');
      // Redelivered, and delivered again by a restarted endpoint (nothing cached): found, not made twice.
      assert.equal(delivered(await wms.sink.deliver({ ...backorder, attempt: 2 }, never)), id);
      const posts = server.http.calls(/^POST \/orders$/).length;
      assert.equal(delivered(await endpointOf(settings(server)).sink.deliver(backorder, never)), id);
      assert.equal(server.http.calls(/^POST \/orders$/).length, posts);
      assert.equal([...server.orders.values()].filter((o) => o.resource.referenceNum === 'SO-200-BO-CS-7').length, 1);
    });

    it('cancels the ERP\'s backorder at the order it is at the warehouse, leaving the order itself', async () => {
      delivered(await wms.sink.deliver(outbound(order('SO-210')), never));
      delivered(await wms.sink.deliver(outbound(order('SO-210', { extensions: { backorder: { reference: 'CS-9' } } })), never));
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SO-210', extensions: { backorder: { reference: 'CS-9' } } }), never));
      assert.equal(server.orderByRef('SO-210-BO-CS-9')!.readOnly.status, 2);
      assert.equal(server.orderByRef('SO-210')!.readOnly.status, 0);
    });

    it('refuses a backorder whose reference would be longer than Extensiv\'s referenceNum takes, naming the field, and takes the suffix the endpoint sets', async () => {
      const long = outbound(order('SO-220', { extensions: { backorder: { reference: 'X'.repeat(44) } } }));
      const outcome = await wms.sink.deliver(long, never);
      assert.equal(outcome.kind, 'permanent', JSON.stringify(outcome));
      assert.match((outcome as { error: string }).error, /backorder X+ of order SO-220 goes to the warehouse as SO-220-BO-X+, 54 characters, and its referenceNum takes at most 50/);
      const short = endpointOf(settings(server, { backorderSuffix: '/{backorder}' }));
      delivered(await short.sink.deliver(outbound(order('SO-220', { extensions: { backorder: { reference: 'CS-1' } } })), never));
      assert.ok(server.orderByRef('SO-220/CS-1'));
    });

    it('creates an order once when the answer to the create was lost: the retry finds what the first attempt made', async () => {
      server.http.dropAnswerOnce('POST', /^\/orders$/);
      const message = outbound(order('SO-LOST'));
      const lost = await wms.sink.deliver(message, never);
      assert.equal(lost.kind, 'retryable', JSON.stringify(lost));
      assert.match((lost as { error: string }).error, /creating order SO-LOST/);
      const again = delivered(await wms.sink.deliver({ ...message, attempt: 2 }, never));
      const made = [...server.orders.values()].filter((s) => s.resource.referenceNum === 'SO-LOST');
      assert.equal(made.length, 1, 'one order, not two');
      assert.equal(String(made[0].resource.readOnly.orderId), again);
    });

    it('refuses an order for a facility it has no warehouse id for, permanently and naming it', async () => {
      const outcome = await wms.sink.deliver(outbound(order('SO-NOWHERE', { facility: 'XXX' })), never);
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /facility "XXX" has no warehouse facility/);
      assert.equal(server.orderByRef('SO-NOWHERE'), undefined);
    });

    it('replaces an order with If-Match on its ETag', async () => {
      delivered(await wms.sink.deliver(outbound(order('SO-REPL')), never));
      const replaced = outbound(order('SO-REPL', { purpose: 'replace', shipTo: { name: 'New Dock', lines: ['1 Quay'], city: 'Delft', country: 'NL' } }));
      delivered(await wms.sink.deliver(replaced, never));
      const put = server.http.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/orders/')).at(-1)!;
      assert.match(String(put.headers['if-match']), /^"v\d+"$/);
      assert.equal(server.orderByRef('SO-REPL')!.shipTo.city, 'Delft');
    });

    it('cancels an order with If-Match, and cancelling it again sends nothing more', async () => {
      delivered(await wms.sink.deliver(outbound(order('SO-CXL')), never));
      const before = server.http.calls(/canceler/).length;
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SO-CXL', reason: 'customer changed their mind' }), never));
      assert.equal(server.orderByRef('SO-CXL')!.readOnly.status, 2);
      assert.equal(server.http.calls(/canceler/).length, before + 1);
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SO-CXL' }), never));
      assert.equal(server.http.calls(/canceler/).length, before + 1, 'already cancelled: no second canceler call');
    });

    it('answers a 412 (the order changed between reading and cancelling) as a retryable outcome, and the retry cancels it', async () => {
      const id = delivered(await wms.sink.deliver(outbound(order('SO-412')), never));
      server.changeAfterNextGet('orders', Number(id));
      const cancel = outbound({ type: 'order_cancel', orderNumber: 'SO-412' });
      const conflict = await wms.sink.deliver(cancel, never);
      assert.equal(conflict.kind, 'retryable');
      assert.equal(conflict.statusCode, 412);
      assert.equal((conflict as { response: string }).response.length > 0, true);
      assert.match((conflict as { error: string }).error, /changed at the warehouse between reading it and cancel \(HTTP 412\)/);
      assert.equal((conflict as { throttled?: boolean }).throttled, undefined, 'a conflict is no rate limit');
      assert.equal(server.orderByRef('SO-412')!.readOnly.status, 0);
      delivered(await wms.sink.deliver({ ...cancel, attempt: 2 }, never));
      assert.equal(server.orderByRef('SO-412')!.readOnly.status, 2);
    });

    it('refuses to cancel a shipped order and an order the warehouse never had, permanently', async () => {
      delivered(await wms.sink.deliver(outbound(order('SO-SHIPPED')), never));
      server.confirmOrder('SO-SHIPPED', { trackingNumber: '1Z0001' });
      const shipped = await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SO-SHIPPED' }), never);
      assert.equal(shipped.kind, 'permanent');
      assert.match((shipped as { error: string }).error, /HTTP 400.*a confirmed order cannot be cancelled/);
      const unknown = await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SO-NEVER' }), never);
      assert.equal(unknown.kind, 'permanent');
      assert.match((unknown as { error: string }).error, /no order with reference SO-NEVER to cancel/);
    });

    it('creates expected inbound (a receiver) once and cancels it with an order_cancel marked as cancelling a purchase order', async () => {
      const po = { type: 'purchase_order', poNumber: 'PO-7', facility: 'ONT', expectedDate: '2030-01-15', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '10', uom: 'EA', lots: [{ lot: 'L-1', quantity: '10' }] }] };
      const id = delivered(await wms.sink.deliver(outbound(po), never));
      assert.equal(delivered(await wms.sink.deliver(outbound(po), never)), id);
      const r = server.receiverByRef('PO-7')!;
      assert.equal(r.facilityIdentifier.id, 3);
      assert.equal(r.receiveItems[0].lotNumber, 'L-1');
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'PO-7', references: [CANCELS_PURCHASE_ORDER], entityKey: 'inbound:PO-7' }), never));
      assert.equal(server.receiverByRef('PO-7')!.readOnly.status, 2);
    });

    it('upserts an item: created the first time, updated with If-Match after', async () => {
      const item = { type: 'item', sku: 'SKU-NEW', description: 'Widget', baseUom: 'EA', barcodes: [{ kind: 'UPC', value: '012345678905' }], lotTracked: true };
      const id = delivered(await wms.sink.deliver(outbound(item), never));
      assert.equal(server.itemBySku('SKU-NEW')!.resource.upc, '012345678905');
      assert.equal(delivered(await wms.sink.deliver(outbound({ ...item, description: 'Widget, blue' }), never)), id);
      assert.equal(server.itemBySku('SKU-NEW')!.resource.description, 'Widget, blue');
      assert.ok(server.http.requests.some((r) => r.method === 'PUT' && r.path.endsWith(`/items/${id}`) && r.headers['if-match']));
    });

    it('says the profile has no hold for an order_status on_hold, permanently', async () => {
      delivered(await wms.sink.deliver(outbound(order('SO-HOLD')), never));
      const outcome = await wms.sink.deliver(outbound({ type: 'order_status', orderNumber: 'SO-HOLD', status: 'on_hold' }), never);
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /has no hold for order records/);
    });
  });

  describe('auth and rate limit', () => {
    it('gets a token with client credentials, keeps it, and after a 401 (expired) fetches one new token and sends the call once more', async () => {
      const fresh = endpointOf(settings(server));
      const issued = server.http.tokensIssued;
      delivered(await fresh.sink.deliver(outbound(order('SO-TOK-1')), never));
      delivered(await fresh.sink.deliver(outbound(order('SO-TOK-2')), never));
      assert.equal(server.http.tokensIssued, issued + 1, 'one token for both');
      server.http.expireTokens();
      const before = server.http.requests.length;
      delivered(await fresh.sink.deliver(outbound(order('SO-TOK-3')), never));
      assert.equal(server.http.tokensIssued, issued + 2, 'one more token after the 401');
      const statuses = server.http.requests.slice(before).map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(statuses.slice(0, 2), ['GET /orders', 'GET /orders'], 'the refused lookup went once more, with the new token');
    });

    it('answers a 429 as a throttled retryable outcome with the partner\'s Retry-After, and sends nothing more until then', async () => {
      const fresh = endpointOf(settings(server));
      delivered(await fresh.sink.deliver(outbound(order('SO-RL-0')), never));
      server.http.throttleNext(1, 7);
      const throttled = await fresh.sink.deliver(outbound(order('SO-RL-1')), never);
      assert.deepEqual([throttled.kind, throttled.statusCode, (throttled as { retryAfterMs: number }).retryAfterMs, (throttled as { throttled: boolean }).throttled], ['retryable', 429, 7000, true]);
      const count = server.http.requests.length;
      const held = await fresh.sink.deliver(outbound(order('SO-RL-2')), never);
      assert.equal(held.kind, 'retryable');
      assert.equal((held as { throttled: boolean }).throttled, true);
      assert.ok((held as { retryAfterMs: number }).retryAfterMs > 6000, 'waits out the partner\'s Retry-After');
      assert.equal(server.http.requests.length, count, 'nothing was sent while the partner asked us to wait');
    });

    it('waits at most 15 minutes when the partner\'s Retry-After asks for a year, then asks again', async () => {
      const fresh = endpointOf(settings(server));
      delivered(await fresh.sink.deliver(outbound(order('SO-RL-Y0')), never));
      server.http.throttleNext(1, 365 * 86_400);
      const throttled = await fresh.sink.deliver(outbound(order('SO-RL-Y1')), never);
      assert.equal((throttled as { retryAfterMs: number }).retryAfterMs, 15 * 60_000);
      const held = await fresh.sink.deliver(outbound(order('SO-RL-Y2')), never);
      assert.ok((held as { retryAfterMs: number }).retryAfterMs <= 15 * 60_000, `paused ${(held as { retryAfterMs: number }).retryAfterMs} ms`);
    });

    it('never puts a secret in an outcome', async () => {
      const wrong = endpointOf(settings(server, { auth: { kind: 'oauth2', clientId: EXTENSIV_CLIENT.id, clientSecret: 'not-the-secret-at-all', params: { user_login_id: '17' } } }));
      const outcome = await wrong.sink.deliver(outbound(order('SO-SECRET')), never);
      assert.equal(outcome.kind, 'retryable');
      assert.match((outcome as { error: string }).error, /token endpoint .* answered HTTP 401 \(invalid_client\)/);
      assert.doesNotMatch(JSON.stringify(outcome), /not-the-secret-at-all/);
    });
  });

  describe('reads', () => {
    it('reads a confirmed order as a shipment with packages, tracking and lots, keyed by the order and its change stamp', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-SHIP')), never));
      const confirmed = server.confirmOrder('SO-SHIP', { trackingNumber: '1Z999AA10123456784', scac: 'UPSN', weight: 4.2, lots: { 'SKU-1': [{ lot: 'L24-07', qty: 1, expiry: '2031-03-31T00:00:00' }] } });
      const state = { cursor: null as string | null };
      const messages = await poll(reader, state);
      const mine = messages.filter((m) => m.partnerRef === id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].idempotencyKey, `shipment:${id}:${new Date(confirmed.readOnly.lastModifiedDate + 'Z').toISOString()}`);
      const [doc] = documentsOf(mine[0]);
      assert.equal(doc.type, 'shipment');
      if (doc.type !== 'shipment') return;
      assert.equal(doc.orderNumber, 'SO-SHIP');
      assert.equal(doc.facility, 'RNO');
      assert.equal(doc.carrier?.scac, 'UPSN');
      assert.deepEqual(doc.trackingNumbers, ['1Z999AA10123456784']);
      assert.deepEqual(doc.packages[0].weight, { value: '4.2', unit: 'LB' });
      assert.deepEqual(doc.lines.map((l) => [l.sku, l.quantity, l.lots]), [['SKU-1', '1', [{ lot: 'L24-07', quantity: '1', expiryDate: '2031-03-31' }]], ['SKU-2', '2', []]]);
      // The next reconciliation read meets the same version again: same key, a duplicate to the inbox.
      const again = (await poll(reader, state)).filter((m) => m.partnerRef === id);
      assert.deepEqual(again.map((m) => m.idempotencyKey), [mine[0].idempotencyKey]);
      // A later change is a new version.
      server.touchOrder('SO-SHIP');
      const changed = (await poll(reader, state)).filter((m) => m.partnerRef === id);
      assert.equal(changed.length, 1);
      assert.notEqual(changed[0].idempotencyKey, mine[0].idempotencyKey);
    });

    it('reads the shipment of the order a backorder is at the warehouse under the ERP\'s order number, the backorder\'s reference kept', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      delivered(await wms.sink.deliver(outbound(order('SO-230')), never));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-230', { extensions: { backorder: { reference: 'CS-11' } } })), never));
      server.confirmOrder('SO-230-BO-CS-11', { trackingNumber: '1Z999AA10123456799' });
      const [doc] = documentsOf((await poll(reader, { cursor: null })).find((m) => m.partnerRef === id)!);
      assert.equal(doc.type, 'shipment');
      if (doc.type !== 'shipment') return;
      assert.deepEqual([doc.orderNumber, doc.entityKey, doc.extensions], ['SO-230', 'order:SO-230', { backorder: { reference: 'CS-11' } }]);
      assert.deepEqual(doc.trackingNumbers, ['1Z999AA10123456799']);
    });

    it('reads a received receiver as a receipt with lots, expiry, over, short and damaged quantities', async () => {
      const reader = endpointOf(settings(server, { produce: ['receipt'] }));
      delivered(await wms.sink.deliver(outbound({ type: 'purchase_order', poNumber: 'PO-RCV', facility: 'RNO', lines: [
        { lineNumber: 1, sku: 'SKU-A', quantity: '10', uom: 'EA' }, { lineNumber: 2, sku: 'SKU-B', quantity: '5', uom: 'EA' }] }), never));
      server.receive('PO-RCV', [
        { sku: 'SKU-A', qty: 11, lot: 'LA', expiry: '2030-12-31T00:00:00' },
        { sku: 'SKU-B', qty: 3, lot: 'LB' },
        { sku: 'SKU-B', qty: 1, lot: 'LB', qualifier: 'DMG' },
      ]);
      const messages = await poll(reader, { cursor: null });
      const [doc] = documentsOf(messages.find((m) => m.idempotencyKey!.startsWith(`receipt:${server.receiverByRef('PO-RCV')!.readOnly.receiverId}:`))!);
      assert.equal(doc.type, 'receipt');
      if (doc.type !== 'receipt') return;
      assert.equal(doc.poNumber, 'PO-RCV');
      assert.deepEqual(doc.lines.map((l) => [l.sku, l.lot, l.expiryDate, l.quantity, l.expectedQuantity, l.damagedQuantity]), [
        ['SKU-A', 'LA', '2030-12-31', '11', '10', '0'],
        ['SKU-B', 'LB', undefined, '3', '5', '1'],
      ]);
    });

    it('reads the pallets and the value-added services the warehouse billed on a shipment and on a receipt', async () => {
      const shipments = endpointOf(settings(server, { produce: ['shipment'] }));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-VAS')), never));
      server.confirmOrder('SO-VAS', { trackingNumber: '1ZVAS', pallets: 2, charges: [
        { type: 1, label: 'Pick per unit', units: 3 },
        { type: 5, label: 'Gift wrap', units: 3, perUnit: 1.5 },
        { type: 5, label: 'Labelling', units: 2 },
        { type: 6, label: 'Stretch wrap', units: 2 },
        { type: 5, label: 'Rush fee', units: 0 },
      ] });
      const [shipped] = documentsOf((await poll(shipments, { cursor: null })).find((m) => m.partnerRef === id)!);
      assert.equal(shipped.type, 'shipment');
      if (shipped.type !== 'shipment') return;
      assert.equal(shipped.pallets, 2, 'one per ShippingPallet');
      // Special charges and materials are services; handling is Causeway's own count; a charge of no units is none.
      assert.deepEqual(shipped.services?.map((s) => [s.code, s.quantity, s.description]), [
        ['GIFT_WRAP', '3', 'Gift wrap'], ['LABELLING', '2', 'Labelling'], ['STRETCH_WRAP', '2', 'Stretch wrap'],
      ]);

      const receipts = endpointOf(settings(server, { produce: ['receipt'] }));
      delivered(await wms.sink.deliver(outbound({ type: 'purchase_order', poNumber: 'PO-PAL', facility: 'RNO', lines: [{ lineNumber: 1, sku: 'SKU-A', quantity: '480', uom: 'EA' }] }), never));
      server.receive('PO-PAL', [{ sku: 'SKU-A', qty: 480 }], { cartons: 40, pallets: 4, charges: [{ type: 5, label: 'Devanning 40ft', units: 1 }] });
      const receiverId = server.receiverByRef('PO-PAL')!.readOnly.receiverId;
      const [received] = documentsOf((await poll(receipts, { cursor: null })).find((m) => m.partnerRef === String(receiverId))!);
      assert.equal(received.type, 'receipt');
      if (received.type !== 'receipt') return;
      assert.equal(received.pallets, 4, 'the handling-unit count named Pallets, not the cartons');
      assert.deepEqual(received.services?.map((s) => [s.code, s.quantity]), [['DEVANNING_40FT', '1']]);

      // Without pallets or charges the document says nothing of them: nothing is billed that was not reported.
      const plain = endpointOf(settings(server, { produce: ['shipment'] }));
      const plainId = delivered(await wms.sink.deliver(outbound(order('SO-PLAIN')), never));
      server.confirmOrder('SO-PLAIN', { trackingNumber: '1ZPLAIN' });
      const [bare] = documentsOf((await poll(plain, { cursor: null })).find((m) => m.partnerRef === plainId)!);
      assert.deepEqual([bare.type, (bare as { pallets?: number }).pallets, (bare as { services?: unknown }).services], ['shipment', undefined, undefined]);
    });

    it('reads a return receiver as a return receipt with its disposition', async () => {
      const reader = endpointOf(settings(server, { produce: ['return_receipt'] }));
      const r = server.receiveReturn('RMA-1', 3, [{ sku: 'SKU-1', qty: 2 }, { sku: 'SKU-2', qty: 1, qualifier: 'DMG' }]);
      const messages = await poll(reader, { cursor: null });
      const [doc] = documentsOf(messages.find((m) => m.partnerRef === String(r.readOnly.receiverId))!);
      assert.equal(doc.type, 'return_receipt');
      if (doc.type !== 'return_receipt') return;
      assert.equal(doc.facility, 'ONT');
      assert.deepEqual(doc.lines.map((l) => [l.sku, l.quantity, l.disposition]), [['SKU-1', '2', 'restock'], ['SKU-2', '1', 'quarantine']]);
      // The same receivers are not receipts.
      const receipts = await poll(endpointOf(settings(server, { produce: ['receipt'] })), { cursor: null });
      assert.equal(receipts.filter((m) => m.partnerRef === String(r.readOnly.receiverId)).length, 0);
    });

    it('reads adjustments with their reason codes', async () => {
      const reader = endpointOf(settings(server, { produce: ['inventory_adjustment'] }));
      const a = server.adjust(2, 'Cycle Count', [{ sku: 'SKU-1', qty: -2, lot: 'L1' }, { sku: 'SKU-2', qty: 1 }], 'count of aisle 4');
      const b = server.adjust(2, 'Something Else', [{ sku: 'SKU-3', qty: 5 }]);
      const messages = await poll(reader, { cursor: null });
      const [docA] = documentsOf(messages.find((m) => m.partnerRef === String(a.readOnly.adjustmentId))!);
      const [docB] = documentsOf(messages.find((m) => m.partnerRef === String(b.readOnly.adjustmentId))!);
      assert.equal(docA.type === 'inventory_adjustment' && docA.facility, 'RNO');
      assert.deepEqual(docA.type === 'inventory_adjustment' && docA.lines.map((l) => [l.sku, l.lot, l.quantity, l.reason, l.note]),
        [['SKU-1', 'L1', '-2', 'cycle_count', 'count of aisle 4'], ['SKU-2', undefined, '1', 'cycle_count', 'count of aisle 4']]);
      assert.equal(docB.type === 'inventory_adjustment' && docB.lines[0].reason, 'other');
    });

    it('reads stock details per facility into a full snapshot in status buckets, and sends it again only when it changed', async () => {
      const reader = endpointOf(settings(server, { produce: ['inventory_snapshot'] }));
      server.setStock(2, [
        { sku: 'SKU-1', onHand: 10, available: 7, lot: 'L1', expiry: '2031-01-31T00:00:00' },
        { sku: 'SKU-1', onHand: 5, available: 5, lot: 'L1', expiry: '2031-01-31T00:00:00' },
        { sku: 'SKU-1', onHand: 2, available: 0, lot: 'L2', isOnHold: true },
        { sku: 'SKU-2', onHand: 4, available: 0, quarantined: true },
        { sku: 'SKU-3', onHand: 0.3, available: 0.1 },
      ]);
      server.setStock(3, []);
      const state = { cursor: null as string | null };
      const first = await poll(reader, state);
      const byFacility = new Map(first.map((m) => { const [d] = documentsOf(m); return [d.type === 'inventory_snapshot' ? d.facility : '', d] as const; }));
      const rno = byFacility.get('RNO')!;
      assert.equal(rno.type, 'inventory_snapshot');
      if (rno.type !== 'inventory_snapshot') return;
      assert.equal(rno.scope, 'full');
      assert.deepEqual(rno.positions.map((p) => [p.sku, p.lot ?? null, p.status, p.onHand, p.allocated, p.available, p.expiryDate ?? null]), [
        ['SKU-1', 'L1', 'available', '15', '3', '12', '2031-01-31'],
        ['SKU-1', 'L2', 'hold', '2', '0', '0', null],
        ['SKU-2', null, 'quarantine', '4', '0', '0', null],
        ['SKU-3', null, 'available', '0.3', '0.2', '0.1', null],
      ]);
      const ont = byFacility.get('ONT')!;
      assert.deepEqual(ont.type === 'inventory_snapshot' && ont.positions, [], 'a facility with nothing in stock: a full snapshot of zero');
      assert.deepEqual(await poll(reader, state), [], 'unchanged stock is not sent again');
      server.setStock(3, [{ sku: 'SKU-9', onHand: 1, available: 1 }]);
      const changed = await poll(reader, state);
      assert.deepEqual(changed.map((m) => { const [d] = documentsOf(m); return d.type === 'inventory_snapshot' && d.facility; }), ['ONT']);
    });
  });

  describe('reading changes page by page with a cursor', () => {
    it('reads every change once across pages and polls, continuing each page from the last stamp read', async () => {
      const own = await new ExtensivContract().start();
      try {
        const writer = endpointOf(settings(own));
        const reader = endpointOf(settings(own, { produce: ['shipment'], pageSize: 3, pagesPerPoll: 2 }));
        for (let i = 1; i <= 8; i++) {
          delivered(await writer.sink.deliver(outbound(order(`SO-P${i}`)), never));
          own.confirmOrder(`SO-P${i}`, { trackingNumber: `T${i}` });
        }
        const state = { cursor: null as string | null };
        const seen = new Set<string>();
        for (let n = 0; n < 4; n++) for (const m of await poll(reader, state)) seen.add(m.idempotencyKey!);
        assert.equal(seen.size, 8, [...seen].join(', '));
        const lists = own.http.requests.filter((r) => r.path === '/orders' && r.query.get('rql')?.includes('lastModifiedDate'));
        assert.ok(lists.every((r) => r.query.get('pgsiz') === '3' && r.query.get('sort') === 'readOnly.lastModifiedDate'));
        assert.ok(lists.some((r) => r.query.get('rql') !== lists[0].query.get('rql') && r.query.get('pgnum') === '1'), 'a later page starts from the last stamp, page one');
      } finally {
        await own.close();
      }
    });

    it('re-reads an overlap before the latest change seen, so a change stamped late at the boundary is not missed', async () => {
      const own = await new ExtensivContract().start();
      try {
        const writer = endpointOf(settings(own));
        const reader = endpointOf(settings(own, { produce: ['shipment'], overlapMs: 60_000 }));
        delivered(await writer.sink.deliver(outbound(order('SO-EARLY')), never));
        delivered(await writer.sink.deliver(outbound(order('SO-LATE')), never));
        own.confirmOrder('SO-EARLY', { trackingNumber: 'T-E' });
        const state = { cursor: null as string | null };
        assert.equal((await poll(reader, state)).length, 1);
        const high = parseSourceCursor(state.cursor).reads.shipment!.high!;
        // Committed late: stamped 30 s before the latest change already read.
        own.confirmOrder('SO-LATE', { trackingNumber: 'T-L' });
        own.restamp('SO-LATE', stamp(high - 30_000).slice(0, 23));
        const next = await poll(reader, state);
        assert.deepEqual(next.map((m) => documentsOf(m)[0]).map((d) => d.type === 'shipment' && d.orderNumber).sort(), ['SO-EARLY', 'SO-LATE']);
      } finally {
        await own.close();
      }
    });

    it('fails a poll that read nothing, so the hub logs why, and leaves the stored cursor as it was', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      const state = { cursor: null as string | null };
      await poll(reader, state);
      server.http.failNext(1, 503);
      await assert.rejects(reader.source.poll!(state.cursor, never), (e: Error & { code?: string }) => e.code === 'WMS_UNAVAILABLE' && /HTTP 503/.test(e.message));
      assert.ok((await poll(reader, state)).length > 0, 'the next poll reads from the same cursor');
    });

    it('keeps what it read when the rate limit stops a poll midway, and goes on from there at the next', async () => {
      const own = await new ExtensivContract().start();
      try {
        const writer = endpointOf(settings(own));
        const reader = endpointOf(settings(own, { produce: ['shipment'], pageSize: 2 }));
        for (let i = 1; i <= 5; i++) {
          delivered(await writer.sink.deliver(outbound(order(`SO-T${i}`)), never));
          own.confirmOrder(`SO-T${i}`, { trackingNumber: `T${i}` });
        }
        // The first page goes through, the second is refused with "retry after 0 s".
        own.http.throttleNext(1, 0, 1);
        const state = { cursor: null as string | null };
        const first = await poll(reader, state);
        assert.deepEqual(first.map((m) => documentsOf(m)[0]).map((d) => d.type === 'shipment' && d.orderNumber), ['SO-T1', 'SO-T2']);
        assert.ok(parseSourceCursor(state.cursor).reads.shipment!.scan, 'the scan is under way in the stored cursor');
        // After a 429 the endpoint's budget starts empty and refills one request a millisecond here
        // (60,000 a minute): a poll in the same millisecond would find it spent, as it should.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const rest = await poll(reader, state);
        const numbers = rest.map((m) => documentsOf(m)[0]).map((d) => d.type === 'shipment' && d.orderNumber);
        assert.deepEqual(numbers.filter((n) => n !== 'SO-T2'), ['SO-T3', 'SO-T4', 'SO-T5'], 'on from the last stamp read (SO-T2\'s, read again under the same key)');
        assert.equal(new Set([...first, ...rest].map((m) => m.idempotencyKey)).size, 5);
      } finally {
        await own.close();
      }
    });
  });

  describe('events', () => {
    const nowSeconds = () => Math.floor(Date.now() / 1000);

    it('queues a thin event (the transaction id only) and fetches the order at the next poll, under the key a reconciliation read gives it', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'], reconcileEveryMs: 3_600_000 }));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-THIN')), never));
      server.confirmOrder('SO-THIN', { trackingNumber: '1ZTHIN' });
      const verdict = await reader.receiver!.receive(push(JSON.stringify(server.event('OrderConfirmed', Number(id), false))), nowSeconds());
      assert.deepEqual(verdict, { kind: 'queued', detail: `shipment ${id} is fetched at the next poll` });
      const fetchesBefore = server.http.calls(new RegExp(`^GET /orders/${id}$`)).length;
      // A poll whose reconciliation is not due yet still fetches what events named.
      const state = { cursor: JSON.stringify({ reads: { shipment: { at: Date.now(), high: Date.now() } } }) };
      const fetched = await poll(reader, state);
      assert.equal(server.http.calls(new RegExp(`^GET /orders/${id}$`)).length, fetchesBefore + 1);
      assert.equal(fetched.length, 1);
      const reconciled = (await poll(endpointOf(settings(server, { produce: ['shipment'] })), { cursor: null })).filter((m) => m.partnerRef === id);
      assert.equal(fetched[0].idempotencyKey, reconciled[0].idempotencyKey, 'the event and the poll are one message to the inbox');
      assert.deepEqual(await poll(reader, state), [], 'fetched once');
    });

    it('stores a fat event (the resource included) at once, keyed by the resource version, as the poll keys it', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-FAT')), never));
      server.confirmOrder('SO-FAT', { trackingNumber: '1ZFAT' });
      const before = server.http.requests.length;
      const verdict = await reader.receiver!.receive(push(JSON.stringify(server.event('OrderConfirmed', Number(id), true))), nowSeconds());
      assert.equal(verdict.kind, 'store');
      if (verdict.kind !== 'store') return;
      assert.equal(verdict.versionKey, true);
      assert.equal(server.http.requests.length, before, 'nothing fetched while the warehouse waits for its answer');
      const reconciled = (await poll(reader, { cursor: null })).filter((m) => m.partnerRef === id);
      assert.equal(verdict.message.idempotencyKey, reconciled[0].idempotencyKey);
      assert.equal(verdict.message.body.toString(), reconciled[0].body.toString(), 'the same documents either way');
    });

    it('lets be an event with nothing to report, a topic it does not map, and a topic about a type it does not produce; refuses one with no topic', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      const id = delivered(await wms.sink.deliver(outbound(order('SO-OPEN')), never));
      const open = await reader.receiver!.receive(push(JSON.stringify(server.event('OrderConfirmed', Number(id), true))), nowSeconds());
      assert.deepEqual(open, { kind: 'ignored', detail: `shipment ${id} has nothing to report in this version` });
      assert.equal((await reader.receiver!.receive(push('{"eventType":"ItemChanged","transactionId":1}'), nowSeconds())).kind, 'ignored');
      assert.match(JSON.stringify(await reader.receiver!.receive(push('{"eventType":"ReceiptConfirmed","transactionId":1}'), nowSeconds())), /which endpoint wms does not produce/);
      const none = await reader.receiver!.receive(push('{"transactionId":1}'), nowSeconds());
      assert.deepEqual(none.kind === 'refused' && [none.status, none.error.code, none.error.path], [400, 'WEBHOOK_TOPIC_MISSING', '$ (eventType)']);
      const garbage = await reader.receiver!.receive(push('not json'), nowSeconds());
      assert.deepEqual(garbage.kind === 'refused' && [garbage.status, garbage.error.code], [400, 'WEBHOOK_NOT_JSON']);
    });

    it('checks an HMAC of the raw body in a named header when the endpoint says the account signs that way', async () => {
      const secret = 'hmac-signing-secret-for-the-3pl';
      const signed = endpointOf(settings(server, { produce: ['shipment'], webhook: { secret, signature: { scheme: 'hmac-sha256', header: 'X-Signature', encoding: 'hex', prefix: 'sha256=' } } }));
      const body = '{"eventType":"OrderConfirmed","transactionId":12345}';
      const missing = await signed.receiver!.receive(push(body), nowSeconds());
      assert.deepEqual(missing.kind === 'refused' && [missing.status, missing.error.code, missing.error.path], [401, 'SIGNATURE_MISSING', 'header.x-signature']);
      const wrong = await signed.receiver!.receive(push(body, { 'x-signature': `sha256=${signHmac('another-secret-entirely!', Buffer.from(body), 'hex')}` }), nowSeconds());
      assert.deepEqual(wrong.kind === 'refused' && [wrong.status, wrong.error.code], [401, 'SIGNATURE_INVALID']);
      const right = await signed.receiver!.receive(push(body, { 'x-signature': signHmac(secret, Buffer.from(body), 'hex', 'sha256=') }), nowSeconds());
      assert.equal(right.kind, 'queued');
    });
  });

  describe('end to end through a running hub', () => {
    it('takes an order from the ERP to the warehouse, and the warehouse\'s thin event to a shipment at the ERP, applied once though the poll reads it again', async () => {
      const erp = await startReceiver();
      const api = await startTestApi(`
endpoints:
  wms:
    type: wms-rest
    url: ${server.url}
    allowPrivateNetworks: true
    profile: extensiv-3pl-warehouse-manager
    auth: { kind: oauth2, clientId: ${EXTENSIV_CLIENT.id}, clientSecret: ${EXTENSIV_CLIENT.secret}, params: { user_login_id: "${EXTENSIV_CLIENT.userLoginId}" } }
    vars: { customerId: "${CUSTOMER_ID}" }
    facilities: { RNO: "2", ONT: "3" }
    produce: [shipment]
    webhook: {}
    pollIntervalMs: 100
    reconcileEveryMs: 1500
  erp: { type: webhook, allowPrivateNetworks: true, url: ${erp.url}/shipments }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
  - { name: shipments-to-erp, from: [wms], types: [shipment], to: erp }
`);
      try {
        const sent = await api.call('/v1/documents', { method: 'POST', json: order('SO-E2E') });
        assert.equal(sent.status, 202, await sent.text());
        const created = await waitFor(() => server.orderByRef('SO-E2E'), 10_000, 'the order at the warehouse');
        const delivery = await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', endpoint: 'wms', status: 'delivered' }))
          .find((d) => d.entityKey === 'order:SO-E2E'), 10_000, 'the order delivery recorded');
        assert.equal(delivery.partnerRef, String(created.readOnly.orderId), 'the warehouse\'s id is the partner reference');

        server.confirmOrder('SO-E2E', { trackingNumber: '1ZE2E', scac: 'UPSN' });
        const pushed = await api.call('/v1/endpoints/wms/messages', { method: 'POST', json: server.event('OrderConfirmed', created.readOnly.orderId, false) });
        assert.equal(pushed.status, 202);
        assert.deepEqual(await pushed.json(), { duplicate: false, queued: true, detail: `shipment ${created.readOnly.orderId} is fetched at the next poll` });

        const shipments = () => erp.received.filter((r) => JSON.parse(r.body.toString()).orderNumber === 'SO-E2E');
        await waitFor(() => shipments().length === 1, 10_000, 'the shipment at the ERP');
        // The reconciliation read meets the same version: the inbox counts it a duplicate.
        const message = await waitFor(async () => (await api.hub.store.listMessages({ tenant: 'acme', endpoint: 'wms' }))
          .find((m) => m.partnerRef === String(created.readOnly.orderId) && m.duplicates > 0), 10_000, 'the poll reading the same version again');
        assert.match(message.idempotencyKey, new RegExp(`^shipment:${created.readOnly.orderId}:`));
        await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', entityKey: 'order:SO-E2E', status: 'delivered' })).length === 1, 10_000, 'the ERP delivery recorded');
        assert.equal(shipments().length, 1, 'applied once');
        const body = JSON.parse(shipments()[0].body.toString());
        assert.deepEqual([body.type, body.facility, body.trackingNumbers], ['shipment', 'RNO', ['1ZE2E']]);
      } finally {
        await api.close();
        await erp.close();
      }
    });

    it('bills the pallets and the value-added services of a shipment read from the warehouse, as usage of the client', async () => {
      const erp = await startReceiver();
      // The endpoint as the reads above set it up (a YAML value may be written as JSON), with the client's rate card.
      const yaml = (config: Record<string, unknown>) => Object.entries(config).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n');
      const api = await startTestApi(yaml({
        endpoints: {
          wms: { type: 'wms-rest', allowPrivateNetworks: true, pollIntervalMs: 100, ...settings(server, { produce: ['shipment'], reconcileEveryMs: 300 }) },
          erp: { type: 'webhook', allowPrivateNetworks: true, url: `${erp.url}/shipments` },
        },
        flows: [
          { name: 'orders-to-wms', from: ['api'], types: ['sales_order'], to: 'wms' },
          { name: 'shipments-to-erp', from: ['wms'], types: ['shipment'], to: 'erp' },
        ],
        billing: { sweepEveryMs: 100, tenants: { acme: { currency: 'USD', rates: { order: '1', shipment_pallet: '12.50', 'service:GIFT_WRAP': '1.50' } } } },
      }));
      try {
        assert.equal((await api.call('/v1/documents', { method: 'POST', json: order('SO-E2E-VAS') })).status, 202);
        const created = await waitFor(() => server.orderByRef('SO-E2E-VAS'), 10_000, 'the order at the warehouse');
        server.confirmOrder('SO-E2E-VAS', { trackingNumber: '1ZE2EVAS', pallets: 2, charges: [{ type: 5, label: 'Gift wrap', units: 3 }, { type: 1, label: 'Pick per unit', units: 3 }] });
        const key = `shipment:${created.readOnly.orderId}`;
        const usage = await waitFor(async () => {
          const events = (await api.hub.store.listUsageEvents('acme')).filter((e) => e.key === key);
          return events.some((e) => e.kind === 'shipment_pallet') ? events : undefined;
        }, 15_000, 'the shipment\'s usage recorded');
        assert.deepEqual(usage.map((e) => [e.kind, e.quantity, e.facility]).sort(), [
          ['order', '1', 'RNO'], ['order_line', '2', 'RNO'], ['order_unit', '3', 'RNO'], ['package', '1', 'RNO'],
          ['service:GIFT_WRAP', '3', 'RNO'], ['shipment_pallet', '2', 'RNO'],
        ]);
      } finally {
        await api.close();
        await erp.close();
      }
    });
  });
});

async function poll(wms: Endpoint, state: { cursor: string | null }) {
  const result = await wms.source.poll!(state.cursor, never);
  if (result.cursor !== undefined) state.cursor = result.cursor;
  return result.messages;
}
