import type { Logger } from 'pino';
import type { PipelineStore } from '../store/index.ts';
import type { InventoryService } from './inventory.ts';
import type { Wakeup } from './wakeup.ts';

/**
 * Scheduled reconciliation and availability: each tenant's job runs on one worker of the cluster
 * at a time, held by a lease row in the store, however many workers are started. A worker that
 * dies mid-run leaves its lease to lapse, and another takes the next turn.
 *
 * Stock documents committed by this worker's processor wake the loop (`stockChanged`), so
 * availability is published as soon as stock changes, not only every publishEveryMs; the
 * published figures are compared first, so an unchanged figure is not sent again.
 */
export async function runInventorySchedule(deps: {
  store: Pick<PipelineStore, 'tryAcquireJobLease' | 'releaseJobLease'>;
  inventory: InventoryService;
  /** Read at every tick: a client's reload may add a tenant. */
  tenants: readonly string[];
  owner: string;
  reconcileEveryMs: number;
  publishEveryMs: number;
  logger: Logger;
  stockChanged: Wakeup;
}, signal: AbortSignal): Promise<void> {
  const jobs = [
    { name: 'reconcile', every: deps.reconcileEveryMs, run: (tenant: string) => deps.inventory.reconcile(tenant, { trigger: 'schedule' }).then((s) => ({ run: s.run.id, counts: s.run.counts })) },
    { name: 'availability', every: deps.publishEveryMs, onStockChange: true, run: (tenant: string) => deps.inventory.publishAvailability(tenant).then((published) => ({ published })) },
  ].filter((j) => j.every > 0);
  if (jobs.length === 0) return;
  const next = new Map<string, number>();
  const tick = Math.min(...jobs.map((j) => j.every), 60_000);
  /** Stock changed since availability last ran: run it as soon as the once-a-second limit allows. */
  let stockChanged = false;
  let lastEarly = 0;
  while (!signal.aborted) {
    const early = stockChanged && Date.now() - lastEarly >= 1000;
    if (early) {
      stockChanged = false;
      lastEarly = Date.now();
    }
    for (const job of jobs) {
      for (const tenant of deps.tenants) {
        const key = `inventory:${job.name}:${tenant}`;
        // Woken by new stock, availability runs at once, but at most once a second however fast stock comes.
        if ((next.get(key) ?? 0) > Date.now() && !(early && 'onStockChange' in job)) continue;
        try {
          // The lease outlives the interval a little, so the holder keeps its turn and no one else runs it between.
          if (await deps.store.tryAcquireJobLease(key, deps.owner, job.every + 30_000, Date.now())) {
            const result: Record<string, unknown> = await job.run(tenant);
            // Availability runs whenever stock moves: only a run that sent something is worth an info line.
            const level = result.published === 0 ? 'debug' : 'info';
            deps.logger[level]({ tenant, job: job.name, ...result }, `scheduled inventory ${job.name} done`);
          }
        } catch (e) {
          deps.logger.warn({ err: e, tenant, job: job.name }, `scheduled inventory ${job.name} failed; trying again next time`);
        }
        next.set(key, Date.now() + job.every);
      }
    }
    const wait = stockChanged ? Math.max(0, 1000 - (Date.now() - lastEarly)) : tick;
    const before = Date.now();
    await deps.stockChanged.wait(wait, signal);
    if (Date.now() - before < wait) stockChanged = true;
  }
  for (const job of jobs) for (const tenant of deps.tenants) await deps.store.releaseJobLease(`inventory:${job.name}:${tenant}`, deps.owner).catch(() => undefined);
}
