import Big from 'big.js';
import { normaliseDecimal } from '../model/index.ts';
import type { StockPosition } from './positions.ts';

/**
 * Available-to-promise per SKU and facility, from the warehouse's positions: on hand less
 * allocated, less what is on hold or quarantined, less a safety buffer set per SKU (first) or per
 * item category. It is a promise, so it may go negative (oversold) and is sent as such: clamping
 * it to zero would hide the oversell from the shop that must stop selling.
 */
export interface SafetyBuffers {
  bySku: Record<string, string>;
  byCategory: Record<string, string>;
}

export interface Availability {
  facility: string;
  sku: string;
  uom: string;
  available: string;
  onHand: string;
  allocated: string;
  onHold: string;
  safetyBuffer: string;
  asOf: number;
}

const dec = (b: Big) => normaliseDecimal(b.toFixed());

export function availableToPromise(positions: Iterable<StockPosition>, buffers: SafetyBuffers, categoryOf: (sku: string) => string | undefined): Availability[] {
  const sums = new Map<string, { facility: string; sku: string; uom: string; onHand: Big; allocated: Big; onHold: Big; asOf: number }>();
  for (const p of positions) {
    const key = `${p.facility}\u0000${p.sku}`;
    const s = sums.get(key);
    if (!s) sums.set(key, { facility: p.facility, sku: p.sku, uom: p.uom, onHand: p.onHand, allocated: p.allocated, onHold: p.onHold.plus(p.quarantined), asOf: p.asOf });
    else {
      s.onHand = s.onHand.plus(p.onHand);
      s.allocated = s.allocated.plus(p.allocated);
      s.onHold = s.onHold.plus(p.onHold).plus(p.quarantined);
      s.asOf = Math.max(s.asOf, p.asOf);
    }
  }
  const out: Availability[] = [];
  for (const s of sums.values()) {
    const category = categoryOf(s.sku);
    const buffer = new Big(buffers.bySku[s.sku] ?? (category !== undefined ? buffers.byCategory[category] : undefined) ?? '0');
    out.push({
      facility: s.facility, sku: s.sku, uom: s.uom,
      available: dec(s.onHand.minus(s.allocated).minus(s.onHold).minus(buffer)),
      onHand: dec(s.onHand), allocated: dec(s.allocated), onHold: dec(s.onHold), safetyBuffer: dec(buffer), asOf: s.asOf,
    });
  }
  return out.sort((a, b) => (a.facility + '\u0000' + a.sku < b.facility + '\u0000' + b.sku ? -1 : 1));
}

/** The figures whose available quantity differs from the one last published (or was never published). */
export function changedAvailability(current: Availability[], published: ReadonlyMap<string, string>): Availability[] {
  return current.filter((a) => published.get(availabilityKey(a)) !== a.available);
}

export const availabilityKey = (a: Pick<Availability, 'facility' | 'sku'>): string => `${a.facility}\u0000${a.sku}`;
