// What a partner is owed when a document of theirs will not be applied: the codec that read it
// answers (an EDIFACT APERAK), and the answer is a delivery committed with the refusal. A refusal
// while its message is processed (the rules, validation) hands the codec the document's envelope as
// decoded; one after (a target refused the document for good, its hold ran out) finds the document
// as stored, and its codec reads what it needs from it (its `extensions`).
import type { Logger } from 'pino';
import type { Codec, CodecEndpoint, CodecSend, CodecStore, HookContext, RefusedDocument } from '../codecs/index.ts';
import { CausewayFault, type CanonicalDocument, type CausewayError } from '../model/index.ts';
import type { EdiWrites, LedgerStore, NewDelivery, StoredDelivery } from '../store/index.ts';
import type { EndpointInfo } from './messages.ts';

export function codecEndpointOf(info: EndpointInfo): CodecEndpoint {
  return { name: info.name, tenant: info.tenant, codec: info.codec, settings: info.codecSettings };
}

/** What a codec's hooks see of one message, for the endpoint concerned. */
export function hookContextFor(deps: { endpoints: Map<string, EndpointInfo>; store: CodecStore; logger: Logger }, messageId: number, endpoint: CodecEndpoint): HookContext {
  return {
    messageId, endpoint, store: deps.store, logger: deps.logger, now: Date.now(),
    endpointNamed: (name) => {
      const info = deps.endpoints.get(name);
      return info && codecEndpointOf(info);
    },
  };
}

/** The message a refused document came in with. */
export interface RefusedFrom {
  tenant: string;
  messageId: number;
  receivedAt: number;
  /** The refused document's id (as the engine names it when it failed validation). */
  documentId: string;
}

/**
 * The codec's answer to a refused document, as deliveries to its own endpoints of the same tenant.
 * `key`: the idempotency key of each send, unique per refusal (deliveries are unique by endpoint and key).
 */
export async function answerRefusal(
  codec: Codec, ctx: HookContext, from: RefusedFrom, refused: RefusedDocument, endpoints: Map<string, EndpointInfo>, key: (s: CodecSend) => string,
): Promise<{ deliveries: NewDelivery[]; errors: CausewayError[]; edi?: EdiWrites }> {
  const hook = codec.hooks?.afterRefusal;
  if (!hook) return { deliveries: [], errors: [] };
  let answer;
  try {
    answer = await hook(refused, ctx);
  } catch (e) {
    // A fault of the hook is kept with the refusal: the refusal stands, only its answer is missing.
    const faults = e instanceof CausewayFault ? e.errors : [{ code: 'REFUSAL_NOT_ANSWERED', message: e instanceof Error ? e.message : String(e) }];
    return { deliveries: [], errors: faults.map((f) => ({ ...f, message: `answering the refusal of document ${refused.index}: ${f.message}` })) };
  }
  if (!answer) return { deliveries: [], errors: [] };
  const doc = refused.document;
  const now = Date.now();
  const deliveries = (answer.send ?? []).flatMap((s): NewDelivery[] => {
    const target = endpoints.get(s.endpoint);
    if (!target || target.tenant !== from.tenant) return [];
    return [{
      // Shown in lineage with the document it answers; typed as what it carries, so no newer version of that document withdraws it.
      tenant: from.tenant, documentId: from.documentId, documentType: 'acknowledgment', messageId: from.messageId, flow: s.flow,
      endpoint: target.name, entityKey: s.entityKey ?? doc?.entityKey ?? `refused:${from.messageId}-${refused.index}`, payload: s.payload, contentType: codec.contentType,
      idempotencyKey: key(s), occurredAt: now, receivedAt: from.receivedAt, maxAttempts: target.maxAttempts,
    }];
  });
  return { deliveries, errors: answer.errors ?? [], ...(answer.writes ? { edi: answer.writes } : {}) };
}

/** A document's place in its own message: its id (`<message>-<generation>-<index>`) ends with it. */
export function indexInMessage(documentId: string): number {
  const index = Number(documentId.slice(documentId.lastIndexOf('-') + 1));
  return Number.isInteger(index) ? index : 0;
}

export interface LateRefusalDeps {
  store: CodecStore & Pick<LedgerStore, 'getDocuments'>;
  endpoints: Map<string, EndpointInfo>;
  codecs: ReadonlyMap<string, Codec>;
  logger: Logger;
}

/**
 * Answers refusals that come after a document's message was processed: `cause` names the refusal
 * in the answer's key (`target-<delivery id>`, `hold-expired`), so each is answered once.
 */
export class LateRefusals {
  constructor(private readonly deps: LateRefusalDeps) {}

  /** The answers owed for a stored document refused with `error`; [] when its codec owes none. A fault is logged, never thrown: the refusal stands. */
  async answer(tenant: string, stored: { id: string; messageId: number; body: unknown }, error: CausewayError, cause: string): Promise<NewDelivery[]> {
    const document = stored.body as CanonicalDocument;
    // A document of our own making (an acknowledgment we owe, a partner's acknowledgment) is never answered.
    if (document.type === 'acknowledgment') return [];
    const endpoint = this.deps.endpoints.get(document.source?.endpoint);
    const codec = endpoint && this.deps.codecs.get(endpoint.codec);
    if (!endpoint || endpoint.tenant !== tenant || !codec?.hooks?.afterRefusal) return [];
    const ctx = hookContextFor(this.deps, stored.messageId, codecEndpointOf(endpoint));
    const refused: RefusedDocument = { index: indexInMessage(stored.id), document, errors: [error] };
    const from = { tenant, messageId: stored.messageId, receivedAt: Date.parse(document.receivedAt), documentId: stored.id };
    const { deliveries, errors } = await answerRefusal(codec, ctx, from, refused, this.deps.endpoints, (s) => `cw-${stored.id}-${s.flow}-${cause}`);
    if (errors.length) this.deps.logger.warn({ messageId: stored.messageId, documentId: stored.id, errors }, 'a refused document could not be answered');
    return deliveries;
  }

  /** A delivery its target refused for good: the partner its document came from is told. */
  async answerDelivery(d: StoredDelivery, error: string): Promise<NewDelivery[]> {
    // What we send of our own (an APERAK or CONTRL carries the answered document's id, an outcome event
    // its delivery's) is never answered: a refused answer would be answered again, without end.
    if (d.documentType === 'acknowledgment' || d.documentType === 'delivery_outcome') return [];
    const [stored] = await this.deps.store.getDocuments(d.tenant, [d.documentId]);
    return stored ? this.answer(d.tenant, stored, { code: 'TARGET_REFUSED', message: `not accepted by ${d.endpoint}: ${error}` }, `target-${d.id}`) : [];
  }
}
