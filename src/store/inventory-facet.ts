// The inventory facet's methods, bound once for both stores. Which of them write (in one transaction)
// and which only read is decided here; each dialect's module (sqlite/inventory.ts, postgres/inventory.ts)
// holds its SQL and takes the handle it is given: a reader, or the transaction's writer.
import type { InventoryStore, NewReconciliationRun, NewVarianceDecision, Page, PublishedAvailability, StockDocumentFilter } from './types.ts';

type Awaitable<T> = T | Promise<T>;
type Returned<K extends keyof InventoryStore> = Awaited<ReturnType<InventoryStore[K]>>;

/** One dialect's inventory SQL: reads take R (a pool, the statements), writes W (a transaction's client). */
export interface InventoryDialect<R, W> {
  latestDocumentsOfType(db: R, tenant: string, type: string): Awaitable<Returned<'latestDocumentsOfType'>>;
  stockDocuments(db: R, tenant: string, filter: StockDocumentFilter): Awaitable<Returned<'stockDocuments'>>;
  saveReconciliation(db: W, run: NewReconciliationRun): Awaitable<Returned<'saveReconciliation'>>;
  listReconciliations(db: R, tenant: string, page?: Page & { facility?: string; wholeRuns?: boolean }): Awaitable<Returned<'listReconciliations'>>;
  getReconciliation(db: R, tenant: string, id: number): Awaitable<Returned<'getReconciliation'>>;
  listReconciliationResults(db: R, tenant: string, runId: number, filter?: { status?: string; facility?: string; after?: number; limit?: number }): Awaitable<Returned<'listReconciliationResults'>>;
  decideVariances(db: W, decisions: NewVarianceDecision[]): Awaitable<Returned<'decideVariances'>>;
  listVarianceDecisions(db: R, tenant: string, page?: Page & { runId?: number }): Awaitable<Returned<'listVarianceDecisions'>>;
  dropSupersededAvailability(db: W, tenant: string, entityKeys: string[], now: number): Awaitable<number>;
  listPublishedAvailability(db: R, tenant: string): Awaitable<PublishedAvailability[]>;
  recordPublishedAvailability(db: W, tenant: string, rows: PublishedAvailability[]): Awaitable<void>;
}

/** These methods over a dialect's module, bound, for a store to take on as its own (Object.assign in its constructor). */
export function inventoryFacet<R, W>(m: InventoryDialect<R, W>, read: R, write: <T>(work: (db: W) => Awaitable<T>) => Promise<T>): InventoryStore {
  return {
    latestDocumentsOfType: async (tenant, type) => m.latestDocumentsOfType(read, tenant, type),
    stockDocuments: async (tenant, filter) => m.stockDocuments(read, tenant, filter),
    saveReconciliation: (run) => write((db) => m.saveReconciliation(db, run)),
    listReconciliations: async (tenant, page) => m.listReconciliations(read, tenant, page),
    getReconciliation: async (tenant, id) => m.getReconciliation(read, tenant, id),
    listReconciliationResults: async (tenant, runId, filter) => m.listReconciliationResults(read, tenant, runId, filter),
    decideVariances: (decisions) => write((db) => m.decideVariances(db, decisions)),
    listVarianceDecisions: async (tenant, page) => m.listVarianceDecisions(read, tenant, page),
    dropSupersededAvailability: (tenant, entityKeys, now) => write((db) => m.dropSupersededAvailability(db, tenant, entityKeys, now)),
    listPublishedAvailability: async (tenant) => m.listPublishedAvailability(read, tenant),
    recordPublishedAvailability: (tenant, rows) => write((db) => m.recordPublishedAvailability(db, tenant, rows)),
  };
}
