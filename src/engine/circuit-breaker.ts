/**
 * One breaker per target endpoint. It exists for a partner that is down: then every order fails,
 * whatever its key, and trying each one only burns its attempts. So the circuit opens after
 * retryable failures of `failureThreshold` different entity keys in a row (no success between);
 * one order the partner keeps refusing is that order's problem, handled by its own backoff, and
 * never holds up the others. While open, no delivery is handed out for `cooldownMs`; then one
 * trial decides. The trial is an order not known to be failing when one waits, else the one whose
 * key failed longest ago, so a single bad key cannot keep the circuit open while others could go.
 * A permanent failure (refused content, a request that cannot be formed) says nothing about the
 * endpoint: it neither counts nor decides a trial. Nor does a throttled one (a 429): a partner
 * that asks us to slow down is up.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Keys remembered as failing, for choosing trials; the oldest are forgotten beyond this. */
const REMEMBERED_KEYS = 10_000;

export interface TrialCandidate {
  entityKey: string;
  /** Attempts already made; a delivery never tried is the best trial. */
  attempts: number;
}

export class CircuitBreaker {
  private readonly streak = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private openedUntil = 0;
  private trialInFlight = false;
  state: CircuitState = 'closed';
  /** Since when the circuit has not been closed (open or half open); null while closed. */
  openedAt: number | null = null;

  constructor(private readonly failureThreshold: number, private readonly cooldownMs: number) {}

  /** May a delivery to this endpoint start now? In half-open state only one trial at a time. */
  allows(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && now >= this.openedUntil) this.state = 'half_open';
    if (this.state === 'half_open' && !this.trialInFlight) return true;
    return false;
  }

  /** Marks the start of a delivery; in half-open state it becomes the trial. */
  begin(): void {
    if (this.state === 'half_open') this.trialInFlight = true;
  }

  /** A delivery went through: the endpoint is up. Returns whether this closed an open circuit. */
  success(entityKey: string): boolean {
    const wasOpen = this.state !== 'closed';
    this.streak.clear();
    this.failedAt.delete(entityKey);
    this.trialInFlight = false;
    this.state = 'closed';
    this.openedAt = null;
    return wasOpen;
  }

  /** A retryable failure. Returns whether this opened the circuit (it was not open before). */
  failure(now: number, entityKey: string): boolean {
    const wasOpen = this.state === 'open';
    this.trialInFlight = false;
    this.streak.add(entityKey);
    this.failedAt.delete(entityKey);
    this.failedAt.set(entityKey, now);
    if (this.failedAt.size > REMEMBERED_KEYS) this.failedAt.delete(this.failedAt.keys().next().value!);
    if (this.state === 'half_open' || this.streak.size >= this.failureThreshold) {
      this.state = 'open';
      this.openedAt ??= now;
      this.openedUntil = now + this.cooldownMs;
      return !wasOpen;
    }
    return false;
  }

  /** A delivery settled in a way that says nothing about the endpoint: a trial ends undecided. */
  inconclusive(entityKey: string): void {
    this.trialInFlight = false;
    this.failedAt.delete(entityKey);
  }

  /** Keys of the current run of failures, for telling an operator why the circuit opened. */
  failingKeys(): string[] {
    return [...this.streak];
  }

  /**
   * Which waiting delivery to try in half-open state (its index): one never tried whose key is not
   * known to fail, else any whose key is not known to fail, else the key that failed longest ago.
   */
  pickTrial(candidates: readonly TrialCandidate[]): number {
    let best = 0;
    let bestScore = Infinity;
    for (const [i, c] of candidates.entries()) {
      const score = this.failedAt.get(c.entityKey) ?? (c.attempts === 0 ? -2 : -1);
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }
}
