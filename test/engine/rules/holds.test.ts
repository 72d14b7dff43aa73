// Documents that come before their order, and orders held before they are sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeOrder, expireHolds, holdInbound, holdOrder, inboundStateOf, orderLineStates, orderStateOf, releaseInbound, releaseOrder } from '../../../src/engine/rules/index.ts';
import { ADDRESS, at, Desk, orderStatus, purchaseOrder, receipt, resend, salesOrder, sentOrder, shipment } from './story.ts';

describe('documents for an order not seen yet', () => {
  it('holds a shipment and a status that come before their order, then releases them in arrival order', () => {
    const desk = new Desk();
    const picked = orderStatus('SO-1', 'picked', {}, 10);
    const shipped = shipment('SO-1', 'SH-1', [[1, 'TEA-1', '10']], {}, 11);
    const held = desk.decide(picked);
    assert.equal(held.verdict, 'hold');
    assert.equal(held.rule, 'ORDER_NOT_SEEN');
    assert.equal(held.reason, 'Status "picked" of order SO-1 waits: the order has not arrived yet. It is passed on when the order arrives, or refused if it has not within 24 h.');
    assert.equal(desk.decide(shipped).verdict, 'hold');
    assert.equal(desk.order('SO-1').known, false);

    const order = desk.decide(salesOrder('SO-1', [['TEA-1', '10']], {}, 12));
    assert.equal(order.verdict, 'apply');
    assert.deepEqual(order.effects, [{ kind: 'release_held', entityKey: 'order:SO-1', documentIds: [picked.id, shipped.id] }]);
    assert.deepEqual(desk.releasedDecisions().map((l) => [l.decision.verdict, l.decision.rule]), [['apply', 'STATUS_APPLIED'], ['apply', 'SHIPMENT_APPLIED']]);
    assert.equal(desk.order('SO-1').parked.length, 0);
    assert.equal(orderStateOf(desk.order('SO-1')), 'shipped');
  });

  it('does not park the same document twice, and keeps its first hold time', () => {
    const desk = new Desk();
    const early = shipment('SO-2', 'SH-1', [[1, 'TEA-1', '10']], {}, 0);
    const first = desk.decide(early);
    const again = desk.decide({ ...early, receivedAt: at(30) });
    assert.equal(again.verdict, 'hold');
    assert.equal(again.ledger, first.ledger, 'the ledger is the very same object: nothing changed');
    assert.equal(desk.order('SO-2').parked[0]!.heldAt, at(0));
  });

  it('refuses what waited longer than the hold window, naming what it waited for', () => {
    const desk = new Desk({ outOfOrder: { holdWindowMinutes: 120 } });
    desk.decide(shipment('SO-3', 'SH-1', [[1, 'TEA-1', '10']], {}, 0));
    const ledger = desk.order('SO-3');
    const early = expireHolds(ledger, desk.policy, at(119));
    assert.equal(early.ledger, ledger);
    assert.deepEqual(early.expired, []);
    const late = expireHolds(ledger, desk.policy, at(120));
    assert.equal(late.expired.length, 1);
    assert.deepEqual({ verdict: late.expired[0]!.verdict, rule: late.expired[0]!.rule }, { verdict: 'refuse', rule: 'HOLD_EXPIRED' });
    assert.equal(late.expired[0]!.reason, `Shipment SH-1 was held from ${at(0)} waiting for order SO-3, which has not arrived within 2 h; refused.`);
    assert.equal(late.ledger.parked.length, 0);
    assert.equal(late.ledger.version, ledger.version + 1);
  });

  it('holds a receipt for a purchase order not seen yet, and applies it when the purchase order arrives', () => {
    const desk = new Desk();
    const early = desk.decide(receipt('PO-1', 'R-1', [[1, 'TEA-1', '10']], {}, 0));
    assert.equal(early.verdict, 'hold');
    assert.equal(early.rule, 'INBOUND_NOT_SEEN');
    desk.decide(purchaseOrder('PO-1', [['TEA-1', '10']], {}, 5));
    assert.deepEqual(desk.releasedDecisions().map((l) => l.decision.rule), ['RECEIPT_APPLIED']);
  });
});

describe('held orders', () => {
  it('does not send an order on the ERP\'s credit hold, and sends it when the ERP releases it', () => {
    const desk = new Desk();
    const hold = desk.decide(orderStatus('SO-10', 'on_hold', { reason: 'credit hold' }, 0), { source: 'erp' });
    assert.equal(hold.verdict, 'stale');
    assert.equal(hold.rule, 'ORDER_HOLD_SET');
    const order = salesOrder('SO-10', [['TEA-1', '10']], {}, 1);
    const held = desk.decide(order);
    assert.equal(held.verdict, 'hold');
    assert.equal(held.rule, 'ORDER_ON_HOLD');
    assert.equal(held.reason, `Order SO-10 is on hold (credit hold, held by the ERP since ${at(0)}); it goes to the warehouse when released.`);
    assert.equal(orderStateOf(desk.order('SO-10')), 'held');

    const release = desk.decide(orderStatus('SO-10', 'released', {}, 60), { source: 'erp' });
    assert.equal(release.rule, 'ORDER_HOLD_RELEASED');
    assert.deepEqual(release.effects, [{ kind: 'release_held', entityKey: 'order:SO-10', documentIds: [order.id] }]);
    const [again] = desk.releasedDecisions();
    assert.deepEqual([again!.decision.verdict, again!.decision.rule], ['apply', 'ORDER_ACCEPTED']);
    assert.equal(desk.order('SO-10').send.state, 'pending');
  });

  it('lets an operator hold and release an order; held versions are released in arrival order and only the newest goes', () => {
    const desk = new Desk();
    desk.ledgers.set('order:SO-11', holdOrder(undefined, { entityKey: 'order:SO-11', orderNumber: 'SO-11' }, { by: 'operator', reason: 'check the ship-to with the customer', at: at(0) }));
    const v1 = salesOrder('SO-11', [['TEA-1', '10']], {}, 1);
    const v2 = salesOrder('SO-11', [['TEA-1', '12']], {}, 2);
    assert.equal(desk.decide(v1).verdict, 'hold');
    assert.equal(desk.decide(v2).verdict, 'hold');
    const released = releaseOrder(desk.order('SO-11'), { by: 'operator', at: at(30) });
    assert.deepEqual(released.effects, [{ kind: 'release_held', entityKey: 'order:SO-11', documentIds: [v1.id, v2.id] }]);
    desk.ledgers.set('order:SO-11', released.ledger);
    const first = desk.decide(v1);
    const second = desk.decide(v2);
    assert.deepEqual([first.verdict, first.rule], ['stale', 'OUT_OF_ORDER']);
    assert.deepEqual([second.verdict, second.rule], ['apply', 'ORDER_ACCEPTED']);
    assert.equal(desk.order('SO-11').lines[0]!.ordered, '12');
  });

  it('lets an operator hold a purchase order already sent: its later versions wait, and the newest goes as a change on release', () => {
    const desk = new Desk();
    assert.equal(desk.decide(purchaseOrder('PO-7', [['TEA-1', '10']], {}, 0)).rule, 'PO_ACCEPTED');
    const held = holdInbound(desk.inbound('PO-7'), { entityKey: 'inbound:PO-7', reference: 'PO-7' }, { reason: 'supplier under review', at: at(1) });
    assert.equal(holdInbound(held, { entityKey: 'inbound:PO-7', reference: 'PO-7' }, { reason: 'again', at: at(2) }), held, 'a second hold by the same party changes nothing');
    desk.ledgers.set('inbound:PO-7', held);
    const v2 = purchaseOrder('PO-7', [['TEA-1', '12']], {}, 3);
    const v3 = purchaseOrder('PO-7', [['TEA-1', '14']], {}, 4);
    const waiting = desk.decide(v2);
    assert.deepEqual([waiting.verdict, waiting.rule], ['hold', 'PO_ON_HOLD']);
    assert.match(waiting.reason, /^Purchase order PO-7 is on hold \(supplier under review, held by an operator since .*\); it goes to the warehouse when released\.$/);
    assert.equal(desk.decide(resend(v2, {}, 4)).rule, 'DUPLICATE', 'the same version again while held');
    assert.equal(desk.decide(v3).verdict, 'hold');
    // A receipt against it is still counted: the warehouse has the purchase order.
    assert.equal(desk.decide(receipt('PO-7', 'R-1', [[1, 'TEA-1', '4']], { complete: false }, 5)).rule, 'RECEIPT_APPLIED');
    const released = releaseInbound(desk.inbound('PO-7'), { by: 'operator', at: at(30) });
    assert.deepEqual(released.effects, [{ kind: 'release_held', entityKey: 'inbound:PO-7', documentIds: [v2.id, v3.id] }]);
    desk.ledgers.set('inbound:PO-7', released.ledger);
    assert.deepEqual([desk.decide(v2).rule, desk.decide(v3).rule], ['OUT_OF_ORDER', 'PO_CHANGED']);
    assert.equal(desk.decide(v3).rule, 'DUPLICATE', 'once sent, the same version is a duplicate again');
    assert.deepEqual(desk.inbound('PO-7').lines.map((l) => [l.expected, l.received]), [['14', '4']]);
    assert.equal(inboundStateOf(desk.inbound('PO-7')), 'partially_received');
  });

  it('holds an order whose ship-to has no street line, and sends the corrected version', () => {
    const desk = new Desk();
    const bad = desk.decide(salesOrder('SO-12', [['TEA-1', '1']], { shipTo: { ...ADDRESS, lines: [] } }, 0));
    assert.equal(bad.verdict, 'hold');
    assert.equal(bad.rule, 'ORDER_ADDRESS_INVALID');
    assert.match(bad.reason, /invalid ship-to address: no street line/);
    const fixed = desk.decide(salesOrder('SO-12', [['TEA-1', '1']], {}, 5));
    assert.equal(fixed.verdict, 'apply');
    assert.deepEqual(desk.releasedDecisions().map((l) => l.decision.rule), ['OUT_OF_ORDER'], 'the held bad version is decided again and not sent');
    assert.equal(desk.order('SO-12').holds[0]!.releasedAt, at(5));
  });

  it('sends an order with a bad address as it is under invalidAddress: ignore', () => {
    const desk = new Desk({ orderHolds: { invalidAddress: 'ignore' } });
    assert.equal(desk.decide(salesOrder('SO-13', [['TEA-1', '1']], { shipTo: { name: 'X', lines: [] } })).verdict, 'apply');
  });

  it('passes the ERP\'s hold on once the warehouse has the order', () => {
    const desk = new Desk();
    desk.decide(salesOrder('SO-14', [['TEA-1', '1']]));
    desk.sent('SO-14');
    const hold = desk.decide(orderStatus('SO-14', 'on_hold', { reason: 'credit hold' }, 10), { source: 'erp' });
    assert.deepEqual([hold.verdict, hold.rule], ['apply', 'ORDER_HOLD_SET']);
  });

  it('lets an operator close an order: what is open stays unshipped and nothing more ships', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-15', [['TEA-1', '10']]);
    desk.decide(shipment('SO-15', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    const closed = closeOrder(desk.order('SO-15'), { by: 'operator', reason: 'customer takes the rest from stock', at: at(120) });
    assert.equal(closed.version, desk.order('SO-15').version + 1);
    assert.equal(closeOrder(closed, { by: 'operator', reason: 'again', at: at(130) }), closed);
    desk.ledgers.set('order:SO-15', closed);
    assert.equal(orderStateOf(closed), 'closed');
    assert.equal(orderLineStates(closed)[0]!.open, '0');
    const late = desk.decide(shipment('SO-15', 'SH-2', [[1, 'TEA-1', '4']], {}, 140));
    assert.deepEqual([late.verdict, late.rule], ['refuse', 'ORDER_CLOSED']);
    assert.match(late.reason, /was closed on .* \(customer takes the rest from stock\); nothing more ships on it/);
  });
});
