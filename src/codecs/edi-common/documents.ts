// What an EDI codec writes for a partner: a canonical document, whatever made the payload.
import { CausewayFault, entityKeyFor, validateDocument, type CanonicalDocument } from '../../model/index.ts';

/**
 * The payload as a valid canonical document. A mapped payload or a hand-written file may lack the
 * envelope fields and defaults: they are filled in (tenant, an id, the endpoint, now, the entity key),
 * then it is held to its schema. `standard` names the codec in errors (X12, EDIFACT).
 */
export function documentToWrite(payload: unknown, ctx: { tenant: string; endpoint: string }, standard: string): CanonicalDocument {
  if (!payload || typeof payload !== 'object' || typeof (payload as { type?: unknown }).type !== 'string') {
    throw new CausewayFault({ code: `${standard}_DOCUMENT_INVALID`, path: '$', message: `${standard} is written from a canonical document (an object with a "type"); a mapping for an ${standard} endpoint must keep the document's shape` });
  }
  const now = new Date().toISOString();
  const raw = payload as Record<string, unknown>;
  const filled: Record<string, unknown> = { tenant: ctx.tenant, id: `${standard.toLowerCase()}-out-${Date.now()}`, source: { endpoint: ctx.endpoint }, occurredAt: now, receivedAt: now, ...raw };
  filled.entityKey ??= entityKeyFor(filled);
  const valid = validateDocument(filled);
  if (!valid.ok) throw new CausewayFault(valid.errors);
  return valid.document;
}
