import Big from 'big.js';
import { inventorySnapshot, normaliseDecimal, entityKeyFor, type InventoryAdjustment, type InventorySnapshot } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { rejected } from './errors.ts';
import { lotFor, lotNumbersById, productsBySku, requireState, requireUnit, warehouseForFacility, type WarehouseLocations } from './lookup.ts';
import { canonicalUnit, type TrytonOptions } from './options.ts';
import type { TrytonRpc } from './rpc.ts';
import type { WriteResult } from './write-shipment.ts';

const INVENTORY = 'stock.inventory';

/** What applying adjustments and reading stock ask of the Tryton user. */
export const ADJUSTMENT_ACCESS: TrytonAccess = {
  read: [INVENTORY, 'stock.inventory.line', 'ir.note', 'stock.location', 'product.product', 'stock.lot'],
  write: ['stock.inventory.line'],
  create: [INVENTORY, 'stock.lot', 'ir.note'],
  delete: [INVENTORY],
  buttons: [[INVENTORY, 'confirm']],
};
export const SNAPSHOT_ACCESS: TrytonAccess = { read: ['product.product', 'stock.lot', 'stock.move', 'stock.location'] };

function adjustmentNote(document: InventoryAdjustment): string {
  return `Causeway adjustment ${document.adjustmentNumber}`;
}

/** One inventory line's worth of an adjustment: the summed delta of a product, or of one lot of it. */
interface PositionChange {
  sku: string;
  product: number;
  lot: number | null;
  delta: Big;
}

const positionKey = (product: number, lot: number | null) => `${product}/${lot}`;

/**
 * Applies a warehouse adjustment as a Tryton stock inventory of the warehouse's storage zone, so
 * that it moves Tryton's stock by exactly the warehouse's delta, to or from lost and found.
 *
 * A Tryton inventory holds counts, not changes: on confirm it books each line's count less the
 * quantity Tryton expects, and Tryton computes that expected quantity itself, at the inventory's
 * date, for the storage zone alone. So the inventory is made first with its lines naming only
 * product and lot, and each line is then counted at what Tryton stored as expected plus the delta;
 * nothing that moved before or since, and no reading of ours, can change the quantity booked.
 *
 * The inventory takes Tryton's own date (today), not the adjustment's occurredAt: Tryton cannot
 * count below zero, and at a past date it may have held less than now (goods received since), which
 * would refuse a change the warehouse made; and Tryton stops on a date ahead of its clock. When it
 * happened at the warehouse goes into the note, with the adjustment number and the reasons; Tryton
 * inventories have no free reference, so a redelivery finds the inventory by that note.
 */
export async function applyInventoryAdjustment(rpc: TrytonRpc, document: InventoryAdjustment, options: TrytonOptions): Promise<WriteResult> {
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const marker = adjustmentNote(document);
  const [note] = await rpc.searchRead<{ resource: string }>('ir.note', [['message', 'like', `${marker}\n%`], ['resource', 'like', `${INVENTORY},%`]], ['resource']);
  const inventoryId = note ? Number(note.resource.split(',')[1]) : await countedInventory(rpc, document, options, warehouse);

  const [inventory] = await rpc.read<{ state: string }>(INVENTORY, [inventoryId], ['state']);
  if (inventory?.state === 'draft') {
    await rpc.button(INVENTORY, 'confirm', [inventoryId]);
    await requireState(rpc, INVENTORY, inventoryId, ['done'], `confirming inventory for adjustment ${document.adjustmentNumber}`);
  } else {
    await requireState(rpc, INVENTORY, inventoryId, ['done'], `adjustment ${document.adjustmentNumber}`);
  }
  const [done] = await rpc.read<{ number: string | null }>(INVENTORY, [inventoryId], ['number']);
  return { partnerRef: done?.number ?? String(inventoryId) };
}

/** The draft inventory of an adjustment, every line counted, with its note written last. */
async function countedInventory(rpc: TrytonRpc, document: InventoryAdjustment, options: TrytonOptions, warehouse: WarehouseLocations): Promise<number> {
  const changes = await positionChanges(rpc, document, options);
  const [inventoryId] = await rpc.create(INVENTORY, [{
    location: warehouse.storage,
    empty_quantity: 'keep',
    lines: [['create', [...changes.values()].map(({ product, lot }) => ({ product, lot }))]],
  }]);
  const lines = await rpc.searchRead<{ id: number; product: number; lot: number | null; expected_quantity: number }>(
    'stock.inventory.line', [['inventory', '=', inventoryId]], ['product', 'lot', 'expected_quantity']);
  const counts: Array<{ line: number; quantity: Big }> = [];
  for (const change of changes.values()) {
    const line = lines.find((l) => positionKey(l.product, l.lot) === positionKey(change.product, change.lot));
    if (!line) {
      // Tryton drops inventory lines of products it keeps no stock of (services).
      await rpc.delete(INVENTORY, [inventoryId!]);
      throw rejected(`adjustment ${document.adjustmentNumber}: Tryton keeps no stock of ${change.sku}, its inventory has no line for it`);
    }
    const expected = new Big(line.expected_quantity);
    const quantity = expected.plus(change.delta);
    if (quantity.lt(0)) {
      // Tryton's inventory counts cannot be negative; its book stock can (shipped before received).
      await rpc.delete(INVENTORY, [inventoryId!]);
      const delta = change.delta;
      throw rejected(`adjustment ${document.adjustmentNumber}: Tryton holds ${expected.toFixed()} in ${warehouse.code} storage; a change of ${delta.gt(0) ? '+' : ''}${delta.toFixed()} would leave ${quantity.toFixed()}, and Tryton cannot count below zero`);
    }
    counts.push({ line: line.id, quantity });
  }
  // Lines are written one by one: writing through the inventory would make Tryton compute the
  // expected quantities again, and the counts were taken against the ones stored.
  for (const { line, quantity } of counts) await rpc.write('stock.inventory.line', [line], { quantity: quantity.toNumber() });
  // The note goes last: a redelivery confirms whatever inventory the note names, so it must only
  // ever name one fully counted. A delivery cut short before it leaves a draft nothing confirms.
  const reasons = document.lines.map((l) => `${l.sku}${l.lot ? ` lot ${l.lot}` : ''}: ${l.quantity} ${l.reason}${l.note ? ` (${l.note})` : ''}`);
  await rpc.create('ir.note', [{
    resource: `${INVENTORY},${inventoryId}`,
    message: [adjustmentNote(document), `Occurred at the warehouse: ${document.occurredAt}`, ...reasons].join('\n'),
  }]);
  return inventoryId!;
}

/** The adjustment's lines summed per product and lot, refusing other units and lot-tracked SKUs without a lot. */
async function positionChanges(rpc: TrytonRpc, document: InventoryAdjustment, options: TrytonOptions): Promise<Map<string, PositionChange>> {
  const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
  const changes = new Map<string, PositionChange>();
  for (const [i, line] of document.lines.entries()) {
    const product = products.get(line.sku)!;
    requireUnit(product, line.uom, `adjustment ${document.adjustmentNumber} line ${i + 1}`);
    if (product.lotTracked && !line.lot) throw rejected(`adjustment ${document.adjustmentNumber} line ${i + 1}: ${line.sku} is lot tracked in Tryton, the line names no lot`);
    const lot = line.lot ? await lotFor(rpc, product.id, line.lot) : null;
    const key = positionKey(product.id, lot);
    const change = changes.get(key) ?? { sku: line.sku, product: product.id, lot, delta: new Big(0) };
    change.delta = change.delta.plus(line.quantity);
    changes.set(key, change);
  }
  return changes;
}

/**
 * What Tryton holds in a facility's warehouse (input, storage and output zones), per SKU and
 * lot, for reconciliation against the warehouse's own snapshot. On hand is Tryton's quantity;
 * allocated is what is assigned to customer shipments not yet done.
 */
export async function readInventorySnapshot(rpc: TrytonRpc, facility: string, options: TrytonOptions): Promise<InventorySnapshot> {
  const warehouse = await warehouseForFacility(rpc, options, facility);
  const asOf = (options.now?.() ?? new Date()).toISOString();
  const context = { locations: [warehouse.id], with_childs: true };
  const products = await rpc.searchRead<{ id: number; code: string | null; quantity: number; 'default_uom.': { symbol: string }; 'template.': { lot_required: string[] | null } }>(
    'product.product', [['type', '=', 'goods'], ['code', '!=', null]], ['code', 'quantity', 'default_uom.symbol', 'template.lot_required'], { context });
  const tracked = products.filter((p) => (p['template.'].lot_required ?? []).length > 0).map((p) => p.id);
  const lots = tracked.length === 0 ? [] : await rpc.searchRead<{ id: number; product: number; quantity: number }>(
    'stock.lot', [['product', 'in', tracked]], ['product', 'quantity'], { context });
  const lotInfo = await lotNumbersById(rpc, lots.map((l) => l.id));
  const allocated = await allocatedQuantities(rpc, warehouse.storage);

  const positions = [];
  for (const product of products) {
    const uom = canonicalUnit(options, product['default_uom.'].symbol);
    const productLots = lots.filter((l) => l.product === product.id && l.quantity !== 0);
    const lotTotal = productLots.reduce((sum, l) => sum.plus(l.quantity), new Big(0));
    for (const lot of productLots) {
      const info = lotInfo.get(lot.id)!;
      positions.push(position(product.code!, uom, lot.quantity, allocated.get(`${product.id}/${lot.id}`) ?? 0, info.number, info.expiry));
    }
    const withoutLot = new Big(product.quantity).minus(lotTotal).toNumber();
    if (withoutLot !== 0) positions.push(position(product.code!, uom, withoutLot, allocated.get(`${product.id}/null`) ?? 0));
  }
  return inventorySnapshot.parse({
    type: 'inventory_snapshot',
    tenant: options.tenant,
    id: `tryton:${rpc.database}:snapshot:${warehouse.code}:${asOf}`,
    source: { endpoint: options.endpoint, partnerRef: warehouse.code },
    entityKey: entityKeyFor({ type: 'inventory_snapshot', facility }),
    occurredAt: asOf,
    receivedAt: asOf,
    facility,
    asOf,
    scope: 'full',
    positions,
  });
}

function position(sku: string, uom: string, onHand: number, allocated: number, lot?: string, expiryDate?: string) {
  // Tryton can go below zero (shipped before received); the canonical on-hand cannot, so the
  // shortfall shows as a negative available instead.
  const hand = Math.max(onHand, 0);
  return {
    sku, uom, ...(lot ? { lot } : {}), ...(expiryDate ? { expiryDate } : {}),
    onHand: normaliseDecimal(String(hand)),
    allocated: normaliseDecimal(String(allocated)),
    available: normaliseDecimal(new Big(onHand).minus(allocated).toFixed()),
  };
}

async function allocatedQuantities(rpc: TrytonRpc, storage: number): Promise<Map<string, number>> {
  const moves = await rpc.searchRead<{ product: number; lot: number | null; quantity: number }>('stock.move',
    [['from_location', 'child_of', [storage], 'parent'], ['state', '=', 'assigned'], ['shipment', 'like', 'stock.shipment.out,%']],
    ['product', 'lot', 'quantity']);
  const totals = new Map<string, number>();
  for (const move of moves) {
    const key = `${move.product}/${move.lot}`;
    totals.set(key, (totals.get(key) ?? 0) + move.quantity);
  }
  return totals;
}
