import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { checkConfig, partnersOfTenant, type LoadedConfig } from '../config/index.ts';
import type { Codec } from '../codecs/index.ts';
import { CausewayFault } from '../model/index.ts';
import { openStore, type Store, type StoredMessage } from '../store/index.ts';
import { defaultCodecOf, isSource, type EndpointContext, type SinkRuntime, type SourceRuntime } from '../transports/index.ts';
import { announceAlerts } from './alerts.ts';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { boundHeapGrowth } from './heap.ts';
import { Inbox } from './inbox.ts';
import { compileMappings } from './mapping/index.ts';
import { InventoryService } from './inventory.ts';
import { OrderRouter } from './routing.ts';
import { runInventorySchedule } from './inventory-schedule.ts';
import { BillingService, runBillingSchedule, warehouseStock } from './billing.ts';
import { Pruner, runRetentionSchedule } from './retention/pruner.ts';
import { resolveRetention } from '../config/retention.ts';
import { STOCK_DOCUMENT_TYPES } from '../inventory/index.ts';
import { HubMetrics } from './metrics.ts';
import { DeliveryWorker, type SinkBinding } from './outbox.ts';
import type { EndpointInfo } from './messages.ts';
import { MessageProcessor } from './processor.ts';
import { RulesPolicies } from './rules/policies.ts';
import { sweepRules } from './rules-sweep.ts';
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
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly sources = new Map<string, { runtime: SourceRuntime; info: EndpointInfo; intervalMs: number }>();
  private readonly sinks = new Map<string, SinkBinding>();

  /** codecSinks: the endpoints codecs send to on their own (acknowledgments), as checkConfig found them; opened as sinks even when no flow targets them. */
  private constructor(readonly loaded: LoadedConfig, readonly store: Store, readonly logger: Logger, private readonly options: HubOptions, private readonly codecSinks: readonly string[]) {
    this.metrics = new HubMetrics(true, loaded.config.metrics.tenantLabels);
    const { config } = loaded;
    const { codecs } = loaded.registry;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.rules = new RulesPolicies(config.rules);
    // Every delivery in flight listens on the hub's stop signal.
    setMaxListeners(0, this.abort.signal);
    this.batchSize = options.batchSize ?? config.worker.batchSize;
    this.leaseMs = options.leaseMs ?? config.worker.leaseMs;
    this.idleMs = options.idleMs ?? config.worker.idleMs;
    for (const [name, ep] of Object.entries(config.endpoints)) {
      const codec = ep.codec ?? defaultCodecOf(loaded.registry.endpoints.get(ep.type)!);
      const tenant = ep.tenant ?? config.defaultTenant;
      const codecOptions = ep.codecOptions ?? {};
      this.endpoints.set(name, {
        name, tenant, codec, codecOptions,
        // An endpoint reads and writes with its own tenant's partners only (also when it finds one by sender id).
        codecSettings: codecs.get(codec)!.configure?.({ tenant, endpoint: name, options: codecOptions, partners: partnersOfTenant(config, tenant) }),
        maxAttempts: ep.retry?.maxAttempts ?? config.retry.maxAttempts,
      });
    }
    // The API is an inbound endpoint every config has, for the tenant of the caller's key.
    if (!this.endpoints.has('api')) this.endpoints.set('api', { name: 'api', tenant: config.defaultTenant, codec: 'json', codecOptions: {}, maxAttempts: config.retry.maxAttempts });
    this.inbox = new Inbox(store, this.metrics, this.processorWakeup);
    this.processor = new MessageProcessor({
      store, endpoints: this.endpoints, codecs, flows: config.flows, mappings: compileMappings(config), codeTables: config.codeTables,
      metrics: this.metrics, logger, maxJsonDepth: config.maxJsonDepth, documentsPerCommit: config.worker.documentsPerCommit, onCheckpoint: () => this.delivery.wakeup.notify(),
      router: routerOf(store, config),
      rules: this.rules,
      partnerOf: (endpoint) => {
        const partner = config.endpoints[endpoint]?.codecOptions?.partner;
        return typeof partner === 'string' ? partner : undefined;
      },
      // Only a config that names a side pays for looking it up.
      ...(Object.values(config.endpoints).some((e) => e.side) ? { sideOf: (endpoint: string) => config.endpoints[endpoint]?.side } : {}),
    });
    this.delivery = new DeliveryWorker(store, this.sinks, {
      owner: this.workerId, batchSize: this.batchSize, leaseMs: this.leaseMs, idleMs: this.idleMs,
      outcomeRoutes: config.outcomes,
      outcomeTargets: new Map(config.outcomes.map((o) => [o.to, this.endpoints.get(o.to)!])),
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

  private async openEndpoints(): Promise<void> {
    const { config, endpointSettings, baseDir, registry } = this.loaded;
    const targets = new Set([...config.flows.map((f) => f.to), ...this.codecSinks, ...config.outcomes.map((o) => o.to)]);
    for (const [name, ep] of Object.entries(config.endpoints)) {
      const spec = registry.endpoints.get(ep.type)!;
      const info = this.endpoints.get(name)!;
      const ctx: EndpointContext = {
        name, tenant: info.tenant, logger: this.logger.child({ endpoint: name }), store: this.store, baseDir,
        outbound: { allowPrivateNetworks: ep.allowPrivateNetworks, allow: config.outbound.allow },
      };
      const settings = endpointSettings[name] as Record<string, unknown>;
      if (targets.has(name)) {
        // checkConfig made sure every target can be one.
        const sink: SinkRuntime = await spec.createSink!(settings, ctx);
        this.sinks.set(name, {
          name, sink, concurrency: ep.concurrency, retry: { ...config.retry, ...(ep.retry ?? {}) },
          breaker: new CircuitBreaker(config.circuitBreaker.failureThreshold, config.circuitBreaker.cooldownMs),
        });
      }
      if (isSource(spec, settings) && this.options.sources !== false) {
        const runtime = await spec.createSource!(settings, ctx);
        this.sources.set(name, { runtime, info, intervalMs: ep.pollIntervalMs ?? spec.defaultPollIntervalMs ?? 1000 });
      }
    }
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
    for (const [name, s] of this.sources) this.loops.push(this.runSource(name, s, signal));
    if (this.options.processor !== false) this.loops.push(this.runInventorySchedule(signal));
    if (this.options.processor !== false) this.loops.push(this.runRetention(signal));
    if (this.options.processor !== false) this.loops.push(this.runBillingSweep(signal));
  }

  /** The usage sweep (config billing), for the tenants that have a rate card, one worker of the cluster at a time per tenant. */
  private runBillingSweep(signal: AbortSignal): Promise<void> {
    const { billing } = this.loaded.config;
    const inventory = new InventoryService(this.store, this.loaded.config, () => this.processorWakeup.notify());
    return runBillingSchedule({
      service: new BillingService(this.store, billing, this.workerId, this.logger, warehouseStock((t, at) => inventory.positions(t, at))), store: this.store,
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
      tenants: [...new Set([...this.endpoints.values()].map((e) => e.tenant))], owner: this.workerId,
      reconcileEveryMs: inventory.reconcileEveryMs, publishEveryMs: inventory.availability.publishEveryMs, logger: this.logger, stockChanged: this.stockChanged,
    }, signal);
  }

  private async runProcessor(signal: AbortSignal): Promise<void> {
    const batch = this.batchSize;
    while (!signal.aborted) {
      try {
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
        if (claimed.length < batch) await this.processorWakeup.wait(this.idleMs, signal);
      } catch (e) {
        this.logger.error({ err: e }, 'processing a batch failed; the messages stay pending');
        await this.processorWakeup.wait(1000, signal);
      }
    }
  }

  private async runSource(name: string, s: { runtime: SourceRuntime; info: EndpointInfo; intervalMs: number }, signal: AbortSignal): Promise<void> {
    const { runtime, info } = s;
    // Failures are logged when the source goes down, changes reason or comes back, never per poll.
    const outage = new SourceOutage(this.logger.child({ endpoint: name }), this.options.sourceOutageSummaryMs ?? 300_000);
    if (runtime.listen) {
      while (!signal.aborted) {
        try {
          await runtime.listen(async (messages, cursor) => {
            // A listener is known to be back when something arrives through it.
            outage.succeeded();
            return this.inbox.acceptFromSource(info.tenant, name, info.codec, messages,
              cursor === undefined ? undefined : { tenant: info.tenant, endpoint: name, value: cursor });
          }, signal);
        } catch (e) {
          outage.failed(e);
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
        outage.succeeded();
      } catch (e) {
        outage.failed(e);
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
          announceAlerts(await sweepRules(this.store, this.rules.general, Date.now()), this.metrics, this.logger);
        }
      } catch (e) {
        this.logger.warn({ err: e }, 'the rules sweep failed; trying again');
      }
      await sleep(every, signal);
    }
    await this.store.releaseJobLease(job, this.workerId).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.processorWakeup.notify();
    this.delivery.wakeup.notify();
    await Promise.allSettled(this.loops);
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
