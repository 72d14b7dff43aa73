/**
 * Failed sign-ins counted per client address and per key prefix over a sliding window: past the
 * limit, sign-in answers 429 with Retry-After until the oldest failure leaves the window. The
 * prefix (the key's first characters) stops guessing at one key from many addresses; the address
 * stops one client guessing at many keys. Counted in the serving process: each process serving
 * the console counts its own.
 */
export interface SignInLimits {
  maxFailuresPerIp: number;
  maxFailuresPerKeyPrefix: number;
  windowMs: number;
}

/** How many characters of a presented key name its prefix. */
export const KEY_PREFIX_LENGTH = 8;
/** Counters kept at most: the oldest goes first, so memory stays bounded whatever is sent. */
const MAX_TRACKED = 10_000;

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: SignInLimits) {}

  private keys(ip: string, key: string): Array<[string, number]> {
    return [[`ip\u0000${ip}`, this.limits.maxFailuresPerIp], [`key\u0000${key.slice(0, KEY_PREFIX_LENGTH)}`, this.limits.maxFailuresPerKeyPrefix]];
  }

  private recent(k: string, now: number): number[] {
    const times = (this.failures.get(k) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (times.length) this.failures.set(k, times);
    else this.failures.delete(k);
    return times;
  }

  /** Seconds to wait before trying again; 0 when a sign-in may be tried now. */
  retryAfter(ip: string, key: string, now = Date.now()): number {
    let wait = 0;
    for (const [k, max] of this.keys(ip, key)) {
      const times = this.recent(k, now);
      if (times.length >= max) wait = Math.max(wait, Math.ceil((times[times.length - max]! + this.limits.windowMs - now) / 1000));
    }
    return wait;
  }

  failed(ip: string, key: string, now = Date.now()): void {
    for (const [k] of this.keys(ip, key)) {
      const times = this.recent(k, now);
      this.failures.delete(k);
      this.failures.set(k, [...times, now]);
      if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    }
  }
}
