import type { AttemptRow, DeadLetter, StoredDelivery, StoredDocument, StoredMessage } from '../types.ts';

/** A row as pg returns it with the store's type parsers: bigint as number, bytea as Buffer, jsonb parsed. */
export type Row = Record<string, any>;

export function toMessage(r: Row): StoredMessage {
  return {
    id: r.id, tenant: r.tenant, endpoint: r.endpoint, codec: r.codec, contentType: r.content_type, idempotencyKey: r.idempotency_key,
    contentHash: r.content_hash, body: r.body, partnerRef: r.partner_ref, receivedAt: r.received_at, status: r.status,
    errors: r.errors ?? [], duplicates: r.duplicates, generation: r.generation, processedAt: r.processed_at,
  };
}

export function toDocument(r: Row): StoredDocument {
  return {
    id: r.id, tenant: r.tenant, messageId: r.message_id, generation: r.generation, type: r.type, entityKey: r.entity_key,
    occurredAt: r.occurred_at, receivedAt: r.received_at, body: r.body,
  };
}

export function toDelivery(r: Row): StoredDelivery {
  return {
    id: r.id, tenant: r.tenant, documentId: r.document_id, documentType: r.document_type, messageId: r.message_id, flow: r.flow, endpoint: r.endpoint,
    entityKey: r.entity_key, payload: r.payload, contentType: r.content_type, idempotencyKey: r.idempotency_key,
    occurredAt: r.occurred_at, receivedAt: r.received_at, maxAttempts: r.max_attempts, status: r.status, attempts: r.attempts,
    availableAt: r.available_at, createdAt: r.created_at, deliveredAt: r.delivered_at, partnerRef: r.partner_ref, lastError: r.last_error,
  };
}

export function toAttempt(r: Row): AttemptRow {
  return {
    id: r.id, deliveryId: r.delivery_id, tenant: r.tenant, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome,
    statusCode: r.status_code ?? undefined, response: r.response ?? undefined, partnerRef: r.partner_ref ?? undefined, error: r.error ?? undefined,
  };
}

export function toDeadLetter(r: Row): DeadLetter {
  return { id: r.id, tenant: r.tenant, kind: r.kind, refId: r.ref_id, endpoint: r.endpoint, reason: r.reason, createdAt: r.created_at, replayedAt: r.replayed_at };
}
