import type { Logger } from 'pino';
import { tablesForTenant, type FlowConfig } from '../config/index.ts';
import {
  DEFAULT_MAX_JSON_DEPTH, findValueTooDeep, type Codec, type CodecEndpoint, type CodecSend, type CodecStore, type DecodeResult, type HookContext, type InputPlace, type RefusedDocument,
} from '../codecs/index.ts';
import { CausewayFault, entityKeyFor, validateDocument, type CanonicalDocument, type CausewayError } from '../model/index.ts';
import {
  EdiReceiptConflict, LedgerConflict, MessageLeaseLost, type CompletionReport, type EdiWrites, type LedgerStore, type MessageOutcome, type NewDelivery,
  type NewDocument, type PipelineStore, type RoutingWrites, type RulesWrites, type StoredMessage,
} from '../store/index.ts';
import { announceAlerts } from './alerts.ts';
import type { CompiledMapping } from './mapping/index.ts';
import { ItemCatalog, skusOf } from './items.ts';
import type { OrderRouter } from './routing.ts';
import type { HubMetrics } from './metrics.ts';
import type { DecodedMessage, EndpointInfo } from './messages.ts';
import { answerRefusal, codecEndpointOf, hookContextFor, indexInMessage } from './refusals.ts';
import { RulesSession, type Decided } from './rules-step.ts';
import type { DocumentSide, Effect, RulesPolicy } from './rules/index.ts';
import type { RulesPolicies } from './rules/policies.ts';

/**
 * How often a batch's commit is refused because duplicate screening read the store before another
 * message's receipt was committed, before its messages are left to the usual refusal handling.
 * Each refusal means another outcome of the same key committed, so a second round almost always agrees.
 */
const MAX_RESCREENS = 3;

/** How often messages whose ledgers another worker moved on are decided again before the usual refusal handling. */
const MAX_REDECIDES = 5;

export interface ProcessorDeps {
  /** The pipeline's rows, and what the codecs' hooks may ask of the EDI facet. */
  store: PipelineStore & CodecStore & LedgerStore;
  endpoints: Map<string, EndpointInfo>;
  /** Codecs by name (the loaded config's registry): messages name theirs, endpoints write with theirs. */
  codecs: ReadonlyMap<string, Codec>;
  flows: FlowConfig[];
  mappings: Map<string, CompiledMapping>;
  codeTables: Record<string, Record<string, string>>;
  /** Client code tables by name, with their tenant: another tenant's documents never see them. */
  tableOwners?: ReadonlyMap<string, string>;
  metrics: HubMetrics;
  logger: Logger;
  /** Config `maxJsonDepth`: the deepest nesting a message or a decoded document may have. */
  maxJsonDepth?: number;
  /** The business rules' policies (config `rules:`); absent or disabled: documents are routed as they come. */
  rules?: RulesPolicies;
  /** Endpoint -> the X12 partner profile it reads with, for per-partner rules. */
  partnerOf?: (endpoint: string) => string | undefined;
  /** Endpoint -> the side it speaks for (config `side`), where it says: the rules take a document's side from it. */
  sideOf?: (endpoint: string) => DocumentSide | undefined;
  /** Picks the facility of sales orders that have none (config routing). */
  router?: OrderRouter;
  /** Documents per checkpoint of a large message (config `worker.documentsPerCommit`). */
  documentsPerCommit?: number;
  /** Called after a large message's checkpoint committed deliveries. */
  onCheckpoint?: () => void;
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

  /** A client's config reloaded: the next batch routes by these flows, mappings and code tables. */
  reconfigure(next: Pick<ProcessorDeps, 'flows' | 'mappings' | 'codeTables' | 'tableOwners' | 'sideOf'>): void {
    Object.assign(this.deps, next);
    this.tenantTables.clear();
    this.sides.clear();
  }

  /** inFlight: entity keys whose routed order a commit found already on its way to the warehouse. */
  async processBatch(messages: StoredMessage[], inFlight?: ReadonlySet<string>): Promise<MessageOutcome[]> {
    const outcomes: MessageOutcome[] = [];
    this.deps.router?.beginBatch();
    const session = this.deps.rules?.enabled ? new RulesSession(this.deps.store, this.items, Date.now(), inFlight, this.documentSide) : undefined;
    // With the rules on, a window of messages is decoded first, so the ledgers its documents need are read in one statement.
    const ahead = session ? await this.decodeAhead(messages, session) : undefined;
    for (const [i, m] of messages.entries()) {
      try {
        session?.begin();
        const decoded = await ahead?.(i);
        outcomes.push(await this.processMessage(m, session, decoded));
      } catch (e) {
        session?.rollback();
        this.deps.router?.discardMessage();
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
    const commit = async (part: MessageOutcome[], rescreens: number): Promise<MessageOutcome[]> => {
      if (part.length === 0) return [];
      try {
        this.reportCompletion(await this.deps.store.completeMessages(part, Date.now()));
        return part;
      } catch (refused) {
        if (refused instanceof LedgerConflict && rescreens < MAX_REDECIDES) {
          // Decided on a ledger another commit moved on: what came before goes in, the rest is decided again on the ledger as it is now.
          const at = part.findIndex((o) => refused.messageIds.includes(o.messageId));
          if (at >= 0 && part.slice(at).every((o) => byId.has(o.messageId))) {
            const committed = await commit(part.slice(0, at), rescreens);
            const inFlight = refused.kind === 'in_flight' ? new Set(refused.entityKeys) : undefined;
            return [...committed, ...(await commit(await this.processBatch(part.slice(at).map((o) => byId.get(o.messageId)!), inFlight), rescreens + 1))];
          }
        }
        const stale = refused instanceof EdiReceiptConflict && rescreens < MAX_RESCREENS
          ? part.filter((o) => refused.messageIds.includes(o.messageId) && byId.has(o.messageId)) : [];
        if (stale.length) {
          // Screened on a read that another message's commit overtook: the rest go in, these are processed again.
          const committed = await commit(part.filter((o) => !stale.includes(o), rescreens), rescreens);
          return [...committed, ...(await commit(await this.processBatch(stale.map((o) => byId.get(o.messageId)!)), rescreens + 1))];
        }
        if (part.length === 1) return [await this.commitAlone(part[0], refused, byId.get(part[0].messageId))];
        const half = Math.ceil(part.length / 2);
        return [...(await commit(part.slice(0, half), rescreens)), ...(await commit(part.slice(half), rescreens))];
      }
    };
    return commit(outcomes, 0);
  }

  /** Once committed: the alerts raised, and acknowledgments of groups nobody sent. */
  private reportCompletion(report: CompletionReport): void {
    announceAlerts(report.alerts, this.deps.metrics, this.deps.logger);
    for (const r of report.unknownGroups) {
      this.deps.logger.warn({ partner: r.partner, group: r.groupControlNumber, messageId: r.ack.messageId }, 'an acknowledgment came for a group Causeway has no record of sending');
    }
  }

  private async commitAlone(outcome: MessageOutcome, refused: unknown, m: StoredMessage | undefined): Promise<MessageOutcome> {
    const { store, logger, metrics } = this.deps;
    let error = refused;
    try {
      this.reportCompletion(await store.completeMessages([outcome], Date.now()));
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
    if (m && outcome.status === 'processed') metrics.messagesQuarantined.inc({ tenant: metrics.tenant(m.tenant), endpoint: m.endpoint });
    return quarantined;
  }

  /**
   * Decodes the batch's messages a window at a time (at most DECODE_AHEAD_BYTES of raw bytes, so a
   * batch of large messages is not held decoded all at once) and has the session read the ledgers
   * of each window's documents before they are decided. Returns the decoded message of the i-th
   * message, or throws what decoding it threw, when its turn comes (so the message is quarantined
   * in its place, as when it is decoded in turn).
   */
  private async decodeAhead(messages: StoredMessage[], session: RulesSession): Promise<(i: number) => Promise<{ decoded: DecodedMessage | undefined }>> {
    const results: Array<{ decoded: DecodedMessage | undefined } | { thrown: unknown }> = [];
    let decodedTo = 0;
    const decodeWindow = async () => {
      const start = decodedTo;
      let bytes = 0;
      while (decodedTo < messages.length && (decodedTo === start || bytes + messages[decodedTo]!.size <= DECODE_AHEAD_BYTES)) {
        const m = messages[decodedTo++]!;
        bytes += m.size;
        try {
          results.push({ decoded: await decodeMessage(m, this.deps.endpoints.get(m.endpoint), { codecs: this.deps.codecs, maxJsonDepth: this.deps.maxJsonDepth }) });
        } catch (e) {
          results.push({ thrown: e });
        }
      }
      const documents: CanonicalDocument[] = [];
      for (let k = start; k < decodedTo; k++) {
        const r = results[k]!;
        if ('decoded' in r && r.decoded) for (const d of r.decoded.documents) documents.push(d.document);
      }
      await session.prefetch(documents);
    };
    return async (i) => {
      while (i >= decodedTo) await decodeWindow();
      const r = results[i]!;
      results[i] = { decoded: undefined }; // what is processed need not stay in memory
      if ('thrown' in r) throw r.thrown;
      return r;
    };
  }

  async processMessage(m: StoredMessage, session?: RulesSession, predecoded?: { decoded: DecodedMessage | undefined }): Promise<MessageOutcome> {
    const endpoint = this.deps.endpoints.get(m.endpoint);
    const decoded = predecoded ? predecoded.decoded : await decodeMessage(m, endpoint, { codecs: this.deps.codecs, maxJsonDepth: this.deps.maxJsonDepth });
    if (!decoded) return this.quarantine(m, [{ code: 'CODEC_UNKNOWN', message: `no codec named "${m.codec}"` }]);
    const applied = await this.applyDecoded(m, decoded, session);
    if (session) this.endRules(session, applied);
    if (applied.warnings.length > MAX_KEPT_ERRORS) applied.warnings = new KeptErrors([], 'warnings').with(applied.warnings);
    return this.settle(m, applied, applied.documents.length > 0);
  }

  /** Screens, routes and maps decoded documents: what committing them writes, with every error met on the way. */
  private async applyDecoded(m: StoredMessage, decoded: DecodedMessage, session: RulesSession | undefined): Promise<Applied> {
    const { metrics } = this.deps;
    const endpoint = this.deps.endpoints.get(m.endpoint);
    const codec = this.deps.codecs.get(m.codec)!;
    const ctx = this.hookContext(m, { name: m.endpoint, tenant: m.tenant, codec: m.codec, settings: settingsFor(m, endpoint) });
    const errors: CausewayError[] = [...decoded.errors];
    const edi: EdiWrites = {};
    let decodedDocuments = decoded.documents;
    if (codec.hooks?.afterDecode) {
      const screened = await codec.hooks.afterDecode(decodedDocuments, ctx);
      errors.push(...(screened.errors ?? []));
      appendWrites(edi, screened.writes);
      const skip = new Set(screened.skip);
      decodedDocuments = decodedDocuments.filter((d) => !skip.has(d.index));
      if (screened.resolved?.length) {
        const resolved = new Map(screened.resolved.map((r) => [r.index, r.document]));
        decodedDocuments = decodedDocuments.map((d) => (resolved.has(d.index) ? { ...d, document: resolved.get(d.index)! } : d));
      }
    }
    if (this.deps.router) decodedDocuments = await this.deps.router.apply(decodedDocuments, m.endpoint, decoded);
    const documents: NewDocument[] = [];
    const deliveries: NewDelivery[] = [];
    const rules: RulesWrites = {};
    // What routing decided for the message, committed with its outcome; the rules' verdicts add what they make of it.
    const routing: RoutingWrites = {};
    appendWrites(routing, this.deps.router?.messageWrites());
    // What the partner is owed for documents that are not valid (an EDIFACT APERAK), as the codec says.
    for (const invalid of decoded.invalid ?? []) deliveries.push(...(await this.answerRefusal(codec, ctx, m, invalid, errors, edi)));
    for (const entry of decodedDocuments) {
      const doc = entry.document;
      if (session) {
        const kept = await this.decideAndRoute(entry, m, session, { errors, edi, codec, ctx, deliveries, rules, routing });
        if (!kept) continue;
      } else {
        const routed = await this.route(entry, m, errors, edi, codec, ctx);
        if (!routed) continue;
        deliveries.push(...routed);
      }
      documents.push({
        id: doc.id, tenant: doc.tenant, messageId: m.id, type: doc.type, entityKey: doc.entityKey,
        occurredAt: Date.parse(doc.occurredAt), receivedAt: m.receivedAt, body: doc,
      });
      metrics.documents.inc({ tenant: metrics.tenant(doc.tenant), type: doc.type });
    }
    return { documents, deliveries, errors, warnings: decoded.warnings ?? [], edi, rules, routing };
  }

  /** Closes the rules step over what was applied since the session began: its ledger writes and alerts go with the same commit. */
  private endRules(session: RulesSession, applied: Applied): void {
    const ended = session.end(this.deps.rules!.general);
    Object.assign(applied.rules, ended.writes);
    if (ended.alerts.length) appendWrites(applied.edi, { alerts: ended.alerts });
  }

  /**
   * The side a document is of, where the endpoints say (config `side`): its source endpoint's, or
   * a trading partner's when every flow that carries it from there goes only to partner endpoints
   * (the ERP's shipment back to a retailer). Undefined: the side that sends its type.
   */
  private readonly documentSide = (doc: CanonicalDocument): DocumentSide | undefined => {
    const sideOf = this.deps.sideOf;
    if (!sideOf) return undefined;
    const key = `${doc.tenant}\u0000${doc.source.endpoint}\u0000${doc.type}`;
    if (this.sides.has(key)) return this.sides.get(key);
    let side = sideOf(doc.source.endpoint);
    if (side !== 'partner') {
      const targets = this.deps.flows
        .filter((f) => f.types.includes(doc.type) && (!f.tenant || f.tenant === doc.tenant) && (!f.from || f.from.includes(doc.source.endpoint)))
        .map((f) => f.to);
      if (targets.length > 0 && targets.every((t) => sideOf(t) === 'partner')) side = 'partner';
    }
    this.sides.set(key, side);
    return side;
  };
  /** documentSide's answers: they depend only on the config. */
  private readonly sides = new Map<string, DocumentSide | undefined>();
  /** The code tables each tenant's mappings may read, kept until the config is reloaded. */
  private readonly tenantTables = new Map<string, Record<string, Record<string, string>>>();

  private tablesOf(tenant: string): Record<string, Record<string, string>> {
    let tables = this.tenantTables.get(tenant);
    if (!tables) this.tenantTables.set(tenant, (tables = tablesForTenant(this.deps.codeTables, this.deps.tableOwners ?? new Map(), tenant)));
    return tables;
  }

  /** The policy a document is decided under: its flow's, else its source endpoint's or partner's, else the config's. */
  private policyFor(doc: CanonicalDocument, m: Pick<StoredMessage, 'endpoint'>): RulesPolicy {
    const flow = this.deps.flows.find((f) => f.rules && f.types.includes(doc.type) && (!f.tenant || f.tenant === doc.tenant) && (!f.from || f.from.includes(m.endpoint)));
    return this.deps.rules!.for({ flow, endpoint: m.endpoint, partner: this.deps.partnerOf?.(m.endpoint) });
  }

  /**
   * The rules step for one document: its verdict, then those of the held documents it releases.
   * Applied documents are routed; refused ones are dead-lettered with their rule (a released
   * document's own message is); held and stale ones are stored without deliveries. False when the
   * document itself could not be routed: its ledger change is undone and it is left out, like any
   * document whose mapping failed.
   */
  private async decideAndRoute(
    entry: DecodedMessage['documents'][number], m: StoredMessage, session: RulesSession,
    w: { errors: CausewayError[]; edi: EdiWrites; codec: Codec; ctx: HookContext; deliveries: NewDelivery[]; rules: RulesWrites; routing: RoutingWrites },
  ): Promise<boolean> {
    const doc = entry.document;
    if (doc.type === 'item') this.items.remember(doc.tenant, doc);
    const mark = session.mark();
    // A message's first reading is generation 1; a later one is an operator's replay (or a release).
    // Decided without an await when nothing had to be read: no turn of the event loop per document.
    const deciding = session.decide(doc, m.id, this.policyFor(doc, m), m.generation > 1);
    const decided = deciding instanceof Promise ? await deciding : deciding;
    const out: NewDelivery[] = [];
    for (const d of decided) {
      const v = d.decision;
      if (v.verdict === 'refuse') {
        const error: CausewayError = { code: v.rule, message: `${v.reason} (rule ${v.rule})`, path: v.path ? (d.released ? v.path : entry.prefix + v.path.slice(1)) : (d.released ? '$' : entry.prefix) };
        if (d.released) (w.rules.deadLetters ??= []).push({ tenant: doc.tenant, messageId: d.messageId, reason: `${v.rule}: ${v.reason}` });
        else {
          w.errors.push(error);
          // A released document's codec context is its own message's, gone by now: only a refusal of this message's documents is answered.
          out.push(...(await this.answerRefusal(w.codec, w.ctx, m, { index: entry.index, document: d.document, envelope: entry.envelope, errors: [error] }, w.errors, w.edi)));
        }
      }
      for (const e of v.effects) if (e.kind === 'send_status') out.push(...(await this.sendStatus(e, d.document, m, w.errors)));
      if (v.verdict !== 'apply') continue;
      const change = v.effects.some((e) => e.kind === 'encode_as_change');
      const routedDoc = change && v.document.type === 'sales_order' ? { ...v.document, purpose: 'replace' as const } : v.document;
      const routed = d.released
        ? await this.route(releasedEntry(routedDoc), releasedFrom(m, routedDoc, d.messageId), w.errors, w.edi, undefined, undefined)
        : await this.route({ ...entry, document: routedDoc }, m, w.errors, w.edi, w.codec, w.ctx);
      if (!routed) {
        session.undo(mark);
        return false;
      }
      out.push(...routed);
    }
    w.deliveries.push(...out);
    appendWrites(w.routing, this.deps.router?.afterRules(decided));
    return true;
  }

  /**
   * The codec's answer to a refused document (an EDIFACT APERAK to the partner), delivered like a
   * hook's own sends and committed with the outcome. A fault of the hook is kept on the message.
   */
  private async answerRefusal(codec: Codec, ctx: HookContext, m: StoredMessage, refused: RefusedDocument, errors: CausewayError[], edi: EdiWrites): Promise<NewDelivery[]> {
    const from = { tenant: m.tenant, messageId: m.id, receivedAt: m.receivedAt, documentId: refused.document?.id ?? `${m.id}-${m.generation}-${refused.index}` };
    const answer = await answerRefusal(codec, ctx, from, refused, this.deps.endpoints, (s) => `cw-${m.id}-${refused.index}-${s.flow}`);
    errors.push(...answer.errors);
    appendWrites(edi, answer.edi);
    return answer.deliveries;
  }

  /** An order_status the rules send on their own ("cancel rejected: shipped"), routed by the flows that carry order statuses to that side. */
  private async sendStatus(e: Extract<Effect, { kind: 'send_status' }>, cause: CanonicalDocument, m: StoredMessage, errors: CausewayError[]): Promise<NewDelivery[]> {
    const now = new Date().toISOString();
    // Received with the message that caused it: its delivery sits in that message's month (PostgreSQL
    // partitions by it), so a month pruned whole takes the status's delivery with it.
    const raw: Record<string, unknown> = {
      type: 'order_status', schemaVersion: cause.schemaVersion, tenant: cause.tenant, id: `${cause.id}-status`, entityKey: e.entityKey,
      source: { endpoint: 'causeway', partnerRef: cause.source.partnerRef }, occurredAt: now, receivedAt: new Date(m.receivedAt).toISOString(),
      orderNumber: e.orderNumber, status: e.status, reason: e.reason, lines: e.lines ?? [],
    };
    const valid = validateDocument(raw);
    if (!valid.ok) return [];
    // An endpoint's side is what its config says; one that says nothing is the warehouse's when
    // the ERP's sales orders go to it (not a trading partner's), else the ERP's. A trading partner's endpoint is neither.
    const sideOf = (endpoint: string) => this.deps.sideOf?.(endpoint);
    const fromPartner = (f: FlowConfig) => f.from !== undefined && f.from.length > 0 && f.from.every((e) => sideOf(e) === 'partner');
    const warehouse = new Set(this.deps.flows.filter((f) => sideOf(f.to) === undefined && f.types.includes('sales_order') && !fromPartner(f)).map((f) => f.to));
    const side = (endpoint: string) => sideOf(endpoint) ?? (warehouse.has(endpoint) ? 'warehouse' : 'erp');
    const flows = this.deps.flows.filter((f) => f.types.includes('order_status') && side(f.to) === e.to);
    return (await this.routeFlows(valid.document, releasedFrom(m, valid.document, m.id), 0, '$', flows, errors)) ?? [];
  }

  /** The message's outcome once all of it is read; `anyDocument`: some document of it is (or was, at a checkpoint) committed. */
  private settle(m: StoredMessage, applied: Applied, anyDocument: boolean): MessageOutcome {
    const { documents, deliveries, errors, edi, rules, routing } = applied;
    // The codec's writes go with the outcome either way: a duplicate that left nothing to apply is still counted.
    const withEdi = hasWrites(edi) ? { edi } : {};
    const withRules = hasWrites(rules) ? { rules } : {};
    const warned = applied.warnings.length ? { warnings: applied.warnings } : {};
    // An answer owed to the partner (an APERAK for invalid documents) is a delivery: the message is processed, its errors dead-lettered with it.
    if (!anyDocument && deliveries.length === 0 && errors.length > 0) return { ...this.quarantine(m, errors), ...warned, ...withEdi };
    if (!anyDocument && deliveries.length === 0) return { ...this.quarantine(m, [{ code: 'NO_DOCUMENTS', message: 'the message holds no documents' }]), ...warned, ...withEdi };
    if (errors.length) this.deps.metrics.messagesQuarantined.inc({ tenant: this.deps.metrics.tenant(m.tenant), endpoint: m.endpoint });
    const withRouting = hasWrites(routing) ? { routing } : {};
    return { messageId: m.id, status: 'processed', documents, deliveries, errors: errors.length ? errors : undefined, ...warned, ...withEdi, ...withRules, ...withRouting };
  }

  /**
   * Processes a message stored in chunks (a large file) part by part as its codec reads it, in
   * bounded memory: every `documentsPerCommit` documents or so, what is read is committed as a
   * checkpoint, the message staying pending and its lease renewed. A worker that takes the message
   * over after a crash skips the parts committed before. Returns the final outcome as committed,
   * or undefined when the message was taken away from this worker or `signal` stopped it.
   */
  async processLarge(m: StoredMessage, lease: { owner: string; leaseMs: number; signal?: AbortSignal }): Promise<MessageOutcome | undefined> {
    const codec = this.deps.codecs.get(m.codec);
    if (!codec) return (await this.commitOutcomes([m], [this.quarantine(m, [{ code: 'CODEC_UNKNOWN', message: `no codec named "${m.codec}"` }])]))[0];
    if (!codec.decodeParts) {
      if (m.size > WHOLE_READ_MAX_BYTES) {
        const tooLarge = this.quarantine(m, [{ code: 'MESSAGE_TOO_LARGE', message: `the ${m.codec} codec reads a message whole, and this one is ${m.size} bytes, more than the ${WHOLE_READ_MAX_BYTES / 1048576} MB it may hold; split it, or use a codec that reads in parts` }]);
        return (await this.commitOutcomes([m], [tooLarge]))[0];
      }
      // A codec that cannot read in parts (JSON) gets the whole body, as a small message does.
      const whole: StoredMessage = { ...m, body: await collect(this.deps.store.readMessageBody(m.tenant, m.id)) };
      return (await this.commitOutcomes([whole], await this.processBatch([whole])))[0];
    }
    const { logger, store } = this.deps;
    const endpoint = this.deps.endpoints.get(m.endpoint);
    const maxDepth = this.deps.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    const errors = new KeptErrors(m.errors);
    const warnings = new KeptErrors(m.warnings, 'warnings');
    const batch: DecodedMessage[] = [];
    let batchDocuments = 0;
    let anyDocument = false;
    let part = 0;
    let index = 0;
    const commit = async (final: boolean): Promise<MessageOutcome | undefined> => {
      let inFlight: ReadonlySet<string> | undefined;
      for (let rescreens = 0, redecides = 0; ; ) {
        const applied = emptyApplied();
        // Every document of the checkpoint goes through the rules step; its ledger rows commit with the checkpoint, on the ledgers as stored now.
        const session = this.deps.rules?.enabled ? new RulesSession(store, this.items, Date.now(), inFlight, this.documentSide) : undefined;
        session?.begin();
        this.deps.router?.beginBatch();
        for (const decoded of batch) addApplied(applied, await this.applyDecoded(m, decoded, session));
        if (session) this.endRules(session, applied);
        anyDocument ||= applied.documents.length > 0;
        const kept = errors.with(applied.errors);
        const warned = warnings.with(applied.warnings);
        const outcome: MessageOutcome = final
          ? { ...this.settle(m, { ...applied, errors: kept, warnings: warned }, anyDocument), owner: lease.owner }
          : {
              messageId: m.id, status: 'processed', documents: applied.documents, deliveries: applied.deliveries, errors: kept, warnings: warned,
              ...(hasWrites(applied.edi) ? { edi: applied.edi } : {}), ...(hasWrites(applied.rules) ? { rules: applied.rules } : {}),
              ...(hasWrites(applied.routing) ? { routing: applied.routing } : {}),
              owner: lease.owner, checkpoint: { progress: part, leaseUntil: Date.now() + lease.leaseMs },
            };
        try {
          this.reportCompletion(await store.completeMessages([outcome], Date.now()));
        } catch (refused) {
          if (refused instanceof MessageLeaseLost) {
            logger.warn({ messageId: m.id }, 'a large message was taken over by another worker; this worker stops reading it');
            return undefined;
          }
          // Screened on a read another message's commit overtook: the same parts are screened again.
          if (refused instanceof EdiReceiptConflict && rescreens < MAX_RESCREENS) {
            rescreens++;
            continue;
          }
          // Decided on a ledger another commit moved on: the same parts are decided again on the ledger as it is now.
          if (refused instanceof LedgerConflict && redecides < MAX_REDECIDES) {
            redecides++;
            if (refused.kind === 'in_flight') inFlight = new Set([...(inFlight ?? []), ...refused.entityKeys]);
            continue;
          }
          throw refused;
        }
        errors.keep(applied.errors);
        warnings.keep(applied.warnings);
        batch.length = 0;
        batchDocuments = 0;
        if (!final && applied.deliveries.length) this.deps.onCheckpoint?.();
        return outcome;
      }
    };
    try {
      const source = store.readMessageBody(m.tenant, m.id);
      for await (const raw of codec.decodeParts(source, { tenant: m.tenant, endpoint: m.endpoint, options: endpoint?.codecOptions, settings: settingsFor(m, endpoint), maxDepth })) {
        const first = index;
        index += raw.documents.length;
        // Stopping (the hub shuts down): the message stays pending from its last checkpoint, for whoever takes it over.
        if (lease.signal?.aborted) return undefined;
        // Committed at an earlier checkpoint of this generation: its documents keep their places (and ids).
        if (part++ < m.progress) {
          anyDocument ||= raw.documents.length > 0;
          continue;
        }
        // The embedded store answers synchronously, so the loop would run on microtasks alone: let the
        // API, the sources and the deliveries have the event loop between parts.
        await new Promise((resolve) => setImmediate(resolve));
        const decoded = prepareDecoded(codec, raw, m, maxDepth, first, true);
        batch.push(decoded);
        batchDocuments += decoded.documents.length;
        if (batchDocuments >= this.documentsPerCommit && !(await commit(false))) return undefined;
      }
      return await commit(true);
    } catch (e) {
      if (e instanceof MessageLeaseLost) return undefined;
      // What was committed at checkpoints stays; the message is quarantined with the fault, its raw bytes kept for a replay.
      const fault = e instanceof CausewayFault ? e.errors : [{ code: 'PROCESSING_FAILED', message: describeThrown(e) }];
      logger.error({ messageId: m.id, err: e instanceof Error ? e : describeThrown(e) }, 'processing a large message failed; message quarantined');
      const quarantined: MessageOutcome = { messageId: m.id, status: 'quarantined', errors: errors.with(fault), warnings: warnings.with([]), owner: lease.owner };
      this.reportCompletion(await store.completeMessages([quarantined], Date.now()));
      this.deps.metrics.messagesQuarantined.inc({ tenant: this.deps.metrics.tenant(m.tenant), endpoint: m.endpoint });
      return quarantined;
    }
  }

  private get documentsPerCommit(): number {
    return this.deps.documentsPerCommit ?? DEFAULT_DOCUMENTS_PER_COMMIT;
  }

  private quarantine(m: StoredMessage, errors: CausewayError[]): MessageOutcome & { status: 'quarantined' } {
    this.deps.metrics.messagesQuarantined.inc({ tenant: this.deps.metrics.tenant(m.tenant), endpoint: m.endpoint });
    return { messageId: m.id, status: 'quarantined', errors };
  }

  /** What a codec's hooks see of processing one message, for the endpoint concerned. */
  private hookContext(m: StoredMessage, endpoint: CodecEndpoint): HookContext {
    return hookContextFor(this.deps, m.id, endpoint);
  }

  /** decodedBy and atSource: the codec that read the document, whose hooks may route it their own way; absent for a released document. */
  private async route(entry: DecodedMessage['documents'][number], m: StoredMessage, errors: CausewayError[], edi: EdiWrites, decodedBy: Codec | undefined, atSource: HookContext | undefined): Promise<NewDelivery[] | undefined> {
    const { index, prefix, document: doc } = entry;
    if (doc.type === 'item') this.items.remember(doc.tenant, doc);
    const own = decodedBy && atSource ? await decodedBy.hooks?.routeDocument?.(entry, atSource) : undefined;
    if (own) {
      // What a document settles (a partner's acknowledgment) holds whatever becomes of its flows.
      errors.push(...(own.errors ?? []));
      appendWrites(edi, own.writes);
      if (own.deliverInstead) return this.deliverInstead(doc, m, index, own.deliverInstead, decodedBy!.contentType);
    }
    return this.routeFlows(doc, m, index, prefix, this.deps.flows, errors, edi);
  }

  private async routeFlows(doc: CanonicalDocument, m: StoredMessage, index: number, prefix: string, flows: FlowConfig[], errors: CausewayError[], edi?: EdiWrites): Promise<NewDelivery[] | undefined> {
    const { endpoints, mappings, store } = this.deps;
    // What an encoder tracks of a payload goes with the outcome only when all the document's deliveries do.
    const tracked: EdiWrites = {};
    const out: NewDelivery[] = [];
    const facility = (doc as { facility?: string }).facility ?? '';
    /** Flows that would carry the document but for its facility, and whether any flow took it. */
    const otherFacilities: string[] = [];
    let carried = false;
    for (const flow of flows) {
      if (!flow.types.includes(doc.type)) continue;
      if (flow.tenant && flow.tenant !== doc.tenant) continue;
      if (flow.from && !flow.from.includes(m.endpoint)) continue;
      const target = endpoints.get(flow.to);
      // A flow never carries one tenant's documents to another tenant's endpoint.
      if (!target || target.tenant !== doc.tenant) continue;
      if (flow.facilities && !flow.facilities.includes(facility)) {
        otherFacilities.push(...flow.facilities);
        continue;
      }
      carried = true;
      try {
        let payload: unknown = doc;
        const mapping = flow.mapping ? mappings.get(flow.mapping) : undefined;
        if (mapping) {
          if (mapping.needsItems) await this.items.load(doc.tenant, skusOf(doc));
          const ctx = { tables: this.tablesOf(doc.tenant), item: (sku: string) => this.items.get(doc.tenant, sku) };
          payload = await mapping.apply(doc, ctx);
        }
        const codec = this.deps.codecs.get(target.codec)!;
        const bytes = await codec.encode(payload, { tenant: doc.tenant, endpoint: target.name, options: target.codecOptions, settings: target.codecSettings, store });
        const delivery = deliveryOf(doc, m, index, flow.name, target, bytes, codec.contentType);
        const sent = await codec.hooks?.afterEncode?.({ bytes, deliveryKey: delivery.idempotencyKey }, this.hookContext(m, codecEndpointOf(target)));
        errors.push(...(sent?.errors ?? []));
        appendWrites(tracked, sent?.writes);
        out.push(delivery);
      } catch (e) {
        const faults = e instanceof CausewayFault ? e.errors : [{ code: 'MAP_FAILED', message: (e as Error).message }];
        for (const f of faults) errors.push({ ...f, path: f.path ? prefix + f.path.slice(1) : prefix, message: `flow ${flow.name}: ${f.message}` });
        return undefined;
      }
    }
    // An order routing could not place yet (held, unroutable) is kept with its decision and goes nowhere on purpose.
    const waitsForRouting = (facility === '' || facility === 'auto') && (doc as { extensions?: { routing?: unknown } }).extensions?.routing !== undefined;
    if (!carried && otherFacilities.length > 0 && FOR_A_SITE.has(doc.type) && !waitsForRouting) {
      // Flows carry this order from here, each to its own facilities, and none to this one (a misspelt
      // facility, a site no flow serves): it would reach no warehouse while the message said processed.
      const served = [...new Set(otherFacilities)].sort().join(', ');
      errors.push({
        code: 'NO_FLOW_FOR_FACILITY', path: `${prefix}.facility`,
        message: `no flow carries a ${doc.type} from ${m.endpoint} ${facility ? `to facility ${JSON.stringify(facility)}` : 'without a facility'}; the flows for it serve ${served}. Correct the facility and replay, or add a flow`,
      });
      return undefined;
    }
    if (edi) appendWrites(edi, tracked);
    return out;
  }

  /** A hook's own sends in place of flows; like a flow, never to another tenant's endpoint. */
  private deliverInstead(doc: CanonicalDocument, m: StoredMessage, index: number, sends: CodecSend[], contentType: string): NewDelivery[] {
    return sends.flatMap((s) => {
      const target = this.deps.endpoints.get(s.endpoint);
      return target && target.tenant === doc.tenant ? [deliveryOf(doc, m, index, s.flow, target, s.payload, contentType)] : [];
    });
  }
}

function deliveryOf(doc: CanonicalDocument, m: StoredMessage, index: number, flow: string, target: EndpointInfo, payload: Buffer, contentType: string): NewDelivery {
  return {
    tenant: doc.tenant, documentId: doc.id, documentType: doc.type, messageId: m.id, flow, endpoint: target.name, entityKey: doc.entityKey,
    payload, contentType,
    // Stable across replays of the same message: a target that already applied it can tell.
    idempotencyKey: `cw-${m.id}-${index}-${flow}`,
    occurredAt: Date.parse(doc.occurredAt), receivedAt: m.receivedAt, maxAttempts: target.maxAttempts,
  };
}

/** A held document, at its place in its own message. */
function releasedEntry(doc: CanonicalDocument): DecodedMessage['documents'][number] {
  return { index: indexInMessage(doc.id), prefix: '$', document: doc };
}

/** The message a released document came in with, as routing reads it: its id, its endpoint, when it came. */
function releasedFrom(m: StoredMessage, doc: CanonicalDocument, messageId: number): StoredMessage {
  return { ...m, id: messageId, endpoint: doc.source.endpoint, receivedAt: Date.parse(doc.receivedAt) };
}

/** The endpoint's codec settings, when the message is read with the codec they were made for (the config may have changed since it came in). */
function settingsFor(m: Pick<StoredMessage, 'codec'>, endpoint: EndpointInfo | undefined): unknown {
  return endpoint?.codec === m.codec ? endpoint.codecSettings : undefined;
}


/** A message's writes of one kind (EDI, rules, routing) are lists gathered from its steps and checkpoints. */
type WriteLists<T> = { [K in keyof T]?: unknown[] };

/** Appends each list of `more` to the same list of `into`. */
function appendWrites<T extends WriteLists<T>>(into: T, more: T | undefined): void {
  if (!more) return;
  for (const key of Object.keys(more) as Array<keyof T>) {
    const items = more[key];
    if (items?.length) ((into[key] ??= [] as unknown as T[keyof T]) as unknown[]).push(...items);
  }
}

/** Whether any list of these writes holds something to commit. */
function hasWrites(w: object): boolean {
  return Object.values(w).some((items: unknown) => Array.isArray(items) && items.length > 0);
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
  const decoded = await codec.decode(Buffer.from(m.body), { tenant: m.tenant, endpoint: m.endpoint, options: endpoint?.codecOptions, settings: settingsFor(m, endpoint), maxDepth });
  return prepareDecoded(codec, decoded, m, maxDepth, 0, decoded.documents.length > 1);
}

/**
 * What a codec decoded, held to the JSON depth limit and validated with the envelope the engine
 * fills. `first`: the place in the message of the first document (a part of a large message starts
 * further on); `many`: documents are named by their place (`$[3]`) in errors.
 */
function prepareDecoded(codec: Codec, decoded: DecodeResult, m: MessageToDecode, maxDepth: number, first: number, many: boolean): DecodedMessage {
  const errors: CausewayError[] = [...decoded.errors];
  const documents: DecodedMessage['documents'] = [];
  const invalid: NonNullable<DecodedMessage['invalid']> = [];
  const answers = codec.hooks?.afterRefusal !== undefined;
  for (const [i, raw] of decoded.documents.entries()) {
    const index = first + i;
    const prefix = many ? `$[${index}]` : '$';
    const envelope = decoded.envelopes?.[i];
    const before = errors.length;
    // Whatever codec built it, a document is stored and sent as JSON: it must nest no deeper than JSON may.
    const tooDeep = findValueTooDeep(raw, maxDepth, prefix);
    const document = tooDeep ? undefined : prepareDocument(raw, m, index, prefix, errors, envelope === undefined ? undefined : (path) => codec.locate?.(envelope, path));
    if (tooDeep) errors.push({ code: 'DOC_TOO_DEEP', path: tooDeep, message: `arrays and objects nest deeper than ${maxDepth} levels (maxJsonDepth)` });
    if (document) documents.push({ index, prefix, document, envelope });
    else if (answers && envelope !== undefined) invalid.push({ index, envelope, errors: errors.slice(before) });
  }
  return { documents, errors, ...(decoded.warnings?.length ? { warnings: decoded.warnings } : {}), ...(invalid.length ? { invalid } : {}) };
}

/** Fills the envelope the engine owns, then validates; errors get the document's place in the message. */
function prepareDocument(raw: Record<string, unknown>, m: MessageToDecode, index: number, prefix: string, errors: CausewayError[], locate?: (path: string) => InputPlace | undefined): CanonicalDocument | undefined {
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
  // A key Causeway made from the document's own number is too long only because that number is:
  // the sender is told of the field it sent, not of one it never saw.
  const derived = raw.entityKey === undefined;
  for (const e of result.errors) {
    if (derived && e.path === '$.entityKey' && result.errors.length > 1) continue;
    const at = e.path ? locate?.(e.path) : undefined;
    errors.push({ ...e, path: e.path ? prefix + e.path.slice(1) : prefix, ...(at ? { message: `${at.where}: ${e.message}`, position: { ...e.position, ...at.position } } : {}) });
  }
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

/**
 * What the ERP asks of one warehouse: a flow set that serves other facilities but not the one such
 * a document names is a fault. A facility filter on what comes back (stock, shipments) may leave
 * some sites' documents undelivered on purpose; they are still stored, for reconciliation.
 */
const FOR_A_SITE: ReadonlySet<string> = new Set(['sales_order', 'order_cancel', 'purchase_order', 'transfer_order', 'return_authorization']);

/** The largest message a codec without decodeParts is given whole. */
const WHOLE_READ_MAX_BYTES = 64 * 1024 * 1024;

/** Raw bytes of a batch decoded ahead of the rules step at a time, so the ledgers they need are read together. */
const DECODE_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * Documents committed together while a large message is read: each checkpoint holds about this many.
 * 2,000 held a hub on a 40 MB file of 940s at 263 MB resident, 1,000 at 246 MB, within the 256 MB a
 * worker is held to, at no measurable cost in speed.
 */
export const DEFAULT_DOCUMENTS_PER_COMMIT = 1000;

/** Errors kept on a large message: the first ones, then a count of the rest (a file of broken sets must not make a row of gigabytes). */
const MAX_KEPT_ERRORS = 1000;

interface Applied {
  documents: NewDocument[];
  deliveries: NewDelivery[];
  errors: CausewayError[];
  /** What the codec read with an assumption or left out. */
  warnings: CausewayError[];
  edi: EdiWrites;
  /** The rules step's ledgers, verdicts and withdrawn deliveries, once the session over these documents ended. */
  rules: RulesWrites;
  /** What the rules' verdicts make of the stock routing reserved. */
  routing: RoutingWrites;
}

function emptyApplied(): Applied {
  return { documents: [], deliveries: [], errors: [], warnings: [], edi: {}, rules: {}, routing: {} };
}




function addApplied(into: Applied, more: Applied): void {
  for (const d of more.documents) into.documents.push(d);
  for (const d of more.deliveries) into.deliveries.push(d);
  for (const e of more.errors) into.errors.push(e);
  for (const w of more.warnings) into.warnings.push(w);
  appendWrites(into.edi, more.edi);
  appendWrites(into.rules, more.rules);
  appendWrites(into.routing, more.routing);
}


/**
 * A large message's errors (or warnings) across its checkpoints, bounded: past MAX_KEPT_ERRORS only
 * their number is kept, in a note of the same kind.
 */
class KeptErrors {
  private readonly kept: CausewayError[];
  private dropped = 0;
  private readonly note: string;

  constructor(earlier: readonly CausewayError[], private readonly kind: 'errors' | 'warnings' = 'errors') {
    this.note = kind === 'errors' ? 'ERRORS_NOT_KEPT' : 'WARNINGS_NOT_KEPT';
    this.kept = earlier.filter((e) => e.code !== this.note);
    const note = earlier.find((e) => e.code === this.note);
    this.dropped = Number(note?.message.match(/^\d+/)?.[0] ?? 0);
  }

  /** What is kept with these errors added, without keeping them yet (the commit may be refused). */
  with(more: readonly CausewayError[]): CausewayError[] {
    const room = Math.max(0, MAX_KEPT_ERRORS - this.kept.length);
    const out = this.kept.concat(more.slice(0, room));
    const dropped = this.dropped + Math.max(0, more.length - room);
    if (dropped > 0) out.push({ code: this.note, message: `${dropped} more ${this.kind} beyond the first ${MAX_KEPT_ERRORS} were not kept; inspect the raw message for all of them` });
    return out;
  }

  keep(more: readonly CausewayError[]): void {
    const room = Math.max(0, MAX_KEPT_ERRORS - this.kept.length);
    for (const e of more.slice(0, room)) this.kept.push(e);
    this.dropped += Math.max(0, more.length - room);
  }
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}
