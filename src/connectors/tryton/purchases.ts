import Big from 'big.js';
import { entityKeyFor, normaliseDecimal, purchaseOrder, type PurchaseOrder, type Receipt } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { lastChange, readChangedSince, type ChangedRecord } from './cursor.ts';
import { envelope } from './envelope.ts';
import { rejected } from './errors.ts';
import { lotFor, productCodesById, productsBySku, requireState, requireUnit, warehouseCodesById, warehouseForFacility } from './lookup.ts';
import { canonicalUnit, facilityOf, REFERENCE_QUALIFIERS, type TrytonOptions } from './options.ts';
import { planLines, type OpenLine } from './order-lines.ts';
import type { ReadResult } from './read-items.ts';
import { lineNumbers } from './read-sales-orders.ts';
import type { TrytonRpc } from './rpc.ts';
import { effectiveDate, type TrytonDate } from './values.ts';
import type { WriteResult } from './write-shipment.ts';
import type { StockMoveRow } from './rows.ts';

interface PurchaseRow extends ChangedRecord {
  number: string;
  state: string;
  warehouse: number | null;
  lines: number[];
  moves: number[];
  reference: string | null;
  'party.': { code: string | null; name: string };
}

interface MoveRow extends StockMoveRow {
  shipment: string | null;
  planned_date: TrytonDate | null;
  'uom.': { symbol: string };
}

const MOVE_FIELDS = ['product', 'quantity', 'state', 'origin', 'shipment', 'planned_date', 'uom.symbol'];

/** Supplier moves of a purchase still expected: draft and not yet on a supplier shipment. */
function expected(move: MoveRow): boolean {
  return move.state === 'draft' && move.shipment === null && move.origin?.startsWith('purchase.line,') === true;
}

/** What reading purchases and applying receipts ask of the Tryton user. */
export const PURCHASE_ORDER_ACCESS: TrytonAccess = { read: ['purchase.purchase', 'purchase.line', 'stock.move', 'stock.location', 'product.product'] };
export const RECEIPT_ACCESS: TrytonAccess = {
  read: ['purchase.purchase', 'purchase.line', 'stock.move', 'stock.shipment.in', 'stock.location', 'product.product', 'stock.lot'],
  write: ['stock.move'],
  create: ['stock.move', 'stock.lot', 'stock.shipment.in'],
  buttons: [['stock.shipment.in', 'receive'], ['stock.shipment.in', 'done']],
};

/**
 * Expected inbound for the warehouse: a confirmed purchase, once, while nothing of it has been
 * received. Later changes (the backorder left by a short receipt) are the warehouse's open
 * balance already and are not sent again.
 */
export async function readPurchaseOrders(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<PurchaseOrder>> {
  const { records, nextCursor } = await readChangedSince<PurchaseRow>(rpc, 'purchase.purchase', cursor,
    ['number', 'state', 'warehouse', 'lines', 'moves', 'reference', 'party.code', 'party.name'], options.pageSize ?? 100,
    [['state', '=', 'processing']]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const moves = await rpc.read<MoveRow>('stock.move', records.flatMap((p) => p.moves), MOVE_FIELDS);
  const products = await productCodesById(rpc, moves.map((m) => m.product));
  const documents: PurchaseOrder[] = [];
  for (const purchase of records) {
    const facility = facilityOf(options, purchase.warehouse === null ? undefined : warehouses.get(purchase.warehouse));
    const own = moves.filter((m) => purchase.moves.includes(m.id));
    if (!facility || own.some((m) => m.state === 'done') || !own.some(expected)) continue;
    const numbering = await lineNumbers(rpc, 'purchase.line', purchase.lines);
    const lines = own.filter(expected).map((move) => ({
      lineNumber: numbering.get(Number(move.origin!.split(',')[1])) ?? `move-${move.id}`,
      sku: products.get(move.product)!.code,
      description: products.get(move.product)!.name,
      quantity: normaliseDecimal(String(move.quantity)),
      uom: canonicalUnit(options, move['uom.'].symbol),
    })).sort((a, b) => Number(a.lineNumber) - Number(b.lineNumber));
    const planned = own.map((m) => m.planned_date?.iso).filter((d): d is string => Boolean(d)).sort()[0];
    documents.push(purchaseOrder.parse({
      type: 'purchase_order',
      ...envelope(options, rpc.database, 'purchase.purchase', purchase.id, lastChange(purchase), purchase.number),
      entityKey: entityKeyFor({ type: 'purchase_order', poNumber: purchase.number }),
      references: purchase.reference ? [{ qualifier: REFERENCE_QUALIFIERS.supplierOrder, value: purchase.reference }] : [],
      poNumber: purchase.number,
      facility,
      supplier: { code: purchase['party.'].code ?? undefined, name: purchase['party.'].name },
      expectedDate: planned,
      lines,
    }));
  }
  return { documents, nextCursor };
}

const SHIPMENT_IN = 'stock.shipment.in';

/**
 * Applies a warehouse receipt to the purchase it names: a supplier shipment is made from the
 * purchase's expected moves with the received quantities and lots, then received and done.
 * A short receipt leaves Tryton's own backorder move on the purchase. The receipt number is the
 * supplier shipment's reference, so a redelivery finds it and changes nothing.
 */
export async function applyReceipt(rpc: TrytonRpc, document: Receipt, options: TrytonOptions): Promise<WriteResult> {
  if (!document.poNumber) throw rejected(`receipt ${document.receiptNumber} names no purchase order; Tryton receives against purchases only`);
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const [existing] = await rpc.searchRead<{ id: number; number: string; state: string }>(SHIPMENT_IN,
    [['reference', '=', document.receiptNumber], ['warehouse', '=', warehouse.id]], ['number', 'state']);
  if (existing) return finishReceipt(rpc, existing);

  const [purchase] = await rpc.searchRead<{ id: number; number: string; party: number; lines: number[]; moves: number[] }>(
    'purchase.purchase', [['number', '=', document.poNumber]], ['number', 'party', 'lines', 'moves']);
  if (!purchase) throw rejected(`Tryton has no purchase ${document.poNumber}`);
  const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
  document.lines.forEach((line, i) => requireUnit(products.get(line.sku)!, line.uom, `receipt ${document.receiptNumber} line ${i + 1}`));
  const moves = (await rpc.read<MoveRow>('stock.move', purchase.moves, MOVE_FIELDS)).filter(expected);
  const numbering = await lineNumbers(rpc, 'purchase.line', purchase.lines);
  const openLines: OpenLine[] = [...numbering].map(([lineId, lineNumber]) => {
    const lineMoves = moves.filter((m) => m.origin === `purchase.line,${lineId}`);
    return { lineId, lineNumber, productId: lineMoves[0]?.product ?? -1, open: lineMoves.reduce((s, m) => s.plus(m.quantity), new Big(0)) };
  }).filter((l) => l.productId !== -1);
  const plans = planLines(purchase.number, openLines, document.lines.map((l) => ({
    lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity,
    lots: l.lot ? [{ lot: l.lot, quantity: l.quantity, ...(l.expiryDate ? { expiryDate: l.expiryDate } : {}) }] : [],
  })), products);

  const received: number[] = [];
  for (const plan of plans.values()) {
    const lineMoves = moves.filter((m) => m.origin === `purchase.line,${plan.lineId}`).sort((a, b) => a.id - b.id);
    for (const [i, part] of plan.lots.entries()) {
      const lot = part.lot ? await lotFor(rpc, lineMoves[0]!.product, part.lot, part.expiryDate) : null;
      const values = { quantity: part.quantity.toNumber(), lot };
      if (lineMoves[i]) {
        await rpc.write('stock.move', [lineMoves[i]!.id], values);
        received.push(lineMoves[i]!.id);
      } else {
        received.push(...await rpc.call<number[]>('model.stock.move.copy', [[lineMoves[0]!.id], values]));
      }
    }
  }
  const [shipmentId] = await rpc.create(SHIPMENT_IN, [{
    supplier: purchase.party,
    warehouse: warehouse.id,
    reference: document.receiptNumber,
    // occurredAt is when the goods came in at the dock; receivedAt is only when Causeway heard of it.
    effective_date: effectiveDate(document.occurredAt),
    incoming_moves: [['add', received]],
  }]);
  const [shipment] = await rpc.read<{ id: number; number: string; state: string }>(SHIPMENT_IN, [shipmentId!], ['number', 'state']);
  return finishReceipt(rpc, shipment!);
}

async function finishReceipt(rpc: TrytonRpc, shipment: { id: number; number: string; state: string }): Promise<WriteResult> {
  if (shipment.state === 'draft') await rpc.button(SHIPMENT_IN, 'receive', [shipment.id]);
  const state = await requireState(rpc, SHIPMENT_IN, shipment.id, ['received', 'done'], `receiving supplier shipment ${shipment.number}`);
  if (state === 'received') {
    await rpc.button(SHIPMENT_IN, 'done', [shipment.id]);
    await requireState(rpc, SHIPMENT_IN, shipment.id, ['done'], `finishing supplier shipment ${shipment.number}`);
  }
  return { partnerRef: shipment.number };
}
