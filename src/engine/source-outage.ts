import type { Logger } from 'pino';

/** A source's outage as it stands. */
export interface OutageState {
  /** When the first failed poll of this outage was. */
  since: number;
  failures: number;
  /** The last failure's message. */
  message: string;
}

/**
 * What the log says about one source that fails: a line when it goes down (with the reason),
 * a line when the reason changes, a line when it comes back (with how long it was down), and
 * while it stays down a summary at most once per `summaryEveryMs`. A source polled every second
 * while its partner is down for an hour thus writes a handful of lines, not 3600 stack traces,
 * and the lines it writes are the ones an operator reads: when, why, for how long.
 */
export class SourceOutage {
  private down: { since: number; failures: number; reason: string; message: string; loggedAt: number } | undefined;

  constructor(private readonly log: Logger, private readonly summaryEveryMs: number, private readonly now: () => number = Date.now) {}

  failed(error: unknown): void {
    const now = this.now();
    const reason = reasonOf(error);
    const message = messageOf(error);
    if (!this.down) {
      this.down = { since: now, failures: 1, reason, message, loggedAt: now };
      this.log.warn({ err: error }, `polling failed: ${message}; polling on, and logging again when it recovers or every ${minutes(this.summaryEveryMs)} while it does not`);
      return;
    }
    const down = this.down;
    down.failures += 1;
    down.message = message;
    if (reason !== down.reason) {
      down.reason = reason;
      down.loggedAt = now;
      this.log.warn({ err: error, failures: down.failures, downForMs: now - down.since }, `polling now fails otherwise: ${message}`);
    } else if (now - down.loggedAt >= this.summaryEveryMs) {
      down.loggedAt = now;
      this.log.warn({ failures: down.failures, downForMs: now - down.since, reason: message },
        `polling still failing after ${minutes(now - down.since)} (${down.failures} failed polls): ${message}`);
    }
  }

  /** The outage going on, if any. */
  get state(): OutageState | undefined {
    return this.down && { since: this.down.since, failures: this.down.failures, message: this.down.message };
  }

  /** A poll went well; true when it ends an outage. */
  succeeded(): boolean {
    if (!this.down) return false;
    const { since, failures } = this.down;
    this.down = undefined;
    const downForMs = this.now() - since;
    this.log.info({ downForMs, failures }, `polling recovered after ${minutes(downForMs)} down (${failures} failed polls)`);
    return true;
  }
}

/** What makes two failures the same: a stable code when the error has one, else its class. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return error instanceof Error ? error.name : typeof error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function minutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
