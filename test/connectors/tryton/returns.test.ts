import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { returnReceipt, type ReturnReceipt } from '../../../src/model/index.ts';
import { applyReturnReceipt, readReturnAuthorizations, TrytonError } from '../../../src/connectors/tryton/index.ts';
import type { TrytonRpc } from '../../../src/connectors/tryton/rpc.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../../support/tryton.ts';
import type { TrytonDate } from '../../../src/connectors/tryton/values.ts';
import { confirmReturnSale, connect, envelopeOf, hoursAgo, options, stockInWarehouse } from './fixtures.ts';

const skip = await trytonUnavailable();

function receiptDoc(rmaNumber: string, lines: unknown[], occurredAt?: string): ReturnReceipt {
  return returnReceipt.parse({ type: 'return_receipt', ...envelopeOf(`rr-${rmaNumber}`, occurredAt), rmaNumber, facility: 'DC1', lines });
}

async function returnState(rpc: TrytonRpc, id: number) {
  const [shipment] = await rpc.read<{ state: string; effective_date: TrytonDate | null; incoming_moves: number[] }>('stock.shipment.out.return', [id], ['state', 'effective_date', 'incoming_moves']);
  const moves = await rpc.read<{ id: number; quantity: number; state: string; 'lot.': { number: string } | null; 'product.': { code: string } }>(
    'stock.move', shipment!.incoming_moves, ['quantity', 'state', 'lot.number', 'product.code']);
  return { state: shipment!.state, effectiveDate: shipment!.effective_date?.iso, moves: moves.sort((a, b) => a.id - b.id).map((m) => [m['product.'].code, m.quantity, m['lot.']?.number ?? null, m.state]) };
}

describe('Tryton returns: authorisations out, return receipts back', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  test('a customer return is read once as a return authorisation with its lines and sale', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmReturnSale(rpc, [['WIDGET-1', 5], ['SERUM-LOT', 2]]);
    const first = await readReturnAuthorizations(rpc, undefined, options);
    assert.equal(first.documents.length, 1);
    const rma = first.documents[0]!;
    assert.equal(rma.rmaNumber, sale.returnNumber);
    assert.equal(rma.orderNumber, sale.number);
    assert.equal(rma.facility, 'DC1');
    assert.equal(rma.customer?.code, 'C-ACME');
    assert.equal(rma.entityKey, `return:${sale.returnNumber}`);
    assert.deepEqual(rma.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom]), [['1', 'WIDGET-1', '5', 'EA'], ['2', 'SERUM-LOT', '2', 'EA']]);
    const again = await readReturnAuthorizations(rpc, first.nextCursor, options);
    assert.equal(again.documents.length, 0);
  });

  test('a short return receipt with lots puts exactly what came back into stock, once, with the disposition noted', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmReturnSale(rpc, [['WIDGET-1', 5], ['SERUM-LOT', 3], ['GADGET-2', 1]]);
    // Came back yesterday, reported today.
    const cameBackAt = hoursAgo(26);
    const doc = receiptDoc(sale.returnNumber, [
      { lineNumber: '1', sku: 'WIDGET-1', quantity: '4', uom: 'EA', disposition: 'restock' },
      { lineNumber: '2', sku: 'SERUM-LOT', quantity: '2', uom: 'EA', disposition: 'restock', lot: 'R-1' },
      { lineNumber: '2', sku: 'SERUM-LOT', quantity: '1', uom: 'EA', disposition: 'quarantine', lot: 'R-2', condition: 'seal broken' },
    ], cameBackAt);
    const applied = await applyReturnReceipt(rpc, doc, options);
    assert.equal(applied.partnerRef, sale.returnNumber);
    const state = await returnState(rpc, sale.returnId);
    assert.equal(state.state, 'done');
    assert.equal(state.effectiveDate, cameBackAt.slice(0, 10));
    assert.deepEqual(state.moves, [
      ['WIDGET-1', 4, null, 'done'], ['SERUM-LOT', 2, 'R-1', 'done'], ['GADGET-2', 1, null, 'cancelled'], ['SERUM-LOT', 1, 'R-2', 'done'],
    ]);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 4);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'R-1'), 2);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'R-2'), 1);
    assert.equal(await stockInWarehouse(rpc, 'GADGET-2'), 0);
    const [note] = await rpc.searchRead<{ message: string }>('ir.note', [['resource', '=', `stock.shipment.out.return,${sale.returnId}`]], ['message']);
    assert.match(note!.message, /SERUM-LOT lot R-2: 1 EA quarantine \(seal broken\)/);

    assert.deepEqual(await applyReturnReceipt(rpc, doc, options), applied, 'a redelivery changes nothing');
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 4);
    await assert.rejects(applyReturnReceipt(rpc, receiptDoc(sale.returnNumber, [{ sku: 'WIDGET-1', quantity: '1', uom: 'EA', disposition: 'restock' }]), options),
      (error: unknown) => error instanceof TrytonError && !error.retryable && /already received in Tryton from another return receipt/.test(error.message));
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 4);
  });

  test('more than authorised, or a lot-tracked SKU without a lot, is refused and the return stays draft', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmReturnSale(rpc, [['WIDGET-1', 2], ['SERUM-LOT', 1]]);
    await assert.rejects(applyReturnReceipt(rpc, receiptDoc(sale.returnNumber, [{ sku: 'WIDGET-1', quantity: '3', uom: 'EA', disposition: 'restock' }]), options),
      /over-receipt refused: return .* line 1 \(WIDGET-1\) authorises 2, the warehouse reports 3 received/);
    await assert.rejects(applyReturnReceipt(rpc, receiptDoc(sale.returnNumber, [{ sku: 'SERUM-LOT', quantity: '1', uom: 'EA', disposition: 'restock' }]), options),
      /SERUM-LOT is lot tracked in Tryton, the line names no lot/);
    await assert.rejects(applyReturnReceipt(rpc, receiptDoc('NO-SUCH-RMA', [{ sku: 'WIDGET-1', quantity: '1', uom: 'EA', disposition: 'restock' }]), options),
      /Tryton has no customer return NO-SUCH-RMA/);
    const state = await returnState(rpc, sale.returnId);
    assert.equal(state.state, 'draft');
    assert.deepEqual(state.moves, [['WIDGET-1', 2, null, 'draft'], ['SERUM-LOT', 1, null, 'draft']]);
  });
});
