/**
 * Tryton's stock engine as the warehouse: what Causeway sends it. A sales order becomes a customer
 * shipment to pick, expected inbound a supplier shipment to receive, an item a product. No sale or
 * purchase is made: the warehouse database runs the stock modules only, and the shipments carry
 * our order or purchase number as their reference, which is also how a redelivery finds them.
 *
 * The order's lines travel with the shipment as a note ("Causeway order <number>", one line per
 * order line): Tryton's moves have no place for our line numbers, and the warehouse's shipments
 * read back need them, whatever the operator did to the moves meanwhile.
 */
import Big from 'big.js';
import { backorderReference, type Item, type OrderCancel, type PurchaseOrder, type SalesOrder } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { rejected, waiting } from './errors.ts';
import { requireState, warehouseForFacility, type WarehouseLocations } from './lookup.ts';
import { DEFAULT_UNITS, type TrytonOptions } from './options.ts';
import type { TrytonRpc } from './rpc.ts';
import { TrytonDate, TrytonDecimal } from './values.ts';
import type { WriteResult } from './write-shipment.ts';

const SHIPMENT_OUT = 'stock.shipment.out';
const SHIPMENT_IN = 'stock.shipment.in';
/** Customer shipments the warehouse may still cancel: nothing has been picked yet. */
const BEFORE_PICKING = ['draft', 'waiting', 'assigned'];
const PICKED = ['picked', 'packed'];

export const WMS_ORDER_ACCESS: TrytonAccess = {
  read: [SHIPMENT_OUT, 'stock.move', 'stock.location', 'product.product', 'party.party', 'party.address', 'ir.note'],
  create: [SHIPMENT_OUT, 'stock.move', 'party.party', 'party.address', 'ir.note'],
  write: [SHIPMENT_OUT, 'stock.move', 'ir.note'],
  delete: ['stock.move'],
  buttons: [[SHIPMENT_OUT, 'wait'], [SHIPMENT_OUT, 'draft']],
};
export const WMS_CANCEL_ACCESS: TrytonAccess = { read: [SHIPMENT_OUT, 'stock.location'], buttons: [[SHIPMENT_OUT, 'cancel']] };
export const WMS_INBOUND_ACCESS: TrytonAccess = {
  read: [SHIPMENT_IN, 'stock.move', 'stock.location', 'product.product', 'party.party', 'ir.note'],
  create: [SHIPMENT_IN, 'stock.move', 'party.party', 'ir.note'],
};
export const WMS_ITEM_ACCESS: TrytonAccess = {
  read: ['product.product', 'product.template', 'product.uom'],
  create: ['product.template', 'product.product'],
  write: ['product.template'],
};

/** One order or purchase line as the note on its shipment keeps it. */
export interface NotedLine {
  lineNumber: string;
  sku: string;
  quantity: string;
  uom: string;
}

const ORDER_MARKER = 'Causeway order';
const INBOUND_MARKER = 'Causeway expected receipt';

function lineNote(marker: string, number: string, lines: NotedLine[]): string {
  return [`${marker} ${number}`, ...lines.map((l) => `line ${l.lineNumber}: ${l.quantity} ${l.uom} of ${l.sku}`)].join('\n');
}

/** The lines a note of `lineNote` lists; undefined when the text is no such note. */
export function parseLineNote(marker: 'order' | 'inbound', text: string): NotedLine[] | undefined {
  const [head, ...rest] = text.split('\n');
  if (!head?.startsWith(marker === 'order' ? ORDER_MARKER : INBOUND_MARKER)) return undefined;
  return rest.map((l) => /^line (.+?): (\S+) (\S+) of (.+)$/.exec(l)).filter((m) => m !== null)
    .map((m) => ({ lineNumber: m[1]!, quantity: m[2]!, uom: m[3]!, sku: m[4]! }));
}

/** The noted lines of shipments (all notes of them that are ours, first note first). */
export async function notedLines(rpc: TrytonRpc, model: string, shipmentIds: number[], marker: 'order' | 'inbound'): Promise<NotedLine[]> {
  if (shipmentIds.length === 0) return [];
  const notes = await rpc.searchRead<{ message: string }>('ir.note', [['resource', 'in', shipmentIds.map((id) => `${model},${id}`)]], ['message'],
    { order: [['id', 'ASC']] });
  for (const note of notes) {
    const lines = parseLineNote(marker, note.message);
    if (lines) return lines;
  }
  return [];
}

interface WarehouseProduct {
  id: number;
  uomId: number;
  symbol: string;
}

/**
 * The warehouse's products for these SKUs. One it does not know is not refused: its item travels
 * on a flow of its own and may simply not have arrived yet, so the document is tried again later.
 */
async function productsFor(rpc: TrytonRpc, options: TrytonOptions, lines: Array<{ sku: string; uom: string }>, what: string): Promise<Map<string, WarehouseProduct>> {
  const skus = [...new Set(lines.map((l) => l.sku))];
  const rows = await rpc.searchRead<{ id: number; code: string; 'default_uom.': { id: number; symbol: string } }>(
    'product.product', [['code', 'in', skus]], ['code', 'default_uom.symbol']);
  const found = new Map(rows.map((r) => [r.code, { id: r.id, uomId: r['default_uom.'].id, symbol: r['default_uom.'].symbol }]));
  const missing = skus.filter((s) => !found.has(s));
  if (missing.length > 0) throw waiting(`${what}: the warehouse has no product ${missing.join(', ')} yet (its item has not been applied); tried again later`);
  for (const [i, line] of lines.entries()) {
    const product = found.get(line.sku)!;
    if (canonicalOf(options, product.symbol) !== line.uom) {
      throw rejected(`${what} line ${i + 1}: ${line.sku} is counted in ${canonicalOf(options, product.symbol)} in the warehouse, the document says ${line.uom}`);
    }
  }
  return found;
}

function canonicalOf(options: TrytonOptions, symbol: string): string {
  return options.units?.[symbol] ?? DEFAULT_UNITS[symbol] ?? symbol.toUpperCase();
}

/** The Tryton unit symbol of a canonical unit: the configured units first, then Tryton's own. */
function symbolOf(options: TrytonOptions, uom: string): string {
  const configured = Object.entries(options.units ?? {}).find(([, canonical]) => canonical === uom)?.[0];
  return configured ?? Object.entries(DEFAULT_UNITS).find(([, canonical]) => canonical === uom)?.[0] ?? uom.toLowerCase();
}

async function companyCurrency(rpc: TrytonRpc): Promise<{ company: number; currency: number }> {
  const company = (await rpc.context()).company as number | undefined;
  if (!company) throw rejected(`the Tryton user ${rpc.user} has no current company in the warehouse database`);
  const [row] = await rpc.read<{ currency: number }>('company.company', [company], ['currency']);
  return { company, currency: row!.currency };
}

/** A party by code (else by name), made when the warehouse does not know it yet. */
async function partyFor(rpc: TrytonRpc, party: { code?: string | undefined; name?: string | undefined } | undefined, fallback: string): Promise<number> {
  const code = party?.code;
  const name = party?.name ?? code ?? fallback;
  const [existing] = await rpc.search('party.party', code ? [['code', '=', code]] : [['name', '=', name]], { limit: 1, order: [['id', 'ASC']] });
  if (existing !== undefined) return existing;
  const [created] = await rpc.create('party.party', [{ name, ...(code ? { code } : {}) }]);
  return created!;
}

async function addressFor(rpc: TrytonRpc, party: number, address: SalesOrder['shipTo']): Promise<number> {
  const street = address.lines.join('\n');
  const values: Record<string, unknown> = { party, name: address.name ?? null, street, city: address.city ?? null, postal_code: address.postalCode ?? null };
  const [existing] = await rpc.search('party.address', [['party', '=', party], ['street', '=', street], ['city', '=', values.city], ['postal_code', '=', values.postal_code]], { limit: 1 });
  if (existing !== undefined) return existing;
  if (address.country) {
    const [country] = await rpc.search('country.country', [['code', '=', address.country]], { limit: 1 });
    if (country !== undefined) values.country = country;
  }
  const [created] = await rpc.create('party.address', [values]);
  return created!;
}

async function locationOf(rpc: TrytonRpc, party: number, field: 'customer_location' | 'supplier_location', type: 'customer' | 'supplier'): Promise<number> {
  const [row] = await rpc.read<Record<string, number | null>>('party.party', [party], [field]);
  if (row?.[field]) return row[field] as number;
  const [location] = await rpc.search('stock.location', [['type', '=', type]], { limit: 1, order: [['id', 'ASC']] });
  if (location === undefined) throw rejected(`the warehouse has no ${type} location`);
  return location;
}

function today(): TrytonDate {
  return new TrytonDate(new Date().toISOString().slice(0, 10));
}

/**
 * A sales order becomes a customer shipment waiting to be picked, one move per order line, with
 * our order number as its reference. Delivered again, it finds that shipment and changes nothing;
 * a delivery cut short (made but not yet waiting) is finished.
 *
 * The ERP's backorder of an order (`extensions.backorder.reference`, sent once the rules found the
 * warehouse will not ship the rest unless asked) is another pick of the same order: a shipment of
 * its own with the lines left, under the same reference, so its shipment reads back as the
 * order's. Its note names the backorder, which is how a redelivery finds it.
 */
export async function applySalesOrderToWarehouse(rpc: TrytonRpc, document: SalesOrder, options: TrytonOptions): Promise<WriteResult> {
  if (!document.facility) throw rejected(`order ${document.orderNumber} names no facility; the warehouse takes orders routed to one of its facilities`);
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const backorder = backorderReference(document);
  const what = backorder === undefined ? `order ${document.orderNumber}` : `backorder ${backorder} of order ${document.orderNumber}`;
  const ofOrder = await rpc.searchRead<{ id: number; number: string; state: string }>(SHIPMENT_OUT,
    [['reference', '=', document.orderNumber], ['warehouse', '=', warehouse.id]], ['number', 'state'], { order: [['id', 'ASC']] });
  const existing = backorder === undefined ? ofOrder[0] : await pickOfNote(rpc, ofOrder, noteHead(document));
  if (existing && document.purpose === 'replace') return changeOrder(rpc, existing, document, options, warehouse);
  if (existing) return finishOrder(rpc, existing, document);

  const products = await productsFor(rpc, options, document.lines, what);
  const { company, currency } = await companyCurrency(rpc);
  const customer = await partyFor(rpc, document.customer, document.shipTo.name ?? `customer of ${document.orderNumber}`);
  const address = await addressFor(rpc, customer, document.shipTo);
  const customerLocation = await locationOf(rpc, customer, 'customer_location', 'customer');
  const planned = document.requestedShipDate ? new TrytonDate(document.requestedShipDate) : today();
  const [id] = await rpc.create(SHIPMENT_OUT, [{
    reference: document.orderNumber,
    customer,
    delivery_address: address,
    warehouse: warehouse.id,
    company,
    planned_date: planned,
    outgoing_moves: [['create', document.lines.map((line) => ({
      product: products.get(line.sku)!.id,
      uom: products.get(line.sku)!.uomId,
      quantity: Number(line.quantity),
      from_location: warehouse.output,
      to_location: customerLocation,
      planned_date: planned,
      company,
      // Moves to a customer carry a price in Tryton; the warehouse does not sell, so it is the order's or zero.
      unit_price: new TrytonDecimal(line.unitPrice ?? '0'),
      currency,
    }))]],
  }]);
  const [created] = await rpc.read<{ id: number; number: string; state: string }>(SHIPMENT_OUT, [id!], ['number', 'state']);
  return finishOrder(rpc, created!, document);
}

/** What the order's note on its pick says first: the order number, and the ERP's backorder when it is one. */
function noteHead(document: SalesOrder): string {
  const backorder = backorderReference(document);
  return backorder === undefined ? document.orderNumber : `${document.orderNumber} backorder ${backorder}`;
}

/** The pick among these whose order note starts with `head` (a backorder's own pick). */
async function pickOfNote<T extends { id: number }>(rpc: TrytonRpc, shipments: T[], head: string): Promise<T | undefined> {
  if (shipments.length === 0) return undefined;
  const notes = await rpc.searchRead<{ resource: string; message: string }>('ir.note', [['resource', 'in', shipments.map((s) => `${SHIPMENT_OUT},${s.id}`)]], ['resource', 'message']);
  const note = notes.find((n) => n.message.split('\n')[0] === `${ORDER_MARKER} ${head}`);
  return note && shipments.find((s) => note.resource === `${SHIPMENT_OUT},${s.id}`);
}

async function finishOrder(rpc: TrytonRpc, shipment: { id: number; number: string; state: string }, document: SalesOrder): Promise<WriteResult> {
  const lines = await notedLines(rpc, SHIPMENT_OUT, [shipment.id], 'order');
  if (lines.length === 0) {
    await rpc.create('ir.note', [{ resource: `${SHIPMENT_OUT},${shipment.id}`, message: lineNote(ORDER_MARKER, noteHead(document), document.lines) }]);
  }
  if (shipment.state === 'draft') {
    await rpc.button(SHIPMENT_OUT, 'wait', [shipment.id]);
    await requireState(rpc, SHIPMENT_OUT, shipment.id, ['waiting'], `releasing order ${document.orderNumber} to picking`);
  }
  return { partnerRef: shipment.number };
}

/**
 * A change to an order the warehouse has (the rules send one only when a field the warehouse uses
 * changed): while it waits to be picked, its planned date, delivery address and lines become the
 * new version's and its note is rewritten; the pick list follows (`wait` again). Once assigned or
 * later, the warehouse is working on it and the change is refused, changing nothing.
 */
async function changeOrder(rpc: TrytonRpc, shipment: { id: number; number: string; state: string }, document: SalesOrder, options: TrytonOptions, warehouse: WarehouseLocations): Promise<WriteResult> {
  if (shipment.state !== 'draft' && shipment.state !== 'waiting') {
    throw rejected(`change of order ${document.orderNumber} refused: shipment ${shipment.number} is ${shipment.state} in the warehouse, the change can no longer be applied`);
  }
  const products = await productsFor(rpc, options, document.lines, `change of order ${document.orderNumber}`);
  const [current] = await rpc.read<{ customer: number; outgoing_moves: number[] }>(SHIPMENT_OUT, [shipment.id], ['customer', 'outgoing_moves']);
  const moves = await rpc.read<{ id: number; product: number; quantity: number; to_location: number; unit_price: string | null; currency: number | null; company: number }>(
    'stock.move', current!.outgoing_moves, ['product', 'quantity', 'to_location', 'unit_price', 'currency', 'company']);
  const address = await addressFor(rpc, current!.customer, document.shipTo);
  const planned = document.requestedShipDate ? new TrytonDate(document.requestedShipDate) : today();
  // Target values per SKU: a redelivery of the same change writes the same quantities.
  const wanted = new Map<string, Big>();
  for (const line of document.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? new Big(0)).plus(line.quantity));
  const ops: unknown[] = [];
  const kept = new Set<number>();
  for (const [sku, quantity] of wanted) {
    const product = products.get(sku)!;
    const [first, ...others] = moves.filter((m) => m.product === product.id);
    if (first) {
      kept.add(first.id);
      ops.push(['write', [first.id], { quantity: quantity.toNumber(), planned_date: planned }]);
      if (others.length > 0) ops.push(['delete', others.map((m) => m.id)]);
      others.forEach((m) => kept.add(m.id));
    } else {
      const template = moves[0];
      const { company, currency } = template ? { company: template.company, currency: template.currency! } : await companyCurrency(rpc);
      ops.push(['create', [{
        product: product.id, uom: product.uomId, quantity: quantity.toNumber(), from_location: warehouse.output,
        to_location: template?.to_location ?? await locationOf(rpc, current!.customer, 'customer_location', 'customer'),
        planned_date: planned, company, unit_price: new TrytonDecimal('0'), currency,
      }]]);
    }
  }
  const gone = moves.filter((m) => !kept.has(m.id)).map((m) => m.id);
  if (gone.length > 0) ops.push(['delete', gone]);
  if (shipment.state === 'waiting') await rpc.button(SHIPMENT_OUT, 'draft', [shipment.id]);
  await rpc.write(SHIPMENT_OUT, [shipment.id], { planned_date: planned, delivery_address: address, outgoing_moves: ops });
  const notes = await rpc.searchRead<{ id: number; message: string }>('ir.note', [['resource', '=', `${SHIPMENT_OUT},${shipment.id}`]], ['message']);
  const ours = notes.filter((n) => parseLineNote('order', n.message));
  const message = lineNote(ORDER_MARKER, noteHead(document), document.lines);
  if (ours[0]) await rpc.write('ir.note', [ours[0].id], { message });
  else await rpc.create('ir.note', [{ resource: `${SHIPMENT_OUT},${shipment.id}`, message }]);
  return finishOrder(rpc, { ...shipment, state: 'draft' }, document);
}

/**
 * A cancel is taken while nothing of the order has been picked: its open customer shipments (the
 * order, and any backorder of it) are cancelled. Once picking has started, or when the order has
 * shipped, the warehouse refuses it and changes nothing; the warehouse's shipment, read back, is
 * what tells the rules the cancel came too late.
 */
export async function applyOrderCancelToWarehouse(rpc: TrytonRpc, document: OrderCancel, options: TrytonOptions): Promise<WriteResult> {
  if (document.lines.length > 0) {
    throw rejected(`cancel of ${document.lines.length === 1 ? 'a line' : 'lines'} of order ${document.orderNumber}: the Tryton warehouse takes cancels of whole orders only`);
  }
  const domain: unknown[] = [['reference', '=', document.orderNumber]];
  if (document.facility) domain.push(['warehouse', '=', (await warehouseForFacility(rpc, options, document.facility)).id]);
  const shipments = await rpc.searchRead<{ id: number; number: string; state: string }>(SHIPMENT_OUT, domain, ['number', 'state'], { order: [['id', 'ASC']] });
  if (shipments.length === 0) throw rejected(`cancel of order ${document.orderNumber}: the warehouse has no such order`);
  const listed = (states: string[]) => shipments.filter((s) => states.includes(s.state)).map((s) => s.number).join(', ');
  if (shipments.some((s) => PICKED.includes(s.state))) {
    throw rejected(`cancel of order ${document.orderNumber} refused: picking has started (shipment ${listed(PICKED)}); nothing was cancelled`);
  }
  const open = shipments.filter((s) => BEFORE_PICKING.includes(s.state));
  if (open.length === 0) {
    if (shipments.some((s) => s.state === 'done')) throw rejected(`cancel of order ${document.orderNumber} refused: shipped (shipment ${listed(['done'])})`);
    return { partnerRef: shipments[0]!.number }; // cancelled already: a redelivery
  }
  await rpc.button(SHIPMENT_OUT, 'cancel', open.map((s) => s.id));
  for (const s of open) await requireState(rpc, SHIPMENT_OUT, s.id, ['cancelled'], `cancelling order ${document.orderNumber}`);
  return { partnerRef: open.map((s) => s.number).join(',') };
}

/**
 * Expected inbound (a purchase order or an ASN) becomes a draft supplier shipment in the
 * warehouse's input zone, with the purchase number as its reference; the operator receives it.
 */
export async function applyPurchaseOrderToWarehouse(rpc: TrytonRpc, document: PurchaseOrder, options: TrytonOptions): Promise<WriteResult> {
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const what = `expected receipt ${document.poNumber}`;
  const [existing] = await rpc.searchRead<{ id: number; number: string }>(SHIPMENT_IN,
    [['reference', '=', document.poNumber], ['warehouse', '=', warehouse.id]], ['number'], { order: [['id', 'ASC']] });
  if (existing) return noteInbound(rpc, existing, document);
  const products = await productsFor(rpc, options, document.lines, what);
  const { company, currency } = await companyCurrency(rpc);
  const supplier = await partyFor(rpc, document.supplier, `supplier of ${document.poNumber}`);
  const supplierLocation = await locationOf(rpc, supplier, 'supplier_location', 'supplier');
  const planned = document.expectedDate ? new TrytonDate(document.expectedDate) : today();
  const [id] = await rpc.create(SHIPMENT_IN, [{
    reference: document.poNumber,
    supplier,
    warehouse: warehouse.id,
    company,
    planned_date: planned,
    incoming_moves: [['create', document.lines.map((line) => movesOfInbound(line, products, { from: supplierLocation, warehouse, company, currency, planned })).flat()]],
  }]);
  const [created] = await rpc.read<{ id: number; number: string }>(SHIPMENT_IN, [id!], ['number']);
  return noteInbound(rpc, created!, document);
}

/** One move per expected line, or per lot when the ASN names them. */
function movesOfInbound(line: PurchaseOrder['lines'][number], products: Map<string, WarehouseProduct>, at: { from: number; warehouse: WarehouseLocations; company: number; currency: number; planned: TrytonDate }) {
  const product = products.get(line.sku)!;
  const base = {
    product: product.id, uom: product.uomId, from_location: at.from, to_location: at.warehouse.input,
    planned_date: at.planned, company: at.company, unit_price: new TrytonDecimal('0'), currency: at.currency,
  };
  const lotted = line.lots.reduce((sum, l) => sum.plus(l.quantity), new Big(0));
  if (line.lots.length === 0 || !lotted.eq(line.quantity)) return [{ ...base, quantity: Number(line.quantity) }];
  // The lots' numbers are the supplier's word; the operator sets the lot received on each move.
  return line.lots.map((l) => ({ ...base, quantity: Number(l.quantity) }));
}

async function noteInbound(rpc: TrytonRpc, shipment: { id: number; number: string }, document: PurchaseOrder): Promise<WriteResult> {
  if ((await notedLines(rpc, SHIPMENT_IN, [shipment.id], 'inbound')).length === 0) {
    await rpc.create('ir.note', [{ resource: `${SHIPMENT_IN},${shipment.id}`, message: lineNote(INBOUND_MARKER, document.poNumber, document.lines) }]);
  }
  return { partnerRef: shipment.number };
}

/**
 * An item becomes (or updates) a stock product with the SKU as its code, counted in the item's
 * base unit; lot tracking makes Tryton ask for a lot on every receipt, pick and count of it.
 */
export async function applyItemToWarehouse(rpc: TrytonRpc, document: Item, options: TrytonOptions): Promise<WriteResult> {
  const symbol = symbolOf(options, document.baseUom);
  const [uom] = await rpc.search('product.uom', [['symbol', '=', symbol]], { limit: 1, order: [['id', 'ASC']] });
  if (uom === undefined) throw rejected(`item ${document.sku}: the warehouse has no unit ${symbol} for ${document.baseUom}; map it in units`);
  const values: Record<string, unknown> = {
    name: document.description ?? document.sku,
    active: document.active,
    lot_required: document.lotTracked ? ['supplier', 'customer', 'storage'] : [],
  };
  const [existing] = await rpc.searchRead<{ id: number; template: number; 'default_uom.': { id: number } }>('product.product',
    [['code', '=', document.sku], ['active', 'in', [true, false]]], ['template', 'default_uom.id'], { limit: 1 });
  if (existing) {
    if (existing['default_uom.'].id !== uom) throw rejected(`item ${document.sku}: the warehouse counts it in another unit than ${document.baseUom}; Tryton cannot change a product's unit once it has moved`);
    await rpc.write('product.template', [existing.template], values);
    return { partnerRef: document.sku };
  }
  await rpc.create('product.template', [{
    ...values, code: document.sku, type: 'goods', default_uom: uom, list_price: new TrytonDecimal('0'),
    products: [['create', [{}]]],
  }]);
  return { partnerRef: document.sku };
}
