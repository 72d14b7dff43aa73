/**
 * Tryton's stock engine as the warehouse: what Causeway reads from it, each by its own change
 * cursor like the ERP's reads. A customer shipment done is a shipment confirmation, a supplier
 * shipment done a receipt, an inventory done a cycle count (what it changed). Shipments and
 * receipts Causeway did not send (no reference) are skipped.
 */
import Big from 'big.js';
import { entityKeyFor, inventoryAdjustment, normaliseDecimal, receipt, shipment, type InventoryAdjustment, type Receipt, type Shipment } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { lastChange, readChangedSince, type ChangedRecord } from './cursor.ts';
import { envelope } from './envelope.ts';
import { lotNumbersById, productCodesById, warehouseCodesById } from './lookup.ts';
import { canonicalUnit, facilityOf, type TrytonOptions } from './options.ts';
import type { ReadResult } from './read-items.ts';
import type { TrytonRpc } from './rpc.ts';
import { notedLines, type NotedLine } from './wms-write.ts';

const SHIPMENT_OUT = 'stock.shipment.out';
const SHIPMENT_IN = 'stock.shipment.in';
const OPEN_OUT = ['draft', 'waiting', 'assigned', 'picked', 'packed'];
const OPEN_IN = ['draft', 'received'];

export const WMS_SHIPMENT_ACCESS: TrytonAccess = { read: [SHIPMENT_OUT, 'stock.move', 'stock.location', 'product.product', 'stock.lot', 'stock.package', 'ir.note'] };
export const WMS_RECEIPT_ACCESS: TrytonAccess = { read: [SHIPMENT_IN, 'stock.move', 'stock.location', 'product.product', 'stock.lot', 'ir.note'] };
export const WMS_COUNT_ACCESS: TrytonAccess = { read: ['stock.inventory', 'stock.inventory.line', 'stock.location', 'product.product', 'stock.lot'] };

interface ShipmentRow extends ChangedRecord {
  number: string;
  reference: string | null;
  state: string;
  warehouse: number;
}

interface MoveRow {
  id: number;
  product: number;
  quantity: number;
  state: string;
  lot: number | null;
  'uom.': { symbol: string };
}

/** Stamp of the last change, as an ISO instant: when the operator finished the shipment or receipt. */
function changedAt(record: ChangedRecord): string {
  return lastChange(record).toISOString();
}

async function siblings(rpc: TrytonRpc, model: string, references: string[]): Promise<Array<{ id: number; reference: string; state: string }>> {
  if (references.length === 0) return [];
  return rpc.searchRead<{ id: number; reference: string; state: string }>(model, [['reference', 'in', [...new Set(references)]]], ['reference', 'state'], { order: [['id', 'ASC']] });
}

/**
 * Customer shipments done: what left, per order line (by the note the order came with), with lots,
 * and packages with their tracking numbers. Complete unless another shipment of the same order
 * (a backorder) is still open in the warehouse.
 */
export async function readWarehouseShipments(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<Shipment>> {
  const { records, nextCursor } = await readChangedSince<ShipmentRow & { outgoing_moves: number[]; packages: number[] }>(rpc, SHIPMENT_OUT, cursor,
    ['number', 'reference', 'state', 'warehouse', 'outgoing_moves', 'packages'], options.pageSize ?? 100, [['state', '=', 'done'], ['reference', '!=', null]]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const all = await siblings(rpc, SHIPMENT_OUT, records.map((r) => r.reference!));
  const earlierDone = all.filter((s) => s.state === 'done');
  const earlierShipments = await rpc.read<{ id: number; outgoing_moves: number[] }>(SHIPMENT_OUT, earlierDone.map((s) => s.id), ['outgoing_moves']);
  const moves = await rpc.read<MoveRow>('stock.move', [...records, ...earlierShipments].flatMap((s) => s.outgoing_moves), ['product', 'quantity', 'state', 'lot', 'uom.symbol']);
  const moveById = new Map(moves.map((m) => [m.id, m]));
  const products = await productCodesById(rpc, moves.map((m) => m.product));
  const lots = await lotNumbersById(rpc, moves.map((m) => m.lot));
  const packages = await rpc.read<{ id: number; shipping_reference: string | null; moves: number[] }>('stock.package', records.flatMap((r) => r.packages), ['shipping_reference', 'moves']);

  const documents: Shipment[] = [];
  for (const record of records) {
    const facility = facilityOf(options, warehouses.get(record.warehouse));
    if (!facility) continue;
    const orderNumber = record.reference!;
    const ofOrder = all.filter((s) => s.reference === orderNumber);
    const noted = await notedLines(rpc, SHIPMENT_OUT, ofOrder.map((s) => s.id), 'order');
    const shippedMoves = record.outgoing_moves.map((id) => moveById.get(id)!).filter((m) => m && m.state === 'done' && m.quantity > 0);
    if (shippedMoves.length === 0) continue;
    // What earlier shipments of the order took from each line comes first: this one fills what is left.
    const before = earlierShipments.filter((s) => s.id < record.id && ofOrder.some((o) => o.id === s.id))
      .flatMap((s) => s.outgoing_moves.map((id) => moveById.get(id)!)).filter((m) => m && m.state === 'done');
    const lineOf = allocate(noted, before.map((m) => ({ sku: products.get(m.product)!.code, quantity: new Big(m.quantity) })));
    const lines = linesOf(shippedMoves, (m) => ({ sku: products.get(m.product)!.code, uom: canonicalUnit(options, m['uom.'].symbol), lot: m.lot === null ? undefined : lots.get(m.lot)?.number }), lineOf);
    const tracked = packages.filter((p) => (record.packages ?? []).includes(p.id));
    const trackingNumbers = tracked.map((p) => p.shipping_reference).filter((t): t is string => Boolean(t));
    const stamp = changedAt(record);
    documents.push(shipment.parse({
      type: 'shipment',
      ...envelope(options, rpc.database, SHIPMENT_OUT, record.id, lastChange(record), record.number),
      entityKey: entityKeyFor({ type: 'shipment', orderNumber }),
      shipmentNumber: record.number,
      orderNumber,
      facility,
      shippedAt: stamp,
      complete: !ofOrder.some((s) => s.id !== record.id && OPEN_OUT.includes(s.state)),
      trackingNumbers,
      packages: tracked.map((p) => ({
        ...(p.shipping_reference ? { trackingNumber: p.shipping_reference } : {}),
        lines: p.moves.map((id) => moveById.get(id)).filter((m) => m !== undefined && m.state === 'done' && m.quantity > 0).map((m) => {
          const sku = products.get(m!.product)!.code;
          const lot = m!.lot === null ? undefined : lots.get(m!.lot)?.number;
          return { lineNumber: lines.find((l) => l.sku === sku)!.lineNumber, sku, quantity: normaliseDecimal(String(m!.quantity)), uom: canonicalUnit(options, m!['uom.'].symbol), ...(lot ? { lot } : {}) };
        }),
      })),
      lines,
    }));
  }
  return { documents, nextCursor };
}

/** Line numbers for quantities of a SKU: each noted line in turn, up to what it ordered less what went before. */
function allocate(noted: NotedLine[], before: Array<{ sku: string; quantity: Big }>): (sku: string, quantity: Big) => Array<{ lineNumber: string; ordered?: string; quantity: Big }> {
  const left = noted.map((l) => ({ ...l, left: new Big(l.quantity) }));
  const take = (sku: string, quantity: Big) => {
    const out: Array<{ lineNumber: string; ordered?: string; quantity: Big }> = [];
    let rest = quantity;
    const candidates = left.filter((l) => l.sku === sku);
    for (const line of candidates) {
      if (rest.lte(0)) break;
      const q = rest.gt(line.left) ? line.left : rest;
      if (q.lte(0)) continue;
      out.push({ lineNumber: line.lineNumber, ordered: line.quantity, quantity: q });
      line.left = line.left.minus(q);
      rest = rest.minus(q);
    }
    // More than the order asked (or a SKU it did not list): on its last line, or a line of its own.
    if (rest.gt(0)) {
      const last = candidates.at(-1);
      if (last) {
        const same = out.find((o) => o.lineNumber === last.lineNumber);
        if (same) same.quantity = same.quantity.plus(rest);
        else out.push({ lineNumber: last.lineNumber, ordered: last.quantity, quantity: rest });
      } else out.push({ lineNumber: sku, quantity: rest });
    }
    return out;
  };
  for (const b of before) take(b.sku, b.quantity);
  return take;
}

interface ShippedLine {
  lineNumber: string;
  sku: string;
  quantity: string;
  uom: string;
  orderedQuantity?: string;
  lots: Array<{ lot: string; quantity: string }>;
}

/** Moves summed per SKU and lot, spread over the order's lines by `lineOf`. */
function linesOf(moves: MoveRow[], describe: (m: MoveRow) => { sku: string; uom: string; lot: string | undefined }, lineOf: ReturnType<typeof allocate>): ShippedLine[] {
  const bySku = new Map<string, { uom: string; parts: Array<{ lot: string | undefined; quantity: Big }> }>();
  for (const move of moves) {
    const { sku, uom, lot } = describe(move);
    const entry = bySku.get(sku) ?? { uom, parts: [] };
    const part = entry.parts.find((p) => p.lot === lot);
    if (part) part.quantity = part.quantity.plus(move.quantity);
    else entry.parts.push({ lot, quantity: new Big(move.quantity) });
    bySku.set(sku, entry);
  }
  const lines = new Map<string, ShippedLine>();
  for (const [sku, { uom, parts }] of bySku) {
    for (const part of parts) {
      for (const share of lineOf(sku, part.quantity)) {
        const line = lines.get(share.lineNumber) ?? { lineNumber: share.lineNumber, sku, quantity: '0', uom, ...(share.ordered ? { orderedQuantity: share.ordered } : {}), lots: [] };
        line.quantity = new Big(line.quantity).plus(share.quantity).toFixed();
        if (part.lot) line.lots.push({ lot: part.lot, quantity: share.quantity.toFixed() });
        lines.set(share.lineNumber, line);
      }
    }
  }
  return [...lines.values()].sort((a, b) => a.lineNumber.localeCompare(b.lineNumber, undefined, { numeric: true }));
}

/**
 * Supplier shipments done: what was received, one line per product and lot with its expiry, on
 * the expected line of its SKU. Short or over is the rules' to judge against what was expected.
 */
export async function readWarehouseReceipts(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<Receipt>> {
  const { records, nextCursor } = await readChangedSince<ShipmentRow & { incoming_moves: number[] }>(rpc, SHIPMENT_IN, cursor,
    ['number', 'reference', 'state', 'warehouse', 'incoming_moves'], options.pageSize ?? 100, [['state', '=', 'done'], ['reference', '!=', null]]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const all = await siblings(rpc, SHIPMENT_IN, records.map((r) => r.reference!));
  const moves = await rpc.read<MoveRow>('stock.move', records.flatMap((r) => r.incoming_moves), ['product', 'quantity', 'state', 'lot', 'uom.symbol']);
  const products = await productCodesById(rpc, moves.map((m) => m.product));
  const lots = await lotNumbersById(rpc, moves.map((m) => m.lot));
  const documents: Receipt[] = [];
  for (const record of records) {
    const facility = facilityOf(options, warehouses.get(record.warehouse));
    if (!facility) continue;
    const poNumber = record.reference!;
    const ofPurchase = all.filter((s) => s.reference === poNumber);
    const noted = await notedLines(rpc, SHIPMENT_IN, ofPurchase.map((s) => s.id), 'inbound');
    const received = moves.filter((m) => record.incoming_moves.includes(m.id) && m.state === 'done' && m.quantity > 0);
    if (received.length === 0) continue;
    const lines = new Map<string, { lineNumber?: string; sku: string; quantity: Big; uom: string; lot?: string; expiryDate?: string }>();
    for (const move of received) {
      const sku = products.get(move.product)!.code;
      const lot = move.lot === null ? undefined : lots.get(move.lot);
      const key = `${sku}/${lot?.number ?? ''}`;
      const line = lines.get(key) ?? {
        sku, quantity: new Big(0), uom: canonicalUnit(options, move['uom.'].symbol),
        ...(noted.find((l) => l.sku === sku) ? { lineNumber: noted.find((l) => l.sku === sku)!.lineNumber } : {}),
        ...(lot ? { lot: lot.number, ...(lot.expiry ? { expiryDate: lot.expiry } : {}) } : {}),
      };
      line.quantity = line.quantity.plus(move.quantity);
      lines.set(key, line);
    }
    documents.push(receipt.parse({
      type: 'receipt',
      ...envelope(options, rpc.database, SHIPMENT_IN, record.id, lastChange(record), record.number),
      entityKey: entityKeyFor({ type: 'receipt', poNumber }),
      receiptNumber: record.number,
      poNumber,
      facility,
      complete: !ofPurchase.some((s) => s.id !== record.id && OPEN_IN.includes(s.state)),
      lines: [...lines.values()].map((l) => ({ ...l, quantity: l.quantity.toFixed() })),
    }));
  }
  return { documents, nextCursor };
}

/**
 * Inventories (cycle counts) done in a mapped warehouse: each line counted away from what Tryton
 * expected is a change of stock, counted minus expected. A count that found everything as
 * expected changes nothing and is no document.
 */
export async function readWarehouseCounts(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<InventoryAdjustment>> {
  const { records, nextCursor } = await readChangedSince<ChangedRecord & { number: string | null; location: number; lines: number[] }>(rpc, 'stock.inventory', cursor,
    ['number', 'location', 'lines'], options.pageSize ?? 100, [['state', '=', 'done']]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const locations = await rpc.read<{ id: number; warehouse: number | null }>('stock.location', [...new Set(records.map((r) => r.location))], ['warehouse']);
  const lines = await rpc.read<{ id: number; product: number; lot: number | null; quantity: number | null; expected_quantity: number; 'uom.': { symbol: string } }>(
    'stock.inventory.line', records.flatMap((r) => r.lines), ['product', 'lot', 'quantity', 'expected_quantity', 'uom.symbol']);
  const products = await productCodesById(rpc, lines.map((l) => l.product));
  const lots = await lotNumbersById(rpc, lines.map((l) => l.lot));
  const documents: InventoryAdjustment[] = [];
  for (const record of records) {
    const warehouse = locations.find((l) => l.id === record.location)?.warehouse;
    const facility = facilityOf(options, warehouse === null || warehouse === undefined ? undefined : warehouses.get(warehouse));
    if (!facility) continue;
    const changes = lines.filter((l) => record.lines.includes(l.id) && l.quantity !== null && !new Big(l.quantity).eq(l.expected_quantity)).map((l) => ({
      sku: products.get(l.product)!.code,
      ...(l.lot === null ? {} : { lot: lots.get(l.lot)!.number }),
      quantity: new Big(l.quantity!).minus(l.expected_quantity).toFixed(),
      uom: canonicalUnit(options, l['uom.'].symbol),
      reason: 'cycle_count' as const,
      note: `counted ${l.quantity} where ${l.expected_quantity} was expected`,
    }));
    if (changes.length === 0) continue;
    documents.push(inventoryAdjustment.parse({
      type: 'inventory_adjustment',
      ...envelope(options, rpc.database, 'stock.inventory', record.id, lastChange(record), record.number ?? String(record.id)),
      entityKey: entityKeyFor({ type: 'inventory_adjustment', facility }),
      adjustmentNumber: record.number ?? `inventory-${record.id}`,
      facility,
      lines: changes,
    }));
  }
  return { documents, nextCursor };
}
