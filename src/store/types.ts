import type { CausewayError } from '../model/index.ts';

/**
 * The one storage contract. SQLite (embedded) and PostgreSQL (production) implement it and pass
 * the same conformance suite. Every method that touches business data takes the tenant, and every
 * query filters on it. Times are epoch milliseconds.
 */

export type MessageStatus = 'pending' | 'processed' | 'quarantined';
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
export type AttemptOutcomeKind = 'delivered' | 'retryable' | 'permanent';

export interface NewMessage {
  tenant: string;
  endpoint: string;
  codec: string;
  contentType?: string;
  /** Given by the sender, or the content hash when none was given: the inbox dedupes on it per endpoint. */
  idempotencyKey: string;
  contentHash: string;
  body: Buffer;
  partnerRef?: string;
  receivedAt: number;
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
  body: Buffer;
  partnerRef: string | null;
  receivedAt: number;
  status: MessageStatus;
  errors: CausewayError[];
  duplicates: number;
  generation: number;
  processedAt: number | null;
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

export interface NewDelivery {
  tenant: string;
  documentId: string;
  documentType: string;
  messageId: number;
  flow: string;
  endpoint: string;
  entityKey: string;
  payload: Buffer;
  contentType: string;
  idempotencyKey: string;
  occurredAt: number;
  receivedAt: number;
  maxAttempts: number;
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
      edi?: EdiWrites;
    }
  | { messageId: number; status: 'quarantined'; errors: CausewayError[]; edi?: EdiWrites };

/**
 * The EDI bookkeeping a codec's hooks ask for while a message is processed, written in the
 * transaction of the message's outcome: a crash before it commits leaves none of it behind, so a
 * set is never on record as received while its documents are not.
 */
export interface EdiWrites {
  /** Interchanges and sets received, each with the verdict screening read; re-checked as they are recorded. */
  receipts?: ScreenedReceipt[];
  /** Outbound groups to track until their acknowledgment comes. */
  groups?: EdiGroupSent[];
  /** Partners' acknowledgments, applied to the groups they acknowledge. */
  reconciliations?: EdiReconciliation[];
  alerts?: NewAlert[];
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

export interface Page {
  limit?: number;
  /** Return rows with ids below this (newest first paging). */
  before?: number;
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
  /** Order release (sales_order occurredAt) to first shipment occurredAt, ms, for shipments in the window. */
  orderToShipment: number[];
}

/** X12 tracking of one outbound functional group until its 997/999 comes. */
export type EdiGroupStatus = 'sent' | 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected' | 'overdue';

export interface EdiGroupSent {
  tenant: string;
  /** Partner profile name: control numbers are unique per partner. */
  partner: string;
  interchangeControlNumber: string;
  groupControlNumber: string;
  functionalId: string;
  sets: Array<{ id: string; controlNumber: string }>;
  /** The delivery's idempotency key: a replay that reissues control numbers replaces the rows it wrote before. */
  deliveryKey: string;
  messageId: number | null;
  endpoint: string;
  sentAt: number;
  /** No acknowledgment by then: overdue. Null when the partner sends none. */
  deadlineAt: number | null;
}

export interface EdiGroup extends EdiGroupSent {
  id: number;
  status: EdiGroupStatus;
  ackedAt: number | null;
  ackMessageId: number | null;
  /** The acknowledgment's set statuses and errors, as the partner sent them. */
  ackDetail: unknown;
}

export interface EdiGroupFilter extends Page {
  tenant: string;
  status?: EdiGroupStatus;
  partner?: string;
}

/** An interchange (ISA13 per sender) or a set (its content) received, to recognise it when it comes again. */
export interface EdiReceipt {
  tenant: string;
  kind: 'interchange' | 'set';
  key: string;
  partner: string;
  messageId: number;
  at: number;
  /** Seen before within this long: a duplicate. Older sightings start afresh. */
  windowMs: number;
}

/** Whether a receipt repeats one seen in another message within its window. */
export interface EdiReceiptVerdict {
  duplicate: boolean;
  firstMessageId: number;
  count: number;
}

/**
 * A receipt with the verdict duplicate screening reached on reading the store. Recording it in the
 * outcome's transaction reaches the verdict again under the key's lock; when the two differ (another
 * message recorded the key in between) the outcome is refused with EdiReceiptConflict.
 */
export interface ScreenedReceipt extends EdiReceipt {
  duplicate: boolean;
}

export interface EdiReceiptRow {
  id: number;
  tenant: string;
  kind: 'interchange' | 'set';
  key: string;
  partner: string;
  firstMessageId: number;
  firstSeenAt: number;
  lastSeenAt: number;
  lastMessageId: number;
  /** Times seen in the window, the first included. */
  count: number;
}

/** A partner's acknowledgment of one of our groups. */
export interface EdiReconciliation {
  tenant: string;
  partner: string;
  groupControlNumber: string;
  ack: { status: Exclude<EdiGroupStatus, 'sent' | 'overdue'>; messageId: number | null; at: number; detail?: unknown };
  /**
   * The alert the acknowledgment raises about the group as stored, if any. Called by the store inside
   * the transaction once the group is found, so it must be pure: no I/O, no throwing.
   */
  alertFor?(group: EdiGroup): NewAlert | undefined;
}

export interface NewAlert {
  tenant: string;
  /** e.g. x12_rejected, x12_accepted_with_errors, x12_overdue. */
  kind: string;
  /** What it is about, e.g. "partner acme-3pl group 12". */
  subject: string;
  message: string;
  /** One alert per key: raising it again (a replayed 997) is a no-op. */
  dedupeKey: string;
  createdAt: number;
  detail?: unknown;
}

export interface Alert extends NewAlert {
  id: number;
}

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string;
  hash: string;
  createdAt: number;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Stores raw messages (and, atomically, the source's new cursor); duplicates are counted and answered. */
  acceptMessages(messages: NewMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<AcceptedMessage[]>;
  /** Leases pending messages in arrival order; an expired lease (dead worker) is taken over. */
  claimPendingMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<StoredMessage[]>;
  /**
   * Commits each message's outcome with its documents, deliveries and EDI writes in one transaction.
   * Throws EdiReceiptConflict, committing nothing, when a receipt's screened verdict no longer holds.
   */
  completeMessages(outcomes: MessageOutcome[], now: number): Promise<CompletionReport>;

  /**
   * Leases due deliveries that head their (tenant, endpoint, entity key) queue, so a key's
   * deliveries reach a target strictly in order while different keys go in parallel.
   */
  claimDueDeliveries(owner: string, limit: number, leaseMs: number, now: number, skipEndpoints?: string[]): Promise<StoredDelivery[]>;
  /** Gives back leased deliveries that were not attempted (an open circuit, a shutdown). */
  releaseDeliveries(owner: string, deliveryIds: number[]): Promise<void>;
  /** Records attempts and moves deliveries on: delivered, back to pending at retryAt, or dead. */
  recordAttempts(attempts: AttemptRecord[], now: number): Promise<void>;

  getMessage(tenant: string, id: number): Promise<StoredMessage | undefined>;
  /** The newest document of a type for an entity key (the item master for unit conversions, an order's state). */
  findLatestDocument(tenant: string, type: string, entityKey: string): Promise<StoredDocument | undefined>;
  listMessages(filter: MessageFilter): Promise<StoredMessage[]>;
  listDeliveries(filter: DeliveryFilter): Promise<StoredDelivery[]>;
  listDeadLetters(tenant: string, page?: Page & { includeReplayed?: boolean }): Promise<DeadLetter[]>;
  lineage(tenant: string, messageId: number): Promise<Lineage | undefined>;

  /** Replay: the message goes back to pending and is decoded again with the current config. */
  requeueMessages(tenant: string, messageIds: number[], now: number): Promise<number>;
  /** Replay of messages received in a window (optionally of one endpoint). */
  requeueMessageWindow(tenant: string, from: number, to: number, endpoint: string | undefined, now: number): Promise<number>;
  /** Replay of dead deliveries: back to pending with a fresh attempt budget, same idempotency key. */
  requeueDeadDeliveries(tenant: string, deliveryIds: number[] | 'all', now: number): Promise<number>;

  getCursor(tenant: string, endpoint: string): Promise<string | null>;
  setCursor(tenant: string, endpoint: string, value: string): Promise<void>;
  /** Next value of a counter (X12 control numbers), unique across restarts and concurrent workers. */
  nextControlNumber(tenant: string, scope: string, kind: string, max: number): Promise<number>;

  kpiSample(tenant: string | undefined, since: number, now: number): Promise<KpiSample>;

  /**
   * Cluster-wide lease on a scheduled job (a source's poll, the overdue-997 check): true when this
   * owner holds it until now + ttlMs. Renewing one's own lease succeeds; another owner's live lease
   * refuses, so a job runs on one worker at a time however many are started.
   */
  tryAcquireJobLease(job: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseJobLease(job: string, owner: string): Promise<void>;

  /** Records an interchange or set as received; a duplicate when the same key came in another message within the window. */
  recordEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict>;
  /** The verdict recordEdiReceipt would reach now, without recording anything (duplicate screening reads with it). */
  checkEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict>;
  /** Interchanges and sets received more than once, newest first. */
  listEdiDuplicates(tenant: string, page?: Page): Promise<EdiReceiptRow[]>;
  /** Tracks outbound groups (status sent); rows of the same delivery key written before are replaced. */
  recordEdiGroups(groups: EdiGroupSent[]): Promise<void>;
  /** Applies a partner's 997/999 to the group it acknowledges; undefined when no such group was sent. */
  reconcileEdiGroup(tenant: string, partner: string, groupControlNumber: string, ack: { status: Exclude<EdiGroupStatus, 'sent' | 'overdue'>; messageId: number | null; at: number; detail?: unknown }): Promise<EdiGroup | undefined>;
  /** Groups still waiting past their deadline become overdue; returns them (each once). */
  markOverdueEdiGroups(now: number): Promise<EdiGroup[]>;
  listEdiGroups(filter: EdiGroupFilter): Promise<EdiGroup[]>;
  /** Stores an alert unless one with its dedupe key exists; true when it is new. */
  raiseAlert(alert: NewAlert): Promise<boolean>;
  listAlerts(tenant: string, page?: Page & { kind?: string }): Promise<Alert[]>;

  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
}
