import Big from 'big.js';
import type { Shipment } from '../../model/index.ts';
import { rejected } from './errors.ts';
import { lotFor, productsBySku, requireState, requireUnit, warehouseForFacility } from './lookup.ts';
import type { TrytonOptions } from './options.ts';
import { planLines, type LinePlan, type OpenLine } from './order-lines.ts';
import { lineNumbers } from './read-sales-orders.ts';
import type { TrytonRpc } from './rpc.ts';
import { effectiveDate } from './values.ts';

export interface WriteResult {
  /** Tryton's number of the record the document was applied to. */
  partnerRef: string;
}

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

interface MoveRow {
  id: number;
  product: number;
  quantity: number;
  origin: string | null;
  state: string;
  lot: number | null;
  shipment: string | null;
}

const SHIPMENT = 'stock.shipment.out';
const OPEN_STATES = ['draft', 'waiting', 'assigned', 'picked', 'packed'];

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
    .filter((s) => OPEN_STATES.includes(s.state) && !s.reference && s.warehouse === warehouse.id)
    .sort((a, b) => a.id - b.id)[0];
  if (!shipment && shipments.some((s) => s.state === 'cancelled')) {
    throw rejected(`shipment confirmation for a cancelled order: sale ${document.orderNumber} was cancelled in Tryton (customer shipment ${shipments.filter((s) => s.state === 'cancelled').map((s) => s.number).join(', ')} cancelled) before the warehouse reported shipment ${document.shipmentNumber}; nothing was applied, the goods shipped need a decision in Tryton`);
  }
  if (!shipment) {
    throw rejected(`over-shipment refused: sale ${document.orderNumber} has nothing left to ship from ${warehouse.code} in Tryton (shipments: ${shipments.map((s) => `${s.number} ${s.state}`).join(', ') || 'none'})`);
  }

  if (shipment.state === 'draft' || shipment.state === 'waiting' || shipment.state === 'assigned') {
    // Checked before anything is written: a refused confirmation leaves Tryton untouched.
    const plan = await planShipment(rpc, document, options, sale, shipment.id);
    // Then the reference goes on first: it marks the shipment as the warehouse's from here on, so
    // a poll that sees it half-way (moves rewritten, state back to waiting) does not read it as
    // an order to send again, and a delivery cut short finds it by this number.
    if (shipment.reference !== document.shipmentNumber) {
      await rpc.write(SHIPMENT, [shipment.id], {
        reference: document.shipmentNumber,
        effective_date: effectiveDate(document.shippedAt),
        ...(shipment.carrier === null ? await carrierValues(rpc, document) : {}),
      });
    }
    await setShippedQuantities(rpc, plan, shipment, warehouse.storage);
    if (shipment.state === 'draft') await rpc.button(SHIPMENT, 'wait', [shipment.id]);
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

/**
 * Sets each sale line's outgoing move (output -> customer) and its inventory move (storage ->
 * output) to what was shipped, one pair per lot. Lots go on both: Tryton 6.0 does not carry the
 * lot from inventory to outgoing moves. Written as target values, so a second pass is a no-op.
 */
interface ShipmentPlan {
  openLines: OpenLine[];
  plans: Map<number, LinePlan>;
}

/** What goes on which sale line, refusing unknown SKUs, other units and more than is open. */
async function planShipment(rpc: TrytonRpc, document: Shipment, options: TrytonOptions, sale: { number: string; lines: number[] }, shipmentId: number): Promise<ShipmentPlan> {
  const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
  document.lines.forEach((line, i) => requireUnit(products.get(line.sku)!, line.uom, `shipment ${document.shipmentNumber} line ${i + 1}`));
  const openLines = await openSaleLines(rpc, sale.lines, shipmentId);
  return { openLines, plans: planLines(sale.number, openLines, document.lines, products, 'ship') };
}

async function setShippedQuantities(rpc: TrytonRpc, { openLines, plans }: ShipmentPlan, shipment: ShipmentRow, storage: number): Promise<void> {
  if (shipment.state === 'assigned') await rpc.button(SHIPMENT, 'wait', [shipment.id]); // assigned moves are read-only

  const [current] = await rpc.read<ShipmentRow>(SHIPMENT, [shipment.id], ['outgoing_moves', 'inventory_moves']);
  const fields = ['product', 'quantity', 'origin', 'state', 'lot', 'shipment'];
  const outgoing = (await rpc.read<MoveRow>('stock.move', current!.outgoing_moves, fields)).filter((m) => m.state !== 'cancelled');
  const inventory = (await rpc.read<MoveRow>('stock.move', current!.inventory_moves, fields)).filter((m) => m.state !== 'cancelled');
  const productIdOfLine = new Map(openLines.map((l) => [l.lineId, l.productId]));

  for (const [lineId, productId] of productIdOfLine) {
    const lineMoves = outgoing.filter((m) => m.origin === `sale.line,${lineId}`).sort((a, b) => a.id - b.id);
    if (lineMoves.length === 0) continue;
    const plan: LinePlan = plans.get(lineId) ?? { lineId, quantity: new Big(0), lots: [] };
    const parts = plan.lots.length > 0 ? plan.lots : [{ lot: null, quantity: new Big(0) }];
    for (let i = 0; i < Math.max(parts.length, lineMoves.length); i++) {
      const part = parts[i];
      const lot = part?.lot ? await lotFor(rpc, productId, part.lot, part.expiryDate) : null;
      const values = { quantity: part ? part.quantity.toNumber() : 0, lot };
      let outgoingId = lineMoves[i]?.id;
      if (outgoingId === undefined) {
        [outgoingId] = await rpc.call<number[]>('model.stock.move.copy', [[lineMoves[0]!.id], { ...values, shipment: `${SHIPMENT},${shipment.id}` }]);
      } else {
        await rpc.write('stock.move', [outgoingId], values);
      }
      const inventoryMoves = inventory.filter((m) => m.origin === `stock.move,${outgoingId}`);
      if (inventoryMoves.length > 0) {
        await rpc.write('stock.move', [inventoryMoves[0]!.id], values);
        await rpc.write('stock.move', inventoryMoves.slice(1).map((m) => m.id), { quantity: 0 });
      } else if (values.quantity > 0) {
        const [template] = await rpc.read<{ uom: number; company: number; planned_date: unknown }>('stock.move', [outgoingId as number], ['uom', 'company', 'planned_date']);
        await rpc.create('stock.move', [{
          ...values, product: productId, uom: template!.uom, company: template!.company, planned_date: template!.planned_date,
          from_location: storage, to_location: (await warehouseOutput(rpc, shipment.id)),
          shipment: `${SHIPMENT},${shipment.id}`, origin: `stock.move,${outgoingId}`,
        }]);
      }
    }
  }
}

async function warehouseOutput(rpc: TrytonRpc, shipmentId: number): Promise<number> {
  const [row] = await rpc.read<{ warehouse_output: number }>(SHIPMENT, [shipmentId], ['warehouse_output']);
  return row!.warehouse_output;
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
