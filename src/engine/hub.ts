import { setMaxListeners } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { checkConfig, clientTenantsIn, routedFlows, partnersOfTenant, reloadClientConfig, tableOwnersOf, type LoadedConfig } from '../config/index.ts';
import type { Codec } from '../codecs/index.ts';
import { CausewayFault, formatError, type CausewayError } from '../model/index.ts';
import { openStore, type Store, type StoredMessage } from '../store/index.ts';
import { defaultCodecOf, isSource, type EndpointContext, type SinkRuntime, type SourceRuntime } from '../transports/index.ts';
import { announceAlerts } from './alerts.ts';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { boundHeapGrowth } from './heap.ts';
import { Inbox } from './inbox.ts';
import { compileMappings } from './mapping/index.ts';
import { InventoryService } from './inventory.ts';
import { OrderRouter, refusalAsRejection } from './routing.ts';
import { runInventorySchedule } from './inventory-schedule.ts';
import { BillingService, invoiceOutboxOf, runBillingSchedule, warehouseStock } from './billing.ts';
import { Pruner, runRetentionSchedule } from './retention/pruner.ts';
import { resolveRetention } from '../config/retention.ts';
import { STOCK_DOCUMENT_TYPES } from '../inventory/index.ts';
import { HubMetrics } from './metrics.ts';
import { DeliveryWorker, type SinkBinding } from './outbox.ts';
import type { EndpointInfo } from './messages.ts';
import { MessageProcessor } from './processor.ts';
import { RulesPolicies } from './rules/policies.ts';
import { LateRefusals } from './refusals.ts';
import { sweepRules, type AnswerExpiredHold } from './rules-sweep.ts';
import { SourceDownAlert, sourceDownAfterMs } from './source-alert.ts';
import { SourceOutage } from './source-outage.ts';
import { Wakeup } from './wakeup.ts';

export interface HubOptions {
  /** Which loops this process runs: `serve` runs all, `worker` all but the API. */
  sources?: boolean;
  processor?: boolean;
  delivery?: boolean;
  store?: Store;
  logger?: Logger;
  workerId?: string;
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
  /** How often the overdue-acknowledgment check runs (one worker at a time). Default one minute. */
  overdueCheckMs?: number;
  /** How often held documents past their window and stuck orders are looked for (one worker at a time). Default 30 s. */
  rulesSweepMs?: number;
  /** While a source keeps failing, how often the log says so again. Default five minutes. */
  sourceOutageSummaryMs?: number;
}

export const SECRET_PATHS = ['*.secret', '*.password', '*.key', '*.apiKey', '*.authorization', 'headers.authorization', '*.headers.authorization'];

export function createLogger(level: string): Logger {
  // Secrets never reach a log line, whatever object they ride in.
  return pino({ level, redact: { paths: SECRET_PATHS, censor: '[redacted]' }, base: { service: 'causeway' } });
}

/** A running Causeway: inbox, processor, outbox and the endpoints of one config. */
export class Hub {
  readonly metrics: HubMetrics;
  readonly processorWakeup = new Wakeup();
  /** Told when this worker committed stock documents: availability is published without waiting its interval. */
  private readonly stockChanged = new Wakeup();
  readonly inbox: Inbox;
  readonly processor: MessageProcessor;
  readonly delivery: DeliveryWorker;
  readonly endpoints = new Map<string, EndpointInfo>();
  readonly workerId: string;
  /** The business rules' policies from the config. */
  readonly rules: RulesPolicies;
  /** What a partner is owed for a document of theirs refused after its message was processed. */
  private readonly refusals: LateRefusals;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly sources = new Map<string, OpenSource>();
  private readonly sinks = new Map<string, SinkBinding>();
  private current: LoadedConfig;
  private readonly outcomeTargets = new Map<string, EndpointInfo>();
  /** A batch is processed with one config: a client's reload waits for the batch in hand. */
  private batchTurn: Promise<void> = Promise.resolve();
  /** Reloads one at a time. */
  private reloadTurn: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  /** The tenants inventory is scheduled for: the endpoints' at start, and a client's that a reload brings. */
  private readonly scheduledTenants: string[] = [];

  /** codecSinks: the endpoints codecs send to on their own (acknowledgments), as checkConfig found them; opened as sinks even when no flow targets them. */
  private constructor(loaded: LoadedConfig, readonly store: Store, readonly logger: Logger, private readonly options: HubOptions, private readonly codecSinks: readonly string[]) {
    this.metrics = new HubMetrics(true, loaded.config.metrics.tenantLabels);
    const { config } = loaded;
    const { codecs } = loaded.registry;
    this.current = loaded;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.rules = new RulesPolicies(config.rules);
    // Every delivery in flight listens on the hub's stop signal.
    setMaxListeners(0, this.abort.signal);
    this.batchSize = options.batchSize ?? config.worker.batchSize;
    this.leaseMs = options.leaseMs ?? config.worker.leaseMs;
    this.idleMs = options.idleMs ?? config.worker.idleMs;
    for (const name of Object.keys(config.endpoints)) this.endpoints.set(name, endpointInfoOf(loaded, name));
    // The API is an inbound endpoint every config has, for the tenant of the caller's key.
    if (!this.endpoints.has('api')) this.endpoints.set('api', { name: 'api', tenant: config.defaultTenant, codec: 'json', codecOptions: {}, maxAttempts: config.retry.maxAttempts });
    this.scheduledTenants.push(...new Set([...this.endpoints.values()].map((e) => e.tenant)));
    this.inbox = new Inbox(store, this.metrics, this.processorWakeup);
    this.refusals = new LateRefusals({ store, endpoints: this.endpoints, codecs, logger });
    this.processor = new MessageProcessor({
      store, endpoints: this.endpoints, codecs, flows: routedFlows(config), mappings: compileMappings(config), codeTables: config.codeTables, tableOwners: tableOwnersOf(loaded.clients),
      metrics: this.metrics, logger, maxJsonDepth: config.maxJsonDepth, documentsPerCommit: config.worker.documentsPerCommit, onCheckpoint: () => this.delivery.wakeup.notify(),
      router: routerOf(store, config),
      rules: this.rules,
      partnerOf: (endpoint) => {
        const partner = this.loaded.config.endpoints[endpoint]?.codecOptions?.partner;
        return typeof partner === 'string' ? partner : undefined;
      },
      // Only a config that names a side pays for looking it up.
      sideOf: sideLookup(config),
    });
    this.delivery = new DeliveryWorker(store, this.sinks, {
      owner: this.workerId, batchSize: this.batchSize, leaseMs: this.leaseMs, idleMs: this.idleMs,
      outcomeRoutes: config.outcomes,
      outcomeTargets: this.outcomeTargets,
      answerRefusal: async (d, error) => {
        // A warehouse refusing a routed order for good has rejected it: it is routed again (docs/routing.md).
        const rejection = refusalAsRejection(this.loaded.config.routing, d, error);
        if (rejection) await this.inbox.acceptOne(this.inbox.toNewMessage(rejection.tenant, rejection.endpoint, 'json', { body: rejection.body, idempotencyKey: rejection.idempotencyKey }));
        return this.refusals.answerDelivery(d, error);
      },
    }, this.metrics, logger);
  }

  static async start(loaded: LoadedConfig, options: HubOptions = {}): Promise<Hub> {
    // A hub runs for days and reads files of any size: its heap must track what it holds, not four times that.
    boundHeapGrowth();
    const logger = options.logger ?? createLogger(loaded.config.log.level);
    // The same verdict as `causeway validate`, whatever was done to the config since it was read.
    const checked = checkConfig(loaded);
    if (checked.errors.length) throw new CausewayFault(checked.errors);
    for (const w of checked.warnings) logger.warn({ path: w.path, code: w.code }, w.message);
    const store = options.store ?? (await openStore(storeUrl(loaded)));
    let hub: Hub;
    try {
      hub = new Hub(loaded, store, logger, options, checked.sinks);
      await hub.openEndpoints();
    } catch (e) {
      // A config that cannot start must not leave the store (and its checkpoint thread) open.
      if (!options.store) await store.close();
      throw e;
    }
    hub.startLoops();
    logger.info({ worker: hub.workerId, endpoints: [...hub.endpoints.keys()], flows: loaded.config.flows.length }, 'causeway started');
    return hub;
  }

  /** The circuit of every endpoint this hub delivers to, as this process sees it. */
  circuits(): Array<{ endpoint: string; state: CircuitState; openedAt: number | null }> {
    return [...this.sinks.values()].map((s) => ({ endpoint: s.name, state: s.breaker.state, openedAt: s.breaker.openedAt }));
  }

  get loaded(): LoadedConfig {
    return this.current;
  }

  private async openEndpoints(): Promise<void> {
    const opened = await this.openEndpointsOf(this.loaded, this.codecSinks, this.endpoints);
    for (const [name, sink] of opened.sinks) this.sinks.set(name, sink);
    for (const [name, source] of opened.sources) this.sources.set(name, source);
    for (const o of this.loaded.config.outcomes) this.outcomeTargets.set(o.to, this.endpoints.get(o.to)!);
  }

  /** Opens the sinks and sources of the config's endpoints in `infos`; what opened before a failure is closed again. */
  private async openEndpointsOf(loaded: LoadedConfig, codecSinks: readonly string[], infos: ReadonlyMap<string, EndpointInfo>): Promise<{ sinks: Map<string, SinkBinding>; sources: Map<string, OpenSource> }> {
    const { config, endpointSettings, baseDir, registry } = loaded;
    const targets = new Set([...routedFlows(config).map((f) => f.to), ...codecSinks, ...config.outcomes.map((o) => o.to)]);
    const sinks = new Map<string, SinkBinding>();
    const sources = new Map<string, OpenSource>();
    try {
      for (const [name, ep] of Object.entries(config.endpoints)) {
        const info = infos.get(name);
        if (!info) continue;
        const spec = registry.endpoints.get(ep.type)!;
        const ctx: EndpointContext = {
          name, tenant: info.tenant, logger: this.logger.child({ endpoint: name }), store: this.store, baseDir,
          outbound: { allowPrivateNetworks: ep.allowPrivateNetworks, allow: config.outbound.allow },
        };
        const settings = endpointSettings[name] as Record<string, unknown>;
        if (targets.has(name)) {
          // checkConfig made sure every target can be one.
          const sink: SinkRuntime = await spec.createSink!(settings, ctx);
          sinks.set(name, {
            name, sink, concurrency: ep.concurrency, retry: { ...config.retry, ...(ep.retry ?? {}) },
            breaker: new CircuitBreaker(config.circuitBreaker.failureThreshold, config.circuitBreaker.cooldownMs),
          });
        }
        if (isSource(spec, settings) && this.options.sources !== false) {
          const runtime = await spec.createSource!(settings, ctx);
          sources.set(name, { runtime, info, intervalMs: ep.pollIntervalMs ?? spec.defaultPollIntervalMs ?? 1000 });
        }
      }
    } catch (e) {
      for (const s of sources.values()) await s.runtime.close?.().catch(() => undefined);
      for (const s of sinks.values()) await s.sink.close?.().catch(() => undefined);
      throw e;
    }
    return { sinks, sources };
  }

  private startLoops(): void {
    const signal = this.abort.signal;
    if (this.options.processor !== false) this.loops.push(this.runProcessor(signal));
    if (this.options.delivery !== false) this.loops.push(this.delivery.run(signal));
    if (this.options.processor !== false && this.rules.enabled) this.loops.push(this.runRulesSweep(signal));
    if (this.options.processor !== false) {
      for (const codec of new Set([...this.endpoints.values()].map((e) => this.loaded.registry.codecs.get(e.codec)!))) {
        if (codec.hooks?.checkOverdue) this.loops.push(this.runOverdueCheck(codec, signal));
      }
    }
    for (const [name, s] of this.sources) this.startSource(name, s);
    this.watchClients();
    if (this.options.processor !== false) this.loops.push(this.runInventorySchedule(signal));
    if (this.options.processor !== false) this.loops.push(this.runRetention(signal));
    if (this.options.processor !== false) this.loops.push(this.runBillingSweep(signal));
  }

  /** The usage sweep (config billing), for the tenants that have a rate card, one worker of the cluster at a time per tenant. */
  private runBillingSweep(signal: AbortSignal): Promise<void> {
    const { billing } = this.loaded.config;
    const inventory = new InventoryService(this.store, this.loaded.config, () => this.processorWakeup.notify());
    return runBillingSchedule({
      service: new BillingService(this.store, billing, this.workerId, this.logger, warehouseStock((t, at) => inventory.positions(t, at)),
        invoiceOutboxOf(this.loaded.config, () => this.processorWakeup.notify())),
      store: this.store,
      tenants: Object.keys(billing.tenants), owner: this.workerId, everyMs: billing.sweepEveryMs, logger: this.logger,
    }, signal);
  }

  /** Retention (config retention): one worker of the cluster prunes at a time. */
  private runRetention(signal: AbortSignal): Promise<void> {
    const { retention } = this.loaded.config;
    return runRetentionSchedule({
      pruner: new Pruner({ store: this.store, config: resolveRetention(retention, this.loaded.baseDir), logger: this.logger }), store: this.store,
      everyMs: retention.everyMs, owner: this.workerId, logger: this.logger,
    }, signal);
  }

  /** Scheduled reconciliation and availability (config inventory), one worker of the cluster at a time per tenant. */
  private runInventorySchedule(signal: AbortSignal): Promise<void> {
    const { inventory } = this.loaded.config;
    return runInventorySchedule({
      store: this.store, inventory: new InventoryService(this.store, this.loaded.config, () => this.processorWakeup.notify()),
      tenants: this.scheduledTenants, owner: this.workerId,
      reconcileEveryMs: inventory.reconcileEveryMs, publishEveryMs: inventory.availability.publishEveryMs, logger: this.logger, stockChanged: this.stockChanged,
    }, signal);
  }

  private async runProcessor(signal: AbortSignal): Promise<void> {
    const batch = this.batchSize;
    while (!signal.aborted) {
      try {
        const claimed = await this.inBatchTurn(() => this.processClaimed(batch, signal));
        if (claimed < batch) await this.processorWakeup.wait(this.idleMs, signal);
      } catch (e) {
        this.logger.error({ err: e }, 'processing a batch failed; the messages stay pending');
        await this.processorWakeup.wait(1000, signal);
      }
    }
  }

  /** Claims and processes one batch; returns how many messages it claimed. */
  private async processClaimed(batch: number, signal: AbortSignal): Promise<number> {
    const claimed = await this.store.claimPendingMessages(this.workerId, batch, this.leaseMs, Date.now());
    // Small messages are decoded whole and committed together, a few megabytes at a time; large
    // ones (stored in chunks) are read and committed part by part.
    for (const slice of bySize(claimed.filter((m) => !m.chunked), HELD_BYTES)) {
      const outcomes = await this.processor.commitOutcomes(slice, await this.processor.processBatch(slice));
      if (outcomes.some((o) => o.status === 'processed' && o.deliveries.length)) this.delivery.wakeup.notify();
      if (outcomes.some((o) => o.status === 'processed' && o.documents.some((d) => STOCK_DOCUMENT_TYPES.includes(d.type as never)))) this.stockChanged.notify();
    }
    for (const m of claimed.filter((x) => x.chunked)) {
      if (signal.aborted) break;
      await this.processor.processLarge(m, { owner: this.workerId, leaseMs: this.leaseMs, signal });
      this.delivery.wakeup.notify();
    }
    return claimed.length;
  }

  private async inBatchTurn<T>(work: () => Promise<T>): Promise<T> {
    const before = this.batchTurn;
    let done!: () => void;
    this.batchTurn = new Promise((resolve) => (done = resolve));
    await before;
    try {
      return await work();
    } finally {
      done();
    }
  }

  /** Runs a source's loop until the hub stops or a reload of its client stops it. */
  private startSource(name: string, s: OpenSource): void {
    s.stop = new AbortController();
    s.loop = this.runSource(name, s, AbortSignal.any([this.abort.signal, s.stop.signal]));
  }

  private async runSource(name: string, s: OpenSource, signal: AbortSignal): Promise<void> {
    const { runtime, info } = s;
    // Failures are logged when the source goes down, changes reason or comes back, never per poll.
    const log = this.logger.child({ endpoint: name });
    const outage = new SourceOutage(log, this.options.sourceOutageSummaryMs ?? 300_000);
    const alert = new SourceDownAlert(this.store, info.tenant, name, sourceDownAfterMs(this.loaded.config.alerts.rules, info.tenant, name), log);
    const failed = async (e: unknown) => {
      outage.failed(e);
      await alert.failed(outage.state);
    };
    if (runtime.listen) {
      while (!signal.aborted) {
        try {
          await runtime.listen(async (messages, cursor) => {
            // A listener is known to be back when something arrives through it.
            await alert.succeeded(outage.succeeded());
            return this.inbox.acceptFromSource(info.tenant, name, info.codec, messages,
              cursor === undefined ? undefined : { tenant: info.tenant, endpoint: name, value: cursor });
          }, signal);
        } catch (e) {
          await failed(e);
          await sleep(1000, signal);
        }
      }
      return;
    }
    // One worker polls a source at a time across the cluster; a dead holder's lease lapses.
    const job = `source:${info.tenant}:${name}`;
    const ttl = Math.max(5 * s.intervalMs, 2000);
    while (!signal.aborted) {
      let more = false;
      try {
        if (!(await this.store.tryAcquireJobLease(job, this.workerId, ttl, Date.now()))) {
          await sleep(s.intervalMs, signal);
          continue;
        }
        const cursor = await this.store.getCursor(info.tenant, name);
        const polled = await runtime.poll!(cursor, signal);
        if (polled.messages.length || polled.cursor !== undefined) {
          const accepted = await this.inbox.acceptFromSource(info.tenant, name, info.codec, polled.messages,
            polled.cursor === undefined || polled.cursor === cursor ? undefined : { tenant: info.tenant, endpoint: name, value: polled.cursor });
          await polled.afterStored?.(accepted);
          more = polled.messages.length > 0;
        }
        await alert.succeeded(outage.succeeded());
      } catch (e) {
        await failed(e);
      }
      if (!more) await sleep(s.intervalMs, signal);
    }
    await this.store.releaseJobLease(job, this.workerId).catch(() => undefined);
  }

  /** A codec's check for acknowledgments past their deadline, on one worker of the cluster at a time. */
  private async runOverdueCheck(codec: Codec, signal: AbortSignal): Promise<void> {
    const every = this.options.overdueCheckMs ?? 60_000;
    const job = `${codec.name}:overdue-acknowledgments`;
    while (!signal.aborted) {
      try {
        if (await this.store.tryAcquireJobLease(job, this.workerId, Math.max(3 * every, 2000), Date.now())) {
          const alerts = await codec.hooks!.checkOverdue!({ store: this.store, now: Date.now() });
          const raised: typeof alerts = [];
          for (const a of alerts) if (await this.store.raiseAlert(a)) raised.push(a);
          announceAlerts(raised, this.metrics, this.logger);
        }
      } catch (e) {
        this.logger.warn({ err: e, codec: codec.name }, 'checking for overdue acknowledgments failed; trying again');
      }
      await sleep(every, signal);
    }
    await this.store.releaseJobLease(job, this.workerId).catch(() => undefined);
  }

  /** Held documents past their window, and stuck orders, on one worker of the cluster at a time. */
  private async runRulesSweep(signal: AbortSignal): Promise<void> {
    const every = this.options.rulesSweepMs ?? 30_000;
    const job = 'rules:sweep';
    while (!signal.aborted) {
      try {
        if (await this.store.tryAcquireJobLease(job, this.workerId, Math.max(3 * every, 2000), Date.now())) {
          // A held document refused for good is answered to its partner (an EDIFACT APERAK), with the refusal.
          const answer: AnswerExpiredHold = (tenant, stored, error) => this.refusals.answer(tenant, stored, error, 'hold-expired');
          announceAlerts(await sweepRules(this.store, this.rules.general, Date.now(), 500, answer), this.metrics, this.logger);
        }
      } catch (e) {
        this.logger.warn({ err: e }, 'the rules sweep failed; trying again');
      }
      await sleep(every, signal);
    }
    await this.store.releaseJobLease(job, this.workerId).catch(() => undefined);
  }

  /**
   * Reads client `tenant`'s config again (docs/3pl.md) and, when it is valid and changed, puts it
   * in place of the running one: only that client's endpoints are closed and opened again, and its
   * flows, mappings and code tables apply from the next batch on. A config that fails the checks of
   * `causeway validate` is refused and the running one kept. Either way the client's audit log
   * says so. Deliveries waiting for the client's endpoints stay in the outbox: one in flight
   * finishes on the endpoint as it was, the next goes out through the endpoint as it is now.
   */
  reloadClient(tenant: string, by: { actor: string; via: string }): Promise<ClientReload> {
    const turn = this.reloadTurn.catch(() => undefined).then(() => this.applyClientConfig(tenant, by));
    this.reloadTurn = turn;
    return turn;
  }

  /** Every client's config, each on its own (SIGHUP): a client whose config fails is refused, the others still apply. */
  async reloadClients(by: { actor: string; via: string }): Promise<ClientReload[]> {
    const { clients } = this.loaded;
    if (!clients) return [];
    const tenants = [...new Set([...clientTenantsIn(clients.folder), ...clients.parts.keys()])].sort();
    const out: ClientReload[] = [];
    for (const tenant of tenants) {
      out.push(await this.reloadClient(tenant, by).catch((e: unknown) => ({ tenant, status: 'refused' as const, errors: faultsOf(e) })));
    }
    return out;
  }

  private async applyClientConfig(tenant: string, by: { actor: string; via: string }): Promise<ClientReload> {
    const source = this.loaded.clients?.parts.get(tenant)?.source ?? tenant;
    const refuse = async (e: unknown): Promise<never> => {
      const errors = faultsOf(e);
      this.logger.error({ tenant, errors: errors.map(formatError) }, 'client config refused; the running one is kept');
      await this.auditReload(tenant, source, by, { outcome: 'refused', errors });
      throw e instanceof CausewayFault ? e : new CausewayFault(errors);
    };
    let next: LoadedConfig;
    let opened: Awaited<ReturnType<Hub['openEndpointsOf']>>;
    let checked: ReturnType<typeof checkConfig>;
    let mappings: ReturnType<typeof compileMappings>;
    let infos: Map<string, EndpointInfo>;
    const ownOf = (loaded: LoadedConfig) => Object.entries(loaded.config.endpoints).filter(([, ep]) => (ep.tenant ?? loaded.config.defaultTenant) === tenant).map(([name]) => name);
    try {
      const reloaded = reloadClientConfig(this.loaded, tenant);
      if (!reloaded.changed) return { tenant, status: 'unchanged' };
      next = reloaded.loaded;
      checked = checkConfig(next);
      mappings = compileMappings(next.config);
      infos = new Map(ownOf(next).map((name) => [name, endpointInfoOf(next, name)]));
      // Opened before anything stops: an endpoint that cannot open refuses the config while the running one goes on.
      opened = await this.openEndpointsOf(next, checked.sinks, infos);
    } catch (e) {
      return refuse(e);
    }
    const before = ownOf(this.loaded);
    const after = ownOf(next);
    const retired: SinkBinding[] = [];
    await this.inBatchTurn(async () => {
      for (const name of before) {
        const s = this.sources.get(name);
        if (!s) continue;
        this.sources.delete(name);
        s.stop?.abort();
        await s.loop;
        await s.runtime.close?.().catch(() => undefined);
      }
      for (const name of before) this.endpoints.delete(name);
      for (const [name, info] of infos) this.endpoints.set(name, info);
      for (const name of [...this.outcomeTargets.keys()]) if (this.endpoints.has(name)) this.outcomeTargets.set(name, this.endpoints.get(name)!);
      this.current = next;
      if (after.length && !this.scheduledTenants.includes(tenant)) this.scheduledTenants.push(tenant);
      this.processor.reconfigure({ flows: routedFlows(next.config), mappings, codeTables: next.config.codeTables, tableOwners: tableOwnersOf(next.clients), sideOf: sideLookup(next.config) });
      for (const name of before) {
        const old = this.sinks.get(name);
        if (!old) continue;
        retired.push(old);
        if (!opened.sinks.has(name)) {
          this.sinks.delete(name);
          this.delivery.park(name);
        }
      }
      for (const [name, sink] of opened.sinks) this.sinks.set(name, sink);
      for (const [name, s] of opened.sources) {
        this.sources.set(name, s);
        this.startSource(name, s);
      }
    });
    this.delivery.wakeup.notify();
    this.processorWakeup.notify();
    // An old sink closes once what it was delivering has finished; the reload answers then.
    await Promise.all(retired.map((old) => this.delivery.retire(old).then(() => old.sink.close?.()).catch(() => undefined)));
    const result = { tenant, status: 'applied' as const, endpoints: after, flows: next.config.flows.filter((f) => f.tenant === tenant).length };
    this.logger.info({ ...result, via: by.via }, 'client config reloaded');
    await this.auditReload(tenant, next.clients?.parts.get(tenant)?.source ?? source, by, { outcome: 'applied', endpoints: after, removed: before.filter((n) => !after.includes(n)) });
    return result;
  }

  private async auditReload(tenant: string, source: string, by: { actor: string; via: string }, detail: Record<string, unknown>): Promise<void> {
    await this.store.recordAudit({ tenant, actor: by.actor, action: 'reloadClientConfig', subject: source, detail: { via: by.via, ...detail }, at: Date.now() })
      .catch((e: unknown) => this.logger.error({ err: e }, 'could not write the audit log'));
  }

  /** clients.watch: a change under the clients folder reloads the client it belongs to, once the writes settle. */
  private watchClients(): void {
    const { clients } = this.loaded;
    if (!clients || !this.loaded.config.clients?.watch) return;
    const pending = new Map<string, NodeJS.Timeout>();
    try {
      this.watcher = watch(clients.folder, { recursive: true }, (_event, file) => {
        const tenant = file ? String(file).split(/[\\/]/)[0]!.replace(/\.ya?ml$/, '') : undefined;
        if (!tenant || tenant.startsWith('.') || this.abort.signal.aborted) return;
        clearTimeout(pending.get(tenant));
        pending.set(tenant, setTimeout(() => {
          pending.delete(tenant);
          // An editor's swap and backup files are no client: only a config there now, or one that was, is read.
          if (!clientTenantsIn(clients.folder).includes(tenant) && !this.loaded.clients?.parts.has(tenant)) return;
          void this.reloadClient(tenant, { actor: 'config-watch', via: 'watch' }).catch(() => undefined);
        }, CLIENT_SETTLE_MS));
      });
      this.watcher.on('error', (e) => this.logger.warn({ err: e }, 'watching the clients folder failed; SIGHUP or POST /v1/config/reload still reload'));
      this.abort.signal.addEventListener('abort', () => {
        for (const t of pending.values()) clearTimeout(t);
      }, { once: true });
    } catch (e) {
      this.logger.warn({ err: e, folder: clients.folder }, 'cannot watch the clients folder; SIGHUP or POST /v1/config/reload still reload');
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.watcher?.close();
    await this.reloadTurn.catch(() => undefined);
    this.processorWakeup.notify();
    this.delivery.wakeup.notify();
    await Promise.allSettled([...this.loops, ...[...this.sources.values()].map((s) => s.loop)]);
    await this.inbox.drain();
    for (const s of this.sources.values()) await s.runtime.close?.().catch(() => undefined);
    for (const s of this.sinks.values()) await s.sink.close?.().catch(() => undefined);
    if (!this.options.store) await this.store.close();
  }
}

export function storeUrl(loaded: LoadedConfig): string {
  const url = loaded.config.store;
  if (/^postgres(ql)?:\/\//.test(url) || url === ':memory:' || url === 'sqlite::memory:') return url;
  const path = url.startsWith('sqlite:') ? url.slice(7) : url;
  return `sqlite:${path.startsWith('/') ? path : `${loaded.baseDir}/${path}`}`;
}

/** How long a client's files must stay still before a change is read: an editor's save is several writes. */
const CLIENT_SETTLE_MS = 300;

/** What a client's reload did. */
export type ClientReload =
  | { tenant: string; status: 'applied'; endpoints: string[]; flows: number }
  | { tenant: string; status: 'unchanged' }
  | { tenant: string; status: 'refused'; errors: CausewayError[] };

/** A source the hub reads, with the loop reading it. */
interface OpenSource {
  runtime: SourceRuntime;
  info: EndpointInfo;
  intervalMs: number;
  stop?: AbortController;
  loop?: Promise<void>;
}

/** How an endpoint reads, writes and retries, as the engine keeps it. */
function endpointInfoOf(loaded: LoadedConfig, name: string): EndpointInfo {
  const { config, registry } = loaded;
  const ep = config.endpoints[name]!;
  const codec = ep.codec ?? defaultCodecOf(registry.endpoints.get(ep.type)!);
  const tenant = ep.tenant ?? config.defaultTenant;
  const codecOptions = ep.codecOptions ?? {};
  return {
    name, tenant, codec, codecOptions,
    // An endpoint reads and writes with its own tenant's partners only (also when it finds one by sender id).
    codecSettings: registry.codecs.get(codec)!.configure?.({ tenant, endpoint: name, options: codecOptions, partners: partnersOfTenant(config, tenant) }),
    maxAttempts: ep.retry?.maxAttempts ?? config.retry.maxAttempts,
  };
}

/** Only a config that names a side pays for looking it up. */
function sideLookup(config: LoadedConfig['config']): ((endpoint: string) => 'erp' | 'warehouse' | 'partner' | undefined) | undefined {
  return Object.values(config.endpoints).some((e) => e.side) ? (endpoint: string) => config.endpoints[endpoint]?.side : undefined;
}

function faultsOf(e: unknown): CausewayError[] {
  return e instanceof CausewayFault ? e.errors : [{ code: 'CONFIG_RELOAD_FAILED', message: e instanceof Error ? e.message : String(e) }];
}

/** Raw bytes of small messages decoded and committed together: their documents are held until the commit. */
const HELD_BYTES = 4 * 1024 * 1024;

/** Messages in order, in runs whose bodies add up to at most maxBytes (a run holds at least one). */
function* bySize(messages: StoredMessage[], maxBytes: number): Generator<StoredMessage[]> {
  let run: StoredMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (run.length && bytes + m.size > maxBytes) {
      yield run;
      run = [];
      bytes = 0;
    }
    run.push(m);
    bytes += m.size;
  }
  if (run.length) yield run;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The order router, reading available-to-promise through one inventory service for every order it routes. */
function routerOf(store: Store, config: LoadedConfig['config']): OrderRouter {
  const inventory = new InventoryService(store, config);
  return new OrderRouter(store, config.routing, (tenant, now) => inventory.availability(tenant, now));
}
