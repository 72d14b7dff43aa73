// Quantities in both EDI engines are exact decimal strings; nearly all are small whole numbers, which are
// added and compared as JS numbers rather than through big.js, which costs on every line.
import { addDecimals, compareDecimals } from '../model/index.ts';

/** Digits only, no leading zero, at most 15 of them: canonical, and exact as a JS number. */
export function isPlainInteger(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15 || (v.charCodeAt(0) === 48 && n > 1)) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** q > 0 for an exact decimal; whole numbers without going through big.js. */
export function isPositiveQuantity(q: string): boolean {
  if (isPlainInteger(q)) return q !== '0';
  return compareDecimals(q, '0') > 0;
}

/** a + b as exact decimals; whole numbers (the common case) without going through big.js. */
export function addQuantities(a: string, b: string): string {
  if (isPlainInteger(a) && isPlainInteger(b)) return String(Number(a) + Number(b));
  return addDecimals(a, b);
}
