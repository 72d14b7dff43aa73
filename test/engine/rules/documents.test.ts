// Duplicates, lots and the document chain: what a shipment or a receipt is checked against.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inboundLineStates, inboundStateOf, orderLineStates } from '../../../src/engine/rules/index.ts';
import { Desk, purchaseOrder, receipt, resend, sentOrder, shipment } from './story.ts';

const lotTracked = { item: (sku: string) => (sku.startsWith('MILK') ? { lotTracked: true } : { lotTracked: false }) };

describe('duplicate shipments', () => {
  it('is stale when the same shipment comes again under new control numbers, and counts it once', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10']]);
    const first = shipment('SO-1', 'SH-1', [[1, 'TEA-1', '6']], { complete: false, extensions: { x12Envelope: { interchange: '000000101' } } });
    desk.decide(first);
    const again = desk.decide(resend(first, { extensions: { x12Envelope: { interchange: '000000177' } } }));
    assert.equal(again.verdict, 'stale');
    assert.equal(again.rule, 'DUPLICATE');
    assert.equal(again.reason, 'Shipment SH-1 came again with the same content; it was applied already and is not counted twice.');
    assert.equal(again.ledger, desk.order('SO-1'));
    assert.equal(orderLineStates(desk.order('SO-1'))[0]!.shipped, '6');
  });

  it('refuses a corrected resend (same shipment number, other content) without counting anything twice', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-2', [['TEA-1', '10']]);
    const first = shipment('SO-2', 'SH-1', [[1, 'TEA-1', '6']], { complete: false });
    desk.decide(first);
    const corrected = desk.decide(resend(first, { lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '7', uom: 'EA' }] }));
    assert.equal(corrected.verdict, 'refuse');
    assert.equal(corrected.rule, 'SHIPMENT_RESENT_CHANGED');
    assert.match(corrected.reason, /came again with other content; the first one \(shipped .*\) is applied and nothing is counted twice/);
    assert.equal(corrected.effects[0]!.kind, 'alert');
    assert.equal(orderLineStates(desk.order('SO-2'))[0]!.shipped, '6');
  });
});

describe('lots', () => {
  it('refuses a lot-tracked SKU shipped without a lot', () => {
    const desk = new Desk({}, lotTracked);
    sentOrder(desk, 'SO-10', [['MILK-1', '10']]);
    const d = desk.decide(shipment('SO-10', 'SH-1', [[1, 'MILK-1', '10']]));
    assert.equal(d.verdict, 'refuse');
    assert.equal(d.rule, 'LOT_MISSING');
    assert.equal(d.path, '$.lines[0]');
    assert.equal(d.reason, 'Shipment SH-1 line 1 (MILK-1): MILK-1 is lot-tracked in the item master and the line names no lot; not applied.');
  });

  it('refuses lots that do not add up to the line', () => {
    const desk = new Desk({}, lotTracked);
    sentOrder(desk, 'SO-11', [['MILK-1', '10']]);
    const d = desk.decide(shipment('SO-11', 'SH-1', [[1, 'MILK-1', '10', { lots: [{ lot: 'L1', quantity: '4' }, { lot: 'L2', quantity: '5' }] }]]));
    assert.equal(d.rule, 'LOT_QUANTITY_MISMATCH');
    assert.match(d.reason, /the lots add up to 9, the line says 10/);
  });

  it('applies a lot past its expiry date with a flag and an alert, or refuses it under lots.expired: refuse', () => {
    const lines: Parameters<typeof shipment>[2] = [[1, 'MILK-1', '10', { lots: [{ lot: 'L0', quantity: '10', expiryDate: '2026-11-01' }] }]];
    const desk = new Desk({}, lotTracked);
    sentOrder(desk, 'SO-12', [['MILK-1', '10']]);
    const flagged = desk.decide(shipment('SO-12', 'SH-1', lines));
    assert.equal(flagged.verdict, 'apply');
    assert.deepEqual(flagged.flags.map((f) => [f.code, f.path]), [['LOT_EXPIRED', '$.lines[0].lots[0].expiryDate']]);
    assert.match(flagged.flags[0]!.message, /lot L0 expired on 2026-11-01, before the goods moved on 2026-11-23/);
    assert.deepEqual(flagged.effects.map((e) => e.kind === 'alert' && e.rule), ['LOT_EXPIRED']);

    const strict = new Desk({ lots: { expired: 'refuse' } }, lotTracked);
    sentOrder(strict, 'SO-12', [['MILK-1', '10']]);
    assert.equal(strict.decide(shipment('SO-12', 'SH-1', lines)).rule, 'LOT_EXPIRED');
  });

  it('refuses a receipt of a lot-tracked SKU without a lot, and does not check SKUs the item master does not know', () => {
    const desk = new Desk({}, lotTracked);
    desk.decide(purchaseOrder('PO-1', [['MILK-1', '10'], ['NEW-1', '5']]));
    assert.equal(desk.decide(receipt('PO-1', 'R-1', [[1, 'MILK-1', '10']])).rule, 'LOT_MISSING');
    const ok = desk.decide(receipt('PO-1', 'R-2', [[1, 'MILK-1', '10', { lot: 'L7', expiryDate: '2027-01-31' }], [2, 'NEW-1', '5']]));
    assert.equal(ok.verdict, 'apply', ok.reason);
  });
});

describe('document chain', () => {
  it('flags by default a shipment line whose number names a line of another SKU, and counts it on its own SKU\'s line', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-20', [['TEA-1', '10'], ['TEA-2', '5']]);
    const d = desk.decide(shipment('SO-20', 'SH-1', [[1, 'TEA-2', '5']]));
    assert.equal(d.verdict, 'apply');
    assert.deepEqual(d.flags.map((f) => [f.code, f.path, f.message]), [['DOCUMENT_CHAIN', '$.lines[0].sku', 'shipment SH-1 line 1 is TEA-2; line 1 of order SO-20 is TEA-1']]);
    assert.deepEqual(orderLineStates(desk.order('SO-20')).map((l) => [l.sku, l.shipped]), [['TEA-1', '0'], ['TEA-2', '5']]);
  });

  it('refuses the same shipment under documentChain: refuse, naming the line at fault', () => {
    const desk = new Desk({ documentChain: 'refuse' });
    sentOrder(desk, 'SO-21', [['TEA-1', '10'], ['TEA-2', '5']]);
    const d = desk.decide(shipment('SO-21', 'SH-1', [[1, 'TEA-2', '5']]));
    assert.equal(d.verdict, 'refuse');
    assert.equal(d.rule, 'DOCUMENT_CHAIN');
    assert.equal(d.path, '$.lines[0].sku');
    assert.equal(d.reason, 'Shipment SH-1 line 1 is TEA-2; line 1 of order SO-21 is TEA-1; not applied.');
  });

  it('never adds up different units: 1 CS shipped against a line of 12 EA is not 1 EA shipped', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-22', [['TEA-1', '12']]);
    const d = desk.decide(shipment('SO-22', 'SH-1', [[1, 'TEA-1', '1', { uom: 'CS' }]]));
    assert.equal(d.verdict, 'refuse', 'nothing of TEA-1 in CS was ordered');
    assert.equal(d.rule, 'OVER_SHIPMENT');
    assert.match(d.flags[0]!.message, /is in CS; order SO-22 has it in EA, and units are never added up/);
    assert.equal(orderLineStates(desk.order('SO-22'))[0]!.shipped, '0');
  });

  it('flags a lot other than the one the customer asked for', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-23', [['WINE-1', '6', 'EA', { lot: 'V2019' }]]);
    const d = desk.decide(shipment('SO-23', 'SH-1', [[1, 'WINE-1', '6', { lots: [{ lot: 'V2021', quantity: '6' }] }]]));
    assert.equal(d.verdict, 'apply');
    assert.match(d.flags[0]!.message, /order SO-23 asks for lot V2019; the shipment ships lot V2021/);
  });

  it('matches receipt lines without a line number by SKU and unit, filling the first open line first', () => {
    const desk = new Desk();
    desk.decide(purchaseOrder('PO-2', [['TEA-1', '10'], ['TEA-1', '5'], ['TEA-2', '3']]));
    const d = desk.decide(receipt('PO-2', 'R-1', [[undefined, 'TEA-1', '10'], [undefined, 'TEA-1', '5'], [undefined, 'TEA-2', '3']]));
    assert.equal(d.verdict, 'apply');
    assert.deepEqual(d.flags, []);
    assert.deepEqual(inboundLineStates(desk.inbound('PO-2')).map((l) => [l.lineNumber, l.received, l.status]), [['1', '10', 'received'], ['2', '5', 'received'], ['3', '3', 'received']]);
    assert.equal(inboundStateOf(desk.inbound('PO-2')), 'received');
  });
});

describe('receipts against expected inbound', () => {
  it('accepts and flags an over-receipt by default, and shows short lines once the receipt is complete', () => {
    const desk = new Desk();
    desk.decide(purchaseOrder('PO-3', [['TEA-1', '10'], ['TEA-2', '10']]));
    const d = desk.decide(receipt('PO-3', 'R-1', [[1, 'TEA-1', '11'], [2, 'TEA-2', '7', { damagedQuantity: '1' }]]));
    assert.equal(d.verdict, 'apply');
    assert.deepEqual(d.flags.map((f) => f.code), ['OVER_RECEIPT']);
    assert.match(d.reason, /the receipt is complete and line 2 \(TEA-2\) is 2 EA short/);
    assert.deepEqual(inboundLineStates(desk.inbound('PO-3')).map((l) => l.status), ['over', 'short']);
  });

  it('refuses an over-receipt under overReceipt: refuse, and a receipt number resent with other content', () => {
    const desk = new Desk({ overReceipt: { action: 'refuse' } });
    desk.decide(purchaseOrder('PO-4', [['TEA-1', '10']]));
    assert.equal(desk.decide(receipt('PO-4', 'R-1', [[1, 'TEA-1', '11']])).rule, 'OVER_RECEIPT');
    const partial = receipt('PO-4', 'R-2', [[1, 'TEA-1', '4']], { complete: false });
    assert.equal(desk.decide(partial).verdict, 'apply');
    assert.equal(inboundLineStates(desk.inbound('PO-4'))[0]!.status, 'open');
    assert.equal(desk.decide(resend(partial)).rule, 'DUPLICATE');
    assert.equal(desk.decide(resend(partial, { lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '5', uom: 'EA' }] })).rule, 'RECEIPT_RESENT_CHANGED');
  });

  it('applies a blind receipt (no purchase order, no ASN) with nothing to check it against', () => {
    const desk = new Desk();
    const d = desk.decide(receipt(undefined, 'R-9', [[undefined, 'TEA-1', '3']]));
    assert.equal(d.verdict, 'apply');
    assert.match(d.reason, /a blind receipt/);
    assert.equal(desk.decide(resend(receipt(undefined, 'R-9', [[undefined, 'TEA-1', '3']]))).rule, 'DUPLICATE');
  });
});
