import type { Logger } from 'pino';
import type { RetryPolicy } from '../config/index.ts';
import { judgeAttempt, type AttemptRecord, type NewDelivery, type PipelineStore, type StoredDelivery } from '../store/index.ts';
import { cannotBeFormed, type DeliveryOutcome, type OutboundMessage, type SinkRuntime } from '../transports/index.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { GroupCommitter } from './group-commit.ts';
import type { HubMetrics } from './metrics.ts';
import { retryDelayMs } from './retry.ts';
import { Wakeup } from './wakeup.ts';

/** The longest Retry-After honoured for an endpoint without a retry policy of its own. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** How many times its concurrency a sink that takes batches has claimed ahead, at most. */
const BATCH_CLAIM_AHEAD = 8;

export interface SinkBinding {
  name: string;
  sink: SinkRuntime;
  concurrency: number;
  retry: RetryPolicy;
  breaker: CircuitBreaker;
}

/** Where delivery outcome events go: `to` gets one for each settled delivery to `from` (or any). */
export interface OutcomeRoute {
  to: string;
  from?: string[];
}

export interface OutcomeTarget {
  tenant: string;
  maxAttempts: number;
}

export interface DeliveryWorkerOptions {
  owner: string;
  outcomeRoutes?: OutcomeRoute[];
  /** The endpoints outcome events may go to, for their tenant and attempt budget. */
  outcomeTargets?: Map<string, OutcomeTarget>;
  /** What the partner a document came from is owed when a target refuses it for good (an EDIFACT APERAK), settled with the dead letter. */
  answerRefusal?: (d: StoredDelivery, error: string) => Promise<NewDelivery[]>;
  batchSize: number;
  leaseMs: number;
  idleMs: number;
}

/**
 * Claims due deliveries (heads of their entity-key queues), delivers them with per-endpoint
 * concurrency and circuit breakers, and records every attempt. Retries, backoff, dead letters and
 * ordering live here and in the store, never in a connector.
 */
export class DeliveryWorker {
  readonly wakeup = new Wakeup();
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, StoredDelivery[]>();
  private readonly attempts: GroupCommitter<AttemptRecord, undefined>;
  private active = 0;
  private signal: AbortSignal | undefined;
  /** Deliveries in flight through each binding, so a binding a reload replaced is closed only when they are done. */
  private readonly through = new Map<SinkBinding, Set<Promise<unknown>>>();
  /** Endpoints a client's reload took away: their deliveries wait in the outbox, this worker claims none of them. */
  private readonly parked = new Set<string>();

  constructor(
    private readonly store: PipelineStore,
    private readonly sinks: Map<string, SinkBinding>,
    private readonly options: DeliveryWorkerOptions,
    private readonly metrics: HubMetrics,
    private readonly logger: Logger,
  ) {
    this.attempts = new GroupCommitter(async (records) => {
      await store.recordAttempts(records, Date.now());
      return records.map(() => undefined);
    }, 500, 2);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    while (!signal.aborted) {
      const now = Date.now();
      const skip: string[] = [];
      let capacity = 0;
      for (const [name, b] of this.sinks) {
        // Claim ahead up to twice the concurrency and only in chunks of at least a quarter of that:
        // a claim per finished delivery would spend the store's time on claiming. A sink that takes
        // batches frees all its slots at once and would claim once per batch: it claims further ahead.
        const ahead = (b.sink.deliverBatch ? BATCH_CLAIM_AHEAD : 2) * b.concurrency;
        const free = ahead - (this.inFlight.get(name) ?? 0) - (this.waiting.get(name)?.length ?? 0);
        const open = !b.breaker.allows(now);
        this.metrics.circuitOpen.set({ endpoint: name }, b.breaker.state === 'open' ? 1 : 0);
        if (open || free < Math.max(1, ahead / 4)) skip.push(name);
        else capacity += free;
      }
      for (const name of this.parked) if (!this.sinks.has(name)) skip.push(name);
      let claimed: StoredDelivery[] = [];
      const want = Math.min(this.options.batchSize, capacity);
      if (want > 0) {
        try {
          claimed = await this.store.claimDueDeliveries(this.options.owner, want, this.options.leaseMs, now, skip);
        } catch (e) {
          this.logger.error({ err: e }, 'claiming deliveries failed; trying again');
          await this.wakeup.wait(1000, signal);
          continue;
        }
      }
      // Claimed while a reload took their endpoint away: back to the outbox, to wait for it.
      const back = claimed.filter((d) => !this.sinks.has(d.endpoint) && this.parked.has(d.endpoint)).map((d) => d.id);
      if (back.length) await this.store.releaseDeliveries(this.options.owner, back).catch((e) => this.logger.error({ err: e }, 'releasing deliveries failed'));
      for (const d of claimed) {
        if (!this.sinks.has(d.endpoint) && this.parked.has(d.endpoint)) continue;
        if (!this.sinks.has(d.endpoint)) {
          void this.finish(d, { kind: 'permanent', error: `endpoint "${d.endpoint}" is not configured (any more) as a target` }, now);
          continue;
        }
        const queue = this.waiting.get(d.endpoint) ?? [];
        queue.push(d);
        this.waiting.set(d.endpoint, queue);
      }
      for (const name of this.waiting.keys()) await this.pump(name);
      if (want === 0 || claimed.length < want) await this.wakeup.wait(this.options.idleMs, signal);
    }
    await this.drain();
  }

  /** Starts waiting deliveries of one endpoint while it has free slots and its circuit allows. */
  private async pump(name: string): Promise<void> {
    const queue = this.waiting.get(name);
    const b = this.sinks.get(name);
    if (!queue || !b || !this.signal || this.signal.aborted) return;
    while (queue.length && (this.inFlight.get(name) ?? 0) < b.concurrency) {
      if (!b.breaker.allows(Date.now())) {
        const release = queue.splice(0).map((d) => d.id);
        await this.store.releaseDeliveries(this.options.owner, release).catch((e) => this.logger.error({ err: e }, 'releasing deliveries failed'));
        return;
      }
      if (b.sink.deliverBatch && b.breaker.state === 'closed') {
        this.dispatchBatch(b, queue.splice(0, b.concurrency - (this.inFlight.get(name) ?? 0)), this.signal);
        continue;
      }
      // A half-open circuit's one trial goes to an order not known to fail, when one waits.
      const next = b.breaker.state === 'half_open' ? queue.splice(b.breaker.pickTrial(queue), 1)[0]! : queue.shift()!;
      b.breaker.begin();
      this.dispatch(b, next, this.signal);
    }
  }

  private dispatch(b: SinkBinding, d: StoredDelivery, signal: AbortSignal): void {
    this.inFlight.set(b.name, (this.inFlight.get(b.name) ?? 0) + 1);
    this.active++;
    const startedAt = Date.now();
    const running = b.sink.deliver(outboundMessage(d), signal)
      .catch((e: Error): DeliveryOutcome => thrownOutcome(b, e))
      .then((outcome) => {
        this.settleBreaker(b, d, outcome);
        return this.finish(d, outcome, startedAt, b);
      })
      .finally(() => {
        this.inFlight.set(b.name, (this.inFlight.get(b.name) ?? 1) - 1);
        this.active--;
        this.through.get(b)?.delete(running);
        void this.pump(b.name);
        this.wakeup.notify();
      });
    this.track(b, running);
  }

  /**
   * Hands a sink that takes batches its free slots' worth at once. The slots come back as soon as
   * the outcomes are known, before they are recorded, so the next batch is on its way while the
   * store commits this one. Per-key order does not rest on that: a delivery keeps its lease until
   * its attempt is recorded, and the claim holds its key's next delivery back until then.
   */
  private dispatchBatch(b: SinkBinding, batch: StoredDelivery[], signal: AbortSignal): void {
    const n = batch.length;
    this.inFlight.set(b.name, (this.inFlight.get(b.name) ?? 0) + n);
    this.active += n;
    const startedAt = Date.now();
    let slotsBack = false;
    const giveSlotsBack = () => {
      if (slotsBack) return;
      slotsBack = true;
      this.inFlight.set(b.name, (this.inFlight.get(b.name) ?? n) - n);
      void this.pump(b.name);
      this.wakeup.notify();
    };
    const running = b.sink.deliverBatch!(batch.map(outboundMessage), signal)
      .then((outcomes) => {
        if (outcomes.length !== n) throw new Error(`${b.name} answered ${outcomes.length} outcomes for a batch of ${n}`);
        return outcomes;
      })
      .catch((e: Error): DeliveryOutcome[] => batch.map(() => thrownOutcome(b, e)))
      .then((outcomes) => {
        for (const [i, d] of batch.entries()) this.settleBreaker(b, d, outcomes[i]!);
        giveSlotsBack();
        return Promise.all(batch.map((d, i) => this.finish(d, outcomes[i]!, startedAt, b)));
      })
      .finally(() => {
        giveSlotsBack();
        this.active -= n;
        this.through.get(b)?.delete(running);
        this.wakeup.notify();
      });
    this.track(b, running);
  }

  private track(b: SinkBinding, running: Promise<unknown>): void {
    const set = this.through.get(b) ?? new Set();
    set.add(running);
    this.through.set(b, set);
  }

  /** Resolves when every delivery started through this binding has finished and been recorded. */
  async retire(b: SinkBinding): Promise<void> {
    while (this.through.get(b)?.size) await Promise.allSettled([...this.through.get(b)!]);
    this.through.delete(b);
  }

  /**
   * The endpoint is no longer a target of this hub (a client's reload removed it): what this worker
   * claimed for it and has not started goes back to the outbox, and no more is claimed, so nothing
   * waiting for it is dead-lettered. Claimed again when a reload brings it back.
   */
  park(name: string): void {
    this.parked.add(name);
    const left = this.waiting.get(name)?.splice(0).map((d) => d.id) ?? [];
    if (left.length) void this.store.releaseDeliveries(this.options.owner, left).catch((e) => this.logger.error({ err: e }, 'releasing deliveries failed'));
  }

  private settleBreaker(b: SinkBinding, d: StoredDelivery, outcome: DeliveryOutcome): void {
    if (outcome.kind === 'delivered') {
      if (b.breaker.success(d.entityKey)) this.logger.info({ endpoint: b.name }, 'circuit closed');
    } else if (outcome.kind === 'retryable' && !outcome.throttled) {
      if (b.breaker.failure(Date.now(), d.entityKey)) {
        const keys = b.breaker.failingKeys();
        this.logger.warn({ endpoint: b.name, failingKeys: keys.slice(0, 20), failing: keys.length, error: outcome.error.slice(0, 500) }, 'circuit opened');
      }
    } else b.breaker.inconclusive(d.entityKey);
  }

  private async finish(d: StoredDelivery, outcome: DeliveryOutcome, startedAt: number, b?: SinkBinding): Promise<void> {
    const finishedAt = Date.now();
    const attempt = d.attempts + 1;
    const record: AttemptRecord = {
      deliveryId: d.id, tenant: d.tenant, startedAt, finishedAt, outcome: outcome.kind, statusCode: outcome.statusCode,
      response: outcome.response?.slice(0, 4096),
    };
    record.onSettled = this.outcomeEvents(d, outcome, attempt, finishedAt);
    if (outcome.kind === 'permanent' && this.options.answerRefusal) {
      const owed = await this.options.answerRefusal(d, outcome.error).catch((e: unknown) => {
        this.logger.warn({ err: e, deliveryId: d.id }, 'answering a refused delivery failed');
        return [];
      });
      if (owed.length) record.onSettled = { ...record.onSettled, dead: [...(record.onSettled?.dead ?? []), ...owed] };
    }
    if (outcome.kind === 'delivered') {
      record.partnerRef = outcome.partnerRef;
      this.metrics.syncLatency.observe({ endpoint: d.endpoint }, Math.max(0, finishedAt - d.occurredAt) / 1000);
    } else {
      record.error = outcome.error.slice(0, 2000);
      if (outcome.kind === 'retryable') {
        const policy = b?.retry;
        const delay = policy ? retryDelayMs(policy, attempt) : 60_000;
        // A receiver's Retry-After is honoured up to the policy's longest wait: one saying "in a year" would
        // otherwise park the delivery, and every later one of its entity behind it, for that long.
        const asked = Math.min(outcome.retryAfterMs ?? 0, policy?.maxDelayMs ?? MAX_RETRY_AFTER_MS);
        record.retryAt = finishedAt + Math.max(delay, asked);
      }
      // The store settles the attempt by this same rule: the metric counts the dead letter it writes.
      const dead = judgeAttempt({ status: 'pending', attempts: d.attempts, maxAttempts: d.maxAttempts }, record, finishedAt).next === 'dead';
      if (dead) this.metrics.deadLetters.inc({ endpoint: d.endpoint });
      this.logger.warn({ deliveryId: d.id, endpoint: d.endpoint, entityKey: d.entityKey, attempt, outcome: outcome.kind, dead, error: record.error }, 'delivery failed');
    }
    this.metrics.attempts.inc({ endpoint: d.endpoint, outcome: outcome.kind });
    try {
      await this.attempts.submit(record);
    } catch (e) {
      // The lease runs out and the delivery is tried again: at-least-once, the key dedupes at the target.
      this.logger.error({ err: e, deliveryId: d.id }, 'recording an attempt failed');
    }
  }

  /**
   * The delivery_outcome events for a bus, in both forms: the store adds the one matching how the
   * delivery settles, in the same transaction, so an event is never lost nor sent for a retry.
   */
  private outcomeEvents(d: StoredDelivery, outcome: DeliveryOutcome, attempt: number, at: number): AttemptRecord['onSettled'] {
    const routes = this.options.outcomeRoutes;
    // Outcome events of outcome events would never end.
    if (!routes?.length || d.documentType === 'delivery_outcome') return undefined;
    const make = (settled: 'delivered' | 'dead'): NewDelivery[] => routes
      .filter((r) => (!r.from || r.from.includes(d.endpoint)) && r.to !== d.endpoint && this.options.outcomeTargets?.get(r.to)?.tenant === d.tenant)
      .map((r) => ({
        tenant: d.tenant, documentId: d.documentId, documentType: 'delivery_outcome', messageId: d.messageId, flow: 'delivery-outcomes',
        endpoint: r.to, entityKey: d.entityKey, contentType: 'application/json', idempotencyKey: `${d.idempotencyKey}:${d.endpoint}:${settled}`,
        occurredAt: at, receivedAt: d.receivedAt, maxAttempts: this.options.outcomeTargets!.get(r.to)!.maxAttempts,
        payload: Buffer.from(JSON.stringify({
          type: 'delivery_outcome', tenant: d.tenant, outcome: settled, deliveryId: d.id, endpoint: d.endpoint, flow: d.flow,
          documentId: d.documentId, documentType: d.documentType, entityKey: d.entityKey, idempotencyKey: d.idempotencyKey,
          attempts: attempt, partnerRef: outcome.kind === 'delivered' ? outcome.partnerRef : undefined, statusCode: outcome.statusCode,
          error: outcome.kind === 'delivered' ? undefined : outcome.error.slice(0, 2000), at: new Date(at).toISOString(),
        })),
      }));
    const delivered = outcome.kind === 'delivered' ? make('delivered') : [];
    const dead = outcome.kind === 'delivered' ? [] : make('dead');
    return delivered.length || dead.length ? { delivered, dead } : undefined;
  }

  /** Waits for deliveries in flight and their records; gives back what was claimed but not started. */
  async drain(): Promise<void> {
    const left: number[] = [];
    for (const queue of this.waiting.values()) left.push(...queue.splice(0).map((d) => d.id));
    if (left.length) await this.store.releaseDeliveries(this.options.owner, left).catch(() => undefined);
    while (this.active > 0) await new Promise((r) => setTimeout(r, 10));
    await this.attempts.drain();
  }
}

function outboundMessage(d: StoredDelivery): OutboundMessage {
  return {
    deliveryId: d.id, tenant: d.tenant, endpoint: d.endpoint, documentType: d.documentType,
    documentId: d.documentId, entityKey: d.entityKey, idempotencyKey: d.idempotencyKey, contentType: d.contentType,
    payload: Buffer.from(d.payload), attempt: d.attempts + 1,
  };
}

/** A component should return outcomes; what it throws is retried, except what can never be sent. */
function thrownOutcome(b: SinkBinding, e: Error): DeliveryOutcome {
  return { kind: cannotBeFormed(e) ? 'permanent' : 'retryable', error: `delivering to ${b.name}: ${e.message}` };
}
