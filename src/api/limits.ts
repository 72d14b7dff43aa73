import type { CausewayConfig } from '../config/index.ts';
import { ApiProblem } from './problems.ts';

type LimitsConfig = CausewayConfig['api']['limits'];

/** Bytes a tenant keeps stored: what its storage quota is measured on. */
export interface StoredBytes {
  storedBytes(tenant: string): Promise<number>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-tenant limits on the API: a request rate (a token bucket per tenant: `requestsPerSecond`
 * refilled continuously, up to `burst` at once) and a storage quota on ingest (the raw bytes a
 * tenant keeps, read from the store at most every `storageCheckEveryMs`). Both answer 429 with a
 * Retry-After, so a well-behaved client backs off and tries again. Buckets live in each process:
 * with N API processes behind a balancer a tenant gets up to N times its rate.
 */
export class TenantLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly stored = new Map<string, { bytes: number; at: number; pending?: Promise<number> }>();

  constructor(private readonly config: LimitsConfig, private readonly store: StoredBytes, private readonly now: () => number = Date.now) {}

  private limitsOf(tenant: string) {
    return { ...this.config, ...(this.config.tenants[tenant] ?? {}) };
  }

  /** Takes a token for one request of the tenant, or refuses it with 429 and when a token will be there. */
  admitRequest(tenant: string): void {
    const { requestsPerSecond: rate, burst } = this.limitsOf(tenant);
    if (rate === undefined) return;
    const size = burst ?? Math.max(1, Math.ceil(rate));
    const now = this.now();
    const b = this.buckets.get(tenant) ?? { tokens: size, at: now };
    b.tokens = Math.min(size, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(tenant, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / rate));
    throw new ApiProblem(429, 'rate-limited', `tenant "${tenant}" is over its request rate of ${rate} per second (api.limits); try again in ${retryAfter} s`,
      [{ code: 'RATE_LIMITED', path: 'header.Authorization', message: `at most ${rate} requests per second, ${size} at once` }], { headers: { 'retry-after': String(retryAfter) } });
  }

  /** Refuses new input of a tenant that keeps more than its storage quota, with 429 until the next reading. */
  async admitIngest(tenant: string): Promise<void> {
    const { maxStoredMb, storageCheckEveryMs } = this.limitsOf(tenant);
    if (maxStoredMb === undefined) return;
    const bytes = await this.storedBytes(tenant, storageCheckEveryMs);
    const max = maxStoredMb * 1024 * 1024;
    if (bytes < max) return;
    const retryAfter = Math.max(1, Math.ceil(storageCheckEveryMs / 1000));
    throw new ApiProblem(429, 'storage-quota', `tenant "${tenant}" keeps ${(bytes / 1048576).toFixed(1)} MB of messages, its quota is ${maxStoredMb} MB (api.limits); nothing more is taken in until retention or an operator makes room`,
      [{ code: 'STORAGE_QUOTA', path: '$', message: `at most ${maxStoredMb} MB stored` }], { headers: { 'retry-after': String(retryAfter) } });
  }

  /** The tenant's stored bytes, read again once the last reading is older than `everyMs` (one read at a time). */
  private async storedBytes(tenant: string, everyMs: number): Promise<number> {
    const now = this.now();
    const known = this.stored.get(tenant);
    if (known && now - known.at < everyMs) return known.bytes;
    if (known?.pending) return known.pending;
    const pending = this.store.storedBytes(tenant).then((bytes) => {
      this.stored.set(tenant, { bytes, at: this.now() });
      return bytes;
    }).finally(() => {
      const entry = this.stored.get(tenant);
      if (entry) delete entry.pending;
    });
    this.stored.set(tenant, { bytes: known?.bytes ?? 0, at: known?.at ?? 0, pending });
    return pending;
  }
}
