import Big from 'big.js';
import { inventorySnapshot, normaliseDecimal, entityKeyFor, type InventoryAdjustment, type InventorySnapshot } from '../../model/index.ts';
import { rejected } from './errors.ts';
import { lotFor, lotNumbersById, productsBySku, requireState, requireUnit, warehouseForFacility } from './lookup.ts';
import { canonicalUnit, type TrytonOptions } from './options.ts';
import type { TrytonRpc } from './rpc.ts';
import { effectiveDate } from './values.ts';
import type { WriteResult } from './write-shipment.ts';

const INVENTORY = 'stock.inventory';

function adjustmentNote(document: InventoryAdjustment): string {
  return `Causeway adjustment ${document.adjustmentNumber}`;
}

/**
 * Applies a warehouse adjustment as a Tryton stock inventory of the warehouse's storage zone,
 * each line counted at what Tryton holds plus the warehouse's delta, so the confirmed inventory
 * moves exactly the delta to or from lost and found. Tryton's inventories have no free reference,
 * so a note on the inventory carries the adjustment number and reasons; a redelivery finds it.
 */
export async function applyInventoryAdjustment(rpc: TrytonRpc, document: InventoryAdjustment, options: TrytonOptions): Promise<WriteResult> {
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const marker = adjustmentNote(document);
  const [note] = await rpc.searchRead<{ resource: string }>('ir.note', [['message', 'like', `${marker}\n%`], ['resource', 'like', `${INVENTORY},%`]], ['resource']);
  let inventoryId = note ? Number(note.resource.split(',')[1]) : undefined;

  if (inventoryId === undefined) {
    const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
    const counted = new Map<string, { product: number; lot: number | null; delta: Big }>();
    for (const [i, line] of document.lines.entries()) {
      const product = products.get(line.sku)!;
      requireUnit(product, line.uom, `adjustment ${document.adjustmentNumber} line ${i + 1}`);
      if (product.lotTracked && !line.lot) throw rejected(`adjustment ${document.adjustmentNumber} line ${i + 1}: ${line.sku} is lot tracked in Tryton, the line names no lot`);
      const lot = line.lot ? await lotFor(rpc, product.id, line.lot) : null;
      const key = `${product.id}/${lot}`;
      const entry = counted.get(key) ?? { product: product.id, lot, delta: new Big(0) };
      entry.delta = entry.delta.plus(line.quantity);
      counted.set(key, entry);
    }
    const context = { locations: [warehouse.storage], with_childs: true };
    const lines = [];
    for (const { product, lot, delta } of counted.values()) {
      const [row] = lot === null
        ? await rpc.read<{ quantity: number }>('product.product', [product], ['quantity'], context)
        : await rpc.read<{ quantity: number }>('stock.lot', [lot], ['quantity'], context);
      const expected = new Big(row?.quantity ?? 0);
      const quantity = expected.plus(delta);
      if (quantity.lt(0)) {
        // Tryton's inventory counts cannot be negative; its book stock can (shipped before received).
        throw rejected(`adjustment ${document.adjustmentNumber}: Tryton holds ${expected.toFixed()} in ${warehouse.code} storage; a change of ${delta.gt(0) ? '+' : ''}${delta.toFixed()} would leave ${quantity.toFixed()}, and Tryton cannot count below zero`);
      }
      lines.push({ product, lot, expected_quantity: expected.toNumber(), quantity: quantity.toNumber() });
    }
    [inventoryId] = await rpc.create(INVENTORY, [{
      location: warehouse.storage,
      date: effectiveDate(document.occurredAt),
      empty_quantity: 'keep',
      lines: [['create', lines]],
    }]);
    const reasons = document.lines.map((l) => `${l.sku}${l.lot ? ` lot ${l.lot}` : ''}: ${l.quantity} ${l.reason}${l.note ? ` (${l.note})` : ''}`);
    await rpc.create('ir.note', [{ resource: `${INVENTORY},${inventoryId}`, message: `${marker}\n${reasons.join('\n')}` }]);
  }

  const [inventory] = await rpc.read<{ number: string | null; state: string }>(INVENTORY, [inventoryId!], ['number', 'state']);
  if (inventory?.state === 'draft') {
    await rpc.button(INVENTORY, 'confirm', [inventoryId!]);
    await requireState(rpc, INVENTORY, inventoryId!, ['done'], `confirming inventory for adjustment ${document.adjustmentNumber}`);
  } else {
    await requireState(rpc, INVENTORY, inventoryId!, ['done'], `adjustment ${document.adjustmentNumber}`);
  }
  const [done] = await rpc.read<{ number: string | null }>(INVENTORY, [inventoryId!], ['number']);
  return { partnerRef: done?.number ?? String(inventoryId) };
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
