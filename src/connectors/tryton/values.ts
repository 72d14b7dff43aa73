import { normaliseDecimal } from '../../model/index.ts';

/**
 * Tryton's JSON-RPC carries Decimal, date and datetime as tagged objects
 * ({"__class__": "Decimal", "decimal": "12.50"}). These classes are the TypeScript side of them:
 * decoding yields them (Decimal becomes a canonical decimal string) and encoding turns them back
 * into the tagged form, so a write_date read from Tryton goes back with its microseconds intact.
 */

export class TrytonDecimal {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A calendar date (Tryton `date`), kept as its ISO text. */
export class TrytonDate {
  constructor(readonly iso: string) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new TypeError(`not an ISO date: ${iso}`);
  }
  toString(): string {
    return this.iso;
  }
}

/** A UTC instant with Tryton's microsecond precision (JS Date stops at milliseconds). */
export class TrytonDateTime {
  constructor(
    readonly year: number, readonly month: number, readonly day: number,
    readonly hour: number, readonly minute: number, readonly second: number,
    readonly microsecond: number,
  ) {}

  static fromDate(date: Date): TrytonDateTime {
    return new TrytonDateTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(),
      date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds() * 1000);
  }

  /** Parses "2026-11-22T10:00:00.123456Z" (the form `toISOString` writes; cursors use it). */
  static parse(iso: string): TrytonDateTime {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
    if (!m) throw new TypeError(`not a UTC date-time: ${iso}`);
    const n = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    return new TrytonDateTime(...n, Number((m[7] ?? '').padEnd(6, '0')));
  }

  /** ISO-8601 in UTC with all six fractional digits. */
  toISOString(): string {
    const p = (v: number, w = 2) => String(v).padStart(w, '0');
    return `${p(this.year, 4)}-${p(this.month)}-${p(this.day)}T${p(this.hour)}:${p(this.minute)}:${p(this.second)}.${p(this.microsecond, 6)}Z`;
  }

  compare(other: TrytonDateTime): number {
    return this.toISOString() < other.toISOString() ? -1 : this.toISOString() > other.toISOString() ? 1 : 0;
  }

  toString(): string {
    return this.toISOString();
  }
}

type Tagged = { __class__: string; [key: string]: unknown };

/** Turns a value into what Tryton's JSON decoder expects. JS Dates are sent as UTC datetimes. */
export function encodeValue(value: unknown): unknown {
  if (value instanceof TrytonDecimal) return { __class__: 'Decimal', decimal: value.value };
  if (value instanceof TrytonDate) {
    const [year, month, day] = value.iso.split('-').map(Number);
    return { __class__: 'date', year, month, day };
  }
  if (value instanceof Date) value = TrytonDateTime.fromDate(value);
  if (value instanceof TrytonDateTime) {
    const { year, month, day, hour, minute, second, microsecond } = value;
    return { __class__: 'datetime', year, month, day, hour, minute, second, microsecond };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v)]));
  }
  return value;
}

/** Turns Tryton's tagged values into TrytonDate, TrytonDateTime and decimal strings. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value === null || typeof value !== 'object') return value;
  const tagged = value as Tagged;
  switch (tagged.__class__) {
    case 'Decimal':
      return normaliseDecimal(String(tagged.decimal));
    case 'date':
      return new TrytonDate(`${pad(tagged.year, 4)}-${pad(tagged.month)}-${pad(tagged.day)}`);
    case 'datetime':
      return new TrytonDateTime(Number(tagged.year), Number(tagged.month), Number(tagged.day),
        Number(tagged.hour ?? 0), Number(tagged.minute ?? 0), Number(tagged.second ?? 0), Number(tagged.microsecond ?? 0));
    case 'timedelta':
      return Number(tagged.seconds);
    case 'bytes':
      return Buffer.from(String(tagged.base64), 'base64');
    case undefined:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeValue(v)]));
    default:
      return value;
  }
}

function pad(v: unknown, width = 2): string {
  return String(v).padStart(width, '0');
}

/**
 * The date an event the warehouse reports takes effect in Tryton: its local date at the facility,
 * but never after today. Tryton refuses to make moves done on a future date, and a warehouse a
 * time zone ahead of Tryton (or with a clock running fast) reports "tomorrow" routinely.
 */
export function effectiveDate(timestamp: string, now: Date = new Date()): TrytonDate {
  const reported = timestamp.slice(0, 10);
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
  const today = [now.toISOString().slice(0, 10), local].sort()[0]!;
  return new TrytonDate(reported <= today ? reported : today);
}
