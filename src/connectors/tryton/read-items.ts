import { entityKeyFor, item, normaliseDecimal, type Item } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { lastChange, readChangedSince, type ChangedRecord } from './cursor.ts';
import { envelope } from './envelope.ts';
import { canonicalUnit, type TrytonOptions } from './options.ts';
import type { TrytonRpc } from './rpc.ts';

export interface ReadResult<T> {
  documents: T[];
  nextCursor: string | undefined;
}

interface TemplateRow extends ChangedRecord {
  name: string;
  type: string;
  active: boolean;
  products: number[];
  'default_uom.': { symbol: string; factor: number };
  'purchase_uom.': { symbol: string; factor: number } | null;
  weight: number | null;
  'weight_uom.': { symbol: string } | null;
  length: number | null;
  width: number | null;
  height: number | null;
  'length_uom.': { symbol: string } | null;
  lot_required: string[] | null;
  shelf_life_time: number | null;
  'account_category.': { name: string } | null;
}

interface ProductRow {
  id: number;
  code: string | null;
  active: boolean;
  description: string | null;
  identifiers: number[];
}

/** What reading items asks of the Tryton user. */
export const ITEM_ACCESS: TrytonAccess = { read: ['product.template', 'product.product', 'product.identifier'] };

/**
 * Item master from Tryton's product templates (where name, units, weight and lot tracking live),
 * one item per product variant, SKU = the product's code. Goods only: services and consumables
 * never reach a warehouse.
 */
export async function readItems(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<Item>> {
  const { records, nextCursor } = await readChangedSince<TemplateRow>(rpc, 'product.template', cursor,
    ['name', 'type', 'active', 'products', 'default_uom.symbol', 'purchase_uom.symbol', 'purchase_uom.factor', 'default_uom.factor',
      'weight', 'weight_uom.symbol', 'length', 'width', 'height', 'length_uom.symbol', 'lot_required', 'shelf_life_time', 'account_category.name'],
    options.pageSize ?? 100, [['active', 'in', [true, false]]]);
  const goods = records.filter((t) => t.type === 'goods');
  const productIds = goods.flatMap((t) => t.products);
  const products = await rpc.read<ProductRow>('product.product', productIds, ['code', 'active', 'description', 'identifiers']);
  const identifierIds = products.flatMap((p) => p.identifiers);
  const identifiers = await rpc.read<{ id: number; type: string | null; code: string }>('product.identifier', identifierIds, ['type', 'code']);
  const identifierById = new Map(identifiers.map((i) => [i.id, i]));
  const productById = new Map(products.map((p) => [p.id, p]));

  const documents: Item[] = [];
  for (const template of goods) {
    for (const productId of template.products) {
      const product = productById.get(productId);
      if (!product?.code) continue; // a product without a code has no SKU to agree on
      documents.push(toItem(rpc, options, template, product, identifierById));
    }
  }
  return { documents, nextCursor };
}

function toItem(rpc: TrytonRpc, options: TrytonOptions, template: TemplateRow, product: ProductRow,
  identifierById: Map<number, { type: string | null; code: string }>): Item {
  const baseUom = canonicalUnit(options, template['default_uom.'].symbol);
  const purchaseUom = template['purchase_uom.'];
  const conversions = [];
  if (purchaseUom && canonicalUnit(options, purchaseUom.symbol) !== baseUom ) {
    // Tryton's factor is relative to the category's reference unit; the ratio is base units per unit.
    conversions.push({ uom: canonicalUnit(options, purchaseUom.symbol), factor: normaliseDecimal(String(purchaseUom.factor / template['default_uom.'].factor)) });
  }
  const sku = product.code as string;
  const raw = {
    type: 'item' as const,
    ...envelope(options, rpc.database, 'product.template', template.id, lastChange(template), sku),
    entityKey: entityKeyFor({ type: 'item', sku }) as string,
    sku,
    description: product.description?.trim() || template.name,
    category: template['account_category.']?.name,
    barcodes: product.identifiers.map((id) => identifierById.get(id)).filter((i) => i !== undefined).map((i) => ({
      kind: barcodeKind(i.type),
      value: i.code,
    })),
    baseUom,
    conversions,
    weight: template.weight ? { value: String(template.weight), unit: canonicalUnit(options, template['weight_uom.']?.symbol ?? 'kg') } : undefined,
    dimensions: template.length && template.width && template.height
      ? { length: String(template.length), width: String(template.width), height: String(template.height), unit: canonicalUnit(options, template['length_uom.']?.symbol ?? 'cm') }
      : undefined,
    lotTracked: (template.lot_required ?? []).length > 0,
    shelfLifeDays: template.shelf_life_time ?? undefined,
    active: Boolean(template.active) && Boolean(product.active),
  };
  return item.parse(raw);
}

function barcodeKind(type: string | null): 'GTIN' | 'UPC' | 'EAN' | 'OTHER' {
  switch (type) {
    case 'ean': return 'EAN';
    case 'upc': return 'UPC';
    case 'isbn': case 'ismn': case 'isan': return 'OTHER';
    default: return type ? 'OTHER' : 'GTIN';
  }
}
