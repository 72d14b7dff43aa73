import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../../config/retention.ts';
import type { PipelineStore, RetentionCandidate, RetentionCursor, RetentionMonth, RetentionStage, RetentionStore } from '../../store/index.ts';
import { ArchiveWriter } from './archive.ts';
import { cutoff, expired, RetentionPolicy } from './policy.ts';

export type PrunerStore = RetentionStore & Pick<PipelineStore, 'readMessageBody' | 'tryAcquireJobLease' | 'releaseJobLease'>;

/** What one pass removed (or, dry, would remove) for a tenant. */
export interface PruneReport {
  tenant: string;
  dryRun: boolean;
  /** Messages whose raw bytes went. */
  raw: number;
  /** Messages whose documents, deliveries and attempts went. */
  documents: number;
  /** Message rows removed whole. */
  messages: number;
  attempts: number;
  ledgers: number;
  reconciliations: number;
  /** Old enough, but kept because something about them is still open (pending, dead-lettered, held). */
  keptOpen: number;
  /** Archive files written to, relative to the archive folder. */
  archived: string[];
  /** SQLite pages handed back to the file system. */
  pagesFreed: number;
  /** Months (YYYY-MM) whose PostgreSQL partitions were dropped whole (dry: would be); their messages of this tenant count in `messages`. */
  months: string[];
}

/**
 * Removes what the retention settings no longer keep, oldest first, a batch per transaction, with
 * a pause between batches so the pipeline keeps the store. Every stage is safe to stop and run
 * again: rows are marked as pruned in the same transaction that removes them, and archived before.
 */
export class Pruner {
  readonly policy: RetentionPolicy;
  private readonly archive: ArchiveWriter | undefined;

  constructor(private readonly deps: { store: PrunerStore; config: RetentionConfig; logger?: Logger; now?: () => number }) {
    this.policy = new RetentionPolicy(deps.config);
    this.archive = deps.config.archive && new ArchiveWriter(deps.config.archive.folder);
  }

  /** Tenants to look at: those with messages, and those the settings name. */
  async tenants(): Promise<string[]> {
    return [...new Set([...(await this.deps.store.retentionTenants()), ...this.policy.namedTenants()])].sort();
  }

  async prune(tenant: string, options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<PruneReport> {
    const now = (this.deps.now ?? Date.now)();
    const dryRun = options.dryRun ?? false;
    const report: PruneReport = { tenant, dryRun, raw: 0, documents: 0, messages: 0, attempts: 0, ledgers: 0, reconciliations: 0, keptOpen: 0, archived: [], pagesFreed: 0, months: [] };
    const archived = new Set<string>();
    const run = { tenant, now, dryRun, signal: options.signal, report, archived };
    await this.wholeMonths(run);
    await this.messageStage(run, 'raw', 'rawDays');
    await this.messageStage(run, 'documents', 'documentsDays');
    await this.messageStage(run, 'messages', 'messagesDays');
    await this.attempts(run);
    const ledgerDays = this.policy.tenantDays(tenant, 'ledgerDays');
    if (ledgerDays !== undefined) {
      const before = cutoff(now, ledgerDays);
      report.ledgers = dryRun ? await this.deps.store.countPrunable(tenant, 'ledgers', before)
        : await this.repeat(run, () => this.deps.store.pruneLedgers(tenant, before, this.deps.config.batchSize));
    }
    const runDays = this.policy.tenantDays(tenant, 'reconciliationDays');
    if (runDays !== undefined) {
      const before = cutoff(now, runDays);
      report.reconciliations = dryRun ? await this.deps.store.countPrunable(tenant, 'reconciliations', before)
        : await this.repeat(run, () => this.deps.store.pruneReconciliations(tenant, before, this.deps.config.batchSize));
    }
    if (!dryRun && report.raw + report.documents + report.messages + report.attempts + report.ledgers + report.reconciliations > 0) {
      report.pagesFreed = await this.deps.store.compactAfterPrune();
    }
    report.archived = [...archived].sort();
    return report;
  }

  /**
   * Months first, where the store keeps each in partitions of its own (PostgreSQL): a month whose
   * every message, of every tenant, would go row by row anyway goes at once by dropping its
   * partitions, archived first when an archive is set. Any other month is pruned row by row below.
   */
  private async wholeMonths(run: Run): Promise<void> {
    const shortest = this.policy.shortestMessagesDays();
    if (shortest === undefined) return;
    for (const month of await this.deps.store.retentionMonths(cutoff(run.now, shortest))) {
      if (run.signal?.aborted || !this.policy.monthExpired(run.now, month)) continue;
      if (!run.dryRun) {
        await this.archiveMonth(run, month);
        if (!(await this.deps.store.dropRetentionMonth(month.start))) {
          this.deps.logger?.info({ month: new Date(month.start).toISOString().slice(0, 7) }, 'retention: a month was busy or opened again; it is pruned row by row or next time');
          continue;
        }
      }
      run.report.months.push(new Date(month.start).toISOString().slice(0, 7));
      run.report.messages += month.tenants.find((t) => t.tenant === run.tenant)?.messages ?? 0;
    }
  }

  /** Writes what dropping a month removes to the archive, every tenant's, as the row-by-row stages would. */
  private async archiveMonth(run: Run, month: RetentionMonth): Promise<void> {
    if (!this.archive) return;
    for (const { tenant } of month.tenants) {
      for (const stage of ['raw', 'documents'] as const) {
        let after: RetentionCursor = { receivedAt: month.start - 1, id: Number.MAX_SAFE_INTEGER };
        for (;;) {
          const batch = await this.deps.store.retentionCandidates(tenant, stage, month.end, after, this.deps.config.batchSize);
          if (!batch.length) break;
          after = { receivedAt: batch.at(-1)!.receivedAt, id: batch.at(-1)!.id };
          for (const [file, ids] of this.byArchiveFile(tenant, batch)) {
            await this.archive.append(file!, stage === 'raw' ? this.rawRecords(tenant, ids, run.now) : this.documentRecords(tenant, ids, run.now));
            run.archived.add(file!);
          }
          if (batch.length < this.deps.config.batchSize) break;
        }
      }
    }
  }

  /** Walks the tenant's messages old enough for the shortest period of a part, deciding each by its own types. */
  private async messageStage(run: Run, stage: RetentionStage, part: 'rawDays' | 'documentsDays' | 'messagesDays'): Promise<void> {
    const { tenant, now, report } = run;
    const shortest = part === 'messagesDays' ? this.policy.tenantDays(tenant, part) : this.policy.shortestDays(tenant, part);
    if (shortest === undefined) return;
    let after: RetentionCursor | null = null;
    for (;;) {
      if (run.signal?.aborted) return;
      const batch = await this.deps.store.retentionCandidates(tenant, stage, cutoff(now, shortest), after, this.deps.config.batchSize);
      if (!batch.length) return;
      after = { receivedAt: batch.at(-1)!.receivedAt, id: batch.at(-1)!.id };
      const due: RetentionCandidate[] = [];
      for (const c of batch) {
        const days = part === 'messagesDays' ? shortest : this.policy.messageKeepDays(tenant, part, c.types);
        if (!expired(now, c.receivedAt, days)) continue;
        if (c.settled || stage === 'messages') due.push(c);
        else report.keptOpen++;
      }
      if (due.length) {
        if (run.dryRun) report[stage === 'messages' ? 'messages' : stage] += due.length;
        else if (stage === 'messages') report.messages += await this.deps.store.pruneMessageRows(tenant, due.map((c) => c.id));
        else report[stage] += await this.removeArchived(run, stage, due);
      }
      if (batch.length < this.deps.config.batchSize) return;
      await this.pause(run);
    }
  }

  /** Archives (when configured) and removes one batch, a day's file at a time. */
  private async removeArchived(run: Run, stage: 'raw' | 'documents', due: RetentionCandidate[]): Promise<number> {
    const { tenant, now } = run;
    let removed = 0;
    for (const [file, ids] of this.byArchiveFile(tenant, due)) {
      if (file && this.archive) {
        await this.archive.append(file, stage === 'raw' ? this.rawRecords(tenant, ids, now) : this.documentRecords(tenant, ids, now));
        run.archived.add(file);
      }
      removed += stage === 'raw'
        ? await this.deps.store.pruneRaw(tenant, ids, now, file)
        : await this.deps.store.pruneDocuments(tenant, ids, now, file);
    }
    return removed;
  }

  /** Message ids by the archive file (a tenant's day) they go to; one group under null without an archive. */
  private byArchiveFile(tenant: string, messages: RetentionCandidate[]): Map<string | null, number[]> {
    const byFile = new Map<string | null, number[]>();
    for (const c of messages) {
      const file = this.archive ? this.archive.fileOf(tenant, c.receivedAt) : null;
      byFile.set(file, [...(byFile.get(file) ?? []), c.id]);
    }
    return byFile;
  }

  private async *rawRecords(tenant: string, ids: number[], now: number): AsyncGenerator<unknown> {
    for (const m of await this.deps.store.rawForArchive(tenant, ids)) {
      yield { kind: 'raw', ...m, prunedAt: now };
      // A large message is archived in the parts it is stored in, never held whole.
      let seq = 0;
      for await (const part of this.deps.store.readMessageBody(tenant, m.messageId)) {
        if (part.length) yield { kind: 'raw-part', tenant, messageId: m.messageId, seq: seq++, base64: part.toString('base64') };
      }
    }
  }

  private async *documentRecords(tenant: string, ids: number[], now: number): AsyncGenerator<unknown> {
    for (const d of await this.deps.store.documentsForArchive(tenant, ids)) yield { kind: 'documents', tenant, messageId: d.message.messageId, prunedAt: now, ...d };
  }

  private async attempts(run: Run): Promise<void> {
    const { tenant, now } = run;
    const own = this.policy.typesWithOwnDays(tenant, 'attemptsDays');
    const limit = this.deps.config.batchSize;
    const passes: Array<{ days: number | undefined; types: { only?: string[]; exclude?: string[] } }> = [
      { days: this.policy.keepDays(tenant, 'attemptsDays'), types: { exclude: own } },
      ...own.map((type) => ({ days: this.policy.keepDays(tenant, 'attemptsDays', type), types: { only: [type] } })),
    ];
    for (const pass of passes) {
      if (pass.days === undefined) continue;
      const before = cutoff(now, pass.days);
      run.report.attempts += run.dryRun ? await this.deps.store.countPrunable(tenant, 'attempts', before, pass.types)
        : await this.repeat(run, () => this.deps.store.pruneAttempts(tenant, before, pass.types, limit));
    }
  }

  /** Calls a batch removal until a batch comes back short. */
  private async repeat(run: Run, batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      if (run.signal?.aborted) return total;
      const n = await batch();
      total += n;
      if (n < this.deps.config.batchSize) return total;
      await this.pause(run);
    }
  }

  private async pause(run: Run): Promise<void> {
    if (this.deps.config.pauseMs > 0) await sleep(this.deps.config.pauseMs, undefined, { signal: run.signal }).catch(() => undefined);
  }
}

interface Run {
  tenant: string;
  now: number;
  dryRun: boolean;
  signal: AbortSignal | undefined;
  report: PruneReport;
  archived: Set<string>;
}

/** The scheduled pruner: each pass runs on one worker of the cluster, held by a lease row. */
export async function runRetentionSchedule(deps: { pruner: Pruner; store: PrunerStore; everyMs: number; owner: string; logger: Logger }, signal: AbortSignal): Promise<void> {
  if (deps.everyMs <= 0) return;
  const job = 'retention:prune';
  while (!signal.aborted) {
    try {
      // The lease outlives the interval, so the holder keeps its turn and no other worker prunes meanwhile.
      if (await deps.store.tryAcquireJobLease(job, deps.owner, deps.everyMs + 60_000, Date.now())) {
        // Months' partitions are made ahead of their rows, retention set or not.
        const made = await deps.store.preparePartitions(Date.now());
        if (made.length) deps.logger.info({ partitions: made }, 'retention: partitions made for the months ahead');
        for (const tenant of deps.pruner.policy.active ? await deps.pruner.tenants() : []) {
          if (signal.aborted) break;
          const r = await deps.pruner.prune(tenant, { signal });
          const total = r.raw + r.documents + r.messages + r.attempts + r.ledgers + r.reconciliations;
          deps.logger[total ? 'info' : 'debug']({ ...r, archived: r.archived.length }, 'retention: pruned');
        }
      }
    } catch (e) {
      deps.logger.warn({ err: e }, 'retention: a pass failed; trying again next time');
    }
    await sleep(deps.everyMs, undefined, { signal }).catch(() => undefined);
  }
  await deps.store.releaseJobLease(job, deps.owner).catch(() => undefined);
}
