import { addDecimals, divideDecimals, multiplyDecimals, type CausewayError, type Decimal } from '../../model/index.ts';
import { cmp, minus } from './quantity.ts';
import type { RulesPolicy } from './policy.ts';

type OverPolicy = RulesPolicy['overShipment'];

/** The most a line may reach under the policy's tolerance (the plain limit under refuse). */
export function toleratedLimit(limit: Decimal, policy: OverPolicy): Decimal {
  if (policy.action !== 'tolerance' || policy.tolerancePercent === 0) return limit;
  return multiplyDecimals(limit, addDecimals('1', divideDecimals(String(policy.tolerancePercent), '100')));
}

export interface OverCheck {
  /** The line may not go that far: refuse with this. */
  refusal?: CausewayError;
  /** The line went past its limit and the policy let it: flag this. */
  flag?: CausewayError;
}

/**
 * Whether a line may reach `total` (everything shipped or received on it, this document included)
 * against `limit` (ordered less cancelled, or expected). `describe` says what happened, in words.
 */
export function checkOver(total: Decimal, limit: Decimal, policy: OverPolicy, code: 'OVER_SHIPMENT' | 'OVER_RECEIPT', path: string, describe: (over: Decimal) => string): OverCheck {
  if (cmp(total, limit) <= 0) return {};
  const over = minus(total, limit);
  const what = describe(over);
  const noun = code === 'OVER_SHIPMENT' ? 'Over-shipment' : 'Over-receipt';
  switch (policy.action) {
    case 'refuse':
      return { refusal: { code, path, message: `${noun} refused: ${what}` } };
    case 'accept_and_flag':
      return { flag: { code, path, message: `${noun} accepted: ${what}` } };
    case 'tolerance': {
      const allowed = toleratedLimit(limit, policy);
      if (cmp(total, allowed) <= 0) return { flag: { code, path, message: `${noun} within the ${policy.tolerancePercent}% tolerance (up to ${allowed}): ${what}` } };
      return { refusal: { code, path, message: `${noun} refused, beyond the ${policy.tolerancePercent}% tolerance (up to ${allowed}): ${what}` } };
    }
  }
}
