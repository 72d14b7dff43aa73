import Big from 'big.js';
import { z } from 'zod';

/**
 * Quantities, weights and prices are exact decimals carried as strings ("12.5"), so that no sum
 * drifts the way binary floats do. Numbers are accepted on input and normalised to strings.
 */
const DECIMAL_RE = /^-?\d{1,18}(\.\d{1,9})?$/;
const DECIMAL_MESSAGE = 'expected a decimal number such as "12" or "12.5", with at most 18 digits before the point and 9 after';

export type Decimal = string;

export const decimal = z
  .union([
    z.string().regex(DECIMAL_RE, DECIMAL_MESSAGE),
    // A JSON number is held to the same digits as the text: 1e20 or 0.0000000001 is refused either way.
    z.number().refine(Number.isFinite, 'expected a finite number').refine((n) => DECIMAL_RE.test(new Big(n).toFixed()), DECIMAL_MESSAGE),
  ])
  .transform((v): Decimal => (typeof v === 'number' ? normaliseDecimal(new Big(v).toFixed()) : normaliseDecimal(v)))
  .meta({ description: 'Exact decimal, as a string ("12.5") or a JSON number; always returned as a string.' });

export const nonNegativeDecimal = decimal.refine((v) => !v.startsWith('-'), 'expected zero or more');
export const positiveDecimal = decimal.refine((v) => !v.startsWith('-') && !isZero(v), 'expected more than zero');

/** Canonical text form: no leading '+', no trailing fractional zeros, "-0" as "0". */
export function normaliseDecimal(v: string): Decimal {
  if (v.indexOf('.') >= 0) v = v.replace(/0+$/, '').replace(/\.$/, '');
  if (v.length > 1 && (v[0] === '0' || (v[0] === '-' && v[1] === '0'))) v = new Big(v).toFixed();
  return v === '-0' ? '0' : v;
}

/**
 * The common case of reading a number, by char codes with no regex or copy: up to 18 digits without a
 * leading zero (or one 0), maybe a decimal mark (a point where `point`, a comma where `comma`) and 1 to 9
 * digits, no sign. Canonical text, or undefined for anything else, which the caller's general path judges.
 */
export function plainDecimal(text: string, point: boolean, comma: boolean): Decimal | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isDigitCode(text.charCodeAt(i))) i++;
  if (i === 0 || i > 18 || (i > 1 && text.charCodeAt(0) === 48)) return undefined;
  if (i === n) return text;
  const mark = text.charCodeAt(i);
  if (!((point && mark === 46) || (comma && mark === 44))) return undefined;
  let j = i + 1;
  while (j < n && isDigitCode(text.charCodeAt(j))) j++;
  if (j !== n || j === i + 1 || j - i - 1 > 9) return undefined;
  let end = n;
  while (end > i + 1 && text.charCodeAt(end - 1) === 48) end--;
  if (end === i + 1) return text.slice(0, i);
  return mark === 46 && end === n ? text : `${text.slice(0, i)}.${text.slice(i + 1, end)}`;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isZero(v: Decimal): boolean {
  return new Big(v).eq(0);
}

export function addDecimals(...values: Decimal[]): Decimal {
  let sum = new Big(0);
  for (const v of values) sum = sum.plus(v);
  return normaliseDecimal(sum.toFixed());
}

export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  return normaliseDecimal(new Big(a).minus(b).toFixed());
}

export function multiplyDecimals(a: Decimal, b: Decimal): Decimal {
  return normaliseDecimal(new Big(a).times(b).toFixed());
}

export function divideDecimals(a: Decimal, b: Decimal, places = 9): Decimal {
  return normaliseDecimal(new Big(a).div(b).round(places).toFixed());
}

export function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  return new Big(a).cmp(b) as -1 | 0 | 1;
}
