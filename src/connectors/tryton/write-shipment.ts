import Big from 'big.js';
import type { Shipment } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { rejected } from './errors.ts';
import { lotFor, productsBySku, requireState, requireUnit, warehouseForFacility } from './lookup.ts';
import type { TrytonOptions } from './options.ts';
import { planLines, type LinePlan, type OpenLine } from './order-lines.ts';
import { cancelBackorders } from './order-status.ts';
import { SHORT_CLOSE_PENDING } from './short-close.ts';
import { lineNumbers } from './read-sales-orders.ts';
import type { TrytonRpc } from './rpc.ts';
import { effectiveDate, TrytonDecimal } from './values.ts';
import type { StockMoveRow } from './rows.ts';

import type { WriteResult } from './write-result.ts';

export type { WriteResult };

interface ShipmentRow {
  id: number;
  number: string;
  state: string;
  reference: string | null;
  carrier: number | null;
  warehouse: number;
  outgoing_moves: number[];
  inventory_moves: number[];
}

interface MoveRow extends StockMoveRow {
  lot: number | null;
  shipment: string | null;
}

const SHIPMENT = 'stock.shipment.out';
const OPEN_STATES = ['draft', 'waiting', 'assigned', 'picked', 'packed'];

/** What applying shipment confirmations asks of the Tryton user. */
export const SHIPMENT_ACCESS: TrytonAccess = {
  read: ['sale.sale', 'sale.line', SHIPMENT, 'stock.move', 'stock.location', 'product.product', 'stock.lot', 'carrier', 'stock.package.type'],
  write: [SHIPMENT, 'stock.move'],
  create: ['stock.move', 'stock.lot', 'stock.package'],
  delete: ['stock.move'],
  buttons: [[SHIPMENT, 'wait'], [SHIPMENT, 'assign_force'], [SHIPMENT, 'pick'], [SHIPMENT, 'pack'], [SHIPMENT, 'done'], [SHIPMENT, 'cancel']],
};

/**
 * Applies a warehouse shipment confirmation to the sale's customer shipment: quantities and lots
 * onto its moves, packages with tracking numbers, then assign, pick, pack and done. What was not
 * shipped stays on the sale, which makes Tryton's own backorder shipment. The confirmation's
 * shipment number is kept as the Tryton shipment's reference, so a redelivery finds the shipment
 * done and changes nothing, and a delivery cut short resumes from the state it reached.
 */
export async function applyShipment(rpc: TrytonRpc, document: Shipment, options: TrytonOptions): Promise<WriteResult> {
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const [sale] = await rpc.searchRead<{ id: number; number: string; state: string; lines: number[]; shipments: number[] }>(
    'sale.sale', [['number', '=', document.orderNumber]], ['number', 'state', 'lines', 'shipments']);
  if (!sale) throw rejected(`Tryton has no sale ${document.orderNumber}`);
  const shipments = await rpc.read<ShipmentRow>(SHIPMENT, sale.shipments, ['number', 'state', 'reference', 'carrier', 'warehouse', 'outgoing_moves', 'inventory_moves']);

  const already = shipments.find((s) => s.reference === document.shipmentNumber);
  if (already?.state === 'done') return { partnerRef: already.number };
  const shipment = already ?? shipments
    .filter((s) => OPEN_STATES.includes(s.state) && (!s.reference || s.reference === SHORT_CLOSE_PENDING) && s.warehouse === warehouse.id)
    .sort((a, b) => a.id - b.id)[0];
  if (!shipment && shipments.some((s) => s.state === 'cancelled')) {
    throw rejected(`shipment confirmation for a cancelled order: sale ${document.orderNumber} was cancelled in Tryton (customer shipment ${shipments.filter((s) => s.state === 'cancelled').map((s) => s.number).join(', ')} cancelled) before the warehouse reported shipment ${document.shipmentNumber}; nothing was applied, the goods shipped need a decision in Tryton`);
  }
  if (!shipment) {
    // What the order allows is the rules step's to judge; here Tryton simply has no shipment left to write this one onto.
    throw rejected(`no open customer shipment: sale ${document.orderNumber} has nothing left to ship from ${warehouse.code} in Tryton (shipments: ${shipments.map((s) => `${s.number} ${s.state}`).join(', ') || 'none'})`);
  }

  // The warehouse closed the order short before this shipment reached Tryton: the backorder
  // Tryton opens once it is done is cancelled then.
  const closeShort = shipment.reference === SHORT_CLOSE_PENDING;
  if (shipment.state === 'draft' || shipment.state === 'waiting' || shipment.state === 'assigned') {
    // Checked before anything is written: a refused confirmation leaves Tryton untouched (and the
    // endpoint checks the user's groups for every step below before it calls this).
    const plan = await planShipment(rpc, document, options, sale, shipment.id);
    // The reference marks the shipment as the warehouse's: a poll does not read it as an order
    // to send again, and a delivery cut short finds it by this number.
    const marked = {
      reference: document.shipmentNumber,
      effective_date: effectiveDate(document.shippedAt),
      ...(shipment.carrier === null ? await carrierValues(rpc, document) : {}),
    };
    if (shipment.state !== 'waiting') {
      // Assigned moves are read-only and a draft shipment has no inventory moves yet: `wait` first.
      // It changes the shipment's stamp, so the reference goes on before it, or a poll in between
      // would read the shipment as an order again.
      await rpc.write(SHIPMENT, [shipment.id], marked);
      await rpc.button(SHIPMENT, 'wait', [shipment.id]);
      await requireState(rpc, SHIPMENT, shipment.id, ['waiting'], `setting shipment ${shipment.number} back to waiting`);
    }
    await writeShippedQuantities(rpc, plan, shipment.id, warehouse.storage, marked);
    // The warehouse has shipped: the goods were there, whatever Tryton's book stock says.
    await rpc.button(SHIPMENT, 'assign_force', [shipment.id]);
    await requireState(rpc, SHIPMENT, shipment.id, ['assigned'], `assigning shipment ${shipment.number}`);
    await rpc.button(SHIPMENT, 'pick', [shipment.id]);
  }
  let state = await requireState(rpc, SHIPMENT, shipment.id, ['picked', 'packed', 'done'], `picking shipment ${shipment.number}`);
  if (state === 'picked') {
    await packShipment(rpc, document, shipment.id);
    await rpc.buttonAcknowledgingWarnings(SHIPMENT, 'pack', [shipment.id]);
    state = await requireState(rpc, SHIPMENT, shipment.id, ['packed'], `packing shipment ${shipment.number}`);
  }
  if (state === 'packed') {
    await rpc.buttonAcknowledgingWarnings(SHIPMENT, 'done', [shipment.id]);
    await requireState(rpc, SHIPMENT, shipment.id, ['done'], `finishing shipment ${shipment.number}`);
  }
  if (closeShort) {
    const [after] = await rpc.read<{ shipments: number[] }>('sale.sale', [sale.id], ['shipments']);
    const backorders = (await rpc.read<ShipmentRow>(SHIPMENT, after!.shipments, ['number', 'state', 'reference']))
      .filter((s) => s.id > shipment.id && ['draft', 'waiting', 'assigned'].includes(s.state) && s.reference === null);
    await cancelBackorders(rpc, backorders, document.orderNumber);
    if (backorders.length > 0) return { partnerRef: shipment.number, said: `backorder shipment ${backorders.map((s) => s.number).join(', ')} cancelled: the warehouse closed the order short` };
  }
  return { partnerRef: shipment.number };
}

async function carrierValues(rpc: TrytonRpc, document: Shipment): Promise<Record<string, unknown>> {
  const code = document.carrier?.scac ?? document.carrier?.code;
  if (!code) return {};
  const [carrier] = await rpc.search('carrier', [['party.code', '=', code]], { limit: 1 });
  return carrier === undefined ? {} : { carrier };
}

/** What is open on each sale line: ordered less what other shipments already delivered. */
async function openSaleLines(rpc: TrytonRpc, saleLineIds: number[], shipmentId: number): Promise<OpenLine[]> {
  const numbering = await lineNumbers(rpc, 'sale.line', saleLineIds);
  const lines = await rpc.read<{ id: number; product: number | null; quantity: number; moves: number[] }>('sale.line', [...numbering.keys()], ['product', 'quantity', 'moves']);
  const moves = await rpc.read<MoveRow>('stock.move', lines.flatMap((l) => l.moves), ['quantity', 'state', 'shipment']);
  return lines.filter((l) => l.product !== null).map((line) => {
    const shippedElsewhere = moves
      .filter((m) => line.moves.includes(m.id) && m.state === 'done' && m.shipment !== `${SHIPMENT},${shipmentId}`)
      .reduce((sum, m) => sum.plus(m.quantity), new Big(0));
    return { lineId: line.id, lineNumber: numbering.get(line.id)!, productId: line.product as number, open: new Big(line.quantity).minus(shippedElsewhere) };
  });
}

interface ShipmentPlan {
  openLines: OpenLine[];
  plans: Map<number, LinePlan>;
}

/** What goes on which sale line, refusing unknown SKUs, other units and more than is open. */
async function planShipment(rpc: TrytonRpc, document: Shipment, options: TrytonOptions, sale: { number: string; lines: number[] }, shipmentId: number): Promise<ShipmentPlan> {
  const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
  document.lines.forEach((line, i) => requireUnit(products.get(line.sku)!, line.uom, `shipment ${document.shipmentNumber} line ${i + 1}`));
  const openLines = await openSaleLines(rpc, sale.lines, shipmentId);
  return { openLines, plans: planLines(sale.number, openLines, document.lines, products) };
}

/**
 * Writes what was shipped onto a waiting shipment in one Tryton call, so its reference and its
 * quantities change in the same transaction: a shipment never carries the warehouse's number
 * with the order's quantities, nor the shipped quantities without the number.
 *
 * Each sale line's outgoing move (output -> customer) and its inventory move (storage -> output)
 * get the shipped quantity, one pair per lot: Tryton 6.0 does not carry the lot from inventory to
 * outgoing moves. A line (or a lot's worth of moves) not shipped loses its moves instead of keeping
 * them at zero, which Tryton would otherwise finish as done moves of nothing; the sale opens its
 * backorder for what is left either way. Target values, so a second pass changes nothing.
 */
async function writeShippedQuantities(rpc: TrytonRpc, { openLines, plans }: ShipmentPlan, shipmentId: number, storage: number, marked: Record<string, unknown>): Promise<void> {
  const [current] = await rpc.read<{ outgoing_moves: number[]; inventory_moves: number[]; warehouse_output: number }>(SHIPMENT, [shipmentId], ['outgoing_moves', 'inventory_moves', 'warehouse_output']);
  const outgoing = (await rpc.read<MoveRow & MoveTemplate>('stock.move', current!.outgoing_moves, [...MOVE_FIELDS, ...TEMPLATE_FIELDS])).filter((m) => m.state !== 'cancelled');
  const inventory = (await rpc.read<MoveRow>('stock.move', current!.inventory_moves, MOVE_FIELDS)).filter((m) => m.state !== 'cancelled');

  const outgoingOps: unknown[] = [];
  const inventoryOps: unknown[] = [];
  const outgoingGone: number[] = [];
  const inventoryGone: number[] = [];
  const newOutgoing: Array<Record<string, unknown>> = [];
  // Inventory moves to make once their outgoing move exists: for a new one (by its place among the
  // new ones) or an existing one that has none.
  const pendingInventory: Array<{ outgoing: number | { created: number }; template: MoveTemplate; values: ShippedValues }> = [];

  for (const { lineId, productId } of openLines) {
    const lineMoves = outgoing.filter((m) => m.origin === `sale.line,${lineId}`).sort((a, b) => a.id - b.id);
    if (lineMoves.length === 0) continue;
    const parts = plans.get(lineId)?.lots ?? [];
    for (let i = 0; i < Math.max(parts.length, lineMoves.length); i++) {
      const part = parts[i];
      const move = lineMoves[i];
      const inventoryMoves = move ? inventory.filter((m) => m.origin === `stock.move,${move.id}`) : [];
      if (!part) {
        outgoingGone.push(move!.id);
        inventoryGone.push(...inventoryMoves.map((m) => m.id));
        continue;
      }
      const values = { quantity: part.quantity.toNumber(), lot: part.lot ? await lotFor(rpc, productId, part.lot, part.expiryDate) : null };
      if (!move) {
        const template = lineMoves[0]!;
        newOutgoing.push({ ...templateValues(template), ...values });
        pendingInventory.push({ outgoing: { created: newOutgoing.length - 1 }, template, values });
        continue;
      }
      outgoingOps.push(['write', [move.id], values]);
      if (inventoryMoves.length === 0) {
        pendingInventory.push({ outgoing: move.id, template: move, values });
        continue;
      }
      inventoryOps.push(['write', [inventoryMoves[0]!.id], values]);
      inventoryGone.push(...inventoryMoves.slice(1).map((m) => m.id));
    }
  }
  if (newOutgoing.length > 0) outgoingOps.push(['create', newOutgoing]);
  if (outgoingGone.length > 0) outgoingOps.push(['delete', outgoingGone]);
  if (inventoryGone.length > 0) inventoryOps.push(['delete', inventoryGone]);
  await rpc.write(SHIPMENT, [shipmentId], {
    ...marked,
    ...(outgoingOps.length > 0 ? { outgoing_moves: outgoingOps } : {}),
    ...(inventoryOps.length > 0 ? { inventory_moves: inventoryOps } : {}),
  });
  if (pendingInventory.length === 0) return;

  // Tryton gives created records ids in creation order: the new outgoing moves are the new ids.
  const [after] = await rpc.read<{ outgoing_moves: number[] }>(SHIPMENT, [shipmentId], ['outgoing_moves']);
  const known = new Set(outgoing.map((m) => m.id).concat(outgoingGone));
  const created = after!.outgoing_moves.filter((id) => !known.has(id)).sort((a, b) => a - b);
  await rpc.create('stock.move', pendingInventory.map(({ outgoing: o, template, values }) => ({
    ...values,
    product: template.product, uom: template.uom, company: template.company, planned_date: template.planned_date,
    from_location: storage, to_location: current!.warehouse_output,
    shipment: `${SHIPMENT},${shipmentId}`,
    origin: `stock.move,${typeof o === 'number' ? o : created[o.created]}`,
  })));
}

interface ShippedValues {
  quantity: number;
  lot: number | null;
}

/** What a new outgoing move copies from the sale line's first one. */
interface MoveTemplate {
  product: number;
  uom: number;
  company: number;
  planned_date: unknown;
  from_location: number;
  to_location: number;
  unit_price: string | null;
  currency: number | null;
  origin: string | null;
}

const MOVE_FIELDS = ['product', 'quantity', 'origin', 'state', 'lot', 'shipment'];
const TEMPLATE_FIELDS = ['uom', 'company', 'planned_date', 'from_location', 'to_location', 'unit_price', 'currency'];

function templateValues(move: MoveTemplate): Record<string, unknown> {
  return {
    product: move.product, uom: move.uom, company: move.company, planned_date: move.planned_date,
    from_location: move.from_location, to_location: move.to_location, origin: move.origin,
    ...(move.unit_price === null ? {} : { unit_price: new TrytonDecimal(move.unit_price), currency: move.currency }),
  };
}

/**
 * One Tryton package per package of the confirmation (or per tracking number when the warehouse
 * sent no package detail), with the tracking number as its shipping reference. Tryton wants every
 * outgoing move in a package once there are packages: a move goes into the first package that
 * lists its SKU, else the first package.
 */
async function packShipment(rpc: TrytonRpc, document: Shipment, shipmentId: number): Promise<void> {
  const packages = document.packages.length > 0
    ? document.packages.map((p, i) => ({ tracking: p.trackingNumber ?? document.trackingNumbers[i], skus: p.lines.map((l) => l.sku) }))
    : document.trackingNumbers.map((tracking) => ({ tracking, skus: [] as string[] }));
  if (packages.length === 0) return;
  const [shipment] = await rpc.read<{ packages: number[]; outgoing_moves: number[] }>(SHIPMENT, [shipmentId], ['packages', 'outgoing_moves']);
  if (shipment!.packages.length > 0) return; // packed by an earlier, interrupted delivery
  const moves = (await rpc.read<MoveRow & { 'product.': { code: string } }>('stock.move', shipment!.outgoing_moves, ['state', 'quantity', 'product.code']))
    .filter((m) => m.state !== 'cancelled' && m.quantity > 0);
  const packageType = await packageTypeId(rpc);
  const contents = packages.map(() => [] as number[]);
  for (const move of moves) {
    const index = packages.findIndex((p) => p.skus.includes(move['product.'].code));
    contents[index >= 0 ? index : 0]!.push(move.id);
  }
  await rpc.create('stock.package', packages.map((p, i) => ({
    type: packageType,
    shipment: `${SHIPMENT},${shipmentId}`,
    shipping_reference: p.tracking ?? null,
    moves: [['add', contents[i]]],
  })));
}

async function packageTypeId(rpc: TrytonRpc): Promise<number> {
  const [existing] = await rpc.search('stock.package.type', [], { limit: 1, order: [['id', 'ASC']] });
  if (existing !== undefined) return existing;
  const [created] = await rpc.create('stock.package.type', [{ name: 'Parcel' }]);
  return created as number;
}
