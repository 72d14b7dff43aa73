// Over- and under-shipment, told as warehouse stories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderLineStates, orderStateOf } from '../../../src/engine/rules/index.ts';
import { Desk, sentOrder, shipment } from './story.ts';

describe('over-shipment', () => {
  it('refuses by default once all shipments of the order together pass what was ordered: 10 EA ordered, 6 then 5 shipped', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10']]);
    assert.equal(desk.decide(shipment('SO-1', 'SH-1', [[1, 'TEA-1', '6']], { complete: false })).verdict, 'apply');
    const second = desk.decide(shipment('SO-1', 'SH-2', [[1, 'TEA-1', '5']], {}, 90));
    assert.equal(second.verdict, 'refuse');
    assert.equal(second.rule, 'OVER_SHIPMENT');
    assert.equal(second.path, '$.lines[0]');
    assert.equal(second.reason, 'Over-shipment refused: order SO-1 line 1 (TEA-1) ordered 10 EA; 6 EA shipped before and shipment SH-2 ships 5 EA, 11 EA in all, 1 EA over.');
    assert.equal(orderLineStates(desk.order('SO-1'))[0]!.shipped, '6', 'the refused shipment counts for nothing');
  });

  it('accepts and flags under accept_and_flag, with an alert, and shows the line as over-shipped', () => {
    const desk = new Desk({ overShipment: { action: 'accept_and_flag' } });
    sentOrder(desk, 'SO-2', [['TEA-1', '10']]);
    desk.decide(shipment('SO-2', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    const second = desk.decide(shipment('SO-2', 'SH-2', [[1, 'TEA-1', '5']], {}, 90));
    assert.equal(second.verdict, 'apply');
    assert.deepEqual(second.flags.map((f) => f.code), ['OVER_SHIPMENT']);
    assert.match(second.flags[0]!.message, /^Over-shipment accepted: .*11 EA in all, 1 EA over$/);
    assert.deepEqual(second.effects.filter((e) => e.kind === 'alert').map((e) => e.kind === 'alert' && e.rule), ['OVER_SHIPMENT']);
    const [line] = orderLineStates(desk.order('SO-2'));
    assert.equal(line!.shipped, '11');
    assert.equal(line!.overShipped, '1');
    assert.equal(orderStateOf(desk.order('SO-2')), 'shipped');
  });

  it('accepts within a 10% tolerance (6 then 5 of 10) and refuses beyond it (6 then 6)', () => {
    const within = new Desk({ overShipment: { action: 'tolerance', tolerancePercent: 10 } });
    sentOrder(within, 'SO-3', [['TEA-1', '10']]);
    within.decide(shipment('SO-3', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    const ok = within.decide(shipment('SO-3', 'SH-2', [[1, 'TEA-1', '5']], {}, 90));
    assert.equal(ok.verdict, 'apply');
    assert.match(ok.flags[0]!.message, /within the 10% tolerance \(up to 11\)/);

    const beyond = new Desk({ overShipment: { action: 'tolerance', tolerancePercent: 10 } });
    sentOrder(beyond, 'SO-3', [['TEA-1', '10']]);
    beyond.decide(shipment('SO-3', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    const no = beyond.decide(shipment('SO-3', 'SH-2', [[1, 'TEA-1', '6']], {}, 90));
    assert.equal(no.verdict, 'refuse');
    assert.match(no.reason, /^Over-shipment refused, beyond the 10% tolerance \(up to 11\): .*12 EA in all, 2 EA over\.$/);
  });

  it('counts decimal quantities exactly: 0.1 + 0.2 KG of 0.3 KG ordered is not over', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-4', [['SPICE', '0.3', 'KG']]);
    desk.decide(shipment('SO-4', 'SH-1', [[1, 'SPICE', '0.1', { uom: 'KG' }]], { complete: false }));
    const second = desk.decide(shipment('SO-4', 'SH-2', [[1, 'SPICE', '0.2', { uom: 'KG' }]], {}, 90));
    assert.equal(second.verdict, 'apply', second.reason);
    assert.equal(orderStateOf(desk.order('SO-4')), 'shipped');
  });

  it('treats a SKU that is not on the order as shipped against nothing: refused as an over-shipment by default', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-5', [['TEA-1', '10']]);
    const d = desk.decide(shipment('SO-5', 'SH-1', [[2, 'COFFEE-9', '1']]));
    assert.equal(d.verdict, 'refuse');
    assert.equal(d.rule, 'OVER_SHIPMENT');
    assert.match(d.reason, /order SO-5 has no line for COFFEE-9 in EA; shipment SH-1 ships 1 EA of it/);
    assert.deepEqual(d.flags.map((f) => f.code), ['DOCUMENT_CHAIN']);
  });
});

describe('under-shipment', () => {
  it('keeps the rest open as a backorder by default when a complete shipment ships less: 10 ordered, 6 shipped', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-10', [['TEA-1', '10'], ['TEA-2', '4']]);
    const d = desk.decide(shipment('SO-10', 'SH-1', [[1, 'TEA-1', '6'], [2, 'TEA-2', '4']]));
    assert.equal(d.verdict, 'apply');
    assert.equal(d.reason, 'Shipment SH-1 applied to order SO-10 (10 EA on 2 lines); the warehouse says that is all for now; 4 EA of line 1 (TEA-1) stay open as a backorder.');
    const [tea1] = orderLineStates(desk.order('SO-10'));
    assert.deepEqual({ open: tea1!.open, backordered: tea1!.backordered }, { open: '4', backordered: '4' });
    assert.equal(orderStateOf(desk.order('SO-10')), 'partially_shipped');
    // The backorder ships later.
    assert.equal(desk.decide(shipment('SO-10', 'SH-2', [[1, 'TEA-1', '4']], {}, 600)).verdict, 'apply');
    assert.equal(orderStateOf(desk.order('SO-10')), 'shipped');
  });

  it('closes the order short under short_close, tells the ERP which lines were not shipped, and refuses a later shipment', () => {
    const desk = new Desk({ underShipment: 'short_close' });
    sentOrder(desk, 'SO-11', [['TEA-1', '10']]);
    const d = desk.decide(shipment('SO-11', 'SH-1', [[1, 'TEA-1', '6']]));
    assert.equal(d.verdict, 'apply');
    assert.match(d.reason, /the order is closed short \(4 EA of line 1 \(TEA-1\) not shipped\)/);
    assert.deepEqual(d.effects, [{
      kind: 'send_status', to: 'erp', entityKey: 'order:SO-11', orderNumber: 'SO-11', status: 'shipped', reason: 'short-closed: 4 EA of line 1 (TEA-1) not shipped',
      lines: [{ lineNumber: '1', sku: 'TEA-1', status: 'cancelled', quantity: '4', uom: 'EA' }],
    }]);
    assert.equal(orderStateOf(desk.order('SO-11')), 'closed');
    assert.equal(orderLineStates(desk.order('SO-11'))[0]!.open, '0');
    const late = desk.decide(shipment('SO-11', 'SH-2', [[1, 'TEA-1', '4']], {}, 600));
    assert.equal(late.verdict, 'refuse');
    assert.equal(late.rule, 'ORDER_CLOSED');
  });

  it('leaves a partial shipment (complete: false) open under either policy', () => {
    const desk = new Desk({ underShipment: 'short_close' });
    sentOrder(desk, 'SO-12', [['TEA-1', '10']]);
    const d = desk.decide(shipment('SO-12', 'SH-1', [[1, 'TEA-1', '6']], { complete: false }));
    assert.match(d.reason, /4 EA of line 1 \(TEA-1\) still to ship\.$/);
    assert.equal(orderStateOf(desk.order('SO-12')), 'partially_shipped');
  });
});
