import type { CausewayError } from '../../model/index.ts';
import type { EdiReconciliation, EdiWrites } from './edi.ts';
import type { NewAlert } from './alerts.ts';
import type { RulesWrites, VerdictRow } from './ledger.ts';
import type { Page } from './page.ts';
import type { RoutingWrites } from './routing.ts';
import type { NewDelivery } from './delivery.ts';

export type { NewDelivery };

// The pipeline's facet: inbox, messages, documents, deliveries and their attempts, replays, source
// cursors, job leases and the KPI sample. Times are epoch milliseconds.

export type MessageStatus = 'pending' | 'processed' | 'quarantined';
/** superseded: withdrawn before it was sent, because a newer document of its key replaced it. */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'superseded';
export type AttemptOutcomeKind = 'delivered' | 'retryable' | 'permanent';

export interface NewMessage {
  tenant: string;
  endpoint: string;
  codec: string;
  contentType?: string;
  /** Given by the sender, or the content hash when none was given: the inbox dedupes on it per endpoint. */
  idempotencyKey: string;
  contentHash: string;
  /** The raw bytes, when they are in memory (empty when `stream` gives them). */
  body: Buffer;
  /** Or a large raw message read from where it lies (a file), stored in chunks without being held whole. */
  stream?: RawSource;
  partnerRef?: string;
  receivedAt: number;
}

/** Raw bytes too large to hold: the store reads them once, chunk by chunk, when it stores them. */
export interface RawSource {
  size: number;
  /** The bytes in order; a piece may be overwritten once the next is asked for (the store copies it first). */
  open(): AsyncIterable<Uint8Array>;
}

export interface AcceptedMessage {
  messageId: number;
  duplicate: boolean;
}

export interface StoredMessage {
  id: number;
  tenant: string;
  endpoint: string;
  codec: string;
  contentType: string | null;
  idempotencyKey: string;
  contentHash: string;
  /** The raw bytes when stored inline; empty when stored in chunks (`chunked`): read them with readMessageBody. */
  body: Buffer;
  /** Size of the raw message in bytes, wherever it is stored. */
  size: number;
  /** The raw message is stored in chunks, to be streamed rather than held (a large file). */
  chunked: boolean;
  /**
   * Parts of a chunked message committed so far in this generation (checkpoints): a worker that
   * takes the message over skips them. 0 for a message not begun.
   */
  progress: number;
  partnerRef: string | null;
  receivedAt: number;
  status: MessageStatus;
  errors: CausewayError[];
  /** What went through with an assumption or was left out (severity 'warning'), kept with the errors. */
  warnings: CausewayError[];
  duplicates: number;
  generation: number;
  processedAt: number | null;
  /** Set once retention pruned part of it: the raw bytes, then the documents (docs/operations.md). */
  pruned?: { rawAt: number | null; documentsAt: number | null; archive: string | null };
}

export interface NewDocument {
  id: string;
  tenant: string;
  messageId: number;
  type: string;
  entityKey: string;
  occurredAt: number;
  receivedAt: number;
  body: unknown;
}

export interface StoredDocument extends NewDocument {
  generation: number;
}

export interface StoredDelivery extends NewDelivery {
  id: number;
  status: DeliveryStatus;
  attempts: number;
  availableAt: number;
  createdAt: number;
  deliveredAt: number | null;
  partnerRef: string | null;
  lastError: string | null;
}

/** What the engine decided for one claimed message: its documents and deliveries, or quarantine. */
export type MessageOutcome =
  | {
      messageId: number;
      status: 'processed';
      documents: NewDocument[];
      deliveries: NewDelivery[];
      /** Parts rejected while others went through (one bad X12 set among good ones): kept and dead-lettered. */
      errors?: CausewayError[];
      /** What went through with an assumption or was left out: kept with the message, never dead-lettered. */
      warnings?: CausewayError[];
      edi?: EdiWrites;
      /** The rules step's ledgers, verdicts and withdrawn deliveries: committed with the outcome or not at all. */
      rules?: RulesWrites;
      /** What the rules' verdicts make of the stock routing reserved for the message's orders. */
      routing?: RoutingWrites;
      /**
       * Not the end: a checkpoint of a large message read part by part. Its documents, deliveries,
       * writes and errors so far are committed, and the message stays pending with `progress` parts
       * done and its lease renewed to leaseUntil.
       */
      checkpoint?: MessageCheckpoint;
      /** When given, committed only while this worker holds the message's lease; else MessageLeaseLost is thrown and nothing is written. */
      owner?: string;
    }
  | { messageId: number; status: 'quarantined'; errors: CausewayError[]; warnings?: CausewayError[]; edi?: EdiWrites; owner?: string };

export interface MessageCheckpoint {
  progress: number;
  leaseUntil: number;
}

/** What completing messages did beyond their own rows, for logs and metrics once it is committed. */
export interface CompletionReport {
  /** Alerts this commit raised (not those already raised under the same dedupe key). */
  alerts: NewAlert[];
  /** Acknowledgments of groups the store has no record of sending. */
  unknownGroups: EdiReconciliation[];
}

export interface AttemptRecord {
  deliveryId: number;
  tenant: string;
  startedAt: number;
  finishedAt: number;
  outcome: AttemptOutcomeKind;
  statusCode?: number;
  response?: string;
  partnerRef?: string;
  error?: string;
  /** For a retryable outcome: when to try again; beyond the delivery's max attempts it is dead-lettered. */
  retryAt?: number;
  /**
   * Deliveries added in the same transaction when this attempt settles the delivery, by how it
   * settled (outcome events for a bus): recorded with the outcome, so none is lost or invented.
   */
  onSettled?: { delivered?: NewDelivery[]; dead?: NewDelivery[] };
}

export interface DeadLetter {
  id: number;
  tenant: string;
  kind: 'delivery' | 'message';
  refId: number;
  endpoint: string;
  reason: string;
  createdAt: number;
  replayedAt: number | null;
}

export interface MessageFilter extends Page {
  tenant: string;
  status?: MessageStatus;
  endpoint?: string;
  from?: number;
  to?: number;
}

export interface DeliveryFilter extends Page {
  tenant: string;
  status?: DeliveryStatus;
  endpoint?: string;
  entityKey?: string;
  type?: string;
  from?: number;
  to?: number;
}

export interface AttemptRow extends AttemptRecord {
  id: number;
}

export interface Lineage {
  message: StoredMessage;
  documents: StoredDocument[];
  deliveries: Array<StoredDelivery & { attemptLog: AttemptRow[] }>;
  /** The rules' verdict on each document, oldest first. */
  verdicts: VerdictRow[];
}

export interface KpiSample {
  /** delivered_at - occurred_at and delivered_at - received_at of deliveries done in the window, ms. */
  syncFromOccurred: number[];
  syncFromReceived: number[];
  delivered: number;
  attempts: number;
  failedAttempts: number;
  deadLetters: number;
  messages: number;
  quarantined: number;
  duplicates: number;
  backlog: Array<{ endpoint: string; pending: number; oldestAt: number | null }>;
  /** Order release (the first sales_order's occurredAt) to the shipment (its shippedAt to the second, else its occurredAt), ms, for shipments in the window. */
  orderToShipment: number[];
  /** The rules' verdicts given in the window, by verdict. */
  verdicts: Record<'apply' | 'hold' | 'refuse' | 'stale', number>;
  /** Deliveries withdrawn in the window because a newer document superseded them. */
  superseded: number;
}

export interface PipelineStore {
  /** Stores raw messages (and, atomically, the source's new cursor); duplicates are counted and answered. */
  acceptMessages(messages: NewMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<AcceptedMessage[]>;
  /** Leases pending messages in arrival order; an expired lease (dead worker) is taken over. */
  claimPendingMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<StoredMessage[]>;
  /**
   * Commits each message's outcome with its documents, deliveries and EDI writes in one transaction;
   * a message no longer pending (its lease lapsed and another worker completed it) is left as it is.
   * Throws EdiReceiptConflict, committing nothing, when a receipt's screened verdict no longer holds,
   * and LedgerConflict when a ledger write was decided on a version another commit moved on.
   */
  completeMessages(outcomes: MessageOutcome[], now: number): Promise<CompletionReport>;

  /**
   * Leases due deliveries that head their (tenant, endpoint, entity key) queue, so a key's
   * deliveries reach a target strictly in order while different keys go in parallel.
   */
  claimDueDeliveries(owner: string, limit: number, leaseMs: number, now: number, skipEndpoints?: string[]): Promise<StoredDelivery[]>;
  /** Gives back leased deliveries that were not attempted (an open circuit, a shutdown). */
  releaseDeliveries(owner: string, deliveryIds: number[]): Promise<void>;
  /** Records attempts and moves deliveries on as judgeAttempt decides: delivered, back to pending at retryAt, or dead. */
  recordAttempts(attempts: AttemptRecord[], now: number): Promise<void>;

  getMessage(tenant: string, id: number): Promise<StoredMessage | undefined>;
  /** A message's raw bytes in order, chunk by chunk (one chunk for a message stored inline); nothing for an unknown message. */
  readMessageBody(tenant: string, id: number): AsyncIterable<Buffer>;
  /** The newest document of a type for an entity key (the item master for unit conversions, an order's state). */
  findLatestDocument(tenant: string, type: string, entityKey: string): Promise<StoredDocument | undefined>;
  listMessages(filter: MessageFilter): Promise<StoredMessage[]>;
  listDeliveries(filter: DeliveryFilter): Promise<StoredDelivery[]>;
  listDeadLetters(tenant: string, page?: Page & { includeReplayed?: boolean }): Promise<DeadLetter[]>;
  lineage(tenant: string, messageId: number): Promise<Lineage | undefined>;
  /** The deliveries made of one document (an order's send, to record once it is delivered). */
  deliveriesOfDocument(tenant: string, documentId: string): Promise<StoredDelivery[]>;

  /** Replay: the message goes back to pending and is decoded again with the current config. */
  requeueMessages(tenant: string, messageIds: number[], now: number): Promise<number>;
  /** Replay of messages received in a window (optionally of one endpoint). */
  requeueMessageWindow(tenant: string, from: number, to: number, endpoint: string | undefined, now: number): Promise<number>;
  /** Replay of dead deliveries: back to pending with a fresh attempt budget, same idempotency key. */
  requeueDeadDeliveries(tenant: string, deliveryIds: number[] | 'all', now: number): Promise<number>;

  getCursor(tenant: string, endpoint: string): Promise<string | null>;
  setCursor(tenant: string, endpoint: string, value: string): Promise<void>;

  kpiSample(tenant: string | undefined, since: number, now: number): Promise<KpiSample>;

  /**
   * Cluster-wide lease on a scheduled job (a source's poll, the overdue-997 check): true when this
   * owner holds it until now + ttlMs. Renewing one's own lease succeeds; another owner's live lease
   * refuses, so a job runs on one worker at a time however many are started.
   */
  tryAcquireJobLease(job: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseJobLease(job: string, owner: string): Promise<void>;
}
