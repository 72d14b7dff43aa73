import type { CanonicalDocument } from '../../model/index.ts';
import type { Stamp } from './ledger.ts';

/**
 * Which of two documents of one entity and type is newer. A sender's own sequence number, when
 * both carry one, outranks the clocks (two systems' clocks disagree; a sender's counter does not).
 * Otherwise the time it happened at the source, then the time Causeway received it, then the
 * document id: a total order, so the same two documents compare the same way whichever is decided
 * first, and a document is never older than itself.
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.sequence !== undefined && b.sequence !== undefined && a.sequence !== b.sequence) return a.sequence < b.sequence ? -1 : 1;
  const occurred = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  if (occurred !== 0) return occurred < 0 ? -1 : 1;
  const received = Date.parse(a.receivedAt) - Date.parse(b.receivedAt);
  if (received !== 0) return received < 0 ? -1 : 1;
  return a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : 0;
}

/**
 * The sender's sequence number: a reference with qualifier "sequence", or `extensions.sequence`,
 * when it is a whole number.
 */
export function senderSequence(document: CanonicalDocument): number | undefined {
  let raw: unknown = document.extensions?.sequence;
  if (raw === undefined) raw = document.references?.find((r) => r.qualifier === 'sequence')?.value;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A document's stamp; an inventory snapshot is as fresh as the moment its counts are true for. */
export function stampOf(document: CanonicalDocument, fingerprint: string): Stamp {
  const occurredAt = document.type === 'inventory_snapshot' ? document.asOf : document.occurredAt;
  const sequence = senderSequence(document);
  const stamp: Stamp = { documentId: document.id, occurredAt, receivedAt: document.receivedAt, fingerprint };
  if (sequence !== undefined) stamp.sequence = sequence;
  return stamp;
}
