// Rows as the drivers return them, turned into the contract's types: one mapping for both stores.
// The dialects differ in two ways only, both settled here:
// - JSON columns: SQLite keeps them as text, parsed here; PostgreSQL's jsonb comes back parsed.
// - Integers: SQLite gives INTEGER as a number. PostgreSQL gives bigint as text unless told
//   otherwise: its store installs integerFromBigint as the pool's parser, so rows arrive with numbers.
import { shippedAtMs, splitWarnings, type CausewayError } from '../model/index.ts';
import type { ReceiptRow } from './edi-receipts.ts';
import { ledgerBodyOf } from './ledger-body.ts';
import type {
  Alert, ApiKeyRecord, AttemptRow, LedgerRow, VerdictRow, DeadLetter, EdiGroup, EdiReceiptRow, KpiSample, StoredDelivery, StoredDocument, StoredMessage,
} from './types.ts';

/** A row as a driver returns it, column names as in the schema. */
export type Row = Record<string, any>;

/** Epoch ms, ids and counts are all far below 2^53: a bigint is read as a plain number. */
export function integerFromBigint(text: string): number {
  return Number(text);
}

/** How a dialect returns a JSON column: SQL NULL comes back as null either way. */
type ReadJson = (value: unknown) => unknown;

const jsonFromText: ReadJson = (value) => (value === null || value === undefined ? null : JSON.parse(value as string));
const jsonParsed: ReadJson = (value) => value ?? null;

/** The mapping of every table the contract reads, for one dialect. */
export interface RowMapping {
  message(r: Row): StoredMessage;
  document(r: Row): StoredDocument;
  delivery(r: Row): StoredDelivery;
  attempt(r: Row): AttemptRow;
  deadLetter(r: Row): DeadLetter;
  ediGroup(r: Row): EdiGroup;
  ediReceipt(r: Row): EdiReceiptRow;
  /** A receipt key's row as duplicate screening judges it (judgeReceipt), with its id to update it. */
  receiptState(r: Row): ReceiptRow & { id: number };
  alert(r: Row): Alert;
  apiKey(r: Row): ApiKeyRecord;
  ledger(r: Row): LedgerRow;
  verdict(r: Row): VerdictRow;
}

/**
 * The columns of a message and of a delivery, in the order messageOf and deliveryOf read them.
 * The claims hand out hundreds of rows a call: they ask for these columns as arrays (a raw
 * statement) rather than as objects keyed by column, which costs about a quarter less per row.
 */
export const MESSAGE_COLUMNS = [
  'id', 'tenant', 'endpoint', 'codec', 'content_type', 'idempotency_key', 'content_hash', 'body', 'body_bytes', 'raw_upload', 'progress', 'partner_ref',
  'received_at', 'status', 'errors', 'duplicates', 'generation', 'processed_at', 'raw_pruned_at', 'documents_pruned_at', 'archived_to',
] as const;

export const DELIVERY_COLUMNS = [
  'id', 'tenant', 'document_id', 'document_type', 'message_id', 'flow', 'endpoint', 'entity_key', 'payload', 'content_type', 'idempotency_key',
  'occurred_at', 'received_at', 'max_attempts', 'status', 'attempts', 'available_at', 'created_at', 'delivered_at', 'partner_ref', 'last_error',
] as const;

/** A message from its MESSAGE_COLUMNS values. */
function messageOf(json: ReadJson, c: readonly any[]): StoredMessage {
  const [id, tenant, endpoint, codec, contentType, idempotencyKey, contentHash, body, bodyBytes, rawUpload, progress, partnerRef,
    receivedAt, status, errors, duplicates, generation, processedAt, rawPrunedAt, documentsPrunedAt, archivedTo] = c;
  // Errors and warnings share the column; most messages have neither.
  const kept = errors == null ? { errors: [], warnings: [] } : splitWarnings(json(errors) as CausewayError[]);
  return {
    id, tenant, endpoint, codec, contentType, idempotencyKey, contentHash, body, size: bodyBytes ?? body.length, chunked: rawUpload != null,
    progress: progress ?? 0, partnerRef, receivedAt, status, errors: kept.errors, warnings: kept.warnings, duplicates, generation, processedAt,
    ...(rawPrunedAt != null || documentsPrunedAt != null
      ? { pruned: { rawAt: rawPrunedAt ?? null, documentsAt: documentsPrunedAt ?? null, archive: archivedTo ?? null } } : {}),
  };
}

/** A delivery from its DELIVERY_COLUMNS values. */
function deliveryOf(c: readonly any[]): StoredDelivery {
  const [id, tenant, documentId, documentType, messageId, flow, endpoint, entityKey, payload, contentType, idempotencyKey,
    occurredAt, receivedAt, maxAttempts, status, attempts, availableAt, createdAt, deliveredAt, partnerRef, lastError] = c;
  return {
    id, tenant, documentId, documentType, messageId, flow, endpoint, entityKey, payload, contentType, idempotencyKey,
    occurredAt, receivedAt, maxAttempts, status, attempts, availableAt, createdAt, deliveredAt, partnerRef, lastError,
  };
}

/** SQLite's messages and deliveries read as arrays of their columns (see MESSAGE_COLUMNS). */
export const sqliteColumns = {
  message: (c: readonly unknown[]): StoredMessage => messageOf(jsonFromText, c),
  delivery: (c: readonly unknown[]): StoredDelivery => deliveryOf(c),
};

function rowMapping(json: ReadJson): RowMapping {
  return {
    message: (r) => messageOf(json, MESSAGE_COLUMNS.map((c) => r[c])),
    document: (r) => ({
      id: r.id, tenant: r.tenant, messageId: r.message_id, generation: r.generation, type: r.type, entityKey: r.entity_key,
      occurredAt: r.occurred_at, receivedAt: r.received_at, body: json(r.body),
    }),
    delivery: (r) => deliveryOf(DELIVERY_COLUMNS.map((c) => r[c])),
    attempt: (r) => ({
      id: r.id, deliveryId: r.delivery_id, tenant: r.tenant, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome,
      statusCode: r.status_code ?? undefined, response: r.response ?? undefined, partnerRef: r.partner_ref ?? undefined, error: r.error ?? undefined,
    }),
    deadLetter: (r) => ({
      id: r.id, tenant: r.tenant, kind: r.kind, refId: r.ref_id, endpoint: r.endpoint, reason: r.reason, createdAt: r.created_at, replayedAt: r.replayed_at,
    }),
    ediGroup: (r) => ({
      id: r.id, tenant: r.tenant, partner: r.partner, interchangeControlNumber: r.interchange_control_number, groupControlNumber: r.group_control_number,
      functionalId: r.functional_id, sets: json(r.sets) as EdiGroup['sets'], deliveryKey: r.delivery_key, messageId: r.message_id, endpoint: r.endpoint,
      status: r.status, sentAt: r.sent_at, deadlineAt: r.deadline_at, ackedAt: r.acked_at, ackMessageId: r.ack_message_id, ackDetail: json(r.ack_detail),
    }),
    ediReceipt: (r) => ({
      id: r.id, tenant: r.tenant, kind: r.kind, key: r.key, partner: r.partner, firstMessageId: r.first_message_id, firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at, lastMessageId: r.last_message_id, count: r.count,
    }),
    receiptState: (r) => ({ id: r.id, firstMessageId: r.first_message_id, lastMessageId: r.last_message_id, lastSeenAt: r.last_seen_at, count: r.count }),
    alert: (r) => ({
      id: r.id, tenant: r.tenant, kind: r.kind, subject: r.subject, message: r.message, dedupeKey: r.dedupe_key, createdAt: r.created_at,
      detail: json(r.detail) ?? undefined, acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by, resolvedAt: r.resolved_at,
      notifiedAt: r.notified_at, resolvedNotifiedAt: r.resolved_notified_at,
    }),
    apiKey: (r) => ({ id: r.id, tenant: r.tenant, name: r.name, hash: r.hash, role: r.role, createdAt: r.created_at }),
    ledger: (r) => ({
      tenant: r.tenant, entityKey: r.entity_key, kind: r.kind, reference: r.reference, version: r.version, status: r.status, facility: r.facility,
      dueAt: r.due_at, updatedAt: r.updated_at, body: ledgerBodyOf(json(r.body)),
    }),
    verdict: (r) => {
      const v: VerdictRow = {
        id: r.id, tenant: r.tenant, entityKey: r.entity_key, documentId: r.document_id, documentType: r.document_type, messageId: r.message_id,
        verdict: r.verdict, rule: r.rule, reason: r.reason, createdAt: r.created_at,
      };
      if (r.path !== null) v.path = r.path;
      const detail = json(r.detail);
      if (detail !== null) v.detail = detail;
      return v;
    },
  };
}

export const sqliteRows = rowMapping(jsonFromText);
export const postgresRows = rowMapping(jsonParsed);

/** A JSON value as both dialects take it in a parameter (PostgreSQL casts the text to jsonb); absent is NULL. */
export function jsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The rows of the KPI sample's queries, their columns named alike in both stores. */
export interface KpiRows {
  /** o: delivered_at - occurred_at, r: delivered_at - received_at. */
  latencies: Row[];
  /** n: attempts, failed: those not delivered. */
  attempts: Row;
  /** n: delivery dead letters. */
  deadLetters: Row;
  /** n: messages, q: quarantined, dup: duplicates. */
  messages: Row;
  /** endpoint, n: pending deliveries, oldest: the oldest one's created_at. */
  backlog: Row[];
  /** ms: order release to shipment. */
  orderToShipment: Row[];
  /** verdict, n: the rules' verdicts. */
  verdicts: Row[];
  /** n: deliveries superseded. */
  superseded: Row;
}

/** The KPI sample from its queries' rows. SQLite's SUM over no rows is NULL: a count of nothing reads as 0. */
export function toKpiSample(k: KpiRows): KpiSample {
  return {
    syncFromOccurred: k.latencies.map((r) => r.o),
    syncFromReceived: k.latencies.map((r) => r.r),
    delivered: k.latencies.length,
    attempts: k.attempts.n ?? 0,
    failedAttempts: k.attempts.failed ?? 0,
    deadLetters: k.deadLetters.n ?? 0,
    messages: k.messages.n ?? 0,
    quarantined: k.messages.q ?? 0,
    duplicates: k.messages.dup ?? 0,
    backlog: k.backlog.map((r) => ({ endpoint: r.endpoint, pending: r.n, oldestAt: r.oldest })),
    orderToShipment: k.orderToShipment.map((r) => shippedAtMs(r.shipped_at, r.shipment_at) - r.order_at),
    verdicts: Object.fromEntries(['apply', 'hold', 'refuse', 'stale'].map((v) => [v, Number(k.verdicts.find((r) => r.verdict === v)?.n ?? 0)])) as KpiSample['verdicts'],
    superseded: k.superseded.n ?? 0,
  };
}
