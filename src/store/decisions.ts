// The store's decisions, written once. Both stores read the rows, ask here what they become and
// write that; the outbox asks the same question for its metrics. Pure: no I/O, no clock.
import Big from 'big.js';
import { formatError, type CausewayError } from '../model/index.ts';
import type { AttemptRecord, DeliveryStatus, MessageOutcome, StockReservation } from './types.ts';

/** How long a dead letter's reason may be: the rest is in the message's errors or the attempt log. */
const REASON_MAX = 2000;

/** How errors read in a dead letter. */
export function describeErrors(errors: CausewayError[]): string {
  return errors.map(formatError).join('; ').slice(0, REASON_MAX);
}

/** A page's size: 100 unless asked, never more than 1,000. */
export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 100, 1), 1000);
}

/** A delivery as the attempt state machine reads it. */
export interface DeliveryState {
  status: DeliveryStatus;
  /** Attempts made before this one. */
  attempts: number;
  maxAttempts: number;
}

/** What an attempt reports, as far as the state machine cares. */
export type AttemptReport = Pick<AttemptRecord, 'outcome' | 'finishedAt' | 'partnerRef' | 'error' | 'statusCode' | 'retryAt'>;

/** What one attempt makes of its delivery. */
export type AttemptVerdict =
  /** The delivery was settled already (delivered, dead, or replayed meanwhile): the attempt is logged, nothing moves. */
  | { next: 'unchanged' }
  | { next: 'delivered'; attempts: number; deliveredAt: number; partnerRef: string | null }
  /** Back to pending, due again at availableAt. */
  | { next: 'retry'; attempts: number; availableAt: number; lastError: string }
  /** Dead-lettered with deadLetterReason. */
  | { next: 'dead'; attempts: number; lastError: string; deadLetterReason: string };

/**
 * The attempt state machine. A late report (a worker whose lease lapsed after another settled the
 * delivery) cannot move it back. A retryable failure comes back at retryAt (now when none was given)
 * while attempts remain; the last allowed attempt failing, or a permanent failure, makes it dead.
 */
export function judgeAttempt(delivery: DeliveryState, attempt: AttemptReport, now: number): AttemptVerdict {
  if (delivery.status !== 'pending') return { next: 'unchanged' };
  const attempts = delivery.attempts + 1;
  if (attempt.outcome === 'delivered') return { next: 'delivered', attempts, deliveredAt: attempt.finishedAt, partnerRef: attempt.partnerRef ?? null };
  const lastError = attempt.error ?? (attempt.statusCode ? `HTTP ${attempt.statusCode}` : 'failed');
  if (attempt.outcome === 'retryable' && attempts < delivery.maxAttempts) return { next: 'retry', attempts, availableAt: attempt.retryAt ?? now, lastError };
  const reason = attempt.outcome === 'permanent' ? lastError : `gave up after ${attempts} attempts: ${lastError}`;
  return { next: 'dead', attempts, lastError, deadLetterReason: reason.slice(0, REASON_MAX) };
}

/** How a verdict settles its delivery, for the deliveries to add when it does (AttemptRecord.onSettled). */
export function settledBy(verdict: AttemptVerdict): 'delivered' | 'dead' | undefined {
  return verdict.next === 'delivered' || verdict.next === 'dead' ? verdict.next : undefined;
}

/** What completing a message writes on its row, and the dead letter it gets, if any. */
export interface MessageVerdict {
  status: 'processed' | 'quarantined';
  /** Kept on the message; null when it has none. */
  errors: CausewayError[] | null;
  /** Null: no dead letter. */
  deadLetterReason: string | null;
}

/**
 * The dead-letter rule of a completed message: a quarantined message is always dead-lettered, and
 * a processed one when parts of it were rejected (one bad X12 set among good ones), each with the
 * reason its errors make.
 */
export function judgeCompletion(outcome: MessageOutcome): MessageVerdict {
  const real = outcome.errors && outcome.errors.length > 0 ? outcome.errors : null;
  const errors = keptErrors(outcome);
  if (outcome.status === 'quarantined') {
    return { status: 'quarantined', errors, deadLetterReason: real ? describeErrors(real) : 'quarantined without an error given' };
  }
  return { status: 'processed', errors, deadLetterReason: real && describeErrors(real) };
}

/** keptErrors as the column's JSON text, or null. */
export function keptErrorsText(outcome: Pick<MessageOutcome, 'errors' | 'warnings'>): string | null {
  const kept = keptErrors(outcome);
  return kept && JSON.stringify(kept);
}

/** What a message's row keeps: its errors, then its warnings (marked so); null when it has neither. */
export function keptErrors(outcome: Pick<MessageOutcome, 'errors' | 'warnings'>): CausewayError[] | null {
  const warnings = outcome.warnings?.length ? outcome.warnings.map((w) => ({ ...w, severity: 'warning' as const })) : [];
  const all = warnings.length ? [...(outcome.errors ?? []), ...warnings] : outcome.errors ?? [];
  return all.length > 0 ? all : null;
}

/**
 * A routing put's check at commit: the first facility and SKU where other orders now hold more than
 * the decision saw (`othersHeld`), given every other order's reservation row there now. Such units
 * may have been promised twice; undefined when none.
 */
export function promisedMeanwhile(othersHeld: readonly StockReservation[], othersNow: readonly StockReservation[]): StockReservation | undefined {
  for (const seen of othersHeld) {
    const now = othersNow.filter((r) => r.facility === seen.facility && r.sku === seen.sku).reduce((n, r) => n.plus(r.quantity), new Big(0));
    if (now.gt(seen.quantity)) return { facility: seen.facility, sku: seen.sku, quantity: now.toFixed() };
  }
  return undefined;
}
