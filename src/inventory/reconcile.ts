import Big from 'big.js';
import type { InventorySnapshot } from '../model/index.ts';
import { ZERO, changeInBaseUnits, emptyPosition, foldPositions, type UnitConversion, positionKey, stockChangesOf, availableOf, type StockChange, type StockEvent, type StockPosition } from './positions.ts';

/**
 * Reconciliation as of a time T: the warehouse's stock at T against the ERP's at T, corrected for
 * the documents in flight between them.
 *
 * Each side is folded from its own snapshots, the movements it reported itself (at their
 * occurredAt), and the movements of the other side it applied (at the time their delivery to it
 * completed). A movement is in flight towards a side when it happened at the other side by T and
 * has a delivery to this side that had not completed by T (pending, dead, or delivered later): the
 * side will hold it once it arrives, so it is added to that side before comparing, and named as the
 * explanation. A movement with no delivery to the other side at all is not in flight: no flow
 * carries it, and the difference it leaves is real; unless the rules step held it (its order not
 * seen yet, or on hold) or refused it: it has no delivery because of that verdict, not for want of
 * a flow, so it is in flight towards the side its flows would carry it to (`held`, released later;
 * `refused`, dead-lettered, like a dead delivery: the side never got it), with the verdict's reason.
 * A movement the rules found to be a duplicate of one already applied is not counted at all.
 *
 * Each position ends as `match` (within tolerance as it stands), `in_flight` (within tolerance once
 * the documents in flight are counted), `timing` (still different, and a side's snapshot of the
 * facility is older than T less the timing tolerance, or missing), or `variance`.
 * Only on hand is compared: allocation is each side's own business (an ERP allocates to orders
 * the warehouse has not released yet).
 */

export type Side = 'erp' | 'warehouse';
/** Where a document happened: at a side, or in Causeway itself (an approved correction), which only the side it is sent to applies. */
export type Origin = Side | 'hub';
export type PositionStatus = 'match' | 'in_flight' | 'timing' | 'variance';
export const POSITION_STATUSES: readonly PositionStatus[] = ['match', 'in_flight', 'timing', 'variance'];

/** A stored document that counts or moves stock, with the deliveries made of it. */
export interface StockDocumentRecord {
  documentId: string;
  type: string;
  /** The endpoint it came in through: it tells the side it happened at. */
  endpoint: string;
  occurredAt: number;
  body: unknown;
  deliveries: Array<{ endpoint: string; status: 'pending' | 'delivered' | 'dead' | 'superseded'; deliveredAt: number | null }>;
  /** The rules step's latest verdict on it; absent or null when no rules decided it. */
  verdict?: { verdict: 'apply' | 'hold' | 'refuse' | 'stale'; rule: string; reason: string } | null;
}

export interface ReconcileSettings {
  /** Which side an endpoint speaks for; 'hub' for the documents Causeway makes itself. */
  sideOf(endpoint: string): Origin;
  /** The largest difference, in the position's unit, that still counts as agreement. */
  toleranceFor(uom: string): Big;
  /** A side whose snapshot of a facility is older than T less this is too old to call a difference real. */
  timingToleranceMs: number;
  /** The item master's units: quantities are compared in base units where it converts them. */
  units?: UnitConversion;
  /**
   * The sides the flows would carry a document to, for one the rules held or refused (it has no
   * delivery to tell). Default: the side opposite the one it happened at.
   */
  routesOf?(record: StockDocumentRecord): Side[];
}

export interface InFlightDocument {
  documentId: string;
  type: string;
  reference: string;
  /** The side that has not applied it yet. */
  towards: Side;
  occurredAt: string;
  /**
   * pending or dead: still undelivered; delivered_after: delivered after T; held: the rules hold it
   * (not routed until released); refused: the rules refused it (dead-lettered, never sent).
   */
  delivery: 'pending' | 'dead' | 'delivered_after' | 'held' | 'refused';
  /** Why it is held or refused: the rules' reason. */
  reason?: string;
  /** Its signed change of this position's on hand. */
  quantity: string;
}

export interface SidePosition {
  onHand: string;
  allocated: string;
  available: string;
  onHold: string;
  quarantined: string;
  inTransit: string;
  asOf: string;
}

export interface PositionResult {
  facility: string;
  sku: string;
  lot: string;
  uom: string;
  warehouse: SidePosition | null;
  erp: SidePosition | null;
  /** Warehouse on hand less ERP on hand, as they stand. */
  difference: string;
  /** The same once the documents in flight are counted on the side they are heading to. */
  correctedDifference: string;
  status: PositionStatus;
  /** Why it is not a plain match: the documents in flight, or which snapshot is too old. */
  explanation: string;
  documents: InFlightDocument[];
}

export interface ReconciliationOutcome {
  at: number;
  results: PositionResult[];
  counts: Record<PositionStatus, number>;
  /** Per facility: the newest snapshot each side had by T, epoch ms (null: none). */
  snapshots: Record<string, { warehouse: number | null; erp: number | null }>;
}

interface PendingMovement {
  record: StockDocumentRecord;
  towards: Side;
  delivery: InFlightDocument['delivery'];
  reason?: string;
  changes: StockChange[];
}

const SIDES: readonly Side[] = ['warehouse', 'erp'];
/** big.js keeps no trailing zeros, so its plain notation is already canonical but for a negative zero. */
const dec = (b: Big) => {
  if (b === ZERO) return '0';
  const text = b.toFixed();
  return text === '-0' ? '0' : text;
};

/** Each side's positions at `at`, and the movements in flight towards each side then. */
export function foldSides(records: StockDocumentRecord[], at: number, settings: Pick<ReconcileSettings, 'sideOf' | 'units' | 'routesOf'>, facility?: string): {
  warehouse: ReturnType<typeof foldPositions>; erp: ReturnType<typeof foldPositions>; inFlight: PendingMovement[];
} {
  const events: Record<Side, StockEvent[]> = { erp: [], warehouse: [] };
  const inFlight: PendingMovement[] = [];
  for (const r of records) {
    const origin = settings.sideOf(r.endpoint);
    const body = r.body as { facility?: string };
    if (facility !== undefined && body.facility !== facility) continue;
    if (r.type === 'inventory_snapshot') {
      if (origin === 'hub') continue;
      const snapshot = r.body as InventorySnapshot;
      events[origin].push({ kind: 'snapshot', at: Date.parse(snapshot.asOf), facility: snapshot.facility, scope: snapshot.scope, snapshot });
      continue;
    }
    if (r.occurredAt > at) continue;
    // The same movement sent again: the first one counts, this one never does (on neither side).
    if (r.verdict?.verdict === 'stale' && r.verdict.rule === 'DUPLICATE') continue;
    const changes = stockChangesOf(r.body as Parameters<typeof stockChangesOf>[0]);
    if (origin !== 'hub') events[origin].push({ kind: 'movement', at: r.occurredAt, documentId: r.documentId, changes });
    for (const other of SIDES) {
      if (other === origin) continue;
      const toOther = r.deliveries.filter((d) => settings.sideOf(d.endpoint) === other);
      if (toOther.length === 0) {
        const v = r.verdict;
        if ((v?.verdict === 'hold' || v?.verdict === 'refuse') && routesOf(r, origin, settings).includes(other)) {
          inFlight.push({ record: r, towards: other, delivery: v.verdict === 'hold' ? 'held' : 'refused', reason: v.reason, changes });
        }
        continue;
      }
      const applied = toOther.filter((d) => d.status === 'delivered' && d.deliveredAt !== null && d.deliveredAt <= at);
      if (applied.length > 0) {
        events[other].push({ kind: 'movement', at: Math.min(...applied.map((d) => d.deliveredAt!)), documentId: r.documentId, changes });
      } else {
        const delivery = toOther.some((d) => d.status === 'pending') ? 'pending' : toOther.some((d) => d.status === 'dead') ? 'dead' : 'delivered_after';
        inFlight.push({ record: r, towards: other, delivery, changes });
      }
    }
  }

  const inBase = settings.units ? inFlight.map((m) => ({ ...m, changes: m.changes.map((c) => changeInBaseUnits(c, settings.units)) })) : inFlight;
  return { warehouse: foldPositions(events.warehouse, at, settings.units), erp: foldPositions(events.erp, at, settings.units), inFlight: inBase };
}

/** Classifies every position of one tenant (optionally one facility) as of `at`. */
export function reconcile(records: StockDocumentRecord[], at: number, settings: ReconcileSettings, facility?: string): ReconciliationOutcome {
  const { warehouse, erp, inFlight } = foldSides(records, at, settings, facility);
  const facilities = new Set<string>([...warehouse.snapshotAsOf.keys(), ...erp.snapshotAsOf.keys()]);
  for (const p of warehouse.positions.values()) facilities.add(p.facility);
  for (const p of erp.positions.values()) facilities.add(p.facility);

  // The in-flight quantities per position and side, and the documents behind them.
  const pending = new Map<string, { toErp: Big; toWarehouse: Big; documents: InFlightDocument[]; uom: string; otherUoms?: string[] }>();
  for (const m of inFlight) {
    for (const c of m.changes) {
      const key = positionKey(c.facility, c.sku, c.lot);
      let p = pending.get(key);
      if (!p) pending.set(key, (p = { toErp: ZERO, toWarehouse: ZERO, documents: [], uom: c.uom }));
      if (c.uom !== p.uom) {
        if (!p.otherUoms?.includes(c.uom)) (p.otherUoms ??= []).push(c.uom);
      } else if (m.towards === 'erp') p.toErp = p.toErp.plus(c.delta);
      else p.toWarehouse = p.toWarehouse.plus(c.delta);
      const document: InFlightDocument = {
        documentId: m.record.documentId, type: m.record.type, reference: referenceOf(m.record), towards: m.towards,
        occurredAt: new Date(m.record.occurredAt).toISOString(), delivery: m.delivery, quantity: dec(c.delta),
      };
      if (m.reason !== undefined) document.reason = m.reason;
      p.documents.push(document);
    }
  }

  const keys = new Set<string>([...warehouse.positions.keys(), ...erp.positions.keys(), ...pending.keys()]);
  const counts: Record<PositionStatus, number> = { match: 0, in_flight: 0, timing: 0, variance: 0 };
  const results: PositionResult[] = [];
  const staleBefore = at - settings.timingToleranceMs;
  for (const key of keys) {
    const w = warehouse.positions.get(key);
    const e = erp.positions.get(key);
    const p = pending.get(key);
    const any = (w ?? e)!;
    const [fac, sku, lot] = any ? [any.facility, any.sku, any.lot] : key.split('\u0000');
    const uom = w?.uom ?? e?.uom ?? p!.uom;
    const wHand = w?.onHand ?? ZERO;
    const eHand = e?.onHand ?? ZERO;
    const raw = wHand.minus(eHand);
    // Most positions have nothing in flight: their corrected difference is the raw one.
    const corrected = p ? wHand.plus(p.toWarehouse).minus(eHand.plus(p.toErp)) : raw;
    const tolerance = settings.toleranceFor(uom);
    const wSnap = warehouse.snapshotAsOf.get(fac) ?? null;
    const eSnap = erp.snapshotAsOf.get(fac) ?? null;
    let status: PositionStatus;
    let explanation = '';
    // Quantities in units that do not convert into each other cannot be added: no total can be trusted.
    const mixed = w?.otherUoms ? { who: 'the warehouse counts it', units: [w.uom, ...w.otherUoms] }
      : e?.otherUoms ? { who: 'the ERP counts it', units: [e.uom, ...e.otherUoms] }
      : p && (p.otherUoms || (any && p.uom !== any.uom)) ? { who: 'documents in flight move it', units: [...new Set([any?.uom ?? p.uom, p.uom, ...(p.otherUoms ?? [])])] }
      : undefined;
    if (mixed) {
      status = 'variance';
      explanation = `${mixed.who} in ${mixed.units.join(' and ')}, which the item master does not convert into each other: the figures are in ${uom} alone; add the conversion to the item`;
    } else if (w && e && w.uom !== e.uom) {
      // Counted in different units the item master does not convert: no difference can be trusted.
      status = 'variance';
      explanation = `the warehouse counts in ${w.uom} and the ERP in ${e.uom}, and the item master converts neither into the other: add the conversion to the item`;
    } else if (raw.eq(ZERO) || raw.abs().lte(tolerance)) status = 'match';
    else if (corrected.abs().lte(tolerance)) {
      status = 'in_flight';
      explanation = `explained by ${p!.documents.length} document(s) in flight`;
    } else if (wSnap === null || eSnap === null || wSnap < staleBefore || eSnap < staleBefore) {
      status = 'timing';
      explanation = [stale('warehouse', wSnap, staleBefore), stale('ERP', eSnap, staleBefore)].filter(Boolean).join('; ');
    } else {
      status = 'variance';
      explanation = `unexplained: the warehouse holds ${dec(corrected.abs())} ${uom} ${corrected.gt(0) ? 'more' : 'less'} than the ERP${p ? ' after counting the documents in flight' : ''}`;
    }
    counts[status]++;
    const toWarehouse = p?.toWarehouse ?? ZERO;
    const toErp = p?.toErp ?? ZERO;
    results.push({
      facility: fac, sku, lot, uom,
      warehouse: w || wSnap !== null ? present(w ?? emptyPosition(fac, sku, lot, uom, wSnap ?? at), toWarehouse) : null,
      erp: e || eSnap !== null ? present(e ?? emptyPosition(fac, sku, lot, uom, eSnap ?? at), toErp) : null,
      difference: dec(raw), correctedDifference: dec(corrected), status, explanation, documents: p?.documents ?? [],
    });
  }
  results.sort((a, b) => (a.facility < b.facility ? -1 : a.facility > b.facility ? 1 : a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0));
  const snapshots: ReconciliationOutcome['snapshots'] = {};
  for (const f of [...facilities].sort()) snapshots[f] = { warehouse: warehouse.snapshotAsOf.get(f) ?? null, erp: erp.snapshotAsOf.get(f) ?? null };
  return { at, results, counts, snapshots };
}

/** Where a held or refused document would go: what the settings say, else the other side. */
function routesOf(r: StockDocumentRecord, origin: Origin, settings: Pick<ReconcileSettings, 'routesOf'>): Side[] {
  if (settings.routesOf) return settings.routesOf(r);
  return origin === 'hub' ? [] : [origin === 'erp' ? 'warehouse' : 'erp'];
}

function present(p: StockPosition, inTransit: Big): SidePosition {
  const onHand = dec(p.onHand);
  return {
    onHand, allocated: dec(p.allocated), available: p.allocated === ZERO ? onHand : dec(availableOf(p)), onHold: dec(p.onHold),
    quarantined: dec(p.quarantined), inTransit: dec(inTransit), asOf: new Date(p.asOf).toISOString(),
  };
}

function stale(side: string, snapshotAt: number | null, staleBefore: number): string | undefined {
  if (snapshotAt === null) return `no ${side} snapshot of this facility by then`;
  if (snapshotAt < staleBefore) return `the ${side} snapshot is from ${new Date(snapshotAt).toISOString()}, older than the timing tolerance`;
  return undefined;
}

/** The number people know a movement by. */
export function referenceOf(r: Pick<StockDocumentRecord, 'type' | 'body' | 'documentId'>): string {
  const b = r.body as Record<string, unknown>;
  const n = b.shipmentNumber ?? b.receiptNumber ?? b.adjustmentNumber ?? b.rmaNumber;
  return typeof n === 'string' ? n : r.documentId;
}
