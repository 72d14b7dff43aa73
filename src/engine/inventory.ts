import Big from 'big.js';
import type { CausewayConfig } from '../config/index.ts';
import {
  accuracyOf, auditItemMasters, availabilityKey, availableToPromise, changedAvailability, foldSides, reconcile,
  type Accuracy, type AuditItem, type Availability, type UnitConversion, type AuditReport, type Origin, type ReconcileSettings, type ReconciliationOutcome,
  type Side, type StockDocumentRecord,
} from '../inventory/index.ts';
import { entityKeys, type InventoryAdjustment, type InventoryAvailability, type Item } from '../model/index.ts';
import type { InventoryStore, PipelineStore, ReconciliationRun, StoredPositionResult, VarianceDecision } from '../store/index.ts';
import { contentHash } from './inbox.ts';

/**
 * Inventory truth over the store: reconciliation runs, the accuracy KPI, decisions on variances,
 * available-to-promise and the go-live audit. The sums are the pure functions of src/inventory;
 * here they meet the rows and the config.
 *
 * What Causeway itself sends (an approved correction, availability) enters the inbox as a message
 * of the endpoint `inventory` and takes the normal way: flows route it, the outbox delivers it with
 * retries and an idempotency key. The inbox dedupes on a key made from the run and the position, so
 * approving twice, or again after a crash between the decision and the message, sends one.
 */

/** The endpoint Causeway's own inventory documents come from: flows name it in `from`. */
export const INVENTORY_ENDPOINT = 'inventory';
/** Connector types that are an ERP: their endpoints speak for the ERP unless inventory.erpEndpoints says otherwise. */
const ERP_TYPES = new Set(['tryton']);

export type InventoryServiceStore = InventoryStore & Pick<PipelineStore, 'acceptMessages'>;

export interface RunSummary {
  run: ReconciliationRun;
  variances: StoredPositionResult[];
}

export interface DecisionOutcome {
  decisions: VarianceDecision[];
  /** Messages holding the approved corrections: new ones, and those a repeated approval found already stored. */
  messages: Array<{ position: number; messageId: number; duplicate: boolean; adjustmentNumber: string }>;
}

export interface RunComparison {
  base: number;
  other: number;
  accuracy: { base: number | null; other: number | null };
  newVariances: number;
  resolvedVariances: number;
  /** Positions whose status or difference changed; null: not in that run. */
  changes: Array<{ facility: string; sku: string; lot: string; from: string | null; to: string | null; differenceFrom: string | null; differenceTo: string | null }>;
}

/** A reconciliation asked for a facility of which neither side sent any stock. */
export class UnknownFacility extends Error {
  constructor(readonly facility: string, lookbackMs: number) {
    super(`no stock of facility ${JSON.stringify(facility)} from either side in the ${Math.round(lookbackMs / 3_600_000)} hours before T (inventory.lookbackMs)`);
    this.name = 'UnknownFacility';
  }
}

export class InventoryService {
  private readonly erpEndpoints: Set<string>;

  constructor(private readonly store: InventoryServiceStore, private readonly config: Pick<CausewayConfig, 'inventory' | 'endpoints' | 'codeTables'> & Partial<Pick<CausewayConfig, 'flows'>>, private readonly wakeProcessor: () => void = () => {}) {
    const inv = config.inventory;
    this.erpEndpoints = new Set(inv.erpEndpoints ?? Object.entries(config.endpoints).filter(([, e]) => ERP_TYPES.has(e.type)).map(([n]) => n));
  }

  sideOf = (endpoint: string): Origin => (endpoint === INVENTORY_ENDPOINT ? 'hub' : this.erpEndpoints.has(endpoint) ? 'erp' : 'warehouse');

  private async settings(tenant: string): Promise<ReconcileSettings> {
    const { tolerance, timingToleranceMs } = this.config.inventory;
    const tolerances = new Map(Object.entries(tolerance).map(([u, v]) => [u, new Big(v)]));
    const zero = new Big(0);
    const settings: ReconcileSettings = { sideOf: this.sideOf, toleranceFor: (uom) => tolerances.get(uom) ?? zero, timingToleranceMs, units: await this.units(tenant) };
    if (this.config.flows) settings.routesOf = (r) => this.routesOf(tenant, r, this.config.flows!);
    return settings;
  }

  /** The sides the flows carry a document to: where a held or refused one would have gone. */
  private routesOf(tenant: string, r: StockDocumentRecord, flows: CausewayConfig['flows']): Side[] {
    const facility = (r.body as { facility?: string }).facility ?? '';
    const sides = new Set<Side>();
    for (const f of flows) {
      if (!f.types.includes(r.type) || (f.tenant && f.tenant !== tenant) || (f.from && !f.from.includes(r.endpoint))) continue;
      if (f.facilities && !f.facilities.includes(facility)) continue;
      const side = this.sideOf(f.to);
      if (side !== 'hub') sides.add(side);
    }
    return [...sides];
  }

  /** The item master's units, the ERP's record of a SKU first (it owns the item master). */
  private async units(tenant: string): Promise<UnitConversion> {
    const items = new Map<string, { baseUom: string; factors: Map<string, Big> }>();
    for (const r of await this.store.latestDocumentsOfType(tenant, 'item')) {
      const item = r.body as Item;
      if (items.has(item.sku) && this.sideOf(r.endpoint) !== 'erp') continue;
      items.set(item.sku, { baseUom: item.baseUom, factors: new Map((item.conversions ?? []).map((c) => [c.uom, new Big(c.factor)])) });
    }
    return (sku, uom) => {
      const item = items.get(sku);
      if (!item) return undefined;
      if (uom === item.baseUom) return { baseUom: uom, factor: new Big(1) };
      const factor = item.factors.get(uom);
      return factor && { baseUom: item.baseUom, factor };
    };
  }

  /** Both sides compared at `at` (default now), without storing anything. */
  async compare(tenant: string, at: number, facility?: string): Promise<ReconciliationOutcome> {
    const rows = await this.store.stockDocuments(tenant, { since: at - this.config.inventory.lookbackMs, until: at, facility });
    return reconcile(rows, at, await this.settings(tenant), facility);
  }

  /** A reconciliation run, stored with a result per position. */
  async reconcile(tenant: string, options: { at?: number; facility?: string; trigger: string }): Promise<RunSummary> {
    const startedAt = Date.now();
    const at = options.at ?? startedAt;
    const outcome = await this.compare(tenant, at, options.facility);
    if (options.facility !== undefined && outcome.results.length === 0 && Object.keys(outcome.snapshots).length === 0) {
      // Most often a mistyped code: a run of nothing would read as a perfect facility.
      throw new UnknownFacility(options.facility, this.config.inventory.lookbackMs);
    }
    const run = await this.store.saveReconciliation({
      tenant, at, facility: options.facility ?? null, trigger: options.trigger, startedAt, finishedAt: Date.now(),
      counts: outcome.counts, accuracy: accuracyOf(outcome.results), snapshots: outcome.snapshots,
      results: outcome.results.map((r) => ({
        facility: r.facility, sku: r.sku, lot: r.lot, uom: r.uom, status: r.status, difference: r.difference, correctedDifference: r.correctedDifference,
        detail: { warehouse: r.warehouse, erp: r.erp, explanation: r.explanation, documents: r.documents },
      })),
    });
    return { run, variances: await this.store.listReconciliationResults(tenant, run.id, { status: 'variance', limit: 1000 }) };
  }

  /**
   * Approves or rejects variances of a run. Each approved one becomes an inventory_adjustment with
   * reason `reconciliation` naming the run, towards the side config `inventory.correct` names:
   * for the ERP it adds warehouse less ERP, for the warehouse the opposite.
   */
  async decide(tenant: string, runId: number, positions: number[], action: 'approved' | 'rejected', decidedBy: string, note?: string): Promise<DecisionOutcome> {
    const decidedAt = Date.now();
    const decisions = await this.store.decideVariances(positions.map((position) => ({ tenant, runId, position, action, decidedBy, decidedAt, note })));
    const messages: DecisionOutcome['messages'] = [];
    for (const d of decisions) {
      // Only the first decision counts: an approval of a position rejected before sends nothing.
      if (d.action !== 'approved') continue;
      const adjustment = this.adjustmentOf(tenant, d);
      const body = Buffer.from(JSON.stringify(adjustment));
      const [accepted] = await this.store.acceptMessages([{
        tenant, endpoint: INVENTORY_ENDPOINT, codec: 'json', contentType: 'application/json',
        idempotencyKey: `reconciliation:${runId}:${d.position}`, contentHash: contentHash(body), body, receivedAt: decidedAt,
        partnerRef: `reconciliation run ${runId} position ${d.position}`,
      }]);
      messages.push({ position: d.position, messageId: accepted.messageId, duplicate: accepted.duplicate, adjustmentNumber: adjustment.adjustmentNumber });
    }
    if (messages.some((m) => !m.duplicate)) this.wakeProcessor();
    return { decisions, messages };
  }

  private adjustmentOf(tenant: string, d: VarianceDecision): Omit<InventoryAdjustment, 'id' | 'source' | 'entityKey' | 'receivedAt' | 'schemaVersion' | 'references' | 'tenant'> & { tenant: string; references: Array<{ qualifier: string; value: string }> } {
    const quantity = this.config.inventory.correct === 'erp' ? d.quantity : new Big(d.quantity).neg().toFixed();
    return {
      type: 'inventory_adjustment', tenant,
      // The decision's own time: a replay of the message makes the same document.
      occurredAt: new Date(d.decidedAt).toISOString(),
      adjustmentNumber: `REC-${d.runId}-${d.position}`,
      facility: d.facility,
      references: [{ qualifier: 'reconciliation', value: String(d.runId) }],
      lines: [{
        sku: d.sku, ...(d.lot ? { lot: d.lot } : {}), quantity, uom: d.uom, reason: 'reconciliation', serials: [],
        note: `reconciliation run ${d.runId}, approved by ${d.decidedBy}${d.note ? `: ${d.note}` : ''}`.slice(0, 500),
      }],
    };
  }

  getRun(tenant: string, id: number): Promise<ReconciliationRun | undefined> {
    return this.store.getReconciliation(tenant, id);
  }

  listRuns(tenant: string, page: { facility?: string; limit?: number; before?: number } = {}): Promise<ReconciliationRun[]> {
    return this.store.listReconciliations(tenant, page);
  }

  results(tenant: string, runId: number, filter: { status?: string; facility?: string; after?: number; limit?: number } = {}): Promise<StoredPositionResult[]> {
    return this.store.listReconciliationResults(tenant, runId, filter);
  }

  decisions(tenant: string, page: { runId?: number; limit?: number; before?: number } = {}): Promise<VarianceDecision[]> {
    return this.store.listVarianceDecisions(tenant, page);
  }

  /** Every result of a run, read a page at a time. */
  async allResults(tenant: string, runId: number): Promise<StoredPositionResult[]> {
    const out: StoredPositionResult[] = [];
    for (let after = 0; ;) {
      const page = await this.store.listReconciliationResults(tenant, runId, { after, limit: 1000 });
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]!.position;
    }
  }

  /**
   * What changed from one run to another, position by position: variances that appeared, that
   * went away, and every other change of status, with both runs' differences.
   */
  async compareRuns(tenant: string, baseId: number, otherId: number): Promise<RunComparison | undefined> {
    const [base, other] = await Promise.all([this.store.getReconciliation(tenant, baseId), this.store.getReconciliation(tenant, otherId)]);
    if (!base || !other) return undefined;
    const key = (r: StoredPositionResult) => `${r.facility}\u0000${r.sku}\u0000${r.lot}`;
    const before = new Map((await this.allResults(tenant, baseId)).map((r) => [key(r), r]));
    const changes: RunComparison['changes'] = [];
    const seen = new Set<string>();
    for (const r of await this.allResults(tenant, otherId)) {
      const k = key(r);
      seen.add(k);
      const b = before.get(k);
      if (b && b.status === r.status && b.correctedDifference === r.correctedDifference) continue;
      changes.push({ facility: r.facility, sku: r.sku, lot: r.lot, from: b?.status ?? null, to: r.status, differenceFrom: b?.correctedDifference ?? null, differenceTo: r.correctedDifference });
    }
    for (const [k, b] of before) {
      if (!seen.has(k)) changes.push({ facility: b.facility, sku: b.sku, lot: b.lot, from: b.status, to: null, differenceFrom: b.correctedDifference, differenceTo: null });
    }
    const rate = (r: ReconciliationRun) => (r.accuracy as Accuracy).overall.rate;
    return {
      base: baseId, other: otherId, accuracy: { base: rate(base), other: rate(other) },
      newVariances: changes.filter((c) => c.to === 'variance' && c.from !== 'variance').length,
      resolvedVariances: changes.filter((c) => c.from === 'variance' && c.to !== 'variance').length,
      changes,
    };
  }

  /** Accuracy of the newest run in [from, to], and the trend: one point per run, oldest first. */
  async accuracy(tenant: string, from: number, to: number): Promise<{ latest: (Accuracy & { runId: number; at: string }) | null; trend: Array<{ runId: number; at: string; rate: number | null; byFacility: Record<string, number | null> }> }> {
    const runs: ReconciliationRun[] = [];
    for (let before: number | undefined; ;) {
      const page = await this.store.listReconciliations(tenant, { before, limit: 1000 });
      runs.push(...page.filter((r) => r.at >= from && r.at <= to));
      if (page.length < 1000 || page[page.length - 1]!.at < from) break;
      before = page[page.length - 1]!.id;
    }
    // Runs of one facility are points of that facility only; the overall trend is of whole runs.
    const trend = runs.reverse().map((r) => {
      const a = r.accuracy as Accuracy;
      return { runId: r.id, at: new Date(r.at).toISOString(), rate: r.facility === null ? a.overall.rate : null, byFacility: Object.fromEntries(Object.entries(a.byFacility).map(([f, x]) => [f, x.rate])) };
    });
    const newest = [...runs].reverse().find((r) => r.facility === null);
    return { latest: newest ? { ...(newest.accuracy as Accuracy), runId: newest.id, at: new Date(newest.at).toISOString() } : null, trend };
  }

  /** Stock positions of both sides as of `at`. */
  async positions(tenant: string, at: number, facility?: string): Promise<ReconciliationOutcome['results']> {
    return (await this.compare(tenant, at, facility)).results;
  }

  /**
   * Available-to-promise from the warehouse's positions now; those that changed since last
   * published go out as inventory_availability documents, in one message. Returns how many.
   */
  async publishAvailability(tenant: string, now = Date.now()): Promise<number> {
    const current = await this.availability(tenant, now);
    const published = new Map((await this.store.listPublishedAvailability(tenant)).map((p) => [availabilityKey(p), p.available]));
    const changed = changedAvailability(current, published);
    if (changed.length === 0) return 0;
    const documents = changed.map((a): Omit<InventoryAvailability, 'id' | 'source' | 'receivedAt' | 'schemaVersion' | 'references'> => ({
      type: 'inventory_availability', tenant, entityKey: entityKeys.availability(a.facility, a.sku), occurredAt: new Date(now).toISOString(),
      facility: a.facility, sku: a.sku, uom: a.uom, available: a.available, onHand: a.onHand, allocated: a.allocated, onHold: a.onHold,
      safetyBuffer: a.safetyBuffer, asOf: new Date(a.asOf).toISOString(),
    }));
    // Only the freshest value goes out: an older one still waiting for a target is dropped.
    await this.store.dropSupersededAvailability(tenant, documents.map((d) => d.entityKey), now);
    const body = Buffer.from(JSON.stringify(documents));
    const hash = contentHash(body);
    await this.store.acceptMessages([{ tenant, endpoint: INVENTORY_ENDPOINT, codec: 'json', contentType: 'application/json', idempotencyKey: `availability:${hash}`, contentHash: hash, body, receivedAt: now }]);
    await this.store.recordPublishedAvailability(tenant, changed.map((a) => ({ facility: a.facility, sku: a.sku, available: a.available, publishedAt: now })));
    this.wakeProcessor();
    return changed.length;
  }

  /** Available-to-promise per SKU and facility from the warehouse's positions at `now`. */
  async availability(tenant: string, now: number): Promise<Availability[]> {
    const { safetyStock } = this.config.inventory.availability;
    const rows = await this.store.stockDocuments(tenant, { since: now - this.config.inventory.lookbackMs, until: now });
    const { positions } = foldSides(rows, now, { sideOf: this.sideOf, units: await this.units(tenant) }).warehouse;
    const categories = Object.keys(safetyStock.byCategory).length ? await this.categories(tenant) : new Map<string, string>();
    return availableToPromise(positions.values(), safetyStock, (sku) => categories.get(sku));
  }

  private async categories(tenant: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of await this.store.latestDocumentsOfType(tenant, 'item')) {
      const item = r.body as Item;
      if (item.category && this.sideOf(r.endpoint) === 'erp') out.set(item.sku, item.category);
      else if (item.category && !out.has(item.sku)) out.set(item.sku, item.category);
    }
    return out;
  }

  /**
   * The go-live audit. The ERP's item master is what its connector brought in (item documents from
   * ERP endpoints) unless given; the warehouse's is the feed given, else the item documents of
   * warehouse endpoints. Stock differences come from comparing both sides now.
   */
  async audit(tenant: string, input: { erp?: AuditItem[]; warehouse?: AuditItem[]; carriers?: Array<{ code: string; side: 'erp' | 'warehouse'; record: string }> }): Promise<AuditReport> {
    const stored = input.erp && input.warehouse ? [] : await this.store.latestDocumentsOfType(tenant, 'item');
    const fromStore = (side: 'erp' | 'warehouse') => stored.filter((r) => this.sideOf(r.endpoint) === side).map((r) => r.body as AuditItem);
    const now = Date.now();
    const outcome = await this.compare(tenant, now);
    const { codeTables } = this.config.inventory.audit;
    const table = (name: string | undefined) => (name && this.config.codeTables[name] ? Object.keys(this.config.codeTables[name]) : undefined);
    const facilities = Object.entries(outcome.snapshots).flatMap(([code, s]) => [
      ...(s.warehouse !== null ? [{ code, side: 'warehouse' as const, record: `warehouse stock snapshot of facility ${code}` }] : []),
      ...(s.erp !== null ? [{ code, side: 'erp' as const, record: `ERP stock snapshot of facility ${code}` }] : []),
    ]);
    return auditItemMasters({
      erp: input.erp ?? fromStore('erp'),
      warehouse: input.warehouse ?? fromStore('warehouse'),
      codeTables: { facility: table(codeTables.facility), carrier: table(codeTables.carrier), unit: table(codeTables.unit) },
      facilities, carriers: input.carriers,
      stock: {
        erp: outcome.results.filter((r) => r.erp).map((r) => ({ facility: r.facility, sku: r.sku, onHand: r.erp!.onHand })),
        warehouse: outcome.results.filter((r) => r.warehouse).map((r) => ({ facility: r.facility, sku: r.sku, onHand: r.warehouse!.onHand })),
      },
    });
  }
}
