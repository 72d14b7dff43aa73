import { formatError, type CausewayError } from '../model/index.ts';

/** What both stores agree on beyond the contract: how errors read in a dead letter, how big a page is. */
export function describeErrors(errors: CausewayError[]): string {
  return errors.map(formatError).join('; ').slice(0, 2000);
}

export function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 100, 1), 1000);
}
