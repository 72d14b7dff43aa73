import Big from 'big.js';
import type { CanonicalDocument, Receipt, ReturnReceipt, Shipment } from '../model/index.ts';

/**
 * Usage events: what a 3PL bills its client for, derived from the documents the hub applied.
 *
 * Each event carries a key that names its source business record (`shipment:<shipmentNumber>`),
 * not the stored document's id: a replayed message gets a new document id but is the same
 * shipment, and a re-sent copy of a shipment under another idempotency key is the same shipment
 * too. The store keeps one event per (tenant, key, kind), so a replay, a re-sent file or a crash
 * between the sweep's read and its cursor never records usage twice. The first applied document
 * of a record wins; a later correction under the same number is not billed again.
 *
 * A record the warehouse confirms in parts under one number (a second return receipt of the same
 * RMA under the same number) is billed once, for its first part: the model gives no part number
 * that survives a replay.
 *
 * Pallets and value-added services are billed when the warehouse reports them on the shipment or
 * the receipt (`pallets`, `services`); a service is its own kind, `service:<code>`, priced per code.
 * Storage is counted from the warehouse's stock positions at each day's end (storageOf), not from
 * documents.
 */

export const USAGE_KINDS = [
  'order', 'order_line', 'order_unit', 'package', 'shipment_pallet',
  'receipt', 'receipt_line', 'receipt_unit', 'receipt_pallet',
  'return', 'return_line', 'return_unit',
  'storage_unit_day', 'storage_volume_day', 'storage_pallet_day',
] as const;
/**
 * A kind of the list, a value-added service by the warehouse's code, or `unmeasured:<sku>`: units
 * of a SKU in storage that the item master gives no measure for (no dimensions, no units per
 * pallet). Those are never priced; the close names their SKUs, so storage is not silently free.
 */
export type UsageKind = (typeof USAGE_KINDS)[number] | `service:${string}` | `unmeasured:${string}`;

/** The storage kinds, by the measure each counts. */
export const STORAGE_KINDS = { unit: 'storage_unit_day', volume: 'storage_volume_day', pallet: 'storage_pallet_day' } as const;
export type StorageMeasure = keyof typeof STORAGE_KINDS;
export const UNMEASURED = 'unmeasured:';

/** Each service code's quantities, summed, as usage kinds. */
function servicesOf(services: ReadonlyArray<{ code: string; quantity: string }> | undefined): Array<[UsageKind, string]> {
  const byCode = new Map<string, Big>();
  for (const s of services ?? []) byCode.set(s.code, (byCode.get(s.code) ?? new Big(0)).plus(s.quantity));
  return [...byCode].map(([code, q]) => [`service:${code}`, q.toString()]);
}

/** The document types usage is derived from. */
export const BILLABLE_TYPES = ['shipment', 'receipt', 'return_receipt'] as const;

export interface UsageEvent {
  tenant: string;
  /** Names the source record: the same record always gives the same key. */
  key: string;
  kind: UsageKind;
  /** Exact decimal, as a string. */
  quantity: string;
  facility: string;
  /** When the work happened (shippedAt, else the document's occurredAt), epoch ms. */
  occurredAt: number;
  documentId: string;
  messageId: number;
}

/** The source of a document the hub applied, as the store lists it. */
export interface AppliedDocument {
  documentId: string;
  messageId: number;
  occurredAt: number;
  document: CanonicalDocument;
}

const sum = (quantities: string[]): string => quantities.reduce((a, q) => a.plus(q), new Big(0)).toString();

/**
 * The usage events of one applied document; none for a type nothing is billed for. Units are the
 * lines' quantities as the warehouse reported them, in the line's unit of measure.
 */
export function usageOf(applied: AppliedDocument): UsageEvent[] {
  const doc = applied.document;
  const base = { tenant: doc.tenant, documentId: applied.documentId, messageId: applied.messageId };
  const events = (key: string, facility: string, occurredAt: number, kinds: Array<[UsageKind, string]>): UsageEvent[] =>
    kinds.filter(([, q]) => !new Big(q).eq(0)).map(([kind, quantity]) => ({ ...base, key, kind, quantity, facility, occurredAt }));
  switch (doc.type) {
    case 'shipment': {
      const s = doc as Shipment;
      const at = s.shippedAt ? Date.parse(s.shippedAt) : applied.occurredAt;
      return events(`shipment:${s.shipmentNumber}`, s.facility, Number.isFinite(at) ? at : applied.occurredAt, [
        ['order', '1'], ['order_line', String(s.lines.length)], ['order_unit', sum(s.lines.map((l) => l.quantity))], ['package', String(s.packages.length)],
        ['shipment_pallet', String(s.pallets ?? 0)], ...servicesOf(s.services),
      ]);
    }
    case 'receipt': {
      const r = doc as Receipt;
      return events(`receipt:${r.receiptNumber}`, r.facility, applied.occurredAt, [
        ['receipt', '1'], ['receipt_line', String(r.lines.length)], ['receipt_unit', sum(r.lines.flatMap((l) => [l.quantity, l.damagedQuantity ?? '0']))],
        ['receipt_pallet', String(r.pallets ?? 0)], ...servicesOf(r.services),
      ]);
    }
    case 'return_receipt': {
      const r = doc as ReturnReceipt;
      return events(`return_receipt:${r.rmaNumber}`, r.facility, applied.occurredAt, [
        ['return', '1'], ['return_line', String(r.lines.length)], ['return_unit', sum(r.lines.map((l) => l.quantity))],
      ]);
    }
    default:
      return [];
  }
}

const DAY = 86_400_000;

/** The UTC day `YYYY-MM-DD` an instant falls in. */
export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** A facility's stock at the warehouse at the end of a day: one line per SKU and lot. */
export interface StoredStock {
  facility: string;
  onHand: string;
  sku?: string;
  uom?: string;
}

/** What the item master says about a SKU that storage by volume or by pallet needs. */
export interface ItemMeasures {
  baseUom: string;
  /** Base units one of each other unit holds. */
  factors?: Record<string, string>;
  /** One base unit's dimensions. */
  dimensions?: { length: string; width: string; height: string; unit: string };
  unitsPerPallet?: string;
}

/** Cubic volume is billed in cubic metres or cubic feet, as the rate card says. */
export type VolumeUnit = 'm3' | 'ft3';

/** Metres per length unit an item's dimensions may be given in. */
const METRES: Record<string, string> = { mm: '0.001', cm: '0.01', dm: '0.1', m: '1', in: '0.0254', ft: '0.3048' };
const METRES_PER: Record<VolumeUnit, string> = { m3: '1', ft3: '0.3048' };
/** Decimals a facility's daily volume is rounded to (half up): cubic feet of metric dimensions do not terminate. */
const VOLUME_DECIMALS = 6;

/** One base unit's volume in `unit`, or undefined when the dimensions' unit is not a known length. */
export function unitVolume(d: NonNullable<ItemMeasures['dimensions']>, unit: VolumeUnit): Big | undefined {
  const m = METRES[d.unit.trim().toLowerCase()];
  if (!m) return undefined;
  const side = new Big(m).div(METRES_PER[unit]);
  return new Big(d.length).times(d.width).times(d.height).times(side.pow(3));
}

export interface StorageOptions {
  /** The measures the client's card prices (default: units only). */
  measures?: readonly StorageMeasure[];
  /** The item master by SKU, for volume and pallets. */
  items?: ReadonlyMap<string, ItemMeasures>;
  volumeUnit?: VolumeUnit;
}

const byName = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Storage of one UTC day: per facility, what the warehouse held at the day's end, one event per
 * facility, day and priced measure, keyed `storage:<facility>:<day>`. A facility with nothing on
 * hand bills nothing.
 * - units: the positions summed over SKUs and lots, each in its own unit;
 * - volume: each SKU's base units times one base unit's volume from the item master;
 * - pallets: per SKU and facility, base units divided by the item's units per pallet, rounded up
 *   (a part pallet takes a whole position), then summed.
 * A SKU the item master cannot measure for a priced measure (no item, no dimensions or units per
 * pallet, an unknown unit) adds nothing to it and is recorded as `unmeasured:<sku>` with its units,
 * under the same key, so the close names it.
 */
export function storageOf(tenant: string, day: string, stock: StoredStock[], options: StorageOptions = {}): UsageEvent[] {
  const end = Date.parse(`${day}T00:00:00Z`) + DAY;
  const measures = options.measures ?? ['unit'];
  const volumeUnit = options.volumeUnit ?? 'm3';
  const add = (m: Map<string, Big>, k: string, q: Big) => m.set(k, (m.get(k) ?? new Big(0)).plus(q));
  const units = new Map<string, Big>();
  /** Base units per facility, then SKU; undefined base when the unit has no conversion. */
  const baseBySku = new Map<string, Map<string, Big>>();
  const unmeasured = new Map<string, Map<string, Big>>();
  for (const s of stock) {
    const q = new Big(s.onHand);
    if (q.lte(0)) continue;
    add(units, s.facility, q);
    if (!measures.includes('volume') && !measures.includes('pallet')) continue;
    const sku = s.sku ?? '';
    const item = options.items?.get(sku);
    const factor = item && (s.uom === undefined || s.uom === item.baseUom ? '1' : item.factors?.[s.uom]);
    if (!factor) {
      add(unmeasured.get(s.facility) ?? unmeasured.set(s.facility, new Map()).get(s.facility)!, sku, q);
      continue;
    }
    add(baseBySku.get(s.facility) ?? baseBySku.set(s.facility, new Map()).get(s.facility)!, sku, q.times(factor));
  }
  const measured = new Map<string, Array<[UsageKind, Big]>>();
  for (const [facility, total] of units) measured.set(facility, measures.includes('unit') ? [[STORAGE_KINDS.unit, total]] : []);
  for (const [facility, skus] of baseBySku) {
    const missing = unmeasured.get(facility) ?? unmeasured.set(facility, new Map()).get(facility)!;
    let volume = new Big(0);
    let pallets = new Big(0);
    for (const [sku, base] of skus) {
      const item = options.items!.get(sku)!;
      const perUnit = item.dimensions && unitVolume(item.dimensions, volumeUnit);
      const perPallet = item.unitsPerPallet === undefined ? undefined : new Big(item.unitsPerPallet);
      const lacks = (measures.includes('volume') && !perUnit) || (measures.includes('pallet') && (!perPallet || perPallet.lte(0)));
      if (lacks) add(missing, sku, base);
      if (perUnit) volume = volume.plus(base.times(perUnit));
      if (perPallet && perPallet.gt(0)) pallets = pallets.plus(base.div(perPallet).round(0, Big.roundUp));
    }
    const kinds = measured.get(facility)!;
    if (measures.includes('volume') && volume.gt(0)) kinds.push([STORAGE_KINDS.volume, volume.round(VOLUME_DECIMALS, Big.roundHalfUp)]);
    if (measures.includes('pallet') && pallets.gt(0)) kinds.push([STORAGE_KINDS.pallet, pallets]);
  }
  for (const [facility, skus] of unmeasured) {
    for (const [sku, q] of [...skus].sort(byName)) measured.get(facility)!.push([`${UNMEASURED}${sku}`, q]);
  }
  return [...measured].sort(byName).flatMap(([facility, kinds]) => kinds.map(([kind, quantity]) => ({
    tenant, key: `storage:${facility}:${day}`, kind, quantity: quantity.toString(), facility,
    // The last instant of the day: it belongs to that day's month.
    occurredAt: end - 1,
    documentId: `positions:${facility}@${new Date(end).toISOString()}`, messageId: 0,
  })));
}

/** The SKUs a period's usage could not measure for storage, from its totals per kind. */
export const unmeasuredSkus = (totals: Partial<Record<string, string>>): string[] =>
  Object.keys(totals).filter((k) => k.startsWith(UNMEASURED)).map((k) => k.slice(UNMEASURED.length)).sort();

/** The UTC days after `last` (exclusive) up to the day before `now`'s, oldest first, at most `max`. */
export function storageDaysDue(last: string | undefined, now: number, max = 62): string[] {
  const yesterday = Date.parse(`${dayOf(now)}T00:00:00Z`) - DAY;
  const from = last === undefined ? yesterday : Date.parse(`${last}T00:00:00Z`) + DAY;
  const days: string[] = [];
  for (let d = from; d <= yesterday && days.length < max; d += DAY) days.push(dayOf(d));
  return days;
}

/** A billing period: one calendar month, UTC. */
export const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The instants [start, end) of a period `YYYY-MM`, or undefined when it is not one. */
export function periodBounds(period: string): { start: number; end: number } | undefined {
  const m = PERIOD.exec(period);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
}
