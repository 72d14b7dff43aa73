import type { RetryPolicy } from '../config/index.ts';

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries of
 * many deliveries spread out instead of hammering a recovering partner at the same instant.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}
