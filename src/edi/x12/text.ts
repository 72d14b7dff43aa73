import { isUtf8 } from 'node:buffer';

/**
 * X12 text is read one character per byte (Latin-1), which keeps byte offsets exact. Both of X12's
 * character sets are ASCII; the bytes partners send above it are Latin-1 from some and UTF-8 from
 * others, and UTF-8 read as Latin-1 turns "Müller" into "MÃ¼ller". A document's values holding such
 * bytes are read again: as UTF-8 where their bytes are UTF-8, else left as Latin-1. Latin-1 text that
 * also happens to be valid UTF-8 needs two or more accented characters in a row in an order that
 * spells a UTF-8 sequence ("Ã¼"), which names and addresses do not.
 */
export function withUtf8Text<T>(document: T): T {
  return read(document) as T;
}

const ABOVE_ASCII = /[\u0080-\u00ff]/;

function read(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!ABOVE_ASCII.test(value)) return value;
    const bytes = Buffer.from(value, 'latin1');
    return isUtf8(bytes) ? bytes.toString('utf8') : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = read(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) record[key] = read(record[key]);
  return record;
}
