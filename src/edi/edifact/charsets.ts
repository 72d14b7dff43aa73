// Character sets named by UNB S001 0001 (the syntax identifier). The reader keeps every interchange as a
// latin1 view of its bytes (one char per byte, so offsets are byte offsets and the service characters,
// ASCII in every set here, are found the same way whatever the set), and turns a value into text by the
// declared set only when a message mapper asks for it. Bytes are never guessed at: UNOC is ISO 8859-1
// even when the file happens to be valid UTF-8.

export type CharsetKind = 'latin1' | 'table' | 'utf8';

export interface Charset {
  /** The syntax identifier, e.g. 'UNOC'. */
  id: string;
  /** What it is, for messages. */
  name: string;
  kind: CharsetKind;
  /**
   * Per byte (single-byte sets) or per ASCII byte (UTF-8): 1 a character of the set, 2 a printable ASCII
   * character outside a restricted repertoire (read, with a warning), 0 not a character of the set.
   */
  valid: Uint8Array;
  /** 'table' sets: the character each byte stands for (bytes below 0x80 are ASCII). */
  table?: Uint16Array;
  /** 'table' sets: byte for each character above 0x7f. */
  reverse?: Map<number, number>;
}

/** Level A: upper-case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < > */
const LEVEL_A = ' .,-()/=\'+:?!"%&*;<>';

function restricted(lower: boolean, extra: string): Uint8Array {
  const v = new Uint8Array(256);
  for (let c = 0x20; c <= 0x7e; c++) v[c] = 2;
  for (let c = 65; c <= 90; c++) v[c] = 1;
  for (let c = 48; c <= 57; c++) v[c] = 1;
  if (lower) for (let c = 97; c <= 122; c++) v[c] = 1;
  for (const ch of LEVEL_A + extra) v[ch.charCodeAt(0)] = 1;
  return v;
}

function latin1Valid(): Uint8Array {
  const v = new Uint8Array(256);
  for (let c = 0x20; c <= 0x7e; c++) v[c] = 1;
  for (let c = 0xa0; c <= 0xff; c++) v[c] = 1;
  return v;
}

/** A single-byte ISO 8859 part through TextDecoder, byte by byte: holes of the part are left invalid. */
function isoTable(label: string): { valid: Uint8Array; table: Uint16Array; reverse: Map<number, number> } | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return null;
  }
  const valid = new Uint8Array(256);
  const table = new Uint16Array(256);
  const reverse = new Map<number, number>();
  for (let c = 0; c < 0x80; c++) table[c] = c;
  for (let c = 0x20; c <= 0x7e; c++) valid[c] = 1;
  // 0x80-0x9f are C1 controls in every ISO 8859 part (WHATWG maps some labels to Windows code pages there): never data.
  for (let b = 0xa0; b <= 0xff; b++) {
    try {
      const s = decoder.decode(Uint8Array.of(b));
      if (s.length !== 1 || s === '\ufffd') continue;
      table[b] = s.charCodeAt(0);
      valid[b] = 1;
      reverse.set(s.charCodeAt(0), b);
    } catch {
      // A hole in this part: no character.
    }
  }
  return { valid, table, reverse };
}

function utf8Valid(): Uint8Array {
  const v = new Uint8Array(256);
  for (let c = 0x20; c <= 0x7e; c++) v[c] = 1;
  // Bytes from 0x80 on are checked as UTF-8 sequences, not one by one.
  for (let c = 0x80; c <= 0xff; c++) v[c] = 1;
  return v;
}

const ISO_PARTS: Readonly<Record<string, [string, string]>> = {
  UNOD: ['iso-8859-2', 'ISO 8859-2 (Latin-2, central European)'],
  UNOE: ['iso-8859-5', 'ISO 8859-5 (Cyrillic)'],
  UNOF: ['iso-8859-7', 'ISO 8859-7 (Greek)'],
  UNOG: ['iso-8859-3', 'ISO 8859-3 (Latin-3)'],
  UNOH: ['iso-8859-4', 'ISO 8859-4 (Latin-4)'],
  UNOI: ['iso-8859-6', 'ISO 8859-6 (Arabic)'],
  UNOJ: ['iso-8859-8', 'ISO 8859-8 (Hebrew)'],
  UNOK: ['iso-8859-9', 'ISO 8859-9 (Latin-5, Turkish)'],
};

/** Sets named by ISO 9735 that Causeway cannot read, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  UNOX: 'UNOX uses ISO 2022 code extension (escape sequences switching sets mid-text), which Causeway does not read',
  KECA: 'KECA (KS C 5601, Korean) is not supported',
};

const cache = new Map<string, Charset>();

/** The character set of a syntax identifier, or the reason it cannot be had. */
export function charsetOf(id: string): Charset | { refused: string } {
  const hit = cache.get(id);
  if (hit) return hit;
  let cs: Charset | undefined;
  if (id === 'UNOA') cs = { id, name: 'UNOA (level A: upper-case ASCII subset)', kind: 'latin1', valid: restricted(false, '') };
  else if (id === 'UNOB') {
    const valid = restricted(true, '');
    // Level B's own service characters (IS1, IS3, IS4 and the repetition separator) are part of the set.
    for (const c of [0x19, 0x1c, 0x1d, 0x1f]) valid[c] = 1;
    cs = { id, name: 'UNOB (level B: ASCII subset with lower case)', kind: 'latin1', valid };
  } else if (id === 'UNOC') cs = { id, name: 'UNOC (ISO 8859-1, Latin-1)', kind: 'latin1', valid: latin1Valid() };
  else if (id === 'UNOW' || id === 'UNOY') cs = { id, name: `${id} (ISO 10646, UTF-8)`, kind: 'utf8', valid: utf8Valid() };
  else if (ISO_PARTS[id]) {
    const [label, name] = ISO_PARTS[id]!;
    const t = isoTable(label);
    if (t === null) return { refused: `${id} (${name}) needs the ${label} decoder, which this Node.js build lacks (it needs full ICU)` };
    cs = { id, name: `${id} (${name})`, kind: 'table', ...t };
  }
  if (cs === undefined) return { refused: REFUSED[id] ?? `${JSON.stringify(id)} is not a syntax identifier Causeway reads (UNOA, UNOB, UNOC, UNOD to UNOK, UNOW, UNOY)` };
  cache.set(id, cs);
  return cs;
}

export const SUPPORTED_CHARSETS: readonly string[] = ['UNOA', 'UNOB', 'UNOC', 'UNOD', 'UNOE', 'UNOF', 'UNOG', 'UNOH', 'UNOI', 'UNOJ', 'UNOK', 'UNOW', 'UNOY'];

/** Text of a value held as its latin1 byte view, by the set. */
export function decodeValue(bytes: string, cs: Charset): string {
  if (cs.kind === 'latin1') return bytes;
  let high = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) > 0x7f) {
      high = true;
      break;
    }
  }
  if (!high) return bytes;
  if (cs.kind === 'utf8') return Buffer.from(bytes, 'latin1').toString('utf8');
  const table = cs.table!;
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(table[bytes.charCodeAt(i)]!);
  return out;
}

export interface BadCharacter {
  /** Index in the scanned text of the first byte at fault. */
  at: number;
  /** How many bytes it spans. */
  length: number;
  /** 'error' a byte that is no character of the set; 'warning' printable ASCII outside a restricted repertoire. */
  severity: 'error' | 'warning';
}

/** Length of a well-formed UTF-8 sequence at i in a latin1 byte view, or 0. */
function utf8Sequence(s: string, i: number, end: number): number {
  const b0 = s.charCodeAt(i);
  let n: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [n, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [n, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  if (i + n > end) return 0;
  let cp = b0 & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const b = s.charCodeAt(i + k);
    if ((b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  // C1 controls are no data in EDIFACT either.
  if (cp >= 0x80 && cp <= 0x9f) return 0;
  return n;
}

/** Every character of text[from, to) that the set cannot carry, in order (at most `limit`). */
export function badCharacters(text: string, from: number, to: number, cs: Charset, limit = 8): BadCharacter[] {
  const out: BadCharacter[] = [];
  const valid = cs.valid;
  for (let i = from; i < to && out.length < limit; i++) {
    const c = text.charCodeAt(i);
    if (cs.kind === 'utf8' && c > 0x7f) {
      const n = utf8Sequence(text, i, to);
      if (n === 0) out.push({ at: i, length: 1, severity: 'error' });
      else i += n - 1;
      continue;
    }
    const v = c > 0xff ? 0 : valid[c]!;
    if (v === 1) continue;
    out.push({ at: i, length: 1, severity: v === 2 ? 'warning' : 'error' });
  }
  return out;
}

/** Whether every byte of text[from, to) is a character of the set with nothing to warn about (the fast check). */
export function allValid(text: string, from: number, to: number, cs: Charset): boolean {
  const valid = cs.valid;
  if (cs.kind === 'utf8') {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) return badCharacters(text, i, to, cs, 1).length === 0;
      if (valid[c] !== 1) return false;
    }
    return true;
  }
  for (let i = from; i < to; i++) if (valid[text.charCodeAt(i)] !== 1) return false;
  return true;
}

/** The characters of a value that the set cannot carry (each once), for the writer to refuse by name. */
export function unencodable(text: string, cs: Charset): string[] {
  let bad: Set<string> | null = null;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    let ok: boolean;
    if (cs.kind === 'utf8') ok = c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f);
    else if (cs.kind === 'latin1') ok = c <= 0xff && cs.valid[c] === 1;
    else ok = c < 0x80 ? cs.valid[c] === 1 : cs.reverse!.has(c);
    if (!ok) (bad ??= new Set()).add(ch);
  }
  return bad === null ? [] : [...bad];
}

/** Bytes of a text the writer already checked with unencodable(). */
export function encodeText(text: string, cs: Charset): Buffer {
  if (cs.kind === 'utf8') return Buffer.from(text, 'utf8');
  if (cs.kind === 'latin1') return Buffer.from(text, 'latin1');
  const out = Buffer.allocUnsafe(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? c : (cs.reverse!.get(c) ?? 0x3f);
  }
  return out;
}

/** A character for a message: "é" (U+00E9), or the byte when it is not one. */
export function nameCharacter(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? hex : `${JSON.stringify(ch)} (${hex})`;
}

/** A byte read as no character: "byte 0x8B". */
export function nameByte(b: number): string {
  return `byte 0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}
