import type { Page } from './page.ts';
import type { DeliveryStatus } from './pipeline.ts';

// The inventory facet: the stock documents reconciliation reads (with what became of their
// deliveries), stored reconciliation runs with a result per position, operators' decisions on
// variances (one per position and run, whoever asks twice), and the availability last published.

/** A stored document that counts or moves stock, from the current generation of its message. */
export interface StockDocumentRow {
  documentId: string;
  messageId: number;
  type: string;
  /** The endpoint its message came in through. */
  endpoint: string;
  occurredAt: number;
  body: unknown;
  deliveries: Array<{ endpoint: string; status: DeliveryStatus; deliveredAt: number | null }>;
  /**
   * The rules step's latest verdict on it (a held document released later has its apply after its
   * hold); null when no rules decided it. A held document has no delivery yet: this says why.
   */
  verdict: StockDocumentVerdict | null;
}

export interface StockDocumentVerdict {
  verdict: 'apply' | 'hold' | 'refuse' | 'stale';
  rule: string;
  reason: string;
}

export interface StockDocumentFilter {
  /** Snapshots and movements that occurred in [since, until]; movements still undelivered are read however old. */
  since: number;
  until: number;
  facility?: string;
}

export interface NewPositionResult {
  facility: string;
  sku: string;
  lot: string;
  uom: string;
  status: string;
  difference: string;
  correctedDifference: string;
  /** Both sides' quantities, the explanation and the documents in flight. */
  detail: unknown;
}

export interface StoredPositionResult extends NewPositionResult {
  runId: number;
  /** The result's number within its run, from 1: what a decision names. */
  position: number;
}

export interface NewReconciliationRun {
  tenant: string;
  /** The time T compared at. */
  at: number;
  facility: string | null;
  trigger: string;
  startedAt: number;
  finishedAt: number;
  counts: Record<string, number>;
  accuracy: unknown;
  snapshots: unknown;
  results: NewPositionResult[];
}

export type ReconciliationRun = Omit<NewReconciliationRun, 'results'> & { id: number };

export interface NewVarianceDecision {
  tenant: string;
  runId: number;
  position: number;
  action: 'approved' | 'rejected';
  decidedBy: string;
  decidedAt: number;
  note?: string;
}

export interface VarianceDecision extends NewVarianceDecision {
  id: number;
  facility: string;
  sku: string;
  lot: string;
  uom: string;
  /** The variance decided on, warehouse less ERP after in-flight corrections. */
  quantity: string;
}

export interface PublishedAvailability {
  facility: string;
  sku: string;
  available: string;
  publishedAt: number;
}

/** The newest document of a type per entity key and endpoint (each side's item master record of a SKU). */
export interface LatestDocumentRow {
  documentId: string;
  endpoint: string;
  entityKey: string;
  occurredAt: number;
  body: unknown;
}

export interface InventoryStore {
  latestDocumentsOfType(tenant: string, type: string): Promise<LatestDocumentRow[]>;
  stockDocuments(tenant: string, filter: StockDocumentFilter): Promise<StockDocumentRow[]>;
  saveReconciliation(run: NewReconciliationRun): Promise<ReconciliationRun>;
  /** Runs newest first; `wholeRuns`: only those over every facility. */
  listReconciliations(tenant: string, page?: Page & { facility?: string; wholeRuns?: boolean }): Promise<ReconciliationRun[]>;
  getReconciliation(tenant: string, id: number): Promise<ReconciliationRun | undefined>;
  /** A run's results in position order, from after a position (a page's last) on. */
  listReconciliationResults(tenant: string, runId: number, filter?: { status?: string; facility?: string; after?: number; limit?: number }): Promise<StoredPositionResult[]>;
  /**
   * Records decisions on variances of a run: a position decided before keeps its first decision
   * (two operators, a retried request, a crash and a second try all end with one). Returns each
   * position's decision as it stands, in the order asked; a position that is no variance of the
   * run is left out.
   */
  decideVariances(decisions: NewVarianceDecision[]): Promise<VarianceDecision[]>;
  /** The audit log of decisions, newest first. */
  listVarianceDecisions(tenant: string, page?: Page & { runId?: number }): Promise<VarianceDecision[]>;
  /**
   * Drops the pending, unleased deliveries of inventory_availability documents of these entity
   * keys: a newer value is on its way, and the older one must not reach a target after it or at
   * all. A delivery a worker holds is left to finish; the newer one follows it. Returns how many.
   */
  dropSupersededAvailability(tenant: string, entityKeys: string[], now: number): Promise<number>;
  listPublishedAvailability(tenant: string): Promise<PublishedAvailability[]>;
  recordPublishedAvailability(tenant: string, rows: PublishedAvailability[]): Promise<void>;
}
