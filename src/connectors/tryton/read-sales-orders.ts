import { entityKeyFor, normaliseDecimal, orderCancel, salesOrder, type Address, type OrderCancel, type SalesOrder } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { lastChange, readChangedSince, type ChangedRecord } from './cursor.ts';
import { envelope } from './envelope.ts';
import { SHORT_CLOSED_REFERENCE } from './short-close.ts';
import { productCodesById, warehouseCodesById } from './lookup.ts';
import { canonicalUnit, facilityOf, REFERENCE_QUALIFIERS, type TrytonOptions } from './options.ts';
import type { ReadResult } from './read-items.ts';
import type { TrytonRpc } from './rpc.ts';
import type { TrytonDate } from './values.ts';
import type { StockMoveRow } from './rows.ts';

interface ShipmentRow extends ChangedRecord {
  number: string;
  state: string;
  reference: string | null;
  warehouse: number;
  planned_date: TrytonDate | null;
  delivery_address: number;
  carrier: number | null;
  outgoing_moves: number[];
}

interface SaleRow {
  id: number;
  number: string;
  reference: string | null;
  description: string | null;
  comment: string | null;
  shipments: number[];
  shipping_date: TrytonDate | null;
  lines: number[];
  'party.': { code: string | null; name: string };
}

interface MoveRow extends StockMoveRow {
  'uom.': { symbol: string };
}

/**
 * Canonical line numbers of a sale or purchase: the position of the line among its lines in
 * Tryton's own order (sequence, then id). Confirmed orders cannot change lines, so the numbers
 * stay stable between the order sent to the warehouse and the confirmations coming back.
 */
export async function lineNumbers(rpc: TrytonRpc, model: 'sale.line' | 'purchase.line', lineIds: number[]): Promise<Map<number, string>> {
  const lines = await rpc.read<{ id: number; sequence: number | null; type: string }>(model, lineIds, ['sequence', 'type']);
  const ordered = lines
    .filter((l) => l.type === 'line')
    .sort((a, b) => (a.sequence ?? Number.MAX_SAFE_INTEGER) - (b.sequence ?? Number.MAX_SAFE_INTEGER) || a.id - b.id);
  return new Map(ordered.map((l, index) => [l.id, String(index + 1)]));
}

function originId(origin: string | null, model: string): number | undefined {
  if (!origin?.startsWith(`${model},`)) return undefined;
  return Number(origin.slice(model.length + 1));
}

/** The sale a customer shipment came from, through its outgoing moves' sale lines. */
async function salesOfShipments(rpc: TrytonRpc, shipments: ShipmentRow[]): Promise<{ moves: Map<number, MoveRow>; saleOfShipment: Map<number, SaleRow> }> {
  const moves = await rpc.read<MoveRow>('stock.move', shipments.flatMap((s) => s.outgoing_moves), ['product', 'quantity', 'origin', 'state', 'uom.symbol']);
  const moveById = new Map(moves.map((m) => [m.id, m]));
  const saleLineIds = moves.map((m) => originId(m.origin, 'sale.line')).filter((id) => id !== undefined);
  const saleLines = await rpc.read<{ id: number; sale: number }>('sale.line', [...new Set(saleLineIds)], ['sale']);
  const saleIdOfLine = new Map(saleLines.map((l) => [l.id, l.sale]));
  const sales = await rpc.read<SaleRow>('sale.sale', [...new Set(saleLines.map((l) => l.sale))],
    ['number', 'reference', 'description', 'comment', 'shipments', 'shipping_date', 'lines', 'party.code', 'party.name']);
  const saleById = new Map(sales.map((s) => [s.id, s]));
  const saleOfShipment = new Map<number, SaleRow>();
  for (const shipment of shipments) {
    for (const moveId of shipment.outgoing_moves) {
      const lineId = originId(moveById.get(moveId)?.origin ?? null, 'sale.line');
      const sale = lineId === undefined ? undefined : saleById.get(saleIdOfLine.get(lineId) ?? -1);
      if (sale) saleOfShipment.set(shipment.id, sale);
    }
  }
  return { moves: moveById, saleOfShipment };
}

async function addressOf(rpc: TrytonRpc, addressId: number): Promise<Address> {
  const [row] = await rpc.read<{ party_name: string | null; name: string | null; street: string | null; city: string | null; postal_code: string | null; 'country.': { code: string | null } | null; 'subdivision.': { code: string | null } | null; 'party.': { name: string } }>(
    'party.address', [addressId], ['party_name', 'name', 'street', 'city', 'postal_code', 'country.code', 'subdivision.code', 'party.name']);
  if (!row) return { lines: [] };
  const region = row['subdivision.']?.code?.split('-').pop();
  return {
    name: row.party_name || row.name || row['party.'].name,
    company: row['party.'].name,
    lines: (row.street ?? '').split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 4),
    city: row.city ?? undefined,
    region: region ?? undefined,
    postalCode: row.postal_code ?? undefined,
    country: row['country.']?.code ?? undefined,
  };
}

const SHIPMENT_FIELDS = ['number', 'state', 'reference', 'warehouse', 'planned_date', 'delivery_address', 'carrier', 'outgoing_moves'];

/** What an order and its cancel say alike: the customer shipment they come from and the sale's number. */
function orderHead<T extends 'sales_order' | 'order_cancel'>(type: T, rpc: TrytonRpc, options: TrytonOptions, shipment: ShipmentRow, sale: SaleRow) {
  return {
    type,
    ...envelope(options, rpc.database, 'stock.shipment.out', shipment.id, lastChange(shipment), shipment.number),
    entityKey: entityKeyFor({ type, orderNumber: sale.number }),
    references: [{ qualifier: options.shipmentReferenceQualifier ?? REFERENCE_QUALIFIERS.shipment, value: shipment.number }],
    orderNumber: sale.number,
  };
}

/** What reading sales orders and cancels asks of the Tryton user. */
export const SALES_ORDER_ACCESS: TrytonAccess = {
  read: ['stock.shipment.out', 'stock.move', 'sale.sale', 'sale.line', 'stock.location', 'product.product', 'carrier', 'party.address'],
};
export const ORDER_CANCEL_ACCESS: TrytonAccess = { read: ['stock.shipment.out', 'stock.move', 'sale.sale', 'sale.line', 'stock.location'] };

/**
 * What a customer shipment is to its sale: the sale's first shipment is the `order`; a later one,
 * once an earlier shipment of the sale is done, is Tryton's `backorder` for the rest; any other
 * later one was `remade` after a cancel. Reads the states of the shipments of sales with more
 * than one, in one call.
 */
async function shipmentRoles(rpc: TrytonRpc, saleOfShipment: Map<number, SaleRow>): Promise<(sale: SaleRow, shipment: ShipmentRow) => 'order' | 'backorder' | 'remade'> {
  const siblings = [...new Set([...saleOfShipment.values()].filter((sale) => sale.shipments.length > 1).flatMap((sale) => sale.shipments))];
  const stateOf = siblings.length === 0 ? new Map<number, string>()
    : new Map((await rpc.read<{ id: number; state: string }>('stock.shipment.out', siblings, ['state'])).map((s) => [s.id, s.state]));
  return (sale, shipment) => {
    if (Math.min(...sale.shipments) === shipment.id) return 'order';
    return sale.shipments.some((id) => id !== shipment.id && stateOf.get(id) === 'done') ? 'backorder' : 'remade';
  };
}

/**
 * Sales orders for the warehouse: a confirmed sale's customer shipment waiting to be picked.
 * The sale's first shipment is the order. A later one, once an earlier shipment of the sale is
 * done, is Tryton's backorder for the rest of a partial shipment: it goes as an order of the same
 * number with what is left, marked `extensions.backorder.reference` (its shipment number), and
 * the rules step decides whether the warehouse must be sent it. Any other later shipment (one
 * remade after a cancel) is no order for the warehouse.
 */
export async function readSalesOrders(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<SalesOrder>> {
  const { records, nextCursor } = await readChangedSince<ShipmentRow>(rpc, 'stock.shipment.out', cursor,
    SHIPMENT_FIELDS,
    // A shipment with a reference carries the warehouse's shipment number: its confirmation is
    // being applied (or a Tryton user marked it handled), so it is no order for the warehouse.
    options.pageSize ?? 100, [['state', 'in', ['waiting', 'assigned']], ['reference', '=', null]]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const { moves, saleOfShipment } = await salesOfShipments(rpc, records);
  const roleOf = await shipmentRoles(rpc, saleOfShipment);
  const products = await productCodesById(rpc, [...moves.values()].map((m) => m.product));
  const carriers = await rpc.read<{ id: number; 'party.': { code: string | null; name: string } }>('carrier',
    [...new Set(records.map((s) => s.carrier).filter((c) => c !== null))], ['party.code', 'party.name']);
  const carrierById = new Map(carriers.map((c) => [c.id, c]));

  const documents: SalesOrder[] = [];
  for (const shipment of records) {
    const sale = saleOfShipment.get(shipment.id);
    const facility = facilityOf(options, warehouses.get(shipment.warehouse));
    if (!sale || !facility) continue; // not from a sale, or a warehouse Causeway does not serve
    const role = roleOf(sale, shipment);
    if (role === 'remade') continue;
    const backorder = role === 'backorder';
    const numbering = await lineNumbers(rpc, 'sale.line', sale.lines);
    const lines = shipment.outgoing_moves.map((id) => moves.get(id)).filter((m) => m !== undefined && m.state !== 'cancelled').map((move) => {
      const saleLine = originId(move!.origin, 'sale.line') ?? -1;
      const product = products.get(move!.product)!;
      return {
        lineNumber: numbering.get(saleLine) ?? `move-${move!.id}`,
        sku: product.code,
        description: product.name,
        quantity: normaliseDecimal(String(move!.quantity)),
        uom: canonicalUnit(options, move!['uom.'].symbol),
      };
    }).sort((a, b) => Number(a.lineNumber) - Number(b.lineNumber));
    if (lines.length === 0) continue;
    const carrier = shipment.carrier === null ? undefined : carrierById.get(shipment.carrier);
    const scac = carrier?.['party.'].code ?? undefined;
    documents.push(salesOrder.parse({
      ...orderHead('sales_order', rpc, options, shipment, sale),
      customerOrderNumber: sale.reference ?? undefined,
      facility,
      customer: { code: sale['party.'].code ?? undefined, name: sale['party.'].name },
      shipTo: await addressOf(rpc, shipment.delivery_address),
      carrier: carrier ? { code: carrier['party.'].code ?? carrier['party.'].name, ...(scac && /^[A-Z0-9]{2,4}$/.test(scac) ? { scac } : {}) } : undefined,
      requestedShipDate: (shipment.planned_date ?? sale.shipping_date)?.iso,
      notes: [sale.description, sale.comment].filter((n): n is string => Boolean(n)),
      lines,
      ...(backorder ? { extensions: { backorder: { reference: shipment.number } } } : {}),
    }));
  }
  return { documents, nextCursor };
}

/**
 * Order cancellations: a sale's customer shipment cancelled in Tryton. Tryton cancels a confirmed
 * sale by cancelling its shipment, and what a cancelled shipment held is what is left of the
 * order, so the cancel carries no lines: it cancels whatever the warehouse still has open.
 * A backorder the connector cancelled for a warehouse's short-close is no cancel for the warehouse.
 */
export async function readOrderCancels(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<OrderCancel>> {
  const { records, nextCursor } = await readChangedSince<ShipmentRow>(rpc, 'stock.shipment.out', cursor,
    SHIPMENT_FIELDS,
    options.pageSize ?? 100, [['state', '=', 'cancelled']]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const { saleOfShipment } = await salesOfShipments(rpc, records);
  const roleOf = await shipmentRoles(rpc, saleOfShipment);
  const documents: OrderCancel[] = [];
  for (const shipment of records) {
    const sale = saleOfShipment.get(shipment.id);
    const facility = facilityOf(options, warehouses.get(shipment.warehouse));
    if (!sale || !facility) continue;
    // A backorder cancelled because the warehouse closed the order short: nothing to cancel there.
    if (shipment.reference === SHORT_CLOSED_REFERENCE) continue;
    documents.push(orderCancel.parse({
      ...orderHead('order_cancel', rpc, options, shipment, sale),
      facility,
      reason: `customer shipment ${shipment.number} cancelled in Tryton`,
      lines: [],
      // A cancelled backorder cancels that backorder at the warehouse, not the order it came from.
      ...(roleOf(sale, shipment) === 'backorder' ? { extensions: { backorder: { reference: shipment.number } } } : {}),
    }));
  }
  return { documents, nextCursor };
}
