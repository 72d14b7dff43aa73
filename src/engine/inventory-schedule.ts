import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PipelineStore } from '../store/index.ts';
import type { InventoryService } from './inventory.ts';

/**
 * Scheduled reconciliation and availability: each tenant's job runs on one worker of the cluster
 * at a time, held by a lease row in the store, however many workers are started. A worker that
 * dies mid-run leaves its lease to lapse, and another takes the next turn.
 */
export async function runInventorySchedule(deps: {
  store: Pick<PipelineStore, 'tryAcquireJobLease' | 'releaseJobLease'>;
  inventory: InventoryService;
  tenants: string[];
  owner: string;
  reconcileEveryMs: number;
  publishEveryMs: number;
  logger: Logger;
}, signal: AbortSignal): Promise<void> {
  const jobs = [
    { name: 'reconcile', every: deps.reconcileEveryMs, run: (tenant: string) => deps.inventory.reconcile(tenant, { trigger: 'schedule' }).then((s) => ({ run: s.run.id, counts: s.run.counts })) },
    { name: 'availability', every: deps.publishEveryMs, run: (tenant: string) => deps.inventory.publishAvailability(tenant).then((published) => ({ published })) },
  ].filter((j) => j.every > 0);
  if (jobs.length === 0) return;
  const next = new Map<string, number>();
  const tick = Math.min(...jobs.map((j) => j.every), 60_000);
  while (!signal.aborted) {
    for (const job of jobs) {
      for (const tenant of deps.tenants) {
        const key = `inventory:${job.name}:${tenant}`;
        if ((next.get(key) ?? 0) > Date.now()) continue;
        try {
          // The lease outlives the interval a little, so the holder keeps its turn and no one else runs it between.
          if (await deps.store.tryAcquireJobLease(key, deps.owner, job.every + 30_000, Date.now())) {
            deps.logger.info({ tenant, job: job.name, ...(await job.run(tenant)) }, `scheduled inventory ${job.name} done`);
          }
        } catch (e) {
          deps.logger.warn({ err: e, tenant, job: job.name }, `scheduled inventory ${job.name} failed; trying again next time`);
        }
        next.set(key, Date.now() + job.every);
      }
    }
    await delay(tick, undefined, { signal }).catch(() => undefined);
  }
  for (const job of jobs) for (const tenant of deps.tenants) await deps.store.releaseJobLease(`inventory:${job.name}:${tenant}`, deps.owner).catch(() => undefined);
}
