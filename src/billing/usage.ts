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
  'storage_unit_day',
] as const;
/** A kind of the list, or a value-added service by the warehouse's code. */
export type UsageKind = (typeof USAGE_KINDS)[number] | `service:${string}`;

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
}

/**
 * Storage of one UTC day: per facility, the units the warehouse held at the day's end (its
 * positions, summed over SKUs and lots, in each position's own unit), one event per facility and
 * day, keyed `storage:<facility>:<day>`. A facility with nothing on hand bills nothing.
 */
export function storageOf(tenant: string, day: string, stock: StoredStock[]): UsageEvent[] {
  const end = Date.parse(`${day}T00:00:00Z`) + DAY;
  const byFacility = new Map<string, Big>();
  for (const s of stock) {
    const q = new Big(s.onHand);
    if (q.gt(0)) byFacility.set(s.facility, (byFacility.get(s.facility) ?? new Big(0)).plus(q));
  }
  return [...byFacility].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([facility, units]) => ({
    tenant, key: `storage:${facility}:${day}`, kind: 'storage_unit_day', quantity: units.toString(), facility,
    // The last instant of the day: it belongs to that day's month.
    occurredAt: end - 1,
    documentId: `positions:${facility}@${new Date(end).toISOString()}`, messageId: 0,
  }));
}

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
