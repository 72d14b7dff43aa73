import { rejected } from './errors.ts';
import { canonicalUnit, warehouseCodeOf, type TrytonOptions } from './options.ts';
import type { TrytonRpc } from './rpc.ts';
import { TrytonDate } from './values.ts';

export interface WarehouseLocations {
  id: number;
  code: string;
  input: number;
  output: number;
  storage: number;
  lostFound: number;
}

/** The Tryton warehouse a facility maps to, with the zones moves go through. */
export async function warehouseForFacility(rpc: TrytonRpc, options: TrytonOptions, facility: string): Promise<WarehouseLocations> {
  const code = warehouseCodeOf(options, facility);
  if (!code) throw rejected(`facility ${facility} is not mapped to a Tryton warehouse (mapped: ${Object.values(options.warehouses).join(', ') || 'none'})`);
  const [warehouse] = await rpc.searchRead<{ id: number; input_location: number; output_location: number; storage_location: number }>(
    'stock.location', [['type', '=', 'warehouse'], ['code', '=', code]], ['input_location', 'output_location', 'storage_location']);
  if (!warehouse) throw rejected(`Tryton has no warehouse with code ${code} (mapped from facility ${facility})`);
  const [lostFound] = await rpc.search('stock.location', [['type', '=', 'lost_found']], { limit: 1 });
  if (lostFound === undefined) throw rejected('Tryton has no lost and found location to adjust stock against');
  return { id: warehouse.id, code, input: warehouse.input_location, output: warehouse.output_location, storage: warehouse.storage_location, lostFound };
}

export async function warehouseCodesById(rpc: TrytonRpc): Promise<Map<number, string>> {
  const warehouses = await rpc.searchRead<{ id: number; code: string | null }>('stock.location', [['type', '=', 'warehouse']], ['code']);
  return new Map(warehouses.filter((w) => w.code).map((w) => [w.id, w.code as string]));
}

export interface ProductInfo {
  id: number;
  code: string;
  uomId: number;
  uom: string;
  lotTracked: boolean;
}

/** Products by SKU (Tryton product code); an unknown SKU is a permanent error naming it. */
export async function productsBySku(rpc: TrytonRpc, options: TrytonOptions, skus: string[]): Promise<Map<string, ProductInfo>> {
  const wanted = [...new Set(skus)];
  const rows = await rpc.searchRead<{ id: number; code: string; 'default_uom.': { id: number; symbol: string }; 'template.': { lot_required: string[] | null } }>(
    'product.product', [['code', 'in', wanted]], ['code', 'default_uom.symbol', 'template.lot_required']);
  const products = new Map(rows.map((r) => [r.code, {
    id: r.id, code: r.code, uomId: r['default_uom.'].id, uom: canonicalUnit(options, r['default_uom.'].symbol),
    lotTracked: (r['template.'].lot_required ?? []).length > 0,
  }]));
  const unknown = wanted.filter((s) => !products.has(s));
  if (unknown.length > 0) throw rejected(`Tryton has no product with code ${unknown.join(', ')}`);
  return products;
}

export async function productCodesById(rpc: TrytonRpc, ids: number[]): Promise<Map<number, { code: string; name: string }>> {
  const rows = await rpc.read<{ id: number; code: string | null; 'template.': { name: string } }>('product.product', [...new Set(ids)], ['code', 'template.name']);
  return new Map(rows.map((r) => [r.id, { code: r.code ?? `product-${r.id}`, name: r['template.'].name }]));
}

export function requireUnit(product: ProductInfo, uom: string, where: string): void {
  if (uom !== product.uom) throw rejected(`${where}: ${product.code} is counted in ${product.uom} in Tryton, the document says ${uom}`);
}

/** The lot with this number for this product, created when Tryton does not know it yet. */
export async function lotFor(rpc: TrytonRpc, productId: number, number: string, expiryDate?: string): Promise<number> {
  const [existing] = await rpc.search('stock.lot', [['product', '=', productId], ['number', '=', number]], { limit: 1 });
  if (existing !== undefined) return existing;
  const values: Record<string, unknown> = { product: productId, number };
  if (expiryDate) values.expiration_date = new TrytonDate(expiryDate);
  const [created] = await rpc.create('stock.lot', [values]);
  return created as number;
}

export async function lotNumbersById(rpc: TrytonRpc, ids: Array<number | null>): Promise<Map<number, { number: string; expiry?: string }>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  const rows = await rpc.read<{ id: number; number: string; expiration_date: TrytonDate | null }>('stock.lot', wanted, ['number', 'expiration_date']);
  return new Map(rows.map((r) => [r.id, { number: r.number, ...(r.expiration_date ? { expiry: r.expiration_date.iso } : {}) }]));
}

/** Reads `state` back: Tryton's buttons do nothing, silently, when called in the wrong state. */
export async function requireState(rpc: TrytonRpc, model: string, id: number, expected: string[], doing: string): Promise<string> {
  const [record] = await rpc.read<{ state: string }>(model, [id], ['state']);
  const state = record?.state ?? 'missing';
  if (!expected.includes(state)) {
    throw rejected(`${doing}: ${model} ${id} is ${state} in Tryton, expected ${expected.join(' or ')}`);
  }
  return state;
}
