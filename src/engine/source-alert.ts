import type { Logger } from 'pino';
import type { AlertStore } from '../store/index.ts';
import { minutes, type OutageState } from './source-outage.ts';

/** How long a source may fail before its alert is raised, where no `source_down` rule says. */
export const DEFAULT_SOURCE_DOWN_MS = 15 * 60_000;

export const SOURCE_DOWN = 'source_down';

/**
 * The alert of a source that keeps failing. The log says when polling an SFTP inbox or an ERP's
 * API started to fail, but the console and its channels would not: nothing comes in, and nothing
 * says so. The worker that polls the source raises the alert once the outage has lasted longer than
 * the `source_down` rule allows (DEFAULT_SOURCE_DOWN_MS without one), once per outage, and the
 * first good poll resolves it, whichever worker makes it: one that took the source over from a
 * worker that died looks for an alert still open at its first good poll.
 */
export class SourceDownAlert {
  /** Raised for the outage that began at this time. */
  private raisedFor: number | undefined;
  /** Whether this worker has looked for an open alert since it began polling. */
  private looked = false;
  /** After a failed try to raise it (the store down as well), not before this time: one log line a minute, not one per poll. */
  private retryAt = 0;
  private readonly subject: string;

  constructor(
    private readonly store: Pick<AlertStore, 'raiseAlert' | 'listAlerts' | 'resolveAlert'>,
    private readonly tenant: string,
    private readonly endpoint: string,
    private readonly afterMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.subject = `endpoint ${endpoint}`;
  }

  async failed(outage: OutageState | undefined): Promise<void> {
    if (!outage || this.raisedFor === outage.since) return;
    const now = this.now();
    if (now - outage.since <= this.afterMs || now < this.retryAt) return;
    try {
      // A worker that took the source over from one that died finds the outage's alert open already.
      const open = (await this.store.listAlerts(this.tenant, { kind: SOURCE_DOWN, open: true, limit: 1000 })).some((a) => a.subject === this.subject);
      if (!open) await this.store.raiseAlert({
        tenant: this.tenant, kind: SOURCE_DOWN, subject: this.subject, createdAt: now,
        message: `polling ${this.endpoint} has failed for ${minutes(now - outage.since)} (${outage.failures} failed polls); nothing comes in from it: ${outage.message}`,
        dedupeKey: `${SOURCE_DOWN}:${this.endpoint}:${outage.since}`,
        detail: { endpoint: this.endpoint, since: new Date(outage.since).toISOString(), failures: outage.failures, error: outage.message },
      });
      this.raisedFor = outage.since;
    } catch (e) {
      this.retryAt = now + 60_000;
      this.log.warn({ err: e }, 'raising the alert of a failing source failed; trying again in a minute');
    }
  }

  /** A good poll: `ended` when it ends an outage this worker saw. */
  async succeeded(ended: boolean): Promise<void> {
    if (!ended && (this.looked || this.now() < this.retryAt)) return;
    try {
      for (const a of await this.store.listAlerts(this.tenant, { kind: SOURCE_DOWN, open: true, limit: 1000 })) {
        if (a.subject === this.subject) await this.store.resolveAlert(this.tenant, a.id, this.now());
      }
      this.looked = true;
      this.raisedFor = undefined;
    } catch (e) {
      this.retryAt = this.now() + 60_000;
      this.log.warn({ err: e }, 'resolving the alert of a source that recovered failed; trying again in a minute');
    }
  }
}

/** How long a tenant's source may fail before its alert: the shortest `source_down` rule that covers it. */
export function sourceDownAfterMs(rules: ReadonlyArray<{ type: string; tenant?: string; endpoint?: string; longerThanMinutes?: number }>, tenant: string, endpoint: string): number {
  const covering = rules.filter((r) => r.type === SOURCE_DOWN && (!r.tenant || r.tenant === tenant) && (!r.endpoint || r.endpoint === endpoint));
  return covering.length ? Math.min(...covering.map((r) => r.longerThanMinutes! * 60_000)) : DEFAULT_SOURCE_DOWN_MS;
}
