import type { Page } from './page.ts';
import type { NewDelivery } from './delivery.ts';

// The ledger facet: one row per business entity (an order, an inbound, an item, a facility's
// stock) holding the rules' ledger as JSON, and the verdict each document got. The rules decide in
// shared pure code (src/engine/rules); a store only reads and writes these rows. Ledger writes are
// optimistic: each names the version it was decided on, and a write on a ledger another worker
// moved on meanwhile is refused with LedgerConflict, committing nothing.

export type LedgerKind = 'order' | 'inbound' | 'state';
export type RuleVerdict = 'apply' | 'hold' | 'refuse' | 'stale';

export interface LedgerRow {
  tenant: string;
  entityKey: string;
  kind: LedgerKind;
  /** The order or purchase order number (the entity key's own part for state ledgers). */
  reference: string;
  version: number;
  /** The derived state for filtering (open, partially_shipped, shipped, cancelled, held, closed, ...). */
  status: string;
  facility: string | null;
  /** When the sweep must look at it again (a hold window ending, an acknowledgment or ship date due); null: never. */
  dueAt: number | null;
  updatedAt: number;
  body: unknown;
}

/** A ledger decided on version `expectedVersion` (0: it did not exist), to be stored as `version`. */
export interface LedgerWrite extends Omit<LedgerRow, 'updatedAt'> {
  expectedVersion: number;
  /** When an order becomes stuck unless it moves on first (no acknowledgment in time, its ship date passed); null: it cannot. */
  stuckAt?: number | null;
}

export interface NewVerdict {
  tenant: string;
  /** The ledger it was decided against; null when no rule keeps one for its type. */
  entityKey: string | null;
  documentId: string;
  documentType: string;
  messageId: number;
  verdict: RuleVerdict;
  rule: string;
  reason: string;
  path?: string;
  /** Flags and field conflicts of an applied document. */
  detail?: unknown;
  createdAt: number;
}

export interface VerdictRow extends NewVerdict {
  id: number;
}

/**
 * Pending deliveries a newer document replaces: those of the key and type that carry one of
 * `documentIds`, or whose document occurred before `occurredBefore`, never those of `keep`. They
 * become `superseded` with `reason`. When `required`, a matching delivery already leased to a
 * sender or delivered refuses the whole write (LedgerConflict): the decision was taken on a
 * delivery that was no longer there to withdraw.
 */
export interface Supersede {
  tenant: string;
  entityKey: string;
  documentType: string;
  documentIds?: string[];
  occurredBefore?: number;
  keep?: string;
  required: boolean;
  reason: string;
}

/** A document the rules refused outside a message's processing (a hold whose window ran out): its message is dead-lettered with the reason. */
export interface RulesDeadLetter {
  tenant: string;
  messageId: number;
  reason: string;
}

/** What the rules write, with a message's outcome or on their own. */
export interface RulesWrites {
  ledgers?: LedgerWrite[];
  verdicts?: NewVerdict[];
  supersede?: Supersede[];
  deadLetters?: RulesDeadLetter[];
  /**
   * writeRules only (a message's outcome carries its own deliveries): what a refusal owes the
   * partner (an APERAK for a hold that ran out), committed with it or not at all.
   */
  deliveries?: NewDelivery[];
}

/** A ledger write refused: decided on an old version, or withdrawing a delivery already gone. Nothing was committed. */
export class LedgerConflict extends Error {
  /** version: decided on an old version; in_flight: a delivery to withdraw was already on its way. */
  constructor(readonly entityKeys: string[], readonly messageIds: number[], detail: string, readonly kind: 'version' | 'in_flight' = 'version') {
    super(`ledger conflict on ${entityKeys.join(', ')}: ${detail}`);
    this.name = 'LedgerConflict';
  }
}

export interface LedgerFilter extends Page {
  tenant: string;
  kind: LedgerKind;
  status?: string[];
  facility?: string;
  /** Updated at or after / before, epoch ms. */
  from?: number;
  to?: number;
  /** Pages by entity key: rows after this one. */
  after?: string;
  /** Only ledgers stuck by then (their stuckAt at or before it): the candidates the rules then confirm. */
  stuckBy?: number;
}

export interface LedgerStore {
  getLedgers(tenant: string, entityKeys: string[]): Promise<LedgerRow[]>;
  /** Ledgers of a kind, by entity key, with the filters given. */
  listLedgers(filter: LedgerFilter): Promise<LedgerRow[]>;
  /** Ledgers of every tenant whose dueAt has come, oldest due first. */
  listDueLedgers(now: number, limit: number): Promise<LedgerRow[]>;
  /** The rules' writes outside a message (an operator's hold, the sweep), in one transaction; throws LedgerConflict. */
  writeRules(writes: RulesWrites, now: number): Promise<void>;
  /** Verdicts of an entity or of a message, oldest first. */
  listVerdicts(tenant: string, by: { entityKey?: string; messageId?: number; limit?: number }): Promise<VerdictRow[]>;
  /** Stored documents by id (held documents, decided again on release). */
  getDocuments(tenant: string, ids: string[]): Promise<Array<{ id: string; messageId: number; body: unknown }>>;
}
