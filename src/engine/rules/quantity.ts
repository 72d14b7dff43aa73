import { addDecimals, compareDecimals, subtractDecimals, type Decimal } from '../../model/index.ts';

/**
 * Quantity arithmetic for the rules, exact as the model's decimals. Most warehouse quantities are
 * whole numbers ("10" EA), and every decision adds and compares a few per line, so whole numbers
 * of up to 15 digits take a fast path: such integers and their sums are exact in a JS number (no
 * binary fraction is ever involved). Anything with a fraction, or longer, goes through the model's
 * decimals.
 */

function isWhole(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 15) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === n) return false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function cmp(a: Decimal, b: Decimal): -1 | 0 | 1 {
  if (a === b) return 0;
  if (isWhole(a) && isWhole(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareDecimals(a, b);
}

export function plus(a: Decimal, b: Decimal): Decimal {
  if (b === '0') return a;
  if (a === '0') return b;
  if (isWhole(a) && isWhole(b)) {
    const sum = Number(a) + Number(b);
    if (Number.isSafeInteger(sum) && Math.abs(sum) < 1e15) return String(sum);
  }
  return addDecimals(a, b);
}

export function minus(a: Decimal, b: Decimal): Decimal {
  if (b === '0') return a;
  if (isWhole(a) && isWhole(b)) {
    const difference = Number(a) - Number(b);
    if (Number.isSafeInteger(difference) && Math.abs(difference) < 1e15) return String(difference === 0 ? 0 : difference);
  }
  return subtractDecimals(a, b);
}

/** The quantity, or zero when it is below zero. */
export function atLeastZero(d: Decimal): Decimal {
  return d.charCodeAt(0) === 45 ? '0' : d;
}
