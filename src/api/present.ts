import type { z } from 'zod';
import type { CausewayError } from '../model/index.ts';
import type { AttemptRow, DeadLetter, Lineage, StoredDelivery, StoredDocument, StoredMessage, VerdictRow } from '../store/index.ts';
import type { apiError, attempt, deadLetter, delivery, lineage, lineageDocument, message, payload, ruleVerdict } from './schemas.ts';

/** Store rows as the API shows them: ISO times instead of epoch ms, bytes as text or base64. */

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : iso(ms));

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function presentPayload(bytes: Buffer | Uint8Array): z.output<typeof payload> {
  try {
    return { encoding: 'utf8', data: utf8.decode(bytes) };
  } catch {
    return { encoding: 'base64', data: Buffer.from(bytes).toString('base64') };
  }
}

export function presentMessage(m: StoredMessage): z.output<typeof message> {
  return {
    id: m.id, tenant: m.tenant, endpoint: m.endpoint, codec: m.codec, contentType: m.contentType, idempotencyKey: m.idempotencyKey,
    contentHash: m.contentHash, size: m.size, partnerRef: m.partnerRef, receivedAt: iso(m.receivedAt), processedAt: isoOrNull(m.processedAt),
    status: m.status, errors: m.errors.map(presentError), warnings: m.warnings.map(presentError),
    duplicates: m.duplicates, generation: m.generation,
    ...(m.pruned && { pruned: { rawAt: isoOrNull(m.pruned.rawAt), documentsAt: isoOrNull(m.pruned.documentsAt), archive: m.pruned.archive } }),
  };
}

/** An error or warning as the API shows it: its list says which it is. */
function presentError(e: CausewayError): z.output<typeof apiError> {
  const { severity: _, position, ...rest } = e;
  return { ...rest, position: position && definedOnly(position) };
}

function definedOnly(p: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
}

export function presentDelivery(d: StoredDelivery): z.output<typeof delivery> {
  return {
    id: d.id, tenant: d.tenant, messageId: d.messageId, documentId: d.documentId, documentType: d.documentType, flow: d.flow, endpoint: d.endpoint,
    entityKey: d.entityKey, contentType: d.contentType, idempotencyKey: d.idempotencyKey, status: d.status, attempts: d.attempts,
    maxAttempts: d.maxAttempts, occurredAt: iso(d.occurredAt), receivedAt: iso(d.receivedAt), createdAt: iso(d.createdAt),
    availableAt: iso(d.availableAt), deliveredAt: isoOrNull(d.deliveredAt), partnerRef: d.partnerRef, lastError: d.lastError,
  };
}

export function presentAttempt(a: AttemptRow): z.output<typeof attempt> {
  return {
    id: a.id, startedAt: iso(a.startedAt), finishedAt: iso(a.finishedAt), outcome: a.outcome, statusCode: a.statusCode ?? null,
    response: a.response ?? null, partnerRef: a.partnerRef ?? null, error: a.error ?? null, retryAt: isoOrNull(a.retryAt),
  };
}

export function presentDocument(d: StoredDocument): z.output<typeof lineageDocument> {
  return { id: d.id, type: d.type, entityKey: d.entityKey, generation: d.generation, occurredAt: iso(d.occurredAt), receivedAt: iso(d.receivedAt), body: d.body };
}

export function presentLineage(l: Lineage): z.output<typeof lineage> {
  return {
    message: { ...presentMessage(l.message), raw: l.message.chunked ? { encoding: 'omitted', data: '' } : presentPayload(l.message.body) },
    documents: l.documents.map(presentDocument),
    deliveries: l.deliveries.map((d) => ({ ...presentDelivery(d), payload: presentPayload(d.payload), attemptLog: d.attemptLog.map(presentAttempt) })),
    verdicts: l.verdicts.map(presentVerdict),
  };
}

export function presentVerdict(v: VerdictRow): z.output<typeof ruleVerdict> {
  const out: z.output<typeof ruleVerdict> = {
    documentId: v.documentId, documentType: v.documentType, messageId: v.messageId, entityKey: v.entityKey, verdict: v.verdict, rule: v.rule, reason: v.reason,
    at: iso(v.createdAt),
  };
  if (v.path !== undefined) out.path = v.path;
  return out;
}

export function presentDeadLetter(d: DeadLetter): z.output<typeof deadLetter> {
  return { id: d.id, kind: d.kind, refId: d.refId, endpoint: d.endpoint, reason: d.reason, createdAt: iso(d.createdAt), replayedAt: isoOrNull(d.replayedAt) };
}

/** The cursor for the next page: the last id, when the page was full. */
export function page<T extends { id: number }>(items: T[], limit: number | undefined): { items: T[]; nextBefore: number | null } {
  return { items, nextBefore: isFullPage(items.length, limit) ? items[items.length - 1].id : null };
}

/** Whether a page of `count` rows asked for with ?limit is full: then there may be more after it. */
export function isFullPage(count: number, limit: number | undefined): boolean {
  return count > 0 && count >= Math.min(Math.max(limit ?? 100, 1), 1000);
}
