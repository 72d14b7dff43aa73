/**
 * One breaker per target endpoint. After `failureThreshold` consecutive retryable failures the
 * circuit opens: no delivery is handed out for that endpoint (so a partner that is down does not
 * burn every delivery's attempts) until `cooldownMs` passes; then one trial delivery decides.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openedUntil = 0;
  private trialInFlight = false;
  state: CircuitState = 'closed';

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

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state = 'closed';
  }

  failure(now: number): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state === 'half_open' || this.failures >= this.failureThreshold) {
      this.state = 'open';
      this.openedUntil = now + this.cooldownMs;
    }
  }
}
