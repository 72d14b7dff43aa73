// Bytes to text and back in a flat file's encoding. UTF-8 is read strictly: a Latin-1 file read as
// UTF-8 would otherwise turn every umlaut into U+FFFD without a word, and a name would change.
import { isUtf8 } from 'node:buffer';
import type { CausewayError } from '../../model/index.ts';
import { countLines, firstInvalidUtf8 } from '../utf8.ts';
import type { Layout } from './layout.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const windows1252 = new TextDecoder('windows-1252');

export function bytesToText(body: Buffer, layout: Layout): { text: string } | { error: CausewayError } {
  if (layout.encoding === 'latin1') return { text: body.toString('latin1') };
  if (layout.encoding === 'windows-1252') return { text: windows1252.decode(body) };
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
  // windows-1252 is written as Latin-1: the two agree on every letter outside 0x80-0x9F.
  const bad = /[^\u0000-\u00ff]/.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split('\n').length;
    throw new Error(`row ${line}: ${JSON.stringify(bad[0])} cannot be written in ${layout.encoding}`);
  }
  return Buffer.from(text, 'latin1');
}
