import type { Logger } from 'pino';
import type { FlowConfig } from '../config/index.ts';
import { DEFAULT_MAX_JSON_DEPTH, findValueTooDeep, type Codec } from '../codecs/index.ts';
import { CausewayFault, entityKeyFor, validateDocument, type CanonicalDocument, type CausewayError } from '../model/index.ts';
import type { MessageOutcome, NewDelivery, NewDocument, Store, StoredMessage } from '../store/index.ts';
import type { CompiledMapping } from './mapping/index.ts';
import { ItemCatalog, skusOf } from './items.ts';
import type { HubMetrics } from './metrics.ts';
import type { X12Desk } from './edi/index.ts';
import type { DecodedMessage, EndpointInfo } from './messages.ts';

export interface ProcessorDeps {
  store: Store;
  endpoints: Map<string, EndpointInfo>;
  /** Codecs by name (the loaded config's registry): messages name theirs, endpoints write with theirs. */
  codecs: ReadonlyMap<string, Codec>;
  flows: FlowConfig[];
  mappings: Map<string, CompiledMapping>;
  codeTables: Record<string, Record<string, string>>;
  metrics: HubMetrics;
  logger: Logger;
  /** X12 duplicates, acknowledgments and group tracking; absent in tools that only decode. */
  x12?: X12Desk;
  /** Config `maxJsonDepth`: the deepest nesting a message or a decoded document may have. */
  maxJsonDepth?: number;
}

/**
 * Decode -> validate -> route -> map -> encode, for a batch of inbox messages. Pure in the sense
 * that matters: it returns outcomes, and commitOutcomes commits them in one transaction with the
 * messages' status, so a crash mid-batch leaves the messages pending and nothing half-done.
 */
export class MessageProcessor {
  readonly items: ItemCatalog;

  constructor(private readonly deps: ProcessorDeps) {
    this.items = new ItemCatalog(deps.store);
  }

  async processBatch(messages: StoredMessage[]): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    for (const m of messages) {
      try {
        outcomes.push(await this.processMessage(m));
      } catch (e) {
        // A bug or an unexpected fault must not stop the pipeline: the message is quarantined with it.
        // Anything may be thrown (null, a string): nothing here may throw in turn and fail the batch.
        const errors = e instanceof CausewayFault ? e.errors : [{ code: 'PROCESSING_FAILED', message: describeThrown(e) }];
        this.deps.logger.error({ messageId: m.id, err: e instanceof Error ? e : describeThrown(e) }, 'processing failed; message quarantined');
        outcomes.push({ messageId: m.id, status: 'quarantined', errors });
      }
    }
    return outcomes;
  }

  /**
   * Commits a batch's outcomes, in one transaction when the store takes them all. When it refuses
   * the batch, the batch is split and the halves are committed on their own until the message at
   * fault is alone; that message gets one more try (a fault that passes: a serialization failure, a
   * dropped connection), then is quarantined with the store's error in place of its outcome: its
   * raw bytes stay stored and a replay processes it again. Without this, an outcome the store can
   * never take (a document no JSON encoder can write) would keep its batch pending and be retried
   * every lease period, and every later message of its tenant would wait for it.
   *
   * When even the quarantine is refused, the fault is the store's, not the message's: the error is
   * thrown and the messages not committed yet stay pending, to be claimed again.
   * Returns the outcomes as committed.
   */
  async commitOutcomes(messages: StoredMessage[], outcomes: MessageOutcome[]): Promise<MessageOutcome[]> {
    const byId = new Map(messages.map((m) => [m.id, m]));
    const commit = async (part: MessageOutcome[]): Promise<MessageOutcome[]> => {
      try {
        await this.deps.store.completeMessages(part, Date.now());
        return part;
      } catch (refused) {
        if (part.length === 1) return [await this.commitAlone(part[0], refused, byId.get(part[0].messageId))];
        const half = Math.ceil(part.length / 2);
        return [...(await commit(part.slice(0, half))), ...(await commit(part.slice(half)))];
      }
    };
    return commit(outcomes);
  }

  private async commitAlone(outcome: MessageOutcome, refused: unknown, m: StoredMessage | undefined): Promise<MessageOutcome> {
    const { store, logger, metrics } = this.deps;
    let error = refused;
    try {
      await store.completeMessages([outcome], Date.now());
      return outcome;
    } catch (again) {
      error = again;
    }
    const quarantined: MessageOutcome = {
      messageId: outcome.messageId, status: 'quarantined',
      errors: [{ code: 'OUTCOME_NOT_STORED', message: `the store refused this message's ${outcome.status} outcome: ${describeThrown(error)}`.slice(0, 1000) }],
    };
    await store.completeMessages([quarantined], Date.now());
    logger.error({ messageId: outcome.messageId, err: error instanceof Error ? error : describeThrown(error) }, 'the store refused a message\'s outcome; message quarantined');
    if (m && outcome.status === 'processed') metrics.messagesQuarantined.inc({ tenant: m.tenant, endpoint: m.endpoint });
    return quarantined;
  }

  async processMessage(m: StoredMessage): Promise<MessageOutcome> {
    const { metrics } = this.deps;
    const decoded = await decodeMessage(m, this.deps.endpoints.get(m.endpoint), { codecs: this.deps.codecs, maxJsonDepth: this.deps.maxJsonDepth });
    if (!decoded) return this.quarantine(m, [{ code: 'CODEC_UNKNOWN', message: `no codec named "${m.codec}"` }]);
    if (m.codec === 'x12') await this.deps.x12?.screenDuplicates(m, decoded);
    const errors: CausewayError[] = [...decoded.errors];
    const documents: NewDocument[] = [];
    const deliveries: NewDelivery[] = [];
    for (const { index, prefix, document: doc } of decoded.documents) {
      const routed = await this.route(doc, m, index, prefix, errors);
      if (!routed) continue;
      documents.push({
        id: doc.id, tenant: doc.tenant, messageId: m.id, type: doc.type, entityKey: doc.entityKey,
        occurredAt: Date.parse(doc.occurredAt), receivedAt: m.receivedAt, body: doc,
      });
      deliveries.push(...routed);
      metrics.documents.inc({ tenant: doc.tenant, type: doc.type });
    }
    if (documents.length === 0 && errors.length > 0) return this.quarantine(m, errors);
    if (documents.length === 0) return this.quarantine(m, [{ code: 'NO_DOCUMENTS', message: 'the message holds no documents' }]);
    if (errors.length) metrics.messagesQuarantined.inc({ tenant: m.tenant, endpoint: m.endpoint });
    return { messageId: m.id, status: 'processed', documents, deliveries, errors: errors.length ? errors : undefined };
  }

  private quarantine(m: StoredMessage, errors: CausewayError[]): MessageOutcome {
    this.deps.metrics.messagesQuarantined.inc({ tenant: m.tenant, endpoint: m.endpoint });
    return { messageId: m.id, status: 'quarantined', errors };
  }

  private async route(doc: CanonicalDocument, m: StoredMessage, index: number, prefix: string, errors: CausewayError[]): Promise<NewDelivery[] | undefined> {
    const { flows, endpoints, mappings, codeTables, store } = this.deps;
    if (doc.type === 'item') this.items.remember(doc.tenant, doc);
    if (this.deps.x12 && doc.type === 'acknowledgment') {
      const acks = await this.deps.x12.route(doc, m, index);
      if (acks) return acks;
    }
    const out: NewDelivery[] = [];
    for (const flow of flows) {
      if (!flow.types.includes(doc.type)) continue;
      if (flow.tenant && flow.tenant !== doc.tenant) continue;
      if (flow.from && !flow.from.includes(m.endpoint)) continue;
      const target = endpoints.get(flow.to);
      // A flow never carries one tenant's documents to another tenant's endpoint.
      if (!target || target.tenant !== doc.tenant) continue;
      try {
        let payload: unknown = doc;
        const mapping = flow.mapping ? mappings.get(flow.mapping) : undefined;
        if (mapping) {
          if (mapping.needsItems) await this.items.load(doc.tenant, skusOf(doc));
          const ctx = { tables: codeTables, item: (sku: string) => this.items.get(doc.tenant, sku) };
          payload = await mapping.apply(doc, ctx);
        }
        const codec = this.deps.codecs.get(target.codec)!;
        const bytes = await codec.encode(payload, { tenant: doc.tenant, endpoint: target.name, options: target.codecOptions, store });
        // Tracked before the outcome commits; a replay writes the same key and replaces the rows.
        await this.deps.x12?.trackSent(bytes, target, `cw-${m.id}-${index}-${flow.name}`, m.id);
        out.push({
          tenant: doc.tenant, documentId: doc.id, documentType: doc.type, messageId: m.id, flow: flow.name, endpoint: target.name, entityKey: doc.entityKey,
          payload: bytes, contentType: codec.contentType,
          // Stable across replays of the same message: a target that already applied it can tell.
          idempotencyKey: `cw-${m.id}-${index}-${flow.name}`,
          occurredAt: Date.parse(doc.occurredAt), receivedAt: m.receivedAt, maxAttempts: target.maxAttempts,
        });
      } catch (e) {
        const faults = e instanceof CausewayFault ? e.errors : [{ code: 'MAP_FAILED', message: (e as Error).message }];
        for (const f of faults) errors.push({ ...f, path: f.path ? prefix + f.path.slice(1) : prefix, message: `flow ${flow.name}: ${f.message}` });
        return undefined;
      }
    }
    return out;
  }
}

/** What decoding needs of a stored message: the API checks a message with it right after storing it. */
export type MessageToDecode = Pick<StoredMessage, 'id' | 'tenant' | 'endpoint' | 'codec' | 'body' | 'partnerRef' | 'receivedAt' | 'generation'>;

/**
 * Decode and validate, the first half of processing. The API answers a sender with the same
 * verdict the processor reaches later, so both go through here. Undefined: no such codec.
 */
export async function decodeMessage(m: MessageToDecode, endpoint: EndpointInfo | undefined, using: { codecs: ReadonlyMap<string, Codec>; maxJsonDepth?: number }): Promise<DecodedMessage | undefined> {
  const codec = using.codecs.get(m.codec);
  if (!codec) return undefined;
  const maxDepth = using.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const decoded = await codec.decode(Buffer.from(m.body), { tenant: m.tenant, endpoint: m.endpoint, options: endpoint?.codecOptions, maxDepth });
  const errors: CausewayError[] = [...decoded.errors];
  const documents: DecodedMessage['documents'] = [];
  const many = decoded.documents.length > 1;
  for (const [index, raw] of decoded.documents.entries()) {
    const prefix = many ? `$[${index}]` : '$';
    // Whatever codec built it, a document is stored and sent as JSON: it must nest no deeper than JSON may.
    const tooDeep = findValueTooDeep(raw, maxDepth, prefix);
    if (tooDeep) {
      errors.push({ code: 'DOC_TOO_DEEP', path: tooDeep, message: `arrays and objects nest deeper than ${maxDepth} levels (maxJsonDepth)` });
      continue;
    }
    const document = prepareDocument(raw, m, index, prefix, errors);
    if (document) documents.push({ index, prefix, document });
  }
  return { documents, errors };
}

/** Fills the envelope the engine owns, then validates; errors get the document's place in the message. */
function prepareDocument(raw: Record<string, unknown>, m: MessageToDecode, index: number, prefix: string, errors: CausewayError[]): CanonicalDocument | undefined {
  if ('__invalid' in raw) {
    errors.push({ code: 'DOC_NOT_OBJECT', path: prefix, message: 'expected a JSON object with a "type" field' });
    return undefined;
  }
  if (raw.tenant !== undefined && raw.tenant !== m.tenant) {
    // Tenancy comes from the credentials or the endpoint, never from the payload.
    errors.push({ code: 'DOC_TENANT_MISMATCH', path: `${prefix}.tenant`, message: `document says tenant ${JSON.stringify(raw.tenant)} but came in for tenant "${m.tenant}"` });
    return undefined;
  }
  const receivedAt = new Date(m.receivedAt).toISOString();
  const source = raw.source && typeof raw.source === 'object' ? (raw.source as Record<string, unknown>) : {};
  const filled: Record<string, unknown> = {
    ...raw,
    tenant: m.tenant,
    id: `${m.id}-${m.generation}-${index}`,
    source: { endpoint: m.endpoint, partnerRef: typeof source.partnerRef === 'string' ? source.partnerRef : (m.partnerRef ?? undefined) },
    receivedAt,
    occurredAt: raw.occurredAt ?? receivedAt,
  };
  filled.entityKey = raw.entityKey ?? entityKeyFor(filled);
  const result = validateDocument(filled);
  if (result.ok) return result.document;
  for (const e of result.errors) errors.push({ ...e, path: e.path ? prefix + e.path.slice(1) : prefix });
  return undefined;
}

/** A sentence for whatever was thrown: an Error's message, else the value itself. */
function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  try {
    return `a ${e === null ? 'null' : typeof e} was thrown: ${String(e)}`.slice(0, 500);
  } catch {
    return 'a value without a description was thrown';
  }
}
