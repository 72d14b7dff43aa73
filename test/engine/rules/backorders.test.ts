// The ERP's backorders (the open rest of an order after a partial shipment, sent as an order of the
// same number marked `extensions.backorder`), told as warehouse stories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderLineStates, orderStateOf } from '../../../src/engine/rules/index.ts';
import { Desk, orderStatus, salesOrder, sentOrder, shipment } from './story.ts';

/** The ERP's backorder `reference` of an order: its lines are what is left, as [line number, SKU, quantity]. */
function backorder(orderNumber: string, reference: string, lines: Array<[number, string, string]>, minute = 120) {
  return salesOrder(orderNumber, [], {
    lines: lines.map(([lineNumber, sku, quantity]) => ({ lineNumber, sku, quantity, uom: 'EA' })),
    extensions: { backorder: { reference } },
  }, minute);
}

describe('the ERP\'s backorders', () => {
  it('under `backorder`, a shipment marked complete that left lines open sends the ERP\'s backorder as an order to fill; its shipment completes the order', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10'], ['TEA-2', '4']]);
    desk.decide(shipment('SO-1', 'SH-1', [[1, 'TEA-1', '6'], [2, 'TEA-2', '4']]));
    const bo = backorder('SO-1', 'CS-7', [[1, 'TEA-1', '4']]);
    const sent = desk.decide(bo);
    assert.deepEqual([sent.verdict, sent.rule], ['apply', 'BACKORDER_SENT']);
    assert.equal(sent.reason, 'Backorder CS-7 of order SO-1 goes to the warehouse as an order to fill, 4 EA of line 1 (TEA-1): shipment SH-1 was marked complete and left it open (under-shipment: backorder).');
    assert.equal(sent.document, bo, 'it goes as the ERP sent it: the rest, under the same order number');
    const ledger = desk.order('SO-1');
    assert.deepEqual([ledger.send.state, ledger.send.documentId, ledger.routed?.backorder], ['pending', bo.id, 'CS-7']);
    assert.deepEqual(ledger.lines.map((l) => [l.ordered, l.shipped]), [['10', '6'], ['4', '4']], 'the order\'s lines keep what was ordered and shipped');

    desk.sent('SO-1', 130);
    assert.deepEqual([desk.decide(backorder('SO-1', 'CS-7', [[1, 'TEA-1', '4']], 140)).rule], ['DUPLICATE'], 'read again, it is not sent twice');
    assert.equal(desk.decide(shipment('SO-1', 'SH-2', [[1, 'TEA-1', '4']], {}, 200)).rule, 'SHIPMENT_APPLIED');
    assert.equal(orderStateOf(desk.order('SO-1')), 'shipped');
  });

  it('is not sent while the warehouse keeps the rest open itself (its shipment was partial), and says so', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-2', [['TEA-1', '10']]);
    desk.decide(shipment('SO-2', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    const kept = desk.decide(backorder('SO-2', 'CS-8', [[1, 'TEA-1', '4']]));
    assert.deepEqual([kept.verdict, kept.rule, kept.reason], ['stale', 'BACKORDER_AT_WAREHOUSE',
      'Backorder CS-8 of order SO-2 is not sent: the warehouse keeps the rest of the order open itself (its shipment SH-1 was partial, with more to follow).']);
    assert.equal(desk.order('SO-2').routed?.backorder, undefined);
    // The warehouse then ships 3 of the 4 and says that is all: the ERP's next backorder goes.
    desk.decide(shipment('SO-2', 'SH-2', [[1, 'TEA-1', '3']], {}, 150));
    assert.equal(desk.decide(backorder('SO-2', 'CS-9', [[1, 'TEA-1', '1']], 160)).rule, 'BACKORDER_SENT');
  });

  it('is not sent for an order closed short; the short-close status tells the ERP to close it', () => {
    const desk = new Desk({ underShipment: 'short_close' });
    sentOrder(desk, 'SO-3', [['TEA-1', '10']]);
    desk.decide(shipment('SO-3', 'SH-1', [[1, 'TEA-1', '6']]));
    assert.equal(desk.order('SO-3').closed?.how, 'short_closed');
    const closed = desk.decide(backorder('SO-3', 'CS-10', [[1, 'TEA-1', '4']]));
    assert.deepEqual([closed.verdict, closed.rule], ['stale', 'ORDER_CLOSED']);
    assert.match(closed.reason, /^Backorder CS-10 of order SO-3 is not sent: the order was closed on .*, and the ERP is told which lines will not ship\.$/);
  });

  it('is out of date when it asks for more than is open (read before the ERP applied a later shipment), and refused for a line the order does not have', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-4', [['TEA-1', '10']]);
    desk.decide(shipment('SO-4', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    // The ERP opened its backorder of 4 when SH-1 reached it; SH-2 has filled it since, and is on its way to the ERP.
    desk.decide(shipment('SO-4', 'SH-2', [[1, 'TEA-1', '4']], {}, 100));
    const behind = desk.decide(backorder('SO-4', 'CS-11', [[1, 'TEA-1', '4']]));
    assert.deepEqual([behind.verdict, behind.rule, behind.path], ['stale', 'OUT_OF_ORDER', '$.lines[0].quantity']);
    assert.equal(behind.reason, 'Backorder CS-11 of order SO-4 is out of date: line 1 (TEA-1) asks for 4 EA, but 0 EA are open (ordered 10, shipped 10, cancelled 0); the warehouse has shipped more since the ERP opened it. Not sent.');
    const other = desk.decide(backorder('SO-4', 'CS-12', [[2, 'TEA-9', '1']]));
    assert.deepEqual([other.verdict, other.rule, other.path], ['refuse', 'DOCUMENT_CHAIN', '$.lines[0]']);
    assert.equal(desk.order('SO-4').send.state, 'sent', 'nothing was routed');
  });

  it('a new version of a backorder the warehouse has goes as a change, or not at all when nothing it uses changed; the order\'s lines stay', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-5', [['TEA-1', '10']]);
    desk.decide(shipment('SO-5', 'SH-1', [[1, 'TEA-1', '6']]));
    desk.decide(backorder('SO-5', 'CS-13', [[1, 'TEA-1', '4']]));
    desk.sent('SO-5', 130);
    const fewer = desk.decide(backorder('SO-5', 'CS-13', [[1, 'TEA-1', '3']], 150));
    assert.deepEqual([fewer.verdict, fewer.rule], ['apply', 'ORDER_CHANGED']);
    assert.deepEqual(fewer.effects.map((e) => e.kind), ['encode_as_change']);
    assert.deepEqual(orderLineStates(desk.order('SO-5')).map((l) => [l.ordered, l.shipped, l.open]), [['10', '6', '4']]);
    assert.equal(desk.order('SO-5').routed?.backorder, 'CS-13');
  });

  it('waits with its order while the ERP holds it, and goes when the hold is lifted', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-6', [['TEA-1', '10']]);
    desk.decide(shipment('SO-6', 'SH-1', [[1, 'TEA-1', '6']]));
    desk.decide(orderStatus('SO-6', 'on_hold', { reason: 'credit hold' }, 100), { source: 'erp' });
    const bo = backorder('SO-6', 'CS-14', [[1, 'TEA-1', '4']]);
    assert.deepEqual([desk.decide(bo).verdict], ['hold']);
    desk.decide(orderStatus('SO-6', 'released', {}, 180), { source: 'erp' });
    assert.deepEqual(desk.releasedDecisions().map((l) => [l.document.id, l.decision.rule]), [[bo.id, 'BACKORDER_SENT']]);
  });
});
