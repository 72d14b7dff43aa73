/**
 * What a warehouse operator does in Tryton's stock engine (the warehouse database), done over RPC
 * the way the Tryton client does it: receive a supplier shipment, assign, pick (with lots), pack
 * with tracking numbers, finish, and count stock.
 */
import { TrytonRpc } from '../../../src/connectors/tryton/rpc.ts';
import { TrytonDate } from '../../../src/connectors/tryton/values.ts';
import { dateInDays } from './fixtures.ts';

export interface Picked {
  sku: string;
  quantity: number;
  lot?: string;
}

interface MoveRow {
  id: number;
  product: number;
  quantity: number;
  state: string;
  'product.': { code: string };
}

async function byReference(rpc: TrytonRpc, model: 'stock.shipment.out' | 'stock.shipment.in', reference: string, states: string[]): Promise<number> {
  const [id] = await rpc.search(model, [['reference', '=', reference], ['state', 'in', states]], { limit: 1, order: [['id', 'ASC']] });
  if (id === undefined) throw new Error(`the warehouse has no ${model} ${reference} in ${states.join('/')}`);
  return id;
}

async function lotOf(rpc: TrytonRpc, product: number, number: string, expiry?: string): Promise<number> {
  const [existing] = await rpc.search('stock.lot', [['product', '=', product], ['number', '=', number]], { limit: 1 });
  if (existing !== undefined) return existing;
  const [id] = await rpc.create('stock.lot', [{ product, number, ...(expiry ? { expiration_date: new TrytonDate(expiry) } : {}) }]);
  return id!;
}

async function state(rpc: TrytonRpc, model: string, id: number): Promise<string> {
  const [row] = await rpc.read<{ state: string }>(model, [id], ['state']);
  return row!.state;
}

/** Sets each product's moves to what was handled: the first move gets the first lot's quantity, copies take the others; unhandled products go to zero. */
async function setHandled(rpc: TrytonRpc, moves: MoveRow[], handled: Array<Picked & { expiry?: string }>): Promise<void> {
  for (const move of moves) {
    const parts = handled.filter((h) => h.sku === move['product.'].code);
    if (parts.length === 0) {
      await rpc.write('stock.move', [move.id], { quantity: 0 });
      continue;
    }
    for (const [i, part] of parts.entries()) {
      const values = { quantity: part.quantity, lot: part.lot ? await lotOf(rpc, move.product, part.lot, part.expiry) : null };
      if (i === 0) await rpc.write('stock.move', [move.id], values);
      else await rpc.call('model.stock.move.copy', [[move.id], values]);
    }
  }
}

/** Receives the supplier shipment of a purchase with what came in (short, lots, expiry), then finishes it. */
export async function receive(rpc: TrytonRpc, poNumber: string, received: Array<Picked & { expiry?: string }>): Promise<string> {
  const id = await byReference(rpc, 'stock.shipment.in', poNumber, ['draft']);
  const [shipment] = await rpc.read<{ number: string; incoming_moves: number[] }>('stock.shipment.in', [id], ['number', 'incoming_moves']);
  const moves = await rpc.read<MoveRow>('stock.move', shipment!.incoming_moves, ['product', 'quantity', 'state', 'product.code']);
  await setHandled(rpc, moves, received);
  await rpc.button('stock.shipment.in', 'receive', [id]);
  await rpc.button('stock.shipment.in', 'done', [id]);
  if ((await state(rpc, 'stock.shipment.in', id)) !== 'done') throw new Error(`supplier shipment ${shipment!.number} did not finish`);
  return shipment!.number;
}

/**
 * Picks an order: what was found goes onto the inventory moves (a move per lot), what was not is
 * put on a backorder shipment of the same order (when `backorder`), then the shipment is assigned,
 * picked, packed into one package per tracking number and finished.
 */
export async function pickAndShip(rpc: TrytonRpc, orderNumber: string, picked: Picked[], options: { tracking?: string[]; backorder?: boolean } = {}): Promise<{ number: string; backorder?: string }> {
  const id = await byReference(rpc, 'stock.shipment.out', orderNumber, ['waiting']);
  const [shipment] = await rpc.read<{ number: string; inventory_moves: number[]; outgoing_moves: number[]; customer: number; delivery_address: number; warehouse: number }>(
    'stock.shipment.out', [id], ['number', 'inventory_moves', 'outgoing_moves', 'customer', 'delivery_address', 'warehouse']);
  const inventory = await rpc.read<MoveRow>('stock.move', shipment!.inventory_moves, ['product', 'quantity', 'state', 'product.code']);
  let backorder: string | undefined;
  if (options.backorder) {
    const outgoing = await rpc.read<MoveRow & { from_location: number; to_location: number; uom: number; unit_price: unknown; currency: number; company: number }>('stock.move', shipment!.outgoing_moves,
      ['product', 'quantity', 'state', 'product.code', 'from_location', 'to_location', 'uom', 'unit_price', 'currency', 'company']);
    const rest = outgoing.map((m) => ({ move: m, left: m.quantity - picked.filter((p) => p.sku === m['product.'].code).reduce((s, p) => s + p.quantity, 0) })).filter((r) => r.left > 0);
    if (rest.length > 0) {
      const [created] = await rpc.create('stock.shipment.out', [{
        reference: orderNumber, customer: shipment!.customer, delivery_address: shipment!.delivery_address, warehouse: shipment!.warehouse,
        planned_date: new TrytonDate(dateInDays(1)),
        outgoing_moves: [['create', rest.map(({ move, left }) => ({
          product: move.product, uom: move.uom, quantity: left, from_location: move.from_location, to_location: move.to_location,
          unit_price: move.unit_price, currency: move.currency, company: move.company,
        }))]],
      }]);
      await rpc.button('stock.shipment.out', 'wait', [created!]);
      backorder = (await rpc.read<{ number: string }>('stock.shipment.out', [created!], ['number']))[0]!.number;
    }
  }
  await setHandled(rpc, inventory, picked);
  const assigned = await rpc.button<boolean>('stock.shipment.out', 'assign_try', [id]);
  if (assigned === false || (await state(rpc, 'stock.shipment.out', id)) !== 'assigned') throw new Error(`the warehouse could not assign ${shipment!.number}: not enough stock`);
  await rpc.button('stock.shipment.out', 'pick', [id]);
  const tracking = options.tracking ?? [];
  if (tracking.length > 0) {
    const [after] = await rpc.read<{ outgoing_moves: number[] }>('stock.shipment.out', [id], ['outgoing_moves']);
    const moves = (await rpc.read<MoveRow>('stock.move', after!.outgoing_moves, ['product', 'quantity', 'state', 'product.code'])).filter((m) => m.quantity > 0);
    const [type] = await rpc.search('stock.package.type', [], { limit: 1 });
    const packageType = type ?? (await rpc.create('stock.package.type', [{ name: 'Parcel' }]))[0]!;
    await rpc.create('stock.package', tracking.map((reference, i) => ({
      type: packageType, shipment: `stock.shipment.out,${id}`, shipping_reference: reference,
      moves: [['add', i === 0 ? moves.map((m) => m.id) : []]],
    })));
  }
  await rpc.buttonAcknowledgingWarnings('stock.shipment.out', 'pack', [id]);
  await rpc.buttonAcknowledgingWarnings('stock.shipment.out', 'done', [id]);
  if ((await state(rpc, 'stock.shipment.out', id)) !== 'done') throw new Error(`customer shipment ${shipment!.number} did not finish`);
  return { number: shipment!.number, ...(backorder ? { backorder } : {}) };
}

/** A cycle count of one SKU (and lot) in the warehouse's storage: counted `quantity`, confirmed. */
export async function cycleCount(rpc: TrytonRpc, sku: string, quantity: number, lot?: string): Promise<void> {
  const [warehouse] = await rpc.searchRead<{ storage_location: number }>('stock.location', [['code', '=', 'WH']], ['storage_location']);
  const [product] = await rpc.search('product.product', [['code', '=', sku]]);
  const lotId = lot ? await lotOf(rpc, product!, lot) : null;
  const [inventory] = await rpc.create('stock.inventory', [{ location: warehouse!.storage_location, empty_quantity: 'keep', lines: [['create', [{ product: product!, lot: lotId }]]] }]);
  const [line] = await rpc.search('stock.inventory.line', [['inventory', '=', inventory!]]);
  await rpc.write('stock.inventory.line', [line!], { quantity });
  await rpc.button('stock.inventory', 'confirm', [inventory!]);
  if ((await state(rpc, 'stock.inventory', inventory!)) !== 'done') throw new Error(`the count of ${sku} did not confirm`);
}

/** Stock lost without a count: a done move from storage to lost and found, which the warehouse reports to no one. */
export async function loseStock(rpc: TrytonRpc, sku: string, quantity: number, lot?: string): Promise<void> {
  const [warehouse] = await rpc.searchRead<{ storage_location: number }>('stock.location', [['code', '=', 'WH']], ['storage_location']);
  const [lostFound] = await rpc.search('stock.location', [['type', '=', 'lost_found']], { limit: 1 });
  const [product] = await rpc.searchRead<{ id: number; default_uom: number }>('product.product', [['code', '=', sku]], ['default_uom']);
  const [move] = await rpc.create('stock.move', [{
    product: product!.id, uom: product!.default_uom, quantity, from_location: warehouse!.storage_location, to_location: lostFound!,
    lot: lot ? await lotOf(rpc, product!.id, lot) : null,
  }]);
  await rpc.button('stock.move', 'do', [move!]);
}

/** Stock of a SKU (and lot) in the warehouse WH, all its zones. */
export async function warehouseStock(rpc: TrytonRpc, sku: string, lot?: string): Promise<number> {
  const [warehouse] = await rpc.search('stock.location', [['code', '=', 'WH']]);
  const context = { locations: [warehouse], with_childs: true };
  if (lot) {
    const [row] = await rpc.searchRead<{ quantity: number }>('stock.lot', [['number', '=', lot], ['product.code', '=', sku]], ['quantity'], { context });
    return row?.quantity ?? 0;
  }
  const [row] = await rpc.searchRead<{ quantity: number }>('product.product', [['code', '=', sku]], ['quantity'], { context });
  return row?.quantity ?? 0;
}
