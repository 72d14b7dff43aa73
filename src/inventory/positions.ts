import Big from 'big.js';
import type { InventoryAdjustment, InventorySnapshot, Receipt, ReturnReceipt, Shipment } from '../model/index.ts';

/**
 * Stock positions, keyed by (facility, SKU, lot) within a tenant, and how documents move them.
 *
 * A side's position at a time T is a fold: start from its newest full snapshot at or before T,
 * lay later partial snapshots over the positions they list, and add each movement (shipment,
 * receipt, adjustment) that side applied after the snapshot and by T. A movement the side applied
 * before its snapshot is already counted in it and is never added again, so replaying the same
 * documents gives the same positions. Quantities are exact decimals (big.js), never floats.
 */

/** One side's stock of one (facility, SKU, lot). `lot` is '' for stock that carries no lot. */
export interface StockPosition {
  facility: string;
  sku: string;
  lot: string;
  uom: string;
  onHand: Big;
  allocated: Big;
  onHold: Big;
  quarantined: Big;
  /** Moving towards this side: documents in flight that will add to it (filled by reconciliation). */
  inTransit: Big;
  /** The time this position holds for: its snapshot's asOf, or the last movement applied to it. */
  asOf: number;
  /**
   * Other units the same side counted this position in that the item master does not convert into
   * `uom`: their quantities are not in it, since 5 EA and 7 CS are not 12 of anything.
   */
  otherUoms?: string[];
}

/** Notes a unit a position's quantities could not be added in. */
function noteOtherUom(p: StockPosition, uom: string): void {
  if (!p.otherUoms) p.otherUoms = [uom];
  else if (!p.otherUoms.includes(uom)) p.otherUoms.push(uom);
}

export type Positions = Map<string, StockPosition>;

export const positionKey = (facility: string, sku: string, lot: string): string => `${facility}\u0000${sku}\u0000${lot}`;

/** A change of on-hand stock a document makes at one (facility, SKU, lot). */
export interface StockChange {
  facility: string;
  sku: string;
  lot: string;
  uom: string;
  delta: Big;
}

/** What a side learns, at a time: a count (snapshot) or a change (movement). */
export type StockEvent =
  | { kind: 'snapshot'; at: number; facility: string; scope: 'full' | 'partial'; snapshot: InventorySnapshot }
  | { kind: 'movement'; at: number; documentId: string; changes: StockChange[] };

/** The one zero every position starts from: compared by identity to skip work on the common case. */
export const ZERO = new Big(0);

/** Statuses warehouses use for stock that may not be picked. Anything else counts as available stock. */
const HOLD = /^(hold|on[_ -]?hold|blocked|damaged|frozen|restricted)$/i;
const QUARANTINE = /^(quarantine|quarantined|qc|inspection|quality)$/i;

export function emptyPosition(facility: string, sku: string, lot: string, uom: string, asOf: number): StockPosition {
  return { facility, sku, lot, uom, onHand: ZERO, allocated: ZERO, onHold: ZERO, quarantined: ZERO, inTransit: ZERO, asOf };
}

/**
 * A snapshot's positions in base units where the item master converts them, summed over inventory
 * statuses: on hand counts every status, hold and quarantine are also counted apart. A position
 * listed again in a unit that does not convert into the first one's is not added to it (otherUoms).
 */
export function snapshotPositions(snapshot: InventorySnapshot, asOf = Date.parse(snapshot.asOf), units?: UnitConversion): Positions {
  const out: Positions = new Map();
  for (const p of snapshot.positions) {
    const lot = p.lot ?? '';
    const key = positionKey(snapshot.facility, p.sku, lot);
    const to = units?.(p.sku, p.uom);
    const convert = to !== undefined && to.baseUom !== p.uom;
    const uom = convert ? to.baseUom : p.uom;
    const onHand = convert ? new Big(p.onHand).times(to.factor) : new Big(p.onHand);
    const allocated = p.allocated === '0' ? ZERO : convert ? new Big(p.allocated).times(to.factor) : new Big(p.allocated);
    const held = HOLD.test(p.status) ? 'onHold' : QUARANTINE.test(p.status) ? 'quarantined' : undefined;
    const pos = out.get(key);
    if (!pos) {
      // Most positions come once: built whole, without the sums below (100,000 of them per snapshot).
      const created: StockPosition = { facility: snapshot.facility, sku: p.sku, lot, uom, onHand, allocated, onHold: ZERO, quarantined: ZERO, inTransit: ZERO, asOf };
      if (held) created[held] = onHand;
      out.set(key, created);
      continue;
    }
    if (pos.uom !== uom) {
      noteOtherUom(pos, uom);
      continue;
    }
    pos.onHand = pos.onHand.plus(onHand);
    pos.allocated = pos.allocated.plus(allocated);
    if (held) pos[held] = pos[held].plus(onHand);
  }
  return out;
}

/** Document types that move stock, and so may be in flight between the two sides. */
export const MOVEMENT_TYPES = ['shipment', 'receipt', 'inventory_adjustment', 'return_receipt'] as const;
export const STOCK_DOCUMENT_TYPES = ['inventory_snapshot', ...MOVEMENT_TYPES] as const;

type Movement = Shipment | Receipt | InventoryAdjustment | ReturnReceipt;

/**
 * What a movement does to on-hand stock: a shipment takes away what it shipped (per lot when it
 * names lots), a receipt adds what was received, good and damaged (damaged stock is on hand,
 * on hold), an adjustment adds its signed quantity, a return receipt adds what came back.
 */
export function stockChangesOf(doc: Movement): StockChange[] {
  const out: StockChange[] = [];
  const add = (sku: string, lot: string | undefined, uom: string, delta: Big) => {
    if (!delta.eq(0)) out.push({ facility: doc.facility, sku, lot: lot ?? '', uom, delta });
  };
  switch (doc.type) {
    case 'shipment':
      for (const line of doc.lines) {
        let lotted = ZERO;
        for (const l of line.lots) {
          add(line.sku, l.lot, line.uom, new Big(l.quantity).neg());
          lotted = lotted.plus(l.quantity);
        }
        add(line.sku, undefined, line.uom, new Big(line.quantity).minus(lotted).neg());
      }
      break;
    case 'receipt':
      for (const line of doc.lines) add(line.sku, line.lot, line.uom, new Big(line.quantity).plus(line.damagedQuantity));
      break;
    case 'inventory_adjustment':
      // A status move (available -> hold) changes no on-hand quantity when it says so with a zero.
      for (const line of doc.lines) add(line.sku, line.lot, line.uom, new Big(line.quantity));
      break;
    case 'return_receipt':
      for (const line of doc.lines) add(line.sku, line.lot, line.uom, new Big(line.quantity));
      break;
  }
  return out;
}

/**
 * How many base units one of `uom` holds for a SKU, from the item master, with the base unit;
 * undefined when the item or the conversion is unknown. Quantities are counted in base units
 * wherever the item master allows, so a warehouse counting cases meets an ERP counting eaches.
 */
export type UnitConversion = (sku: string, uom: string) => { baseUom: string; factor: Big } | undefined;

/** A change in base units where the item master converts its unit. */
export function changeInBaseUnits(c: StockChange, units: UnitConversion | undefined): StockChange {
  const to = units?.(c.sku, c.uom);
  return !to || to.baseUom === c.uom ? c : { ...c, uom: to.baseUom, delta: c.delta.times(to.factor) };
}

/**
 * A side's positions at `at`: the fold described above. Events after `at` are ignored; events
 * before the newest full snapshot of their facility are ignored (the snapshot counts them).
 */
export function foldPositions(events: StockEvent[], at: number, units?: UnitConversion): { positions: Positions; snapshotAsOf: Map<string, number> } {
  const base = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'snapshot' && e.scope === 'full' && e.at <= at && e.at > (base.get(e.facility) ?? -Infinity)) base.set(e.facility, e.at);
  }
  const ordered = events.filter((e) => e.at <= at).sort((a, b) => a.at - b.at);
  const positions: Positions = new Map();
  const snapshotAsOf = new Map<string, number>();
  for (const e of ordered) {
    if (e.kind === 'snapshot') {
      const from = base.get(e.facility);
      if (from === undefined || e.at < from) continue;
      if (e.scope === 'full') {
        for (const [k, p] of positions) if (p.facility === e.facility) positions.delete(k);
      }
      for (const [k, p] of snapshotPositions(e.snapshot, e.at, units)) positions.set(k, p);
      snapshotAsOf.set(e.facility, Math.max(snapshotAsOf.get(e.facility) ?? e.at, e.at));
      continue;
    }
    for (const change of e.changes) {
      const c = changeInBaseUnits(change, units);
      const from = base.get(c.facility);
      if (from !== undefined && e.at <= from) continue;
      const key = positionKey(c.facility, c.sku, c.lot);
      let pos = positions.get(key);
      if (!pos) positions.set(key, (pos = emptyPosition(c.facility, c.sku, c.lot, c.uom, e.at)));
      if (pos.uom !== c.uom) {
        noteOtherUom(pos, c.uom);
        continue;
      }
      pos.onHand = pos.onHand.plus(c.delta);
      pos.asOf = Math.max(pos.asOf, e.at);
    }
  }
  return { positions, snapshotAsOf };
}

/** On hand less allocated: what the position could still give to a new order before holds. */
export function availableOf(p: StockPosition): Big {
  return p.onHand.minus(p.allocated);
}
