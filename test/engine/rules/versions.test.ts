// Versions and freshness: changes to an order already sent, stale and out-of-order documents,
// order status that must not go backwards, and only the freshest state going out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADDRESS, at, Desk, document, orderStatus, salesOrder, sentOrder, shipment } from './story.ts';

describe('changes after an order was sent', () => {
  it('sends nothing when the new version changes nothing the warehouse cares about', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10']]);
    const d = desk.decide(salesOrder('SO-1', [['TEA-1', '10']], { notes: ['gift wrap the invoice'] }, 10));
    assert.equal(d.verdict, 'stale');
    assert.equal(d.rule, 'ORDER_NO_RELEVANT_CHANGE');
    assert.equal(d.reason, 'Order SO-1 changed, but in nothing the warehouse uses (it is sent lines, shipTo, carrier, requestedShipDate and priority); no change the warehouse cares about, nothing sent.');
  });

  it('sends a change of quantity or ship-to as a change to the order the warehouse has', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-2', [['TEA-1', '10']]);
    const change = salesOrder('SO-2', [['TEA-1', '12']], { shipTo: { ...ADDRESS, lines: ['14 Harbour Road'] } }, 10);
    const d = desk.decide(change);
    assert.equal(d.verdict, 'apply');
    assert.equal(d.rule, 'ORDER_CHANGED');
    assert.equal(d.reason, 'Order SO-2 changed in lines and shipTo after it was sent to the warehouse; sent as a change to the order the warehouse has.');
    assert.deepEqual(d.effects, [{ kind: 'encode_as_change', documentId: change.id, changedFields: ['lines', 'shipTo'] }]);
    assert.equal(desk.order('SO-2').lines[0]!.ordered, '12');
  });

  it('watches only the fields the policy lists', () => {
    const desk = new Desk({ changes: { watchedFields: ['lines.sku', 'lines.quantity'] } });
    sentOrder(desk, 'SO-3', [['TEA-1', '10']]);
    assert.equal(desk.decide(salesOrder('SO-3', [['TEA-1', '10', 'EA', { unitPrice: '2.50' }]], { priority: 'urgent' }, 10)).rule, 'ORDER_NO_RELEVANT_CHANGE');
    const d = desk.decide(salesOrder('SO-3', [['TEA-1', '11']], {}, 20));
    assert.deepEqual(d.effects, [{ kind: 'encode_as_change', documentId: d.document.id, changedFields: ['lines.quantity'] }]);
  });

  it('refuses a change that takes a line below what has shipped, and one to an order shipped in full', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-4', [['TEA-1', '10'], ['TEA-2', '2']]);
    desk.decide(shipment('SO-4', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }, 60));
    const below = desk.decide(salesOrder('SO-4', [['TEA-1', '4'], ['TEA-2', '2']], {}, 70));
    assert.equal(below.verdict, 'refuse');
    assert.equal(below.rule, 'ORDER_CHANGE_BELOW_SHIPPED');
    assert.equal(below.path, '$.lines[0].quantity');
    assert.equal(below.reason, 'Order SO-4: line 1 (TEA-1) would be 4 EA, but 6 EA have shipped; the change is not sent.');
    desk.decide(shipment('SO-4', 'SH-2', [[1, 'TEA-1', '4'], [2, 'TEA-2', '2']], {}, 80));
    const after = desk.decide(salesOrder('SO-4', [['TEA-1', '10'], ['TEA-2', '3']], {}, 90));
    assert.equal(after.rule, 'ORDER_ALREADY_SHIPPED');
  });

  it('is stale when the same version comes again', () => {
    const desk = new Desk();
    const order = sentOrder(desk, 'SO-5', [['TEA-1', '10']]);
    const again = desk.decide({ ...order, id: 'again', receivedAt: at(3) });
    assert.deepEqual([again.verdict, again.rule], ['stale', 'DUPLICATE']);
  });
});

describe('stale and out-of-order documents', () => {
  it('is stale when an older version of the order arrives after a newer one', () => {
    const desk = new Desk();
    const older = salesOrder('SO-10', [['TEA-1', '10']], {}, 0);
    const newer = salesOrder('SO-10', [['TEA-1', '12']], {}, 5);
    desk.decide(newer);
    const d = desk.decide({ ...older, receivedAt: at(6) });
    assert.deepEqual([d.verdict, d.rule], ['stale', 'OUT_OF_ORDER']);
    assert.match(d.reason, /older than the version already recorded/);
  });

  it('refuses a document stamped well after it was received, which would make every later update look older', () => {
    const desk = new Desk();
    const sent = sentOrder(desk, 'SO-13', [['TEA-1', '10']]);
    // A typed year: 2062 for 2026. Applied, no real change of the order would ever be newer.
    const typo = { ...salesOrder('SO-13', [['TEA-1', '12']], {}, 10), occurredAt: '2062-11-23T08:10:00.000Z' };
    const d = desk.decide(typo);
    assert.deepEqual([d.verdict, d.rule, d.path], ['refuse', 'FUTURE_TIMESTAMP', '$.occurredAt']);
    assert.equal(d.reason, 'Sales order says it happened at 2062-11-23T08:10:00.000Z, 13,149 days after Causeway received it (2026-11-23T08:10:00.000Z); '
      + 'more than outOfOrder.futureToleranceMinutes (1440) ahead, it would make every later update look older. Check the sender\'s clock, time zone and date.');
    assert.equal(desk.order('SO-13').lastApplied.sales_order!.documentId, sent.id, 'the ledger is as it was');
    // The real change after it still goes.
    assert.equal(desk.decide(salesOrder('SO-13', [['TEA-1', '12']], {}, 20)).rule, 'ORDER_CHANGED');
    // A sender's time zone a few hours off is within the default day; a snapshot is judged by its asOf.
    assert.equal(desk.decide({ ...orderStatus('SO-13', 'picked', {}, 30), occurredAt: at(30 + 9 * 60) }).verdict, 'apply');
    const strict = new Desk({ outOfOrder: { futureToleranceMinutes: 5 } });
    const snapshot = document({ type: 'inventory_snapshot', facility: 'AMS1', asOf: at(10), positions: [{ sku: 'TEA-1', onHand: '1', uom: 'EA' }] }, 0);
    const late = strict.decide(snapshot);
    assert.deepEqual([late.verdict, late.rule, late.path], ['refuse', 'FUTURE_TIMESTAMP', '$.asOf']);
    assert.match(late.reason, /10 minutes after Causeway received it/);
  });

  it('trusts the sender\'s sequence number over the clocks', () => {
    const desk = new Desk();
    desk.decide(salesOrder('SO-11', [['TEA-1', '10']], { references: [{ qualifier: 'sequence', value: '8' }] }, 10));
    const d = desk.decide(salesOrder('SO-11', [['TEA-1', '9']], { references: [{ qualifier: 'sequence', value: '7' }] }, 20));
    assert.deepEqual([d.verdict, d.rule], ['stale', 'OUT_OF_ORDER']);
  });

  it('does not let an order status go backwards: packed, then picked is stale', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-12', [['TEA-1', '10']]);
    assert.equal(desk.decide(orderStatus('SO-12', 'packed', {}, 30)).verdict, 'apply');
    const d = desk.decide(orderStatus('SO-12', 'picked', {}, 31));
    assert.deepEqual([d.verdict, d.rule], ['stale', 'STATUS_BACKWARDS']);
    assert.equal(d.reason, 'Order SO-12 is already packed at the warehouse; a later "picked" is out of date and not passed on.');
  });

  it('does not let a status follow the order shipping in full: shipped, then picked is stale', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-13', [['TEA-1', '10']]);
    desk.decide(shipment('SO-13', 'SH-1', [[1, 'TEA-1', '10']], {}, 60));
    assert.equal(desk.decide(orderStatus('SO-13', 'shipped', {}, 61)).verdict, 'apply');
    assert.equal(desk.decide(orderStatus('SO-13', 'picked', {}, 62)).rule, 'STATUS_BACKWARDS');
  });

  it('starts a new wave after a backorder: picking the backorder again is not backwards', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-14', [['TEA-1', '10']]);
    desk.decide(orderStatus('SO-14', 'packed', {}, 30));
    desk.decide(shipment('SO-14', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }, 40));
    assert.equal(desk.decide(orderStatus('SO-14', 'backordered', {}, 41)).verdict, 'apply');
    assert.equal(desk.decide(orderStatus('SO-14', 'picked', {}, 50)).verdict, 'apply');
  });

  it('is stale when a status older than the last applied one arrives late, and withdraws older pending statuses on apply', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-15', [['TEA-1', '10']]);
    const applied = desk.decide(orderStatus('SO-15', 'allocated', {}, 30));
    assert.deepEqual(applied.effects, [{
      kind: 'supersede_deliveries', entityKey: 'order:SO-15', documentType: 'order_status', occurredBefore: at(30), keep: applied.document.id,
      required: false, reason: 'a newer status of order SO-15 supersedes it',
    }]);
    const late = desk.decide({ ...orderStatus('SO-15', 'received', {}, 20), receivedAt: at(31) });
    assert.deepEqual([late.verdict, late.rule], ['stale', 'OUT_OF_ORDER']);
  });

  it('keeps the freshest stock snapshot per facility and item per SKU', () => {
    const desk = new Desk();
    const snapshot = (minute: number, onHand: string, scope = 'full') => document({
      type: 'inventory_snapshot', facility: 'AMS1', asOf: at(minute), scope, positions: [{ sku: 'TEA-1', uom: 'EA', onHand }],
    }, minute + 1);
    const fresh = desk.decide(snapshot(60, '40'));
    assert.equal(fresh.rule, 'STATE_APPLIED');
    assert.deepEqual(fresh.effects.map((e) => e.kind === 'supersede_deliveries' && [e.documentType, e.occurredBefore]), [['inventory_snapshot', at(60)]]);
    const old = desk.decide(snapshot(30, '45'));
    assert.deepEqual([old.verdict, old.rule], ['stale', 'OUT_OF_ORDER']);
    assert.deepEqual(desk.decide(snapshot(90, '38', 'partial')).effects, [], 'a partial snapshot withdraws nothing');

    const item = (minute: number, description: string) => document({ type: 'item', sku: 'TEA-1', baseUom: 'EA', description }, minute);
    assert.equal(desk.decide(item(10, 'Green tea 100 g')).verdict, 'apply');
    assert.equal(desk.decide(item(5, 'Green tea')).rule, 'OUT_OF_ORDER');
    assert.equal(desk.decide(item(20, 'Green tea 100 g')).rule, 'DUPLICATE');
    assert.equal(desk.state('item:TEA-1').lastApplied.item!.occurredAt, at(10));
  });
});
