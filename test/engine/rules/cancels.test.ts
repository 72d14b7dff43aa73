// Cancel races: where the order is when the cancel comes decides what happens to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderLineStates, orderStateOf } from '../../../src/engine/rules/index.ts';
import { Desk, document, orderCancel, orderStatus, salesOrder, sentOrder, shipment } from './story.ts';

describe('cancel races', () => {
  it('refuses a shipment after a confirmed cancel, with a critical alert', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10']]);
    assert.equal(desk.decide(orderCancel('SO-1', { reason: 'customer changed mind' })).rule, 'CANCEL_FORWARDED');
    assert.equal(desk.decide(orderStatus('SO-1', 'cancelled', {}, 40)).rule, 'CANCEL_CONFIRMED');
    assert.equal(orderStateOf(desk.order('SO-1')), 'cancelled');
    const late = desk.decide(shipment('SO-1', 'SH-1', [[1, 'TEA-1', '10']]));
    assert.equal(late.verdict, 'refuse');
    assert.equal(late.rule, 'SHIPMENT_AFTER_CANCEL');
    assert.match(late.reason, /order SO-1 was cancelled and the cancel confirmed before the warehouse reported this shipment/);
    assert.deepEqual(late.effects.map((e) => e.kind === 'alert' && e.severity), ['critical']);
    assert.equal(orderLineStates(desk.order('SO-1'))[0]!.shipped, '0');
    const ack = desk.decide(document({ type: 'acknowledgment', kind: 'application', status: 'rejected', acknowledges: { documentType: 'sales_order', reference: 'SO-1' } }, 70));
    assert.deepEqual([ack.verdict, ack.rule, ack.effects], ['stale', 'ORDER_CANCELLED', []], 'a late rejection of a cancelled order raises no alarm');
    assert.equal(desk.order('SO-1').acknowledgments.at(-1)!.status, 'rejected', 'but it is recorded');
  });

  it('rejects a cancel after the order shipped in full back to the ERP as "cancel rejected: shipped", with an alert', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-2', [['TEA-1', '10']]);
    desk.decide(shipment('SO-2', 'SH-1', [[1, 'TEA-1', '10']]));
    const cancel = desk.decide(orderCancel('SO-2', {}, 90));
    assert.equal(cancel.verdict, 'refuse');
    assert.equal(cancel.rule, 'CANCEL_AFTER_SHIPPED');
    assert.equal(cancel.reason, 'Cancel of order SO-2 is rejected: the order has shipped in full. The ERP is told "cancel rejected: shipped".');
    assert.deepEqual(cancel.effects[0], { kind: 'send_status', to: 'erp', entityKey: 'order:SO-2', orderNumber: 'SO-2', status: 'shipped', reason: 'cancel rejected: shipped' });
    assert.equal(cancel.effects[1]!.kind, 'alert');
    assert.equal(orderStateOf(desk.order('SO-2')), 'shipped');
  });

  it('names only what is still open when a whole-order cancel goes on after a partial shipment', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-6', [['TEA-1', '10'], ['MUG-2', '4']]);
    assert.equal(desk.decide(shipment('SO-6', 'SH-1', [[1, 'TEA-1', '3'], [2, 'MUG-2', '4']], { complete: false })).verdict, 'apply');
    const cancel = desk.decide(orderCancel('SO-6', {}, 80));
    assert.equal(cancel.rule, 'CANCEL_FORWARDED');
    assert.deepEqual((cancel.document as { orderLines: unknown }).orderLines, [{ lineNumber: '1', sku: 'TEA-1', quantity: '7', uom: 'EA' }]);
    assert.match(cancel.reason, /naming the order's open line, line 1 \(TEA-1\) 7 EA;/);
  });

  it('forwards a cancel while the order is in flight (sent, not acknowledged) and waits for the warehouse to confirm it', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-3', [['TEA-1', '10']]);
    const cancel = desk.decide(orderCancel('SO-3'));
    assert.equal(cancel.verdict, 'apply');
    assert.equal(cancel.reason, 'Cancel of order SO-3 goes to the warehouse naming the order\'s open line, line 1 (TEA-1) 10 EA; the warehouse has not acknowledged the order yet; waiting for its answer.');
    assert.deepEqual((cancel.document as { lines: unknown }).lines, [], 'still a whole-order cancel');
    assert.deepEqual((cancel.document as { orderLines: unknown }).orderLines, [{ lineNumber: '1', sku: 'TEA-1', quantity: '10', uom: 'EA' }], 'the cancel goes on naming the open line');
    assert.equal(desk.order('SO-3').cancels[0]!.state, 'requested');
    assert.equal(desk.order('SO-3').cancels[0]!.lines, undefined, 'recorded as a whole-order cancel');
    assert.equal(orderStateOf(desk.order('SO-3')), 'open', 'requested is not cancelled yet');
    const answer = desk.decide(orderStatus('SO-3', 'cancelled', {}, 40));
    assert.equal(answer.verdict, 'apply');
    assert.equal(answer.reason, 'The warehouse confirmed the cancel of order SO-3; passed on.');
    assert.equal(desk.order('SO-3').cancels[0]!.state, 'confirmed');
    assert.equal(orderLineStates(desk.order('SO-3'))[0]!.cancelled, '10');
  });

  it('settles a requested cancel as refused when the warehouse ships the order anyway, and tells the ERP', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-4', [['TEA-1', '10']]);
    desk.decide(orderCancel('SO-4'));
    const shipped = desk.decide(shipment('SO-4', 'SH-1', [[1, 'TEA-1', '10']]));
    assert.equal(shipped.verdict, 'apply', 'the goods have left: the shipment is the truth');
    assert.match(shipped.reason, /the cancel asked for came too late/);
    assert.deepEqual(shipped.effects.map((e) => e.kind), ['send_status', 'alert']);
    assert.deepEqual({ state: desk.order('SO-4').cancels[0]!.state, outcome: desk.order('SO-4').cancels[0]!.outcome }, { state: 'refused', outcome: 'shipped' });
  });

  it('settles a requested cancel as refused when the warehouse rejects it in an application acknowledgment', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-5', [['TEA-1', '10']]);
    desk.decide(orderCancel('SO-5'));
    const ack = desk.decide(document({ type: 'acknowledgment', kind: 'application', status: 'rejected', acknowledges: { documentType: 'order_cancel', reference: 'SO-5' } }, 45));
    assert.equal(ack.rule, 'CANCEL_REFUSED');
    assert.equal(desk.order('SO-5').cancels[0]!.state, 'refused');
    assert.deepEqual(ack.effects.map((e) => e.kind), ['send_status', 'alert']);
  });

  it('sends nothing when the order is cancelled before its pending send was delivered: the send is withdrawn', () => {
    const desk = new Desk();
    const order = salesOrder('SO-6', [['TEA-1', '10']]);
    desk.decide(order);
    const cancel = desk.decide(orderCancel('SO-6', { reason: 'duplicate order' }));
    assert.equal(cancel.verdict, 'stale');
    assert.equal(cancel.rule, 'CANCEL_BEFORE_SEND');
    assert.equal(cancel.reason, 'Order SO-6 was cancelled before it was delivered to the warehouse; its pending send is withdrawn and nothing is sent.');
    assert.deepEqual(cancel.effects, [{
      kind: 'supersede_deliveries', entityKey: 'order:SO-6', documentType: 'sales_order', documentIds: [order.id], required: true,
      reason: 'order SO-6 was cancelled before it was delivered',
    }]);
    assert.equal(desk.order('SO-6').send.state, 'withdrawn');
    assert.equal(desk.order('SO-6').cancels[0]!.reason, 'duplicate order');
    assert.equal(orderStateOf(desk.order('SO-6')), 'cancelled');
    assert.equal(desk.decide(shipment('SO-6', 'SH-1', [[1, 'TEA-1', '1']])).rule, 'SHIPMENT_AFTER_CANCEL');
  });

  it('cancels a held order here, sending nothing, and the held order is decided again and not sent', () => {
    const desk = new Desk();
    desk.decide(orderStatus('SO-7', 'on_hold', { reason: 'credit hold' }, 0), { source: 'erp' });
    const order = salesOrder('SO-7', [['TEA-1', '10']], {}, 1);
    assert.equal(desk.decide(order).verdict, 'hold');
    const cancel = desk.decide(orderCancel('SO-7', {}, 2));
    assert.equal(cancel.rule, 'CANCEL_BEFORE_SEND');
    assert.equal(cancel.reason, 'Order SO-7 was cancelled before it was sent to the warehouse; nothing is sent to the warehouse.');
    assert.deepEqual(desk.releasedDecisions().map((l) => [l.document.id, l.decision.verdict, l.decision.rule]), [[order.id, 'stale', 'ORDER_CANCELLED']]);
  });

  it('settles at once a cancel of an order never received: nothing is sent, it is recorded on the order, and the order, should it come, is not sent', () => {
    const desk = new Desk();
    const cancel = desk.decide(orderCancel('SO-8', { reason: 'customer changed their mind' }, 0));
    assert.deepEqual([cancel.verdict, cancel.rule, cancel.reason], ['stale', 'CANCEL_BEFORE_SEND',
      'Cancel of order SO-8 dropped: the order never reached Causeway, so it was never sent to the warehouse; nothing is sent. Should the order still come, it is not sent.']);
    assert.deepEqual(cancel.effects, []);
    const ledger = desk.order('SO-8');
    assert.deepEqual([ledger.known, ledger.cancels[0]!.state, ledger.cancels[0]!.outcome, ledger.cancels[0]!.reason, ledger.parked], [false, 'confirmed', 'before_send', 'customer changed their mind', []]);
    assert.equal(orderStateOf(ledger), 'cancelled');
    assert.equal(desk.decide(orderCancel('SO-8', { reason: 'customer changed their mind' }, 0)).rule, 'DUPLICATE');
    const order = desk.decide(salesOrder('SO-8', [['TEA-1', '10']], {}, 1));
    assert.deepEqual([order.verdict, order.rule], ['stale', 'ORDER_CANCELLED']);
    assert.match(order.reason, /^Order SO-8 was cancelled \(requested .*\) before it reached Causeway; not sent\.$/);
  });

  it('still holds a cancel of an order not seen when the warehouse has reported on it, and a line cancel, until the order is here', () => {
    const desk = new Desk();
    desk.decide(shipment('SO-10', 'SH-1', [[1, 'TEA-1', '1']], { complete: false }, 0));
    const cancel = orderCancel('SO-10', {}, 1);
    assert.deepEqual([desk.decide(cancel).verdict, desk.decide(orderCancel('SO-11', { lines: [{ lineNumber: 1 }] }, 1)).rule], ['hold', 'ORDER_NOT_SEEN']);
    const order = desk.decide(salesOrder('SO-10', [['TEA-1', '10']], {}, 2));
    assert.equal(order.verdict, 'apply');
    assert.deepEqual(desk.releasedDecisions().map((l) => l.document.type), ['shipment', 'order_cancel']);
  });

  it('forwards a line cancel, and the warehouse\'s line status confirms it', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-9', [['TEA-1', '10'], ['TEA-2', '5']]);
    assert.equal(desk.decide(orderCancel('SO-9', { lines: [{ lineNumber: 2 }] })).rule, 'CANCEL_FORWARDED');
    desk.decide(orderStatus('SO-9', 'allocated', { lines: [{ lineNumber: 2, status: 'cancelled' }] }, 40));
    assert.equal(desk.order('SO-9').cancels[0]!.state, 'confirmed');
    assert.deepEqual(orderLineStates(desk.order('SO-9')).map((l) => [l.lineNumber, l.open]), [['1', '10'], ['2', '0']]);
    const again = desk.decide(orderCancel('SO-9', { lines: [{ lineNumber: 2 }], reason: 'asked twice' }, 45));
    assert.deepEqual([again.verdict, again.rule, again.reason], ['stale', 'ORDER_CANCELLED', 'Cancel of a line of order SO-9: line 2 (TEA-2) is cancelled already.']);
    const ship = desk.decide(shipment('SO-9', 'SH-1', [[1, 'TEA-1', '10'], [2, 'TEA-2', '5']]));
    assert.equal(ship.rule, 'SHIPMENT_AFTER_CANCEL');
    assert.equal(ship.path, '$.lines[1]');
    assert.equal(desk.decide(shipment('SO-9', 'SH-2', [[1, 'TEA-1', '10']])).verdict, 'apply');
    assert.equal(orderStateOf(desk.order('SO-9')), 'shipped');
  });

  it('recognises the same cancel sent twice', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-10', [['TEA-1', '10']]);
    const cancel = orderCancel('SO-10');
    desk.decide(cancel);
    const again = desk.decide({ ...cancel, id: 'resent', receivedAt: '2026-11-23T09:00:00.000Z' });
    assert.equal(again.verdict, 'stale');
    assert.equal(again.rule, 'DUPLICATE');
  });
});
