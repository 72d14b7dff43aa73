/**
 * The warehouse's request budget, kept on our side: a token bucket per endpoint that refills at
 * the partner's documented rate (ShipBob: 150 a minute) up to a burst. It only says whether a
 * request may go now, and if not, when; it never waits. A 429 from the partner pauses it until the
 * partner's Retry-After, so no request of this endpoint goes out before then.
 *
 * This is about the partner's limit, not about retries: the engine still decides when a delivery
 * is tried again, and a source that runs out simply reads on at its next poll.
 */
export class RequestBudget {
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private readonly perMs: number;

  constructor(requestsPerMinute: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.perMs = requestsPerMinute / 60_000;
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes one request's worth; when none is left, says how long until one is. */
  take(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    if (now < this.pausedUntil) return { ok: false, retryAfterMs: this.pausedUntil - now };
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - this.tokens) / this.perMs) };
  }

  /** The partner said to wait (429 with Retry-After): nothing goes out before `until`. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
    // The partner counts its own window: what we thought was left is not.
    this.tokens = 0;
    this.refilledAt = Math.max(this.refilledAt, until);
  }

  private refill(now: number): void {
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.perMs);
    this.refilledAt = now;
  }
}

/**
 * Retry-After as RFC 9110 gives it (delay in seconds, or an HTTP date), or a vendor's own header
 * with seconds (ShipBob's x-retry-after). Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
