import type { StoredMessage } from './pipeline.ts';

// The retention facet: what pruning reads and removes. Which rows may go is decided in shared pure
// code (src/engine/retention); a store lists candidates with the facts that decision needs and
// removes exactly the rows it is given, a small batch per transaction so the pipeline is never
// blocked for long.

export type RetentionStage = 'raw' | 'documents' | 'messages';

/** A message old enough to be looked at, with what decides whether it may lose anything yet. */
export interface RetentionCandidate {
  id: number;
  receivedAt: number;
  /** The document types the message produced, any generation; empty for one that produced none. */
  types: string[];
  /**
   * Nothing about it is still open: it is not pending, it is not quarantined or dead-lettered
   * without a resolution, no delivery of it is pending or dead without a resolution, and no
   * document of it is held by the rules. An unsettled message keeps everything.
   */
  settled: boolean;
}

/** Cursor over candidates: oldest first by (receivedAt, id). */
export interface RetentionCursor {
  receivedAt: number;
  id: number;
}

/** What a message held, as written to an archive before it is removed. */
export type ArchivedRaw = Pick<StoredMessage, 'tenant' | 'endpoint' | 'codec' | 'contentType' | 'idempotencyKey' | 'contentHash' | 'receivedAt'> & { messageId: number };

export interface ArchivedDocuments {
  message: ArchivedRaw & { status: string; errors: unknown; generation: number; processedAt: number | null };
  documents: Array<Record<string, unknown>>;
  deliveries: Array<Record<string, unknown> & { attempts: Array<Record<string, unknown>> }>;
  verdicts: Array<Record<string, unknown>>;
}

/** A month kept in partitions of its own (PostgreSQL), with what decides whether it may go whole. */
export interface RetentionMonth {
  /** Its first instant and the next month's, UTC epoch milliseconds. */
  start: number;
  end: number;
  /** Every tenant with messages received in it: how many, how many are still open (see settled), and their documents' types. */
  tenants: Array<{ tenant: string; messages: number; open: number; types: string[] }>;
}

export interface RetentionStore {
  /** Raw bytes of a tenant's messages still kept (what a storage quota is measured on). */
  storedBytes(tenant: string): Promise<number>;
  /** Every tenant that has messages stored. */
  retentionTenants(): Promise<string[]>;
  /**
   * Messages of a tenant received before `before` that still hold what `stage` removes (raw: a
   * body; documents: documents; messages: the row itself, once its documents are gone), oldest
   * first after `after`, at most `limit`.
   */
  retentionCandidates(tenant: string, stage: RetentionStage, before: number, after: RetentionCursor | null, limit: number): Promise<RetentionCandidate[]>;
  /** The raw side of messages, for an archive: their metadata (the bytes come from readMessageBody). */
  rawForArchive(tenant: string, messageIds: number[]): Promise<ArchivedRaw[]>;
  /** Everything the documents stage removes, for an archive. */
  documentsForArchive(tenant: string, messageIds: number[]): Promise<ArchivedDocuments[]>;
  /** Empties the raw bytes (inline, chunks, and the bodies kept by edits); marks when and where they went. */
  pruneRaw(tenant: string, messageIds: number[], at: number, archivedTo: string | null): Promise<number>;
  /** Removes documents, deliveries, attempts, verdicts and resolved dead letters of settled messages; the message row stays to say so. */
  pruneDocuments(tenant: string, messageIds: number[], at: number, archivedTo: string | null): Promise<number>;
  /** Removes message rows whose documents were pruned (their idempotency keys are then forgotten). */
  pruneMessageRows(tenant: string, messageIds: number[]): Promise<number>;
  /** Attempts of finished deliveries that ended before `before`; `types` limits (or, with `exclude`, spares) document types. */
  pruneAttempts(tenant: string, before: number, types: { only?: string[]; exclude?: string[] }, limit: number): Promise<number>;
  /** How many attempts, ledgers or reconciliation runs the matching prune would remove (for a dry run). */
  countPrunable(tenant: string, what: 'attempts' | 'ledgers' | 'reconciliations', before: number, types?: { only?: string[]; exclude?: string[] }): Promise<number>;
  /** Order and inbound ledgers in a final state (shipped, cancelled, closed) untouched since `before`, with their verdicts. */
  pruneLedgers(tenant: string, before: number, limit: number): Promise<number>;
  /**
   * Reconciliation runs finished before `before`: a run's results go, except the positions someone
   * decided on; a run with no decision goes whole. The tenant's newest run always stays.
   */
  pruneReconciliations(tenant: string, before: number, limit: number): Promise<number>;
  /** Months kept in partitions of their own that end at or before `before`, oldest first (none where the store has no partitions). */
  retentionMonths(before: number): Promise<RetentionMonth[]>;
  /**
   * Drops a month's partitions whole, with what refers to their messages (idempotency keys,
   * edits, verdicts, dead letters). False, and nothing removed, when a message of it is open again
   * or its tables stayed busy; the next pass tries again.
   */
  dropRetentionMonth(start: number): Promise<boolean>;
  /** Makes the missing partitions of `now`'s month and the next two (none where the store has no partitions); their names. */
  preparePartitions(now: number): Promise<string[]>;
  /** Gives freed pages back to the file system where the store keeps them (SQLite incremental vacuum); pages freed. */
  compactAfterPrune(): Promise<number>;
}
