import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inventoryAdjustment, receipt } from '../../../src/model/index.ts';
import { applyInventoryAdjustment, applyReceipt, readInventorySnapshot, readItems, readPurchaseOrders } from '../../../src/connectors/tryton/index.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../../support/tryton.ts';
import type { TrytonDate } from '../../../src/connectors/tryton/values.ts';
import { confirmPurchase, connect, dateInDays, envelopeOf, hoursAgo, options, stockInWarehouse } from './fixtures.ts';

const skip = await trytonUnavailable();

describe('Tryton items, purchases, receipts and stock', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  test('products are read as items with codes, EAN, units, weight and lot tracking, page by page', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const seen = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await readItems(rpc, cursor, { ...options, pageSize: 2 });
      seen.push(...result.documents);
      if (result.nextCursor === cursor) break;
      cursor = result.nextCursor;
    }
    assert.deepEqual(seen.map((i) => i.sku).sort(), ['GADGET-2', 'SERUM-LOT', 'WIDGET-1'], 'goods only, each once');
    const serum = seen.find((i) => i.sku === 'SERUM-LOT')!;
    assert.equal(serum.lotTracked, true);
    assert.deepEqual(serum.barcodes, [{ kind: 'EAN', value: '5012345678900' }]);
    assert.deepEqual(serum.weight, { value: '0.05', unit: 'KG' });
    assert.equal(serum.baseUom, 'EA');
    assert.equal(seen.find((i) => i.sku === 'WIDGET-1')!.lotTracked, false);

    const [template] = await rpc.search('product.template', [['code', '=', 'GADGET-2']]);
    await rpc.write('product.template', [template!], { name: 'Gadget Mk II' });
    const changed = await readItems(rpc, cursor, options);
    assert.deepEqual(changed.documents.map((i) => [i.sku, i.description]), [['GADGET-2', 'Gadget Mk II']]);
  });

  test('a confirmed purchase is expected inbound; a short receipt with lots raises stock by what came and leaves the backorder', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const purchase = await confirmPurchase(rpc, [['WIDGET-1', 20], ['SERUM-LOT', 10]]);
    const { documents } = await readPurchaseOrders(rpc, undefined, options);
    assert.equal(documents.length, 1);
    assert.equal(documents[0]!.poNumber, purchase.number);
    assert.equal(documents[0]!.facility, 'DC1');
    assert.equal(documents[0]!.supplier?.code, 'S-NORTHWIND');
    assert.deepEqual(documents[0]!.lines.map((l) => [l.lineNumber, l.sku, l.quantity]), [['1', 'WIDGET-1', '20'], ['2', 'SERUM-LOT', '10']]);

    // Received at the dock two days ago, reported to Causeway only now.
    const receivedAtDock = hoursAgo(50);
    const doc = receipt.parse({
      type: 'receipt', ...envelopeOf('rcpt-1', receivedAtDock), receiptNumber: 'WMS-RC-1', poNumber: purchase.number, facility: 'DC1',
      lines: [
        { lineNumber: '1', sku: 'WIDGET-1', quantity: '18', uom: 'EA' },
        { lineNumber: '2', sku: 'SERUM-LOT', quantity: '10', uom: 'EA', lot: 'LOT-7', expiryDate: dateInDays(200) },
      ],
    });
    await applyReceipt(rpc, doc, options);
    const [shipment] = await rpc.searchRead<{ effective_date: TrytonDate }>('stock.shipment.in', [['reference', '=', 'WMS-RC-1']], ['effective_date']);
    assert.equal(shipment!.effective_date.iso, receivedAtDock.slice(0, 10), 'dated when the goods came in, not when Causeway heard of it');
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 18);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'LOT-7'), 10);
    const [row] = await rpc.read<{ moves: number[]; shipment_state: string }>('purchase.purchase', [purchase.id], ['moves', 'shipment_state']);
    const moves = await rpc.read<{ quantity: number; state: string }>('stock.move', row!.moves, ['quantity', 'state']);
    assert.deepEqual(moves.filter((m) => m.state === 'draft').map((m) => m.quantity), [2], 'the 2 short units stay expected');

    await applyReceipt(rpc, doc, options);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 18, 'a redelivered receipt changes nothing');
    const again = await readPurchaseOrders(rpc, undefined, options);
    assert.equal(again.documents.length, 0, 'a purchase already partly received is not sent again');
  });

  test('an adjustment changes stock by the delta, once, and shows in the snapshot', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const adjust = (number: string, lines: unknown[]) => inventoryAdjustment.parse({
      type: 'inventory_adjustment', ...envelopeOf(number), adjustmentNumber: number, facility: 'DC1', lines,
    });
    await applyInventoryAdjustment(rpc, adjust('ADJ-1', [
      { sku: 'WIDGET-1', quantity: '12', uom: 'EA', reason: 'found' },
      { sku: 'SERUM-LOT', lot: 'L-9', quantity: '5', uom: 'EA', reason: 'found' },
    ]), options);
    const cycleCount = adjust('ADJ-2', [{ sku: 'WIDGET-1', quantity: '-3', uom: 'EA', reason: 'cycle_count', note: 'bin A-01' }]);
    await applyInventoryAdjustment(rpc, cycleCount, options);
    await applyInventoryAdjustment(rpc, cycleCount, options);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 9);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'L-9'), 5);

    const snapshot = await readInventorySnapshot(rpc, 'DC1', options);
    assert.deepEqual(snapshot.positions.map((p) => [p.sku, p.lot ?? null, p.onHand]).sort(), [['SERUM-LOT', 'L-9', '5'], ['WIDGET-1', null, '9']]);
    await assert.rejects(applyInventoryAdjustment(rpc, adjust('ADJ-3', [{ sku: 'WIDGET-1', quantity: '-50', uom: 'EA', reason: 'lost' }]), options),
      /Tryton holds 9 in WH storage; a change of -50 would leave -41, and Tryton cannot count below zero/);
    assert.deepEqual(await rpc.search('stock.inventory', [['state', '!=', 'done']]), [], 'a refused adjustment leaves no draft inventory behind');
  });

  test('an adjustment reported late, across a receipt done after it happened, moves stock by exactly the delta', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const purchase = await confirmPurchase(rpc, [['WIDGET-1', 20], ['SERUM-LOT', 10]]);
    // The count was made two days ago; the goods came in yesterday; the count reaches Tryton today.
    await applyReceipt(rpc, receipt.parse({
      type: 'receipt', ...envelopeOf('rcpt-2', hoursAgo(24)), receiptNumber: 'WMS-RC-2', poNumber: purchase.number, facility: 'DC1',
      lines: [
        { lineNumber: '1', sku: 'WIDGET-1', quantity: '17', uom: 'EA' },
        { lineNumber: '2', sku: 'SERUM-LOT', quantity: '10', uom: 'EA', lot: 'LOT-7' },
      ],
    }), options);
    const countedAt = hoursAgo(48);
    await applyInventoryAdjustment(rpc, inventoryAdjustment.parse({
      type: 'inventory_adjustment', ...envelopeOf('adj-late', countedAt), adjustmentNumber: 'ADJ-LATE', facility: 'DC1',
      lines: [
        { sku: 'WIDGET-1', quantity: '-3', uom: 'EA', reason: 'cycle_count', note: 'bin A-07' },
        { sku: 'SERUM-LOT', lot: 'LOT-7', quantity: '-4', uom: 'EA', reason: 'damage' },
      ],
    }), options);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 17 - 3);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'LOT-7'), 10 - 4);

    // Found later, reported with a stamp a week old: the date changes nothing in the quantity.
    await applyInventoryAdjustment(rpc, inventoryAdjustment.parse({
      type: 'inventory_adjustment', ...envelopeOf('adj-old', hoursAgo(24 * 7)), adjustmentNumber: 'ADJ-OLD', facility: 'DC1',
      lines: [{ sku: 'WIDGET-1', quantity: '5', uom: 'EA', reason: 'found' }],
    }), options);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 17 - 3 + 5);
    const [note] = await rpc.searchRead<{ message: string }>('ir.note', [['message', 'like', 'Causeway adjustment ADJ-LATE%']], ['message']);
    assert.ok(note!.message.includes(`Occurred at the warehouse: ${countedAt}`), `the note keeps when it happened: ${note!.message}`);
  });
});
