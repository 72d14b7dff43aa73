// Bytes to text and back in a flat file's encoding. UTF-8 is read strictly: a Latin-1 file read as
// UTF-8 would otherwise turn every umlaut into U+FFFD without a word, and a name would change.
import { isUtf8 } from 'node:buffer';
import type { CausewayError } from '../../model/index.ts';
import { countLines, firstInvalidUtf8 } from '../utf8.ts';
import type { Layout } from './layout.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function bytesToText(body: Buffer, layout: Layout): { text: string } | { error: CausewayError } {
  if (layout.encoding === 'latin1') {
    const text = body.toString('latin1');
    // Latin-1 has control characters at 0x80-0x9F, which no name or address holds; Windows-1252 has
    // letters and quotes there. Such a byte means the file is Windows-1252, and read as Latin-1 "O’Brien" would change.
    const c1 = C1_CONTROL.exec(text);
    return c1 ? { error: c1Control(body, c1.index) } : { text };
  }
  if (layout.encoding === 'windows-1252') {
    const text = body.toString('latin1');
    // The five bytes Windows-1252 leaves undefined are refused as Latin-1's controls are.
    const c1 = WINDOWS_1252_UNDEFINED.exec(text);
    return c1 ? { error: c1Control(body, c1.index) } : { text: windows1252Text(text) };
  }
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  try {
    return { text: strictUtf8.decode(start ? body.subarray(start) : body) };
  } catch {
    return { error: notUtf8(body, start) };
  }
}

/**
 * The file as UTF-8 bytes with each CR LF made one LF, for a parser that decodes its cells itself. A UTF-8
 * file is checked in place and passed on without being decoded to one large string and encoded back.
 */
export function bytesToUtf8Lines(body: Buffer, layout: Layout): { bytes: Buffer } | { error: CausewayError } {
  if (layout.encoding !== 'utf-8') {
    const decoded = bytesToText(body, layout);
    return 'error' in decoded ? decoded : { bytes: crLfToLf(Buffer.from(decoded.text, 'utf8')) };
  }
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  const bytes = start ? body.subarray(start) : body;
  return isUtf8(bytes) ? { bytes: crLfToLf(bytes) } : { error: notUtf8(body, start) };
}

/** A copy without the CR of each CR LF (the input itself when it has none); a lone CR stays. */
function crLfToLf(b: Buffer): Buffer {
  const first = b.indexOf(0x0d);
  if (first < 0) return b;
  // One copy, then each line moved down over the CRs dropped before it, natively (copyWithin, indexOf):
  // a loop over every byte in JavaScript took several times as long.
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out);
  let n = 0;
  let from = 0;
  for (let cr = first; cr >= 0; cr = out.indexOf(0x0d, cr + 1)) {
    if (out[cr + 1] !== 0x0a) continue;
    if (n !== from) out.copyWithin(n, from, cr);
    n += cr - from;
    from = cr + 1;
  }
  out.copyWithin(n, from);
  n += out.length - from;
  return out.subarray(0, n);
}

const C1_CONTROL = /[\u0080-\u009f]/;

function c1Control(body: Buffer, offset: number): CausewayError {
  const line = countLines(body, offset);
  const byte = body[offset]!;
  const there = WINDOWS_1252_HIGH[byte - 0x80]!;
  const hex = `0x${byte.toString(16).toUpperCase()}`;
  return {
    code: 'FLAT_ENCODING',
    message: there === byte
      ? `row ${line}: byte ${offset} (${hex}) is a control character in Latin-1 (ISO-8859-1) and in Windows-1252 alike; no text field holds one. Check the file's encoding`
      : `row ${line}: byte ${offset} (${hex}) is a control character in Latin-1 (ISO-8859-1); in Windows-1252 it is ${JSON.stringify(String.fromCharCode(there))}. If the file is Windows-1252, set codecOptions.encoding to windows-1252`,
    position: { row: line, offset },
  };
}

function notUtf8(body: Buffer, start: number): CausewayError {
  const offset = firstInvalidUtf8(body, start);
  const line = countLines(body, offset);
  return {
    code: 'FLAT_ENCODING',
    message: `row ${line}: byte ${offset} is not valid UTF-8; if the file is Latin-1 (ISO-8859-1) or Windows-1252, set codecOptions.encoding to latin1 or windows-1252`,
    position: { row: line, offset },
  };
}

/** Refuses a character the encoding cannot hold, rather than writing a "?" in a name or address. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function textToBytes(text: string, layout: Layout): Buffer {
  if (layout.encoding === 'utf-8') {
    // A lone surrogate (half of a character, as JSON's "\ud800" can give) has no UTF-8: encoding would write U+FFFD in its place.
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      const at = lone.index;
      const line = text.slice(0, at).split('\n').length;
      throw new Error(`row ${line}: U+${text.charCodeAt(at).toString(16).toUpperCase()} is half of a character (a lone surrogate) and cannot be written in utf-8`);
    }
    return layout.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) : Buffer.from(text, 'utf8');
  }
  if (layout.encoding === 'windows-1252') return windows1252Bytes(text);
  const bad = /[^\u0000-\u00ff]/.exec(text);
  if (bad) throw unwritable(text, bad.index, layout.encoding);
  return Buffer.from(text, 'latin1');
}

function unwritable(text: string, at: number, encoding: string): Error {
  const line = text.slice(0, at).split('\n').length;
  const code = text.codePointAt(at)!;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return new Error(`row ${line}: ${JSON.stringify(String.fromCodePoint(code))} (${name}) cannot be written in ${encoding}`);
}

/**
 * Windows-1252 is Latin-1 but for bytes 0x80-0x9F, which are letters and punctuation there (0x92 is
 * the apostrophe of "O’Brien") where Latin-1 has control characters. The 32 characters are those
 * of the WHATWG encoding index; five bytes the code page leaves undefined stand for the controls of
 * the same number. Node's own TextDecoder('windows-1252') reads these bytes as Latin-1 in some
 * releases (nodejs/node#60888), so the table is ours and does not depend on the Node.js in use.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
const WINDOWS_1252_TEXT = WINDOWS_1252_HIGH.map((c) => String.fromCharCode(c));
const WINDOWS_1252_BYTE = new Map(WINDOWS_1252_HIGH.map((c, i) => [c, 0x80 + i]));

const WINDOWS_1252_UNDEFINED = /[\u0081\u008d\u008f\u0090\u009d]/;

/** Text read as Latin-1, with the bytes 0x80-0x9F made what they are in Windows-1252. */
function windows1252Text(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_TEXT[c.charCodeAt(0) - 0x80]!);
}

/** Characters Windows-1252 writes differently from Latin-1: C1 controls, and everything above U+00FF. */
const NOT_LATIN1_ALIKE = /[\u0080-\u009f\u0100-\uffff]/;

function windows1252Bytes(text: string): Buffer {
  if (!NOT_LATIN1_ALIKE.test(text)) return Buffer.from(text, 'latin1');
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const b = c < 0x80 || (c >= 0xa0 && c <= 0xff) ? c : WINDOWS_1252_BYTE.get(c);
    if (b === undefined) throw unwritable(text, i, 'windows-1252');
    out[i] = b;
  }
  return out;
}
