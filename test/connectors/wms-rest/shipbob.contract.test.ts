import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authoriser } from '../../../src/connectors/wms-rest/auth.ts';
import { CANCELS_PURCHASE_ORDER, shipbobProfile } from '../../../src/connectors/wms-rest/index.ts';
import type { DeliveryOutcome } from '../../../src/transports/index.ts';
import { startTestApi } from '../../api/harness.ts';
import { salesOrder } from '../../support/documents.ts';
import { startReceiver, waitFor } from '../../support/receiver.ts';
import { API_VERSION, CHANNEL_ID, PAT, SHIPBOB_CLIENT, ShipBobContract, WEBHOOK_SECRET } from './contract-shipbob.ts';
import { documentsOf, endpointOf, never, outbound, push, type Endpoint } from './helpers.ts';

function settings(server: ShipBobContract, over: Record<string, unknown> = {}) {
  return {
    url: server.url,
    profile: 'shipbob',
    auth: { kind: 'bearer', token: PAT },
    vars: { channelId: CHANNEL_ID },
    facilities: { ONT: '228', ABE: '229' },
    produce: ['shipment', 'receipt', 'return_receipt', 'inventory_snapshot'],
    webhook: { secret: WEBHOOK_SECRET },
    reconcileEveryMs: 0,
    snapshotEveryMs: 0,
    // The tests' own pace; the budget and ShipBob's limit are tested below.
    requestsPerMinute: 60_000,
    ...over,
  };
}

const order = (number: string, over: Record<string, unknown> = {}) => salesOrder(number, 2, { facility: 'ONT', ...over });
const v = `/${API_VERSION}`;

function delivered(outcome: DeliveryOutcome): string {
  assert.equal(outcome.kind, 'delivered', JSON.stringify(outcome));
  return (outcome as { partnerRef: string }).partnerRef;
}

async function poll(wms: Endpoint, state: { cursor: string | null }) {
  const result = await wms.source.poll!(state.cursor, never);
  if (result.cursor !== undefined) state.cursor = result.cursor;
  return result.messages;
}

describe('ShipBob profile: contract tests against a server built from ShipBob\'s public developer documentation (not ShipBob)', () => {
  let server: ShipBobContract;
  let wms: Endpoint;

  before(async () => {
    server = await new ShipBobContract().start();
    // ShipBob's 150 a minute is tested on a server of its own; here the tests set the pace.
    server.http.limitRate(100_000, 60_000);
    wms = endpointOf(settings(server));
  });
  after(() => server.close());

  describe('writes', () => {
    it('creates an order once under our reference_id, on the channel, at the mapped fulfillment center', async () => {
      const id = delivered(await wms.sink.deliver(outbound(order('SB-100')), never));
      const o = server.orderByRef('SB-100')!;
      assert.equal(String(o.id), id);
      assert.equal(o.location_id, 228);
      assert.equal(o.shipping_method, 'GROUND');
      assert.deepEqual(o.products.map((p: { reference_id: string; quantity: number }) => [p.reference_id, p.quantity]), [['SKU-1', 1], ['SKU-2', 2]]);
      const post = server.http.requests.find((r) => r.method === 'POST' && r.path === `${v}/order`)!;
      assert.equal(post.headers.shipbob_channel_id, CHANNEL_ID);
      assert.equal(post.headers.authorization, `Bearer ${PAT}`);
      const restarted = endpointOf(settings(server));
      assert.equal(delivered(await restarted.sink.deliver(outbound(order('SB-100')), never)), id);
      assert.equal(server.http.calls(new RegExp(`^POST ${v}/order$`)).length, 1, 'looked up, not created again');
    });

    it('takes ShipBob\'s refusal of a reference already used (422) as "it is there": it looks it up again and answers with its id', async () => {
      const id = delivered(await wms.sink.deliver(outbound(order('SB-DUP')), never));
      // A fresh endpoint whose lookup misses the order, as a lagging search index would.
      server.hideFromNextList('SB-DUP');
      const posts = server.http.calls(new RegExp(`^POST ${v}/order$`)).length;
      const again = await endpointOf(settings(server)).sink.deliver(outbound(order('SB-DUP')), never);
      assert.equal(delivered(again), id);
      assert.equal(again.statusCode, 422);
      assert.equal(server.http.calls(new RegExp(`^POST ${v}/order$`)).length, posts + 1);
      assert.equal([...server.orders.values()].filter((o) => o.reference_id === 'SB-DUP').length, 1);
    });

    it('creates an order once when the answer to the create was lost', async () => {
      server.http.dropAnswerOnce('POST', new RegExp(`^${v}/order$`));
      const message = outbound(order('SB-LOST'));
      assert.equal((await wms.sink.deliver(message, never)).kind, 'retryable');
      const id = delivered(await wms.sink.deliver({ ...message, attempt: 2 }, never));
      assert.equal(String(server.orderByRef('SB-LOST')!.id), id);
      assert.equal([...server.orders.values()].filter((o) => o.reference_id === 'SB-LOST').length, 1);
    });

    it('cancels an order once, and refuses to cancel one that shipped', async () => {
      delivered(await wms.sink.deliver(outbound(order('SB-CXL')), never));
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SB-CXL' }), never));
      assert.equal(server.orderByRef('SB-CXL')!.status, 'Cancelled');
      const calls = server.http.calls(/\/cancel$/).length;
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SB-CXL' }), never));
      assert.equal(server.http.calls(/\/cancel$/).length, calls, 'already cancelled: nothing sent');
      delivered(await wms.sink.deliver(outbound(order('SB-GONE')), never));
      server.ship('SB-GONE', { tracking: '9400100000000000000001' });
      const refused = await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SB-GONE' }), never);
      assert.equal(refused.kind, 'permanent');
      assert.match((refused as { error: string }).error, /cancelling order SB-GONE .* HTTP 422.*cannot be cancelled/);
    });

    it('creates the ERP\'s backorder of an order as an order of its own under a reference_id of the order number and the backorder, once; its cancel and hold reach that order', async () => {
      const original = delivered(await wms.sink.deliver(outbound(order('SB-200')), never));
      const backorder = outbound(order('SB-200', { extensions: { backorder: { reference: 'CS-7' } } }));
      const id = delivered(await wms.sink.deliver(backorder, never));
      assert.notEqual(id, original);
      assert.equal(String(server.orderByRef('SB-200-BO-CS-7')!.id), id);
      const posts = server.http.calls(new RegExp(`^POST ${v}/order$`)).length;
      assert.equal(delivered(await endpointOf(settings(server)).sink.deliver({ ...backorder, attempt: 2 }, never)), id);
      assert.equal(server.http.calls(new RegExp(`^POST ${v}/order$`)).length, posts, 'redelivered: looked up, not created again');
      const mark = { extensions: { backorder: { reference: 'CS-7' } } };
      delivered(await wms.sink.deliver(outbound({ type: 'order_status', orderNumber: 'SB-200', status: 'on_hold', ...mark }), never));
      assert.equal(server.orderByRef('SB-200-BO-CS-7')!.shipments[0].status, 'OnHold');
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'SB-200', ...mark }), never));
      assert.equal(server.orderByRef('SB-200-BO-CS-7')!.status, 'Cancelled');
      assert.notEqual(server.orderByRef('SB-200')!.status, 'Cancelled', 'the order itself is left as it was');
    });

    it('holds and releases an order\'s shipments for an order_status on_hold / released', async () => {
      delivered(await wms.sink.deliver(outbound(order('SB-HOLD')), never));
      delivered(await wms.sink.deliver(outbound({ type: 'order_status', orderNumber: 'SB-HOLD', status: 'on_hold', reason: 'credit check' }), never));
      const shipmentIds = server.orderByRef('SB-HOLD')!.shipments.map((s: { id: number }) => s.id);
      const hold = server.http.requests.filter((r) => r.path === `${v}/shipment:bulkPlaceOnHold`).at(-1)!;
      assert.deepEqual(hold.body, { shipment_ids: shipmentIds });
      assert.equal(server.orderByRef('SB-HOLD')!.shipments[0].status, 'OnHold');
      delivered(await wms.sink.deliver(outbound({ type: 'order_status', orderNumber: 'SB-HOLD', status: 'released' }), never));
      assert.equal(server.orderByRef('SB-HOLD')!.shipments[0].status, 'Processing');
      const other = await wms.sink.deliver(outbound({ type: 'order_status', orderNumber: 'SB-HOLD', status: 'picked' }), never);
      assert.equal(other.kind, 'permanent');
    });

    it('creates a warehouse receiving order once for expected inbound, and cancels it', async () => {
      const po = {
        type: 'purchase_order', poNumber: 'PO-SB-1', facility: 'ONT', expectedDate: '2030-02-01', kind: 'asn',
        asn: { asnNumber: 'ASN-1', trackingNumbers: ['1ZINBOUND'] },
        lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '24', uom: 'EA', lots: [{ lot: 'L-9', quantity: '24', expiryDate: '2031-06-30' }] }],
      };
      const id = delivered(await wms.sink.deliver(outbound(po), never));
      assert.equal(delivered(await wms.sink.deliver(outbound(po), never)), id);
      const wro = server.wroByPo('PO-SB-1')!;
      assert.deepEqual([wro.fulfillment_center.id, wro.boxes[0].tracking_number, wro.boxes[0].box_items[0]], [228, '1ZINBOUND', { sku: 'SKU-1', quantity: 24, lot_number: 'L-9', lot_date: '2031-06-30' }]);
      delivered(await wms.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'PO-SB-1', references: [CANCELS_PURCHASE_ORDER], entityKey: 'inbound:PO-SB-1' }), never));
      assert.equal(server.wroByPo('PO-SB-1')!.status, 'Cancelled');
    });

    it('upserts a product: created, then patched', async () => {
      const item = { type: 'item', sku: 'SKU-SB', description: 'Coffee, light roast', baseUom: 'EA', barcodes: [{ kind: 'GTIN', value: '00012345678905' }] };
      const id = delivered(await wms.sink.deliver(outbound(item), never));
      assert.equal(delivered(await wms.sink.deliver(outbound({ ...item, description: 'Coffee, medium roast' }), never)), id);
      assert.equal(server.products.get(Number(id))!.name, 'Coffee, medium roast');
      assert.ok(server.http.calls().includes(`PATCH ${v}/product/${id}`));
    });
  });

  describe('auth and rate limit', () => {
    it('uses an OAuth2 token, and after a 401 fetches one new token and sends the call once more', async () => {
      const oauth = endpointOf(settings(server, { auth: { kind: 'oauth2', tokenUrl: '/connect/token', clientId: SHIPBOB_CLIENT.id, clientSecret: SHIPBOB_CLIENT.secret } }));
      const issued = server.http.tokensIssued;
      delivered(await oauth.sink.deliver(outbound(order('SB-OA-1')), never));
      assert.equal(server.http.tokensIssued, issued + 1);
      server.http.expireTokens();
      delivered(await oauth.sink.deliver(outbound(order('SB-OA-2')), never));
      assert.equal(server.http.tokensIssued, issued + 2);
    });

    it('renews an OAuth2 token before it expires, without waiting for a 401', async () => {
      server.tokenTtlSeconds = 100;
      let clock = Date.now();
      const auth = authoriser({ kind: 'oauth2', tokenUrl: '/connect/token', clientId: SHIPBOB_CLIENT.id, clientSecret: SHIPBOB_CLIENT.secret }, shipbobProfile.auth ?? {}, server.url, 5000, () => clock);
      try {
        const first = await auth.headers(never);
        clock += 85_000;
        assert.deepEqual(await auth.headers(never), first, 'still well within its life');
        clock += 6_000;
        const second = await auth.headers(never);
        assert.notDeepEqual(second, first, 'renewed a tenth of its life before it expires');
        const [a, b] = await Promise.all([auth.headers(never), auth.headers(never)]);
        assert.deepEqual(a, b);
      } finally {
        server.tokenTtlSeconds = 3600;
      }
    });

    it('keeps to the warehouse\'s request budget: past it a delivery is throttled without calling out', async () => {
      const own = await new ShipBobContract().start();
      try {
        const budgeted = endpointOf(settings(own, { requestsPerMinute: 60 }));
        const outcomes: DeliveryOutcome[] = [];
        for (let i = 0; i < 6; i++) outcomes.push(await budgeted.sink.deliver(outbound(order(`SB-BUDGET-${i}`)), never));
        // Each create is a lookup and a create: a burst of ten requests is five orders.
        assert.deepEqual(outcomes.map((o) => o.kind), ['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'retryable']);
        const held = outcomes[5] as { throttled: boolean; retryAfterMs: number };
        assert.equal(held.throttled, true);
        assert.ok(held.retryAfterMs > 0 && held.retryAfterMs <= 1000, String(held.retryAfterMs));
        assert.equal(own.http.requests.length, 10);
      } finally {
        await own.close();
      }
    });

    it('answers ShipBob\'s 429 (150 a minute) as throttled with the wait from x-retry-after, and pauses the endpoint until then', async () => {
      const own = await new ShipBobContract().start();
      try {
        own.http.limitRate(3, 60_000);
        const limited = endpointOf(settings(own));
        delivered(await limited.sink.deliver(outbound(order('SB-429-1')), never));
        const over = await limited.sink.deliver(outbound(order('SB-429-2')), never);
        assert.deepEqual([over.kind, over.statusCode, (over as { throttled: boolean }).throttled], ['retryable', 429, true]);
        assert.ok((over as { retryAfterMs: number }).retryAfterMs >= 59_000, 'the wait ShipBob gave');
        const sent = own.http.requests.length;
        assert.equal((await limited.sink.deliver(outbound(order('SB-429-3')), never)).kind, 'retryable');
        assert.equal(own.http.requests.length, sent, 'nothing sent while paused');
        const readerPoll = await limited.source.poll!(null, never);
        assert.deepEqual(readerPoll.messages, [], 'a poll reads nothing and does not fail: it reads on at the next');
      } finally {
        await own.close();
      }
    });
  });

  describe('reads', () => {
    it('reads each shipped shipment of an order, partial then complete, with tracking, weight and lots, following next-page links', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'], pageSize: 2 }));
      const id = delivered(await wms.sink.deliver(outbound(order('SB-SHIP')), never));
      for (let i = 0; i < 3; i++) delivered(await wms.sink.deliver(outbound(order(`SB-FILL-${i}`)), never));
      server.ship('SB-SHIP', { tracking: '9400111111111111111111', split: true, lots: { 'SKU-1': [{ lot: 'LOT-A', quantity: 1, expiry: '2031-01-31T00:00:00Z' }] } });
      const state = { cursor: null as string | null };
      const first = (await poll(reader, state)).filter((m) => m.partnerRef === id);
      assert.ok(server.http.requests.some((r) => r.path === `${v}/order` && r.query.get('Page') === '2'), 'followed the next-page header');
      assert.equal(first.length, 1);
      const [partial] = documentsOf(first[0]);
      assert.equal(partial.type, 'shipment');
      if (partial.type !== 'shipment') return;
      assert.deepEqual([partial.orderNumber, partial.facility, partial.complete, partial.trackingNumbers], ['SB-SHIP', 'ONT', false, ['9400111111111111111111']]);
      assert.deepEqual(partial.totalWeight, { value: '12.5', unit: 'OZ' });
      assert.deepEqual(partial.lines.map((l) => [l.sku, l.quantity, l.lots]), [['SKU-1', '1', [{ lot: 'LOT-A', quantity: '1', expiryDate: '2031-01-31' }]]]);
      server.ship('SB-SHIP', { tracking: '9400122222222222222222' });
      const second = (await poll(reader, state)).filter((m) => m.partnerRef === id);
      const docs = documentsOf(second[0]);
      assert.deepEqual(docs.map((d) => d.type === 'shipment' && [d.trackingNumbers[0], d.complete]), [['9400111111111111111111', true], ['9400122222222222222222', true]],
        'the order\'s new version carries both shipments; the first again, now the order is complete');
    });

    it('reads the shipment of a backorder\'s order under the ERP\'s order number, the backorder\'s reference kept', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      delivered(await wms.sink.deliver(outbound(order('SB-230')), never));
      const id = delivered(await wms.sink.deliver(outbound(order('SB-230', { extensions: { backorder: { reference: 'CS-11' } } })), never));
      server.ship('SB-230-BO-CS-11', { tracking: '9400144444444444444444' });
      const [doc] = documentsOf((await poll(reader, { cursor: null })).find((m) => m.partnerRef === id)!);
      assert.equal(doc.type, 'shipment');
      if (doc.type !== 'shipment') return;
      assert.deepEqual([doc.orderNumber, doc.entityKey, doc.extensions, doc.trackingNumbers], ['SB-230', 'order:SB-230', { backorder: { reference: 'CS-11' } }, ['9400144444444444444444']]);
    });

    it('reads a completed receiving order as a receipt, expanding its boxes for lots and received quantities', async () => {
      const reader = endpointOf(settings(server, { produce: ['receipt'] }));
      delivered(await wms.sink.deliver(outbound({ type: 'purchase_order', poNumber: 'PO-SB-RCV', facility: 'ABE', lines: [
        { lineNumber: 1, sku: 'SKU-1', quantity: '10', uom: 'EA' }, { lineNumber: 2, sku: 'SKU-2', quantity: '6', uom: 'EA' }] }), never));
      const wro = server.completeReceiving('PO-SB-RCV', [{ sku: 'SKU-1', received: 12, lot: 'L1', lotDate: '2031-03-01' }, { sku: 'SKU-2', received: 4 }]);
      const messages = await poll(reader, { cursor: null });
      const [doc] = documentsOf(messages.find((m) => m.partnerRef === String(wro.id))!);
      assert.equal(doc.type, 'receipt');
      if (doc.type !== 'receipt') return;
      assert.deepEqual([doc.poNumber, doc.facility], ['PO-SB-RCV', 'ABE']);
      assert.deepEqual(doc.lines.map((l) => [l.sku, l.lot, l.expiryDate, l.quantity, l.expectedQuantity]), [['SKU-1', 'L1', '2031-03-01', '12', '10'], ['SKU-2', undefined, undefined, '4', '6']]);
      assert.ok(server.http.calls().includes(`GET ${v}/receiving/${wro.id}/boxes`));
      assert.equal(doc.pallets, undefined, 'a package WRO came on no pallets');
      assert.equal(doc.services, undefined);
    });

    it('reads a pallet receiving order\'s pallets, one per box it lists, for billing', async () => {
      const reader = endpointOf(settings(server, { produce: ['receipt'] }));
      delivered(await wms.sink.deliver(outbound({ type: 'purchase_order', poNumber: 'PO-SB-PAL', facility: 'ABE', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '300', uom: 'EA' }] }), never));
      const wro = server.completeReceiving('PO-SB-PAL', [{ sku: 'SKU-1', received: 300 }], 3);
      const [doc] = documentsOf((await poll(reader, { cursor: null })).find((m) => m.partnerRef === String(wro.id))!);
      assert.equal(doc.type, 'receipt');
      if (doc.type !== 'receipt') return;
      assert.equal(doc.pallets, 3);
      assert.deepEqual(doc.lines.map((l) => [l.sku, l.quantity]), [['SKU-1', '300']]);
    });

    it('reads inventory levels per fulfillment center into full snapshots', async () => {
      const reader = endpointOf(settings(server, { produce: ['inventory_snapshot'] }));
      server.setInventory([
        { sku: 'SKU-1', locations: [{ id: 228, onhand: 40, committed: 5, fulfillable: 35 }, { id: 229, onhand: 7, committed: 0, fulfillable: 7 }] },
        { sku: 'SKU-2', locations: [{ id: 228, onhand: 3, committed: 3, fulfillable: 0 }, { id: 999, onhand: 1, committed: 0, fulfillable: 1 }] },
      ]);
      const docs = (await poll(reader, { cursor: null })).flatMap(documentsOf);
      const at = (facility: string) => docs.find((d) => d.type === 'inventory_snapshot' && d.facility === facility);
      const ont = at('ONT')!;
      assert.deepEqual(ont.type === 'inventory_snapshot' && ont.positions.map((p) => [p.sku, p.status, p.onHand, p.allocated, p.available]),
        [['SKU-1', 'available', '40', '5', '35'], ['SKU-2', 'available', '3', '3', '0']]);
      const abe = at('ABE')!;
      assert.deepEqual(abe.type === 'inventory_snapshot' && abe.positions.map((p) => [p.sku, p.onHand]), [['SKU-1', '7']], 'an unmapped location is left out');
    });

    it('reads completed returns as return receipts with their dispositions', async () => {
      const reader = endpointOf(settings(server, { produce: ['return_receipt'] }));
      const ret = server.completeReturn('RMA-SB-1', 229, [{ sku: 'SKU-1', restock: 2, dispose: 1 }]);
      const [doc] = documentsOf((await poll(reader, { cursor: null })).find((m) => m.partnerRef === String(ret.id))!);
      assert.deepEqual(doc.type === 'return_receipt' && [doc.rmaNumber, doc.facility, doc.lines.map((l) => [l.sku, l.quantity, l.disposition])],
        ['RMA-SB-1', 'ABE', [['SKU-1', '2', 'restock'], ['SKU-1', '1', 'scrap']]]);
    });
  });

  describe('webhooks', () => {
    const nowSeconds = () => Math.floor(Date.now() / 1000);

    it('takes a signed order.shipped webhook (the order itself) as the shipment, under the key the poll gives the same version', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      const id = delivered(await wms.sink.deliver(outbound(order('SB-HOOK')), never));
      const shipped = server.ship('SB-HOOK', { tracking: '9400133333333333333333' });
      const hook = server.webhook('order.shipped', shipped);
      const calls = server.http.requests.length;
      const verdict = await reader.receiver!.receive(push(hook.body, hook.headers), nowSeconds());
      assert.equal(verdict.kind, 'store', JSON.stringify(verdict));
      if (verdict.kind !== 'store') return;
      assert.equal(server.http.requests.length, calls, 'nothing fetched while ShipBob waits');
      const polled = (await poll(reader, { cursor: null })).find((m) => m.partnerRef === id)!;
      assert.equal(verdict.message.idempotencyKey, polled.idempotencyKey);
      assert.equal(documentsOf(verdict.message)[0].type, 'shipment');
    });

    it('takes an order.shipped webhook of a backorder\'s order as the shipment under the ERP\'s order number', async () => {
      const reader = endpointOf(settings(server, { produce: ['shipment'] }));
      delivered(await wms.sink.deliver(outbound(order('SB-240', { extensions: { backorder: { reference: 'CS-12' } } })), never));
      const hook = server.webhook('order.shipped', server.ship('SB-240-BO-CS-12', { tracking: '9400155555555555555555' }));
      const verdict = await reader.receiver!.receive(push(hook.body, hook.headers), nowSeconds());
      assert.equal(verdict.kind, 'store', JSON.stringify(verdict));
      if (verdict.kind !== 'store') return;
      const [doc] = documentsOf(verdict.message);
      assert.deepEqual(doc.type === 'shipment' && [doc.orderNumber, doc.extensions], ['SB-240', { backorder: { reference: 'CS-12' } }]);
    });

    it('refuses a webhook signed with another secret, or too old, or without its topic; lets be a topic it does not read', async () => {
      const resource = server.orderByRef('SB-HOOK')!;
      const forged = server.webhook('order.shipped', resource, { secret: 'whsec_' + Buffer.from('not-shipbobs-secret-at-all-32b!!').toString('base64') });
      const wrong = await wms.receiver!.receive(push(forged.body, forged.headers), nowSeconds());
      assert.deepEqual(wrong.kind === 'refused' && [wrong.status, wrong.error.code], [401, 'SIGNATURE_INVALID']);
      const stale = server.webhook('order.shipped', resource, { at: nowSeconds() - 600 });
      const old = await wms.receiver!.receive(push(stale.body, stale.headers), nowSeconds());
      assert.deepEqual(old.kind === 'refused' && [old.status, old.error.code], [401, 'SIGNATURE_EXPIRED']);
      const hook = server.webhook('order.shipped', resource);
      const { 'x-webhook-topic': _, ...noTopic } = hook.headers;
      const missing = await wms.receiver!.receive(push(hook.body, noTopic), nowSeconds());
      assert.deepEqual(missing.kind === 'refused' && [missing.status, missing.error.code, missing.error.path], [400, 'WEBHOOK_TOPIC_MISSING', 'header.x-webhook-topic']);
      const held = server.webhook('order.shipment.on_hold', resource);
      assert.equal((await wms.receiver!.receive(push(held.body, held.headers), nowSeconds())).kind, 'ignored');
    });
  });

  describe('end to end through a running hub', () => {
    it('applies a shipment once though ShipBob\'s webhook, its retry and the reconciliation poll all bring it', async () => {
      const erp = await startReceiver();
      const api = await startTestApi(`
endpoints:
  wms:
    type: wms-rest
    url: ${server.url}
    allowPrivateNetworks: true
    profile: shipbob
    auth: { kind: bearer, token: ${PAT} }
    vars: { channelId: "${CHANNEL_ID}" }
    facilities: { ONT: "228" }
    produce: [shipment]
    webhook: { secret: "${WEBHOOK_SECRET}" }
    pollIntervalMs: 100
    reconcileEveryMs: 1000
  erp: { type: webhook, allowPrivateNetworks: true, url: ${erp.url}/shipments }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order, order_cancel], to: wms }
  - { name: shipments-to-erp, from: [wms], types: [shipment], to: erp }
`);
      try {
        assert.equal((await api.call('/v1/documents', { method: 'POST', json: order('SB-E2E') })).status, 202);
        await waitFor(() => server.orderByRef('SB-E2E'), 10_000, 'the order at ShipBob');
        const shipped = server.ship('SB-E2E', { tracking: '9400144444444444444444' });
        const hook = server.webhook('order.shipped', shipped);
        const first = await api.call('/v1/endpoints/wms/messages', { method: 'POST', headers: hook.headers, body: hook.body });
        const firstBody = await first.json() as { messageId?: number; duplicate: boolean };
        // The webhook is stored, unless the reconciliation poll read the version first: either way, once.
        assert.ok([202, 200].includes(first.status), `${first.status} ${JSON.stringify(firstBody)}`);
        const retry = await api.call('/v1/endpoints/wms/messages', { method: 'POST', headers: hook.headers, body: hook.body });
        assert.equal(retry.status, 200);
        assert.deepEqual(await retry.json(), { messageId: firstBody.messageId, duplicate: true });
        const shipments = () => erp.received.filter((r) => JSON.parse(r.body.toString()).orderNumber === 'SB-E2E');
        await waitFor(() => shipments().length === 1, 10_000, 'the shipment at the ERP');
        await waitFor(async () => (await api.hub.store.getMessage('acme', firstBody.messageId!))!.duplicates >= 2, 10_000, 'the poll reading the same version again');
        await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', entityKey: 'order:SB-E2E', status: 'delivered' })).length === 1, 10_000, 'the ERP delivery recorded');
        assert.equal(shipments().length, 1, 'applied once');
      } finally {
        await api.close();
        await erp.close();
      }
    });
  });
});
