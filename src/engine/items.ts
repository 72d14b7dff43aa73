import type { ItemUnits } from '../model/index.ts';
import type { PipelineStore } from '../store/index.ts';
import type { ItemFacts } from './rules/index.ts';

/** What the catalog keeps of an item: its units, and whether it is lot- or serial-tracked (for the rules). */
type Known = ItemUnits & { lotTracked?: boolean; serialTracked?: boolean };

/**
 * The item master as far as unit conversions need it, read from the newest item document per
 * SKU and kept in memory; an item document passing through refreshes it.
 */
export class ItemCatalog {
  private readonly cache = new Map<string, Known | null>();
  constructor(private readonly store: Pick<PipelineStore, 'findLatestDocument'>, private readonly maxEntries = 100_000) {}

  private key(tenant: string, sku: string): string {
    return `${tenant}\u0000${sku}`;
  }

  remember(tenant: string, item: Known): void {
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(this.key(tenant, item.sku), item);
  }

  async load(tenant: string, skus: Iterable<string>): Promise<void> {
    for (const sku of skus) {
      const k = this.key(tenant, sku);
      if (this.cache.get(k)) continue;
      const doc = await this.store.findLatestDocument(tenant, 'item', `item:${sku}`);
      const body = doc?.body as Known | undefined;
      this.cache.set(k, body ? { sku: body.sku, baseUom: body.baseUom, conversions: body.conversions ?? [], lotTracked: body.lotTracked, serialTracked: body.serialTracked } : null);
    }
  }

  /** Like load, but a SKU already looked up and not found is not looked up again (an item document passing through is remembered). */
  async loadUnseen(tenant: string, skus: Iterable<string>): Promise<void> {
    let unseen: string[] | undefined;
    for (const sku of skus) if (!this.cache.has(this.key(tenant, sku))) (unseen ??= []).push(sku);
    if (unseen) await this.load(tenant, unseen);
  }

  get(tenant: string, sku: string): ItemUnits | undefined {
    return this.cache.get(this.key(tenant, sku)) ?? undefined;
  }

  /** Lot and serial tracking as the rules read it; unknown SKUs (no item document seen) are not checked. */
  facts(tenant: string, sku: string): ItemFacts | undefined {
    const item = this.cache.get(this.key(tenant, sku));
    return item ? { lotTracked: item.lotTracked === true, serialTracked: item.serialTracked === true } : undefined;
  }
}

/** SKUs a document names (its own, or its lines'), to load before a mapping converts units. */
export function skusOf(doc: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  if (typeof doc.sku === 'string') out.add(doc.sku);
  for (const key of ['lines', 'positions']) {
    const lines = doc[key];
    if (Array.isArray(lines)) for (const l of lines) if (l && typeof l.sku === 'string') out.add(l.sku);
  }
  return out;
}
