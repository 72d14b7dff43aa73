import { Pruner } from './retention/pruner.ts';
import { resolveRetention } from '../config/retention.ts';
import { createHash } from 'node:crypto';
import type { CausewayConfig, LoadedConfig } from '../config/index.ts';
import { entityKeys, type CausewayError } from '../model/index.ts';
import {
  openStore, type Alert, type AlertPage, type AlertStore, type ApiKeyRecord, type AuditEntry, type ConsoleStore, type RetentionStore, type BillingStore, type EndpointFigures, type MessageEdit,
  type MessageSearch, type MessageSummary, type NewAlert, type NewAuditEntry, type TrendBucket, type TrendHour, type DeadLetter, type DeliveryFilter, type EdiGroup, type EdiGroupFilter, type EdiReceiptRow,
  type EdiStore, type InventoryStore, type KeyStore, type Lineage, type MessageFilter, type MessageStatus, type Page, type PipelineStore, type Store, type StoredDelivery,
  type StoredMessage, type LedgerStore, type RoutingRecord, type RoutingStore,
} from '../store/index.ts';
import * as orders from './orders.ts';
import { RulesPolicies } from './rules/policies.ts';
import type { InboundMessage, PushReceiver } from '../transports/index.ts';
import { storeUrl, type ClientReload, type Hub } from './hub.ts';
import { InventoryService } from './inventory.ts';
import { BillingService, invoiceOutboxOf, warehouseStock } from './billing.ts';
import { hostname } from 'node:os';
import { groupDeadLetters, type DeadLetterGroup } from './dead-letter-patterns.ts';
import { computeKpis, type Kpis } from './kpis.ts';
import { decodeMessage } from './processor.ts';

/** A filter of the store without its tenant: the facade's methods take the tenant on their own. */
type OfTenant<F> = Omit<F, 'tenant'>;

/**
 * What the facade asks of the store: the pipeline's rows (replays, views, KPIs), EDI groups,
 * duplicates and alerts to read but never write, API keys, and closing a store it opened.
 */
type FacadeStore = PipelineStore & Pick<EdiStore, 'listEdiGroups' | 'listEdiDuplicates'> & AlertStore & KeyStore & InventoryStore & LedgerStore & ConsoleStore & RetentionStore & BillingStore
  & Pick<RoutingStore, 'getRouting' | 'listRoutings'> & Pick<Store, 'close'>;

const HOUR = 3_600_000;
/** An hour summed sooner than this after it closed is summed again: deliveries and attempts still land in it. */
const TREND_SETTLE_MS = HOUR;
/** ...but not on every view: at most this often. */
const TREND_RESUM_MS = 5 * 60_000;

type AlertFactsReconciliation = () => Promise<{
  runId: number; at: number;
  accuracy: { overall: number | null; byFacility: Record<string, number | null> };
  openVariances: Array<{ position: number; facility: string; sku: string; lot: string; uom: string; correctedDifference: string }>;
} | undefined>;

/** How many open dead letters the grouping reads: the newest, which are the ones an operator acts on. */
const DEAD_LETTERS_GROUPED = 20_000;

/** A correction: the raw bytes fixed (decoded again with the message's codec), or the canonical document(s) as JSON. */
export interface Correction {
  as: 'raw' | 'canonical';
  body: Buffer;
  /** Who made it (the key's name), and why. */
  by: string;
  note: string;
}

/** A gap in a partner's outbound group control numbers: numbers skipped between two groups sent. */
export interface ControlNumberGap {
  partner: string;
  after: string;
  before: string;
  missing: number;
}

/** The config with retention's archive folder resolved against the config file's folder. */
function withRetention(loaded: LoadedConfig): CausewayConfig {
  return { ...loaded.config, retention: resolveRetention(loaded.config.retention, loaded.baseDir) };
}

/** The loops a replay hands work to. */
interface Wakers {
  processor(): void;
  delivery(): void;
}

/** Over a store alone there is no loop in this process to tell. */
const NO_LOOPS: Wakers = { processor() {}, delivery() {} };

/**
 * The engine as the API and the command line see it: replays and read-only views, each scoped to
 * the tenant it is given (a required first argument), never showing or moving another tenant's rows.
 *
 * Built over a store alone (EngineFacade.open: `causeway replay` and `causeway status` while the hub
 * runs in another process), a replay changes the store only: no worker of another process can be
 * woken from here, so the hub finds the work on its next idle poll (worker.idleMs). Built over a
 * running hub (HubFacade.of), a replay wakes the loop that has the work, and ingest is possible.
 */
export class EngineFacade {
  /** Reconciliation, accuracy, decisions on variances, availability and the go-live audit. */
  readonly inventory: InventoryService;

  /** Retention: what the settings no longer keep, removed (or counted, dry) a batch at a time. */
  readonly pruner: Pruner;

  /** Usage events, rate cards and the close of a client's billing period. */
  readonly billing: BillingService;

  protected constructor(protected readonly store: FacadeStore, private readonly wake: Wakers, private readonly ownsStore: boolean, config: Pick<CausewayConfig, 'inventory' | 'endpoints' | 'codeTables' | 'retention' | 'billing' | 'defaultTenant'>, private readonly rules: RulesPolicies) {
    this.inventory = new InventoryService(store, config, () => wake.processor());
    this.billing = new BillingService(store, config.billing, `${hostname()}:${process.pid}`, undefined, warehouseStock((t, at) => this.inventory.positions(t, at)),
      invoiceOutboxOf(config, () => wake.processor()));
    this.pruner = new Pruner({ store, config: config.retention });
  }

  /** Over the store a config names, for a command that runs without a hub; close() when done. */
  static async open(loaded: LoadedConfig): Promise<EngineFacade> {
    return new EngineFacade(await openStore(storeUrl(loaded)), NO_LOOPS, true, withRetention(loaded), new RulesPolicies(loaded.config.rules));
  }

  // Orders and expected inbound: the rules' ledgers.

  listOrders(tenant: string, filter: orders.LedgerFilterOf = {}): Promise<orders.OrderSummary[]> {
    return orders.listOrders(this.store, tenant, filter, this.rules.general, Date.now());
  }

  order(tenant: string, orderNumber: string): Promise<orders.OrderView | undefined> {
    return orders.getOrder(this.store, tenant, orderNumber, this.rules.general, Date.now());
  }

  /** An operator's hold: the order is not sent until released. Undefined when the tenant has no such order. */
  holdOrder(tenant: string, orderNumber: string, hold: { reason: string; by: string }): Promise<orders.OrderView | undefined> {
    return orders.holdOrder(this.store, tenant, orderNumber, hold, this.rules.general, Date.now());
  }

  /** Releases an order's holds; what waited for the release is processed again, in arrival order. */
  releaseOrder(tenant: string, orderNumber: string, by: string): Promise<orders.OrderView | undefined> {
    return this.processingAfter(orders.releaseOrder(this.store, tenant, orderNumber, by, this.rules.general, Date.now()));
  }

  /** The routing decision kept for an order (its candidates, reasons and earlier decisions), by order number. */
  routingDecision(tenant: string, orderNumber: string): Promise<RoutingRecord | undefined> {
    return this.store.getRouting(tenant, entityKeys.order(orderNumber));
  }

  listRoutingDecisions(tenant: string, page: Parameters<RoutingStore['listRoutings']>[1] = {}): Promise<RoutingRecord[]> {
    return this.store.listRoutings(tenant, page);
  }

  listInbound(tenant: string, filter: Omit<orders.LedgerFilterOf, 'status'> & { status?: string } = {}): Promise<orders.InboundSummary[]> {
    return orders.listInbound(this.store, tenant, filter);
  }

  inbound(tenant: string, reference: string): Promise<orders.InboundView | undefined> {
    return orders.getInbound(this.store, tenant, reference);
  }

  /** An operator's hold on expected inbound: no version of it is sent until released. */
  holdInbound(tenant: string, reference: string, hold: { reason: string; by: string }): Promise<orders.InboundView | undefined> {
    return orders.holdInbound(this.store, tenant, reference, hold, this.rules.general, Date.now());
  }

  /** Releases expected inbound; the versions that waited are processed again, in arrival order. */
  releaseInbound(tenant: string, reference: string, by: string): Promise<orders.InboundView | undefined> {
    return this.processingAfter(orders.releaseInbound(this.store, tenant, reference, by, this.rules.general, Date.now()));
  }

  /** What a release let go is requeued: the processor is told once the release is written. */
  private async processingAfter<V>(release: Promise<V>): Promise<V> {
    const view = await release;
    this.wake.processor();
    return view;
  }

  /** Closes the store when this facade opened it; a hub's store stays open with its hub. */
  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }

  // Replay: back to pending, then the loop that has the work is told.

  /** One message decoded and processed again with the current config; undefined when the tenant has no such message. */
  async replayMessage(tenant: string, messageId: number): Promise<number | undefined> {
    if (!(await this.store.getMessage(tenant, messageId))) return undefined;
    return this.replayMessages(tenant, [messageId]);
  }

  /** Messages processed again; those still pending are left as they are and not counted. */
  async replayMessages(tenant: string, messageIds: number[]): Promise<number> {
    return this.woke(await this.store.requeueMessages(tenant, messageIds, Date.now()), this.wake.processor);
  }

  /** Every message received in [from, to) (epoch ms), optionally of one endpoint, processed again. */
  async replayWindow(tenant: string, from: number, to: number, endpoint?: string): Promise<number> {
    return this.woke(await this.store.requeueMessageWindow(tenant, from, to, endpoint, Date.now()), this.wake.processor);
  }

  /** Dead deliveries tried again with a fresh attempt budget and their old idempotency keys. */
  async replayDeadDeliveries(tenant: string, deliveryIds: number[] | 'all'): Promise<number> {
    return this.woke(await this.store.requeueDeadDeliveries(tenant, deliveryIds, Date.now()), this.wake.delivery);
  }

  private woke(requeued: number, wake: () => void): number {
    if (requeued > 0) wake();
    return requeued;
  }

  // Queries: read-only, one tenant's rows.

  listMessages(tenant: string, filter: OfTenant<MessageFilter> = {}): Promise<StoredMessage[]> {
    return this.store.listMessages({ ...filter, tenant });
  }

  message(tenant: string, messageId: number): Promise<StoredMessage | undefined> {
    return this.store.getMessage(tenant, messageId);
  }

  /** Raw bytes the tenant's messages keep stored (its storage quota's measure). */
  storedBytes(tenant: string): Promise<number> {
    return this.store.storedBytes(tenant);
  }

  /** The bytes as received, with the content type they came with. */
  async rawMessage(tenant: string, messageId: number): Promise<{ body: AsyncIterable<Buffer>; size: number; contentType: string | null } | undefined> {
    const m = await this.store.getMessage(tenant, messageId);
    // A large message is streamed from its chunks, never held whole.
    return m && { body: this.store.readMessageBody(tenant, messageId), size: m.size, contentType: m.contentType };
  }

  /** A message's whole path: raw input, documents, deliveries and every attempt. */
  lineage(tenant: string, messageId: number): Promise<Lineage | undefined> {
    return this.store.lineage(tenant, messageId);
  }

  listDeliveries(tenant: string, filter: OfTenant<DeliveryFilter> = {}): Promise<StoredDelivery[]> {
    return this.store.listDeliveries({ ...filter, tenant });
  }

  listDeadLetters(tenant: string, page: Page & { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
    return this.store.listDeadLetters(tenant, page);
  }

  listEdiGroups(tenant: string, filter: OfTenant<EdiGroupFilter> = {}): Promise<EdiGroup[]> {
    return this.store.listEdiGroups({ ...filter, tenant });
  }

  listEdiDuplicates(tenant: string, page: Page = {}): Promise<EdiReceiptRow[]> {
    return this.store.listEdiDuplicates(tenant, page);
  }

  listAlerts(tenant: string, page: AlertPage = {}): Promise<Alert[]> {
    return this.store.listAlerts(tenant, page);
  }

  acknowledgeAlert(tenant: string, id: number, by: string): Promise<boolean> {
    return this.store.acknowledgeAlert(tenant, id, by, Date.now());
  }

  /** Closed by an operator: a rule's alert may be raised again if its condition comes back. */
  resolveAlert(tenant: string, id: number): Promise<boolean> {
    return this.store.resolveAlert(tenant, id, Date.now(), { reopenable: true });
  }

  // The console's views and actions.

  /** An order, PO, RMA or transfer number finds its documents' messages as well as an entity key or a partner reference does. */
  searchMessages(tenant: string, search: OfTenant<MessageSearch> = {}): Promise<MessageSummary[]> {
    const text = search.text?.trim();
    const keys = text && !text.includes(':')
      ? [entityKeys.order(text), entityKeys.inbound(text), entityKeys.item(text), entityKeys.return(text), entityKeys.transfer(text), entityKeys.stock(text)]
      : [];
    return this.store.searchMessages({ ...search, text, entityKeys: keys, tenant });
  }

  /**
   * A quarantined message run again with corrected content as its next generation; the quarantined
   * body is kept. Undefined when the tenant has no such quarantined message. A canonical correction
   * must be JSON: it is decoded by the json codec whatever the message first came as.
   */
  async correctMessage(tenant: string, messageId: number, c: Correction): Promise<{ generation: number } | undefined> {
    const m = await this.store.getMessage(tenant, messageId);
    if (!m || m.status !== 'quarantined') return undefined;
    if (c.as === 'canonical') JSON.parse(c.body.toString('utf8'));
    const done = await this.store.correctMessage({
      tenant, messageId, body: c.body, contentHash: createHash('sha256').update(c.body).digest('hex'),
      codec: c.as === 'canonical' ? 'json' : m.codec, contentType: c.as === 'canonical' ? 'application/json' : m.contentType,
      editedBy: c.by, note: c.note, at: Date.now(),
    });
    if (done) this.wake.processor();
    return done;
  }

  messageEdits(tenant: string, messageId: number): Promise<MessageEdit[]> {
    return this.store.listMessageEdits(tenant, messageId);
  }

  async deadLetterGroups(tenant: string): Promise<DeadLetterGroup[]> {
    return groupDeadLetters(await this.store.listOpenDeadLetters(tenant, DEAD_LETTERS_GROUPED));
  }

  /** Every open dead letter of one pattern tried again: messages processed again, deliveries given a fresh budget. */
  async replayDeadLetterGroup(tenant: string, key: string): Promise<number | undefined> {
    const group = (await this.deadLetterGroups(tenant)).find((g) => g.key === key);
    if (!group) return undefined;
    const messages = group.members.filter((m) => m.kind === 'message').map((m) => m.refId);
    const deliveries = group.members.filter((m) => m.kind === 'delivery').map((m) => m.refId);
    return (messages.length ? await this.replayMessages(tenant, messages) : 0) + (deliveries.length ? await this.replayDeadDeliveries(tenant, deliveries) : 0);
  }

  /** Every open dead letter of one pattern closed without a replay. */
  async resolveDeadLetterGroup(tenant: string, key: string, by: string): Promise<number | undefined> {
    const group = (await this.deadLetterGroups(tenant)).find((g) => g.key === key);
    if (!group) return undefined;
    return this.store.resolveDeadLetters(tenant, group.members.map((m) => m.id), by, Date.now());
  }

  endpointFigures(tenant: string, endpoints: string[], since: number): Promise<EndpointFigures[]> {
    return this.store.endpointFigures(tenant, endpoints, since);
  }

  /**
   * The last `buckets` whole buckets up to now (aligned to bucketMs, the newest still open). Buckets
   * of whole hours are added up from the store's closed hours (console_trend_hours): each hour is
   * summed once from the pipeline's rows and kept, so a week's trend reads 168 small rows, not a
   * week of deliveries, and a restart or a second process finds them summed. An hour summed within
   * TREND_SETTLE_MS of its close is summed again (at most every TREND_RESUM_MS): late rows count.
   * Only the open hour is read from the pipeline's rows on every view.
   */
  async trend(tenant: string, bucketMs: number, buckets: number, now = Date.now()): Promise<TrendBucket[]> {
    const open = Math.floor(now / bucketMs) * bucketMs;
    const first = open - (buckets - 1) * bucketMs;
    if (bucketMs % HOUR !== 0) return this.store.trend(tenant, first, bucketMs, buckets);
    const openHour = Math.floor(now / HOUR) * HOUR;
    const hours = [...await this.closedHours(tenant, first, openHour, now), ...await this.store.trend(tenant, openHour, HOUR, 1)];
    const out: TrendBucket[] = Array.from({ length: buckets }, (_, i) => ({ at: first + i * bucketMs, delivered: 0, meanSyncMs: null, attempts: 0, failedAttempts: 0, messages: 0, quarantined: 0, syncMsTotal: 0 }));
    for (const h of hours) {
      const b = out[Math.floor((h.at - first) / bucketMs)];
      if (!b) continue;
      b.delivered += h.delivered; b.syncMsTotal += h.syncMsTotal; b.attempts += h.attempts; b.failedAttempts += h.failedAttempts; b.messages += h.messages; b.quarantined += h.quarantined;
    }
    for (const b of out) b.meanSyncMs = b.delivered ? Math.round(b.syncMsTotal / b.delivered) : null;
    return out;
  }

  /** The closed hours of [from, to), summing (once, and one caller at a time) those the store lacks or that had not settled. */
  private async closedHours(tenant: string, from: number, to: number, now: number): Promise<TrendHour[]> {
    const key = `${tenant}\u0000${from}\u0000${to}`;
    const running = this.summing.get(key);
    if (running) return running;
    const work = (async () => {
      const kept = new Map((await this.store.listTrendHours(tenant, from, to)).map((h) => [h.at, h]));
      const due = (at: number) => {
        const h = kept.get(at);
        return !h || (h.computedAt < at + HOUR + TREND_SETTLE_MS && now - h.computedAt > TREND_RESUM_MS);
      };
      // Contiguous runs of hours to sum: one statement per table per run, not per hour.
      for (let at = from; at < to;) {
        if (!due(at)) { at += HOUR; continue; }
        let end = at;
        while (end < to && due(end)) end += HOUR;
        const summed = (await this.store.trend(tenant, at, HOUR, (end - at) / HOUR)).map((b) => ({ ...b, computedAt: now }));
        await this.store.saveTrendHours(tenant, summed);
        for (const h of summed) kept.set(h.at, h);
        at = end;
      }
      return [...kept.values()].sort((a, b) => a.at - b.at);
    })();
    this.summing.set(key, work);
    try {
      return await work;
    } finally {
      this.summing.delete(key);
    }
  }

  private readonly summing = new Map<string, Promise<TrendHour[]>>();

  /** Numbers skipped in each partner's outbound group control numbers, among the newest groups sent. */
  async controlNumberGaps(tenant: string): Promise<ControlNumberGap[]> {
    const byPartner = new Map<string, number[]>();
    for (const g of await this.store.listEdiGroups({ tenant, limit: 1000 })) {
      const n = Number(g.groupControlNumber);
      if (Number.isSafeInteger(n)) byPartner.set(g.partner, [...(byPartner.get(g.partner) ?? []), n]);
    }
    const gaps: ControlNumberGap[] = [];
    for (const [partner, numbers] of byPartner) {
      const sorted = [...new Set(numbers)].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i]! - sorted[i - 1]! > 1) gaps.push({ partner, after: String(sorted[i - 1]), before: String(sorted[i]), missing: sorted[i]! - sorted[i - 1]! - 1 });
      }
    }
    return gaps;
  }

  recordAudit(entry: NewAuditEntry): Promise<void> {
    return this.store.recordAudit(entry);
  }

  listAudit(tenant: string, page: Page = {}): Promise<AuditEntry[]> {
    return this.store.listAudit(tenant, page);
  }

  /** The measures of a window [from, to] (epoch ms), backlog included, and inventory accuracy from the reconciliations run in it. */
  async kpis(tenant: string, from: number, to: number): Promise<Kpis & { inventoryAccuracy: Awaited<ReturnType<InventoryService['accuracy']>> }> {
    return { ...computeKpis(await this.store.tenantKpiSample(tenant, from, to), from, to), inventoryAccuracy: await this.inventory.accuracy(tenant, from, to) };
  }

  // API keys: looked up by hash, which tells the tenant; never kept in plain text.

  findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.store.findApiKey(hash);
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    return this.store.putApiKey(key);
  }
}

/** Every client's figures at once, for the 3PL's operator. */
export interface ClientsOverview {
  window: { from: string; to: string };
  clients: Array<{
    tenant: string;
    throughput: Kpis['throughput'];
    errorRate: Kpis['errorRate'];
    rules: Kpis['rules'];
    syncLatencyP95Ms: number | null;
    orderToShipmentP95Ms: number | null;
    openDeadLetters: { deliveries: number; messages: number };
    backlog: { pending: number; oldestAgeMs: number | null };
  }>;
  /** Every client's waiting deliveries per endpoint, the oldest first. */
  backlog: Array<{ tenant: string; endpoint: string; pending: number; oldestAgeMs: number | null }>;
}

/** What became of canonical documents sent to the API. */
export type DocumentsReceipt =
  /** The idempotency key was used before with other bytes: nothing is stored; messageId is the key's message. */
  | { kind: 'key-reused'; messageId: number; idempotencyKey: string }
  /** The same message again: not processed again. */
  | { kind: 'duplicate'; messageId: number; status: MessageStatus | undefined }
  /** Stored, with the verdict processing will reach: how many documents are valid, and the errors of the others. */
  | { kind: 'stored'; messageId: number; documents: number; errors: CausewayError[] };

/** What became of a raw message pushed to an inbound endpoint. */
export interface MessageReceipt {
  kind: 'stored' | 'duplicate' | 'key-reused';
  messageId: number;
  /** The key it was stored (or refused) under: the sender's, or the content hash. */
  idempotencyKey: string;
}

/** An inbound endpoint of the tenant, as its transport needs it to take a pushed message. */
export interface InboundEndpoint {
  name: string;
  type: string;
  /** The endpoint's own settings, validated by its transport's spec. */
  settings: unknown;
  /** Its connector's receiver, when the endpoint's type takes pushes itself (wms-rest webhooks). */
  receiver?: PushReceiver;
}

/**
 * The facade over a running hub: everything EngineFacade offers, replays waking this hub's
 * processor or delivery worker at once, plus ingest and the hub-wide views an operator scrapes.
 */
export class HubFacade extends EngineFacade {
  /** Receivers made so far, one per endpoint's settings as its connector's spec makes them: a client's reload brings new settings, and a new receiver. */
  private readonly receivers = new WeakMap<object, PushReceiver | undefined>();

  private constructor(private readonly hub: Hub) {
    super(hub.store, { processor: () => hub.processorWakeup.notify(), delivery: () => hub.delivery.wakeup.notify() }, false, withRetention(hub.loaded), hub.rules);
  }

  static of(hub: Hub): HubFacade {
    return new HubFacade(hub);
  }

  get logger(): Hub['logger'] {
    return this.hub.logger;
  }

  /** Every tenant the config knows of: its default, its endpoints', its keys' and its partners'. */
  tenants(): string[] {
    const { config } = this.hub.loaded;
    const all = new Set([config.defaultTenant, ...[...this.hub.endpoints.values()].map((e) => e.tenant), ...config.api.keys.map((k) => k.tenant)]);
    for (const p of Object.values(config.partners)) if (p.tenant) all.add(p.tenant);
    all.delete('*');
    return [...all].sort();
  }

  /**
   * The 3PL operator's view over every client: each one's figures over [from, to) (throughput,
   * error rates, the 95th percentiles, the rules' verdicts, open dead letters, its backlog), and
   * the backlog of all of them in one list, the oldest waiting delivery first.
   */
  async clientsOverview(from: number, to: number): Promise<ClientsOverview> {
    const clients: ClientsOverview['clients'] = [];
    const backlog: ClientsOverview['backlog'] = [];
    for (const tenant of this.tenants()) {
      const k = computeKpis(await this.store.tenantKpiSample(tenant, from, to), from, to);
      const [deliveries, messages] = await Promise.all([this.store.countOpenDeadLetters(tenant, 'delivery'), this.store.countOpenDeadLetters(tenant, 'message')]);
      const ages = k.backlog.flatMap((b) => (b.oldestAgeMs === null ? [] : [b.oldestAgeMs]));
      clients.push({
        tenant, throughput: k.throughput, errorRate: k.errorRate, rules: k.rules,
        syncLatencyP95Ms: k.syncLatencyMs.fromOccurred.p95, orderToShipmentP95Ms: k.orderToShipmentMs.p95,
        openDeadLetters: { deliveries, messages },
        backlog: { pending: k.backlog.reduce((n, b) => n + b.pending, 0), oldestAgeMs: ages.length ? Math.max(...ages) : null },
      });
      for (const b of k.backlog) if (b.pending > 0) backlog.push({ tenant, ...b });
    }
    backlog.sort((a, b) => (b.oldestAgeMs ?? -1) - (a.oldestAgeMs ?? -1) || b.pending - a.pending);
    return { window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, clients, backlog };
  }

  /** The tenant's endpoints as configured: name, type, and whether the hub delivers to it. */
  endpointsOf(tenant: string): Array<{ name: string; type: string; codec: string; sink: boolean; state: string | null; openedAt: number | null }> {
    const circuits = new Map(this.hub.circuits().map((c) => [c.endpoint, c]));
    return [...this.hub.endpoints.values()].filter((e) => e.tenant === tenant).map((e) => {
      const c = circuits.get(e.name);
      return { name: e.name, type: this.hub.loaded.config.endpoints[e.name]?.type ?? e.name, codec: e.codec, sink: !!c, state: c?.state ?? null, openedAt: c?.openedAt ?? null };
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The X12 partner profiles of the tenant (without their delimiters and other wire details). */
  partnersOf(tenant: string): Array<{ name: string; version: string; usage: string; acknowledgments: unknown }> {
    const { config } = this.hub.loaded;
    return Object.entries(config.partners).filter(([, p]) => (p.tenant ?? config.defaultTenant) === tenant)
      .map(([name, p]) => ({ name, version: p.version, usage: p.usage, acknowledgments: p.acknowledgments }));
  }

  // Alerting: the rules' evaluator and the channels' notifier run through these.

  /** Holds the hub-wide lease of a scheduled job for ttlMs (false: another worker has it). */
  holdJobLease(job: string, ttlMs: number): Promise<boolean> {
    return this.store.tryAcquireJobLease(job, this.hub.workerId, ttlMs, Date.now());
  }

  releaseJobLease(job: string): Promise<void> {
    return this.store.releaseJobLease(job, this.hub.workerId);
  }

  /** True when the alert is new (not open already under its dedupe key). */
  raiseAlert(alert: NewAlert): Promise<boolean> {
    return this.store.raiseAlert(alert);
  }

  /** A rule's alert whose condition cleared: resolved, its key freed for the next time. */
  clearRuleAlert(tenant: string, id: number): Promise<boolean> {
    return this.store.resolveAlert(tenant, id, Date.now(), { reopenable: true });
  }

  alertsToNotify(limit: number): Promise<Alert[]> {
    return this.store.alertsToNotify(limit);
  }

  markAlertNotified(id: number, which: 'raised' | 'resolved'): Promise<void> {
    return this.store.markAlertNotified(id, which, Date.now());
  }

  countDeadLetters(tenant: string, since: number, endpoint?: string): Promise<number> {
    return this.store.countDeadLetters(tenant, since, endpoint);
  }

  countOpenDeadLetters(tenant: string, kind: 'delivery' | 'message'): Promise<number> {
    return this.store.countOpenDeadLetters(tenant, kind);
  }

  /** The newest whole reconciliation run of the tenant: accuracy, and its variances not yet approved or rejected. */
  async latestReconciliation(tenant: string): Promise<Awaited<ReturnType<AlertFactsReconciliation>>> {
    const [run] = await this.store.listReconciliations(tenant, { limit: 1, wholeRuns: true });
    if (!run) return undefined;
    const accuracy = run.accuracy as { overall: { rate: number | null }; byFacility: Record<string, { rate: number | null }> };
    const [variances, decisions] = await Promise.all([
      this.store.listReconciliationResults(tenant, run.id, { status: 'variance', limit: 1000 }),
      this.store.listVarianceDecisions(tenant, { runId: run.id, limit: 1000 }),
    ]);
    const decided = new Set(decisions.map((d) => d.position));
    return {
      runId: run.id, at: run.at,
      accuracy: { overall: accuracy.overall.rate, byFacility: Object.fromEntries(Object.entries(accuracy.byFacility).map(([f, a]) => [f, a.rate])) },
      openVariances: variances.filter((v) => !decided.has(v.position)).map((v) => ({ position: v.position, facility: v.facility, sku: v.sku, lot: v.lot, uom: v.uom, correctedDifference: v.correctedDifference })),
    };
  }

  /** Where console sessions are kept: the store, shared by every process serving the console. */
  get consoleSessionStore(): Pick<ConsoleStore, 'putConsoleSession' | 'getConsoleSession' | 'updateConsoleSession' | 'deleteConsoleSession' | 'purgeConsoleSessions'> {
    return this.store;
  }

  /** The config's console and alerts sections. */
  get consoleSettings(): LoadedConfig['config']['console'] {
    return this.hub.loaded.config.console;
  }

  get alertSettings(): LoadedConfig['config']['alerts'] {
    return this.hub.loaded.config.alerts;
  }

  /** The non-public networks outbound requests may reach (outbound.allow): alert webhooks obey them too. */
  get outboundSettings(): LoadedConfig['config']['outbound'] {
    return this.hub.loaded.config.outbound;
  }

  /** The config's api section: listen address, keys, body limit. */
  get apiSettings(): LoadedConfig['config']['api'] {
    return this.hub.loaded.config.api;
  }

  /** The config's metrics section: whether /metrics asks for a key. */
  get metricsSettings(): LoadedConfig['config']['metrics'] {
    return this.hub.loaded.config.metrics;
  }

  // Ingest: the raw bytes are stored before anything else looks at them.

  /**
   * Canonical documents (one, an array, or JSON lines) for the tenant: stored raw and deduplicated,
   * then decoded and validated as processing will, so the sender hears the verdict at once.
   */
  async ingestDocuments(tenant: string, request: { body: Buffer; contentType: string; idempotencyKey?: string }): Promise<DocumentsReceipt> {
    const { inbox, endpoints, loaded } = this.hub;
    const message = inbox.toNewMessage(tenant, 'api', 'json', request);
    const accepted = await inbox.acceptOne(message);
    if (accepted.keyReused) return { kind: 'key-reused', messageId: accepted.messageId, idempotencyKey: message.idempotencyKey };
    if (accepted.duplicate) return { kind: 'duplicate', messageId: accepted.messageId, status: accepted.original?.status };
    const decoded = (await decodeMessage({ ...message, id: accepted.messageId, partnerRef: null, generation: 1 }, endpoints.get('api'), { codecs: loaded.registry.codecs, maxJsonDepth: loaded.config.maxJsonDepth }))!;
    return { kind: 'stored', messageId: accepted.messageId, documents: decoded.documents.length, errors: decoded.errors };
  }

  /** The tenant's endpoint of that name; another tenant's is answered like a missing one. */
  inboundEndpoint(tenant: string, name: string): InboundEndpoint | undefined {
    const { loaded, endpoints } = this.hub;
    const config = Object.hasOwn(loaded.config.endpoints, name) ? loaded.config.endpoints[name] : undefined;
    const info = endpoints.get(name);
    if (!config || !info || info.tenant !== tenant) return undefined;
    const settings = loaded.endpointSettings[name];
    const key = (settings ?? config) as object;
    if (!this.receivers.has(key)) {
      const spec = loaded.registry.endpoints.get(config.type);
      const ctx = { name, tenant: info.tenant, logger: this.hub.logger.child({ endpoint: name }), store: this.hub.store, baseDir: loaded.baseDir };
      this.receivers.set(key, spec?.createPushReceiver?.(settings, ctx));
    }
    return { name, type: config.type, settings, receiver: this.receivers.get(key) };
  }

  /** A raw message pushed to one of the tenant's inbound endpoints, stored to be decoded with the endpoint's codec. */
  async ingestMessage(tenant: string, endpoint: string, pushed: InboundMessage): Promise<MessageReceipt> {
    const info = this.hub.endpoints.get(endpoint);
    if (!info || info.tenant !== tenant) throw new Error(`no endpoint named "${endpoint}" for tenant "${tenant}"`);
    const message = this.hub.inbox.toNewMessage(tenant, endpoint, info.codec, pushed);
    const accepted = await this.hub.inbox.acceptOne(message);
    const kind = accepted.keyReused ? 'key-reused' : accepted.duplicate ? 'duplicate' : 'stored';
    return { kind, messageId: accepted.messageId, idempotencyKey: message.idempotencyKey };
  }

  /**
   * Records a signed push to the tenant's endpoint; false when the same signed request was recorded
   * before (a replay). Sightings are kept twice the tolerance: a timestamp may be that far ahead too.
   */
  async recordSignedRequest(tenant: string, endpoint: string, id: string, fingerprint: string, toleranceSeconds: number): Promise<boolean> {
    return this.store.recordSignedRequest({ tenant, endpoint, id, fingerprint, at: Date.now(), keepMs: 2 * toleranceSeconds * 1000 });
  }

  /**
   * Reads the tenant's client config again and applies it (docs/3pl.md). Throws a CausewayFault
   * with the config's errors when it is refused (the running one is kept), or with
   * CONFIG_NO_CLIENTS / CONFIG_NO_CLIENT when there is no such config.
   */
  reloadClientConfig(tenant: string, actor: string): Promise<ClientReload> {
    return this.hub.reloadClient(tenant, { actor, via: 'api' });
  }

  // Operations: hub-wide, for the operator rather than a tenant.

  /** Throws when the store does not answer. */
  async checkStore(): Promise<void> {
    await this.store.getCursor('_health', '_health');
  }

  /** The Prometheus exposition of every tenant's metrics, with the backlog read from the store now. */
  async metricsExposition(): Promise<{ contentType: string; text: string }> {
    const { metrics } = this.hub;
    // The backlog lives in the store, shared by every worker: read it at scrape, not kept in memory.
    const now = Date.now();
    const sample = await this.store.kpiSample(undefined, now, now);
    metrics.backlog.reset();
    for (const b of sample.backlog) metrics.backlog.set({ endpoint: b.endpoint }, b.pending);
    // Accuracy lives in the store too: the newest whole run of each tenant, whichever worker ran it.
    metrics.inventoryAccuracy.reset();
    for (const tenant of new Set([...this.hub.endpoints.values()].map((e) => e.tenant))) {
      const [run] = await this.store.listReconciliations(tenant, { limit: 1, wholeRuns: true });
      const accuracy = run?.accuracy as { overall: { rate: number | null }; byFacility: Record<string, { rate: number | null }> } | undefined;
      if (!accuracy) continue;
      if (accuracy.overall.rate !== null) metrics.inventoryAccuracy.set({ tenant, facility: 'all' }, accuracy.overall.rate);
      for (const [facility, f] of Object.entries(accuracy.byFacility)) if (f.rate !== null) metrics.inventoryAccuracy.set({ tenant, facility }, f.rate);
    }
    return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
  }
}
