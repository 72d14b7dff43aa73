// Cell text to canonical values and back: decimals with a point or a comma, dates and times in a
// file's own format, yes/no flags. Each parser returns undefined for text it cannot read, and the
// caller names the row and column; nothing here throws on input.
import { normaliseDecimal, plainDecimal } from '../../model/decimal.ts';

export type ValueType = 'string' | 'decimal' | 'integer' | 'date' | 'datetime' | 'boolean';

export interface NumberStyle {
  decimalSeparator: '.' | ',';
  thousandsSeparator?: string;
  /** Fixed-width files often leave the point out: "000001250" with 2 implied decimals is 12.50. */
  impliedDecimals?: number;
}

const PLAIN_DECIMAL = /^[+-]?\d{1,18}(\.\d{1,9})?$/;

export function parseDecimal(text: string, style: NumberStyle): string | undefined {
  if (!style.thousandsSeparator && !style.impliedDecimals) {
    const plain = plainDecimal(text, style.decimalSeparator === '.', style.decimalSeparator === ',');
    if (plain !== undefined) return plain;
  }
  let t = text;
  if (style.thousandsSeparator) t = t.split(style.thousandsSeparator).join('');
  if (style.decimalSeparator === ',') {
    if (t.includes('.')) return undefined;
    t = t.replace(',', '.');
  }
  if (style.impliedDecimals && !t.includes('.')) {
    const sign = t[0] === '-' || t[0] === '+' ? t[0] : '';
    const digits = sign ? t.slice(1) : t;
    if (!/^\d+$/.test(digits)) return undefined;
    const padded = digits.padStart(style.impliedDecimals + 1, '0');
    t = `${sign}${padded.slice(0, -style.impliedDecimals)}.${padded.slice(-style.impliedDecimals)}`;
  }
  if (!PLAIN_DECIMAL.test(t)) return undefined;
  return normaliseDecimal(t[0] === '+' ? t.slice(1) : t);
}

export function formatDecimal(value: string, style: NumberStyle): string {
  let v = value;
  if (style.impliedDecimals) {
    const negative = v.startsWith('-');
    const [whole, fraction = ''] = (negative ? v.slice(1) : v).split('.');
    const digits = (whole + fraction.padEnd(style.impliedDecimals, '0').slice(0, style.impliedDecimals)).replace(/^0+(?=\d)/, '');
    return (negative ? '-' : '') + digits;
  }
  if (style.decimalSeparator === ',') v = v.replace('.', ',');
  return v;
}

const TRUE = new Set(['1', 'y', 'yes', 'true', 'j', 'ja', 'x', 'o', 'oui', 's', 'si']);
const FALSE = new Set(['0', 'n', 'no', 'false', 'nein', 'non']);

export function parseBoolean(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

// ---- dates ------------------------------------------------------------------------------------

/** The tokens a date format may hold; anything else is a literal. */
const TOKENS = ['YYYY', 'YY', 'MM', 'M', 'DD', 'D', 'HH', 'H', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];
const TOKEN_PATTERN: Record<Token, string> = { YYYY: '(\\d{4})', YY: '(\\d{2})', MM: '(\\d{2})', M: '(\\d{1,2})', DD: '(\\d{2})', D: '(\\d{1,2})', HH: '(\\d{2})', H: '(\\d{1,2})', mm: '(\\d{2})', ss: '(\\d{2})' };

export interface DateFormat {
  text: string;
  pattern: RegExp;
  tokens: Token[];
  parts: Array<Token | { literal: string }>;
}

/** Compiles "DD.MM.YYYY" or "YYYYMMDD HHmmss"; throws on a format with no year, month or day. */
export function compileDateFormat(text: string): DateFormat {
  const parts: DateFormat['parts'] = [];
  const tokens: Token[] = [];
  let source = '^';
  for (let i = 0; i < text.length;) {
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token) {
      parts.push(token);
      tokens.push(token);
      source += TOKEN_PATTERN[token];
      i += token.length;
    } else {
      parts.push({ literal: text[i] });
      source += text[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const has = (...t: Token[]) => t.some((x) => tokens.includes(x));
  if (!has('YYYY', 'YY') || !has('MM', 'M') || !has('DD', 'D')) throw new Error(`date format "${text}" needs a year (YYYY or YY), a month (MM or M) and a day (DD or D)`);
  return { text, pattern: new RegExp(`${source}$`), tokens, parts };
}

interface WallTime { year: number; month: number; day: number; hour: number; minute: number; second: number }

function readWallTime(text: string, format: DateFormat): WallTime | undefined {
  const m = format.pattern.exec(text);
  if (!m) return undefined;
  const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (let i = 0; i < format.tokens.length; i++) {
    const t = format.tokens[i];
    const n = Number(m[i + 1]);
    if (t === 'YYYY') w.year = n;
    else if (t === 'YY') w.year = 2000 + n;
    else if (t === 'MM' || t === 'M') w.month = n;
    else if (t === 'DD' || t === 'D') w.day = n;
    else if (t === 'HH' || t === 'H') w.hour = n;
    else if (t === 'mm') w.minute = n;
    else w.second = n;
  }
  const daysInMonth = w.month === 2 ? (w.year % 4 === 0 && (w.year % 100 !== 0 || w.year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(w.month) ? 30 : 31;
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > daysInMonth || w.hour > 23 || w.minute > 59 || w.second > 59) return undefined;
  return w;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A calendar date in the file's format to ISO "2026-12-01". */
export function parseDate(text: string, format: DateFormat): string | undefined {
  const w = readWallTime(text, format);
  return w && `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** A local date-time in the file's format, in the file's time zone, to ISO with its offset. */
export function parseDateTime(text: string, format: DateFormat, timeZone: string): string | undefined {
  const w = readWallTime(text, format);
  if (!w) return undefined;
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // The zone's offset at that wall time; asked twice so a time near a DST change settles on its own side.
  let offset = offsetMinutes(asUtc, timeZone);
  offset = offsetMinutes(asUtc - offset * 60_000, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${offsetText(offset)}`;
}

export function formatDate(iso: string, format: DateFormat): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return undefined;
  return writeWallTime({ year: +m[1], month: +m[2], day: +m[3], hour: 0, minute: 0, second: 0 }, format);
}

export function formatDateTime(iso: string, format: DateFormat, timeZone: string): string | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const local = new Date(at + offsetMinutes(at, timeZone) * 60_000);
  return writeWallTime({
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(),
  }, format);
}

function writeWallTime(w: WallTime, format: DateFormat): string {
  const value: Record<Token, string> = {
    YYYY: pad(w.year, 4), YY: pad(w.year % 100), MM: pad(w.month), M: String(w.month), DD: pad(w.day), D: String(w.day),
    HH: pad(w.hour), H: String(w.hour), mm: pad(w.minute), ss: pad(w.second),
  };
  return format.parts.map((p) => (typeof p === 'string' ? value[p] : p.literal)).join('');
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Checks a time zone: "UTC", a fixed offset "+01:00", or an IANA name "Europe/Berlin". */
export function isTimeZone(zone: string): boolean {
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC that `zone` is at the instant `at`. */
export function offsetMinutes(at: number, zone: string): number {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  if (zone === 'UTC' || zone === 'Z') return 0;
  let f = zoneFormats.get(zone);
  if (!f) zoneFormats.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })));
  const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}
