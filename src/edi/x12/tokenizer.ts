// Splits X12 text into segments. Works on latin1 strings (one char per byte, so a char index is a byte
// offset) with indexOf/charCodeAt scanning: no regex per segment, no split of the whole input.
import { isAscii } from 'node:buffer';
import { SegmentBuffer } from '../segment-buffer.ts';
import { checkDelimiters, isAlphanumericCode, repetitionFromIsa, type Delimiters } from './delimiters.ts';
import { x12Error, type X12Error } from './errors.ts';

/**
 * One segment, read lazily: it keeps offsets into the input text and makes an element's string only when
 * a set mapper asks for it. Per-element strings and an array per segment were most of the decoder's
 * garbage. Element numbers follow the guides: el(0) is the segment id, el(1) element 01.
 */
export class Segment {
  readonly id: string;
  /** The id as a number (see segmentIdKey): the dictionary check finds a segment's definition by it without reading the string. */
  readonly idKey: number;
  // Private (#) so that a segment compares, prints and serialises as { id, offset } plus its elements, never its buffer.
  // Text, base offset, separators and the element-start table live in one object shared by every segment of
  // a chunk: a segment is the most common object the decoder makes, and each field left out of it is garbage not made.
  #src: SegmentSource;
  /** Where this segment's element starts begin in src.bounds: bounds[at + k] is element k's start. */
  #at: number;
  /** Number of elements, the id included; bounds[at + n] is one past the (trimmed) end. */
  #n: number;
  /** Element strings, once asked for (or given, for the ISA and placeholders). */
  #cached: string[] | null;

  constructor(id: string, idKey: number, src: SegmentSource, at: number, n: number) {
    this.id = id;
    this.idKey = idKey;
    this.#src = src;
    this.#at = at;
    this.#n = n;
    this.#cached = null;
  }

  /** A segment whose elements are already split (the ISA, whose widths are fixed; placeholders). */
  static of(id: string, elements: string[], offset: number, component = ''): Segment {
    const s = new Segment(id, segmentIdKey(id), { text: '', base: 0, sep: 0, componentSep: component, bounds: Int32Array.of(offset), classes: NO_CLASSES, classKey: -1 }, 0, 0);
    s.#cached = elements;
    return s;
  }

  /** Byte offset of the segment's first character in the whole input. */
  get offset(): number {
    return this.#src.base + this.#src.bounds[this.#at]!;
  }

  /** Element n, or '' when the segment has fewer elements. */
  el(n: number): string {
    if (this.#cached !== null) return this.#cached[n] ?? '';
    if (n >= this.#n) return '';
    const bounds = this.#src.bounds;
    const a = bounds[this.#at + n]!;
    const b = bounds[this.#at + n + 1]! - 1;
    return a === b ? '' : this.#src.text.slice(a, b);
  }

  /**
   * The text this segment was cut from and its element starts (see SegmentBounds), for a check that reads
   * every element; false for a segment whose elements were given as strings (the ISA, placeholders).
   */
  boundsInto(out: SegmentBounds): boolean {
    if (this.#cached !== null) return false;
    const src = this.#src;
    out.text = src.text;
    out.bounds = src.bounds;
    out.classes = src.classes;
    out.classKey = src.classKey;
    out.at = this.#at;
    out.n = this.#n;
    return true;
  }

  /**
   * Where element n lies, without cutting a string: out.text holds it from out.start to out.end (text ''
   * and both 0 when absent). The dictionary check reads every element of every set this way.
   */
  span(n: number, out: ElementSpan): void {
    if (this.#cached !== null) {
      const v = this.#cached[n] ?? '';
      out.text = v;
      out.start = 0;
      out.end = v.length;
      return;
    }
    if (n >= this.#n) {
      out.text = '';
      out.start = 0;
      out.end = 0;
      return;
    }
    const bounds = this.#src.bounds;
    out.text = this.#src.text;
    out.start = bounds[this.#at + n]!;
    out.end = bounds[this.#at + n + 1]! - 1;
  }

  /**
   * Element n as a number when it has 1 to 3 characters (see codeOf), 0 when empty, -1 when longer: set
   * mappers compare qualifiers and codes without cutting a string for them.
   */
  code(n: number): number {
    if (this.#cached !== null) return codeOf(this.#cached[n] ?? '');
    if (n >= this.#n) return 0;
    const bounds = this.#src.bounds;
    const a = bounds[this.#at + n]!;
    const len = bounds[this.#at + n + 1]! - 1 - a;
    if (len === 0) return 0;
    if (len > 3) return -1;
    const text = this.#src.text;
    let c = len << 24;
    for (let i = 0; i < len; i++) {
      const ch = text.charCodeAt(a + i);
      if (ch > 0xff) return -1; // a string input may hold any character; codes are for latin1 ones
      c |= ch << (8 * (len - 1 - i));
    }
    return c;
  }

  /** Element n as a whole number when it is 1 to 9 digits without a leading zero ('0' itself included), else -1. */
  int(n: number): number {
    if (this.#cached !== null) return intOf(this.#cached[n] ?? '');
    if (n >= this.#n) return -1;
    const bounds = this.#src.bounds;
    const a = bounds[this.#at + n]!;
    const len = bounds[this.#at + n + 1]! - 1 - a;
    const text = this.#src.text;
    if (len === 0 || len > 9 || (len > 1 && text.charCodeAt(a) === 48)) return -1;
    let v = 0;
    for (let i = a; i < a + len; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      v = v * 10 + c - 48;
    }
    return v;
  }

  /** Component j (1-based) of element n, or '' when absent. */
  comp(n: number, j: number): string {
    const v = this.el(n);
    const componentSep = this.#src.componentSep;
    if (componentSep === '' || v === '') return j === 1 ? v : '';
    return v.split(componentSep)[j - 1] ?? '';
  }

  /** Number of data elements (the id not counted): the highest n for which el(n) may be non-empty. */
  get count(): number {
    if (this.#cached !== null) return this.#cached.length - 1;
    return this.#n - 1;
  }

  /** All elements as strings, id first; made on first use and kept. For envelopes, hashes and tools, not the hot path. */
  get elements(): string[] {
    if (this.#cached === null) {
      const n = this.count + 1;
      const out: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = this.el(i);
      this.#cached = out;
    }
    return this.#cached;
  }

  toJSON(): { id: string; elements: string[]; offset: number } {
    return { id: this.id, elements: this.elements, offset: this.offset };
  }
}

/**
 * Element k of a segment (1 <= k < n) is text[bounds[at + k], bounds[at + k + 1] - 1), and classes[at + k]
 * is what all its characters have in common (see CHAR_CLASS) under the separators classKey names.
 */
export interface SegmentBounds {
  text: string;
  bounds: Int32Array;
  classes: Uint8Array;
  classKey: number;
  at: number;
  n: number;
}

/**
 * Character classes, recorded per element while the tokenizer looks for separators, so that the dictionary
 * check judges most values without reading their characters again: an element's class is the AND of its
 * characters' classes. OK: no control character, DEL, component or repetition separator, nor anything past latin1.
 */
export const CHAR_CLASS = { DIGIT: 1, ALNUM: 2, POINT: 4, OK: 16 } as const;

/** Names the separators a class table was made for (-1 for a separator not in use). */
export function charClassKey(element: number, component: number, repetition: number): number {
  return element * 131072 + (component + 1) * 512 + (repetition + 1);
}

const NO_CLASSES = new Uint8Array(1);
const NO_UNITS = new Uint8Array(0);
let classTableKey = -1;
let classTableChars = new Uint8Array(0);

/** The class of every UTF-16 code unit under these separators (one table, 64 KB, kept for the last separators asked). */
export function charClasses(element: number, component: number, repetition: number): Uint8Array {
  const key = charClassKey(element, component, repetition);
  if (key === classTableKey) return classTableChars;
  const t = new Uint8Array(65536);
  for (let c = 32; c < 256; c++) t[c] = CHAR_CLASS.OK;
  for (let c = 48; c <= 57; c++) t[c] = CHAR_CLASS.DIGIT | CHAR_CLASS.ALNUM | CHAR_CLASS.POINT | CHAR_CLASS.OK;
  for (let c = 65; c <= 90; c++) t[c] = CHAR_CLASS.ALNUM | CHAR_CLASS.OK;
  t[46] = CHAR_CLASS.POINT | CHAR_CLASS.OK;
  t[127] = 0;
  if (component >= 0) t[component] = 0;
  if (repetition >= 0) t[repetition] = 0;
  classTableKey = key;
  classTableChars = t;
  return t;
}

/**
 * The tokenizer's own table: the character classes plus two marks above them, for the element separator and
 * the segment terminator, so that its loop makes one load and one comparison per ordinary character.
 */
const SCAN_SEPARATOR = 64;
const SCAN_TERMINATOR = 128;
let scanTableKey = -1;
let scanTableTerminator = -1;
let scanTableChars = new Uint8Array(0);

function scanTable(element: number, component: number, repetition: number, terminator: number): Uint8Array {
  const key = charClassKey(element, component, repetition);
  if (key === scanTableKey && terminator === scanTableTerminator) return scanTableChars;
  const t = charClasses(element, component, repetition).slice();
  t[element] = SCAN_SEPARATOR;
  t[terminator] = SCAN_TERMINATOR;
  scanTableKey = key;
  scanTableTerminator = terminator;
  scanTableChars = t;
  return t;
}

/** A stretch of text holding one element (see Segment.span). */
export interface ElementSpan {
  text: string;
  start: number;
  end: number;
}

/** The number Segment.code gives for a value: length in the top byte, then up to three latin1 char codes. */
export function codeOf(v: string): number {
  const len = v.length;
  if (len === 0) return 0;
  if (len > 3) return -1;
  let c = len << 24;
  for (let i = 0; i < len; i++) {
    const ch = v.charCodeAt(i);
    if (ch > 0xff) return -1;
    c |= ch << (8 * (len - 1 - i));
  }
  return c;
}

/** What Segment.int gives for a value. */
function intOf(v: string): number {
  const len = v.length;
  if (len === 0 || len > 9 || (len > 1 && v.charCodeAt(0) === 48)) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + c - 48;
  }
  return n;
}

/** What the segments cut from one chunk share: its text, where it starts in the input, the separators. */
export interface SegmentSource {
  readonly text: string;
  /** Byte offset of text[0] in the whole input. */
  readonly base: number;
  /** Element separator's char code. */
  readonly sep: number;
  readonly componentSep: string;
  /**
   * Element starts of the segments cut from text, recorded while looking for each segment's terminator (one
   * pass over the characters, not a terminator search and then an element scan); full tables are replaced, not grown.
   */
  readonly bounds: Int32Array;
  /** classes[k]: the class of the element starting at bounds[k] (see CHAR_CLASS); beside bounds, as long. */
  readonly classes: Uint8Array;
  readonly classKey: number;
}

/** Segment ids are 2-3 of [0-9A-Z]: interned by char codes so that reading one allocates no string. */
const ID_BASE = 43; // '0' (48) .. 'Z' (90)
/** Number of id keys (see segmentIdKey): every key is below it. */
export const SEGMENT_ID_KEYS = ID_BASE * ID_BASE * (ID_BASE + 1);
const idTable: Array<string | undefined> = new Array<string | undefined>(SEGMENT_ID_KEYS).fill(undefined);

/** The key of a 2-3 character id from its char codes (c2 0 for a 2-character id). */
function idKeyOf(c0: number, c1: number, c2: number): number {
  return ((c0 - 48) * ID_BASE + (c1 - 48)) * (ID_BASE + 1) + (c2 === 0 ? 0 : c2 - 47);
}

/** A segment id (2-3 characters from '0' to 'Z') as a number below SEGMENT_ID_KEYS, one per id; -1 for any other string. */
export function segmentIdKey(id: string): number {
  const len = id.length;
  if (len < 2 || len > 3) return -1;
  const c0 = id.charCodeAt(0);
  const c1 = id.charCodeAt(1);
  const c2 = len === 3 ? id.charCodeAt(2) : 0;
  if (c0 < 48 || c0 > 90 || c1 < 48 || c1 > 90 || (len === 3 && (c2 < 48 || c2 > 90))) return -1;
  return idKeyOf(c0, c1, c2);
}

function isIdChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

/** Longest segment we wait for in a stream before giving up on it; keeps memory bounded on a file without terminators. */
export const MAX_SEGMENT_LENGTH = 1 << 20;
/** An ISA is 106 characters; allow a sloppy one some slack before calling it broken. */
const MAX_ISA_LENGTH = 512;

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

function isSkippable(c: number): boolean {
  // Between segments: line breaks, padding, a UTF-8 byte order mark read as latin1 (EF BB BF), NULs of padded records.
  return c === CR || c === LF || c === SPACE || c === TAB || c === 0 || c === 0xef || c === 0xbb || c === 0xbf;
}

/**
 * Pull tokenizer over a text buffer that may grow (streaming) or be complete (in memory).
 * next() returns a segment, or null when it needs more input (or the input is finished).
 * Problems found on the way are queued in `errors` for the reader to place in its envelope context.
 */
export class X12Tokenizer extends SegmentBuffer<SegmentSource> {
  delimiters: Delimiters | null = null;
  readonly errors: X12Error[] = [];
  /**
   * The text's characters as numbers, index for index (see latin1Units): the scan reads them from a typed
   * array, a plain load, where a string's charCodeAt checks how the string is stored at every character.
   */
  private units: Uint8Array | Uint16Array = NO_UNITS;
  /** Kept between feeds: the byte view of each new text is written into it. */
  private unitBuffer: Buffer = Buffer.alloc(0);
  /** Whether any byte above ASCII has come (the text may hold UTF-8, see decodeItem); checked once per window. */
  nonAscii = false;
  /** Character classes under the current delimiters (see CHAR_CLASS) with the separator marks (see scanTable), and the classes' key. */
  private scanTable: Uint8Array = NO_CLASSES;
  private classKey = -1;
  /** After a broken ISA or a runaway segment: drop input up to this kind of landmark. */
  private skipping: 'none' | 'to-isa' | 'to-terminator' = 'none';

  override feedBytes(chunk: Buffer, final: boolean): void {
    super.feedBytes(chunk, final);
    this.units = this.latin1Units(true);
  }

  override feed(chunk: string, final: boolean): void {
    super.feed(chunk, final);
    this.units = this.latin1Units(false);
  }

  /**
   * The text as bytes, written into the kept buffer. Text made from bytes is latin1 through and through; a
   * string given as such may hold characters past it, which a byte would cut short: then 16-bit units.
   */
  private latin1Units(fromBytes: boolean): Uint8Array | Uint16Array {
    const text = this.text;
    const n = text.length;
    if (this.unitBuffer.length < n) this.unitBuffer = Buffer.allocUnsafe(Math.max(n, 2 * this.unitBuffer.length));
    const bytes = this.unitBuffer.subarray(0, n);
    bytes.write(text, 0, n, 'latin1');
    if (fromBytes || bytes.toString('latin1') === text) {
      if (!this.nonAscii && !isAscii(bytes)) this.nonAscii = true;
      return bytes;
    }
    this.nonAscii = true;
    const wide = new Uint16Array(n);
    for (let i = 0; i < n; i++) wide[i] = text.charCodeAt(i);
    return wide;
  }

  next(): Segment | null {
    const text = this.text;
    const units = this.units;
    for (;;) {
      let pos = this.pos;
      const len = text.length;
      while (pos < len && isSkippable(units[pos]!)) pos++;
      this.pos = pos;
      if (pos >= len) return null;

      if (this.skipping !== 'none') {
        if (!this.skip()) return null;
        continue;
      }

      if (this.startsIsa(pos)) {
        const isa = this.readIsa();
        if (isa === 'more') return null;
        if (isa === 'broken') continue;
        return isa;
      }

      const d = this.delimiters;
      if (d === null) {
        if (!this.final && len - pos < 4) return null; // may be the start of an ISA cut by a chunk boundary
        this.errors.push(x12Error('X12_NO_ISA', 'The input does not start with an ISA interchange header, so its delimiters are unknown; skipped to the next ISA.', { offset: this.base + pos }));
        this.skipping = 'to-isa';
        continue;
      }

      // One pass finds the terminator and records where each element starts (see SegmentSource.bounds).
      let src = this.src;
      if (src === null || this.used + 2 > src.bounds.length) src = this.newSource(d, 0, 0);
      let bounds = src.bounds;
      let classes = src.classes;
      const table = this.scanTable;
      let at = this.used;
      let k = at;
      bounds[k++] = pos;
      let end = pos;
      let cls = 0xff;
      for (; end < len; end++) {
        const t = table[units[end]!]!;
        if (t < SCAN_SEPARATOR) {
          cls &= t;
          continue;
        }
        if (t === SCAN_TERMINATOR) break;
        if (k + 2 > bounds.length) {
          src = this.newSource(d, at, k);
          bounds = src.bounds;
          classes = src.classes;
          k -= at;
          at = 0;
        }
        classes[k - 1] = cls;
        cls = 0xff;
        bounds[k++] = end + 1;
      }
      classes[k - 1] = cls;
      let next = end + 1;
      if (end >= len) {
        if (!this.final) {
          if (len - pos > MAX_SEGMENT_LENGTH) {
            this.errors.push(x12Error('X12_SEGMENT_TOO_LONG', `No segment terminator ${JSON.stringify(d.segment)} within ${MAX_SEGMENT_LENGTH} bytes; skipped to the next one.`, { offset: this.base + pos }));
            this.skipping = 'to-terminator';
            continue;
          }
          return null;
        }
        // Files often end without a last terminator (or with the newline missing); take the rest as the last segment.
        end = len;
        next = len;
      }
      this.pos = next;
      const seg = this.cut(pos, end, d, src, at, k);
      if (seg !== null) return seg;
    }
  }

  /**
   * A source for the current text and delimiters with a new bounds table, the entries [from, to) of the
   * current table (the segment being cut) copied to its start.
   */
  private newSource(d: Delimiters, from: number, to: number): SegmentSource {
    const old = this.src;
    const size = Math.max(64, Math.min(1 << 16, (this.text.length - this.pos) >> 2), 2 * (to - from) + 16);
    const bounds = new Int32Array(size);
    const classes = new Uint8Array(size);
    if (old !== null && to > from) {
      bounds.set(old.bounds.subarray(from, to));
      classes.set(old.classes.subarray(from, to));
    }
    const src: SegmentSource = { text: this.text, base: this.base, sep: d.element.charCodeAt(0), componentSep: d.component, bounds, classes, classKey: this.classKey };
    this.src = src;
    this.used = 0;
    return src;
  }

  /** Makes the lazy segment text[start, end); null (with an error queued) when it is no segment at all. */
  private cut(start: number, end: number, d: Delimiters, src: SegmentSource, at: number, k: number): Segment | null {
    const text = this.text;
    const units = this.units;
    const untrimmed = end;
    // Line-based files: the terminator may be LF with a CR before it, and editors leave trailing blanks.
    while (end > start) {
      const c = units[end - 1]!;
      if (c === CR || c === LF || ((c === SPACE || c === TAB) && d.segment.charCodeAt(0) <= SPACE)) end--;
      else break;
    }
    const sep = src.sep;
    // The id: 2 or 3 of [0-9A-Z] followed by the element separator or the end of the segment.
    const c0 = start < end ? units[start]! : -1;
    const c1 = start + 1 < end ? units[start + 1]! : -1;
    const c2 = start + 2 < end ? units[start + 2]! : sep;
    let id: string | undefined;
    let key = -1;
    if (isIdChar(c0) && isIdChar(c1)) {
      if (c2 === sep) key = idKeyOf(c0, c1, 0);
      else if (isIdChar(c2) && (start + 3 >= end || units[start + 3] === sep)) key = idKeyOf(c0, c1, c2);
      if (key >= 0) id = internId(text, start, key, c2 === sep ? 2 : 3);
    }
    if (id === undefined) {
      const at = text.indexOf(d.element, start);
      const first = text.slice(start, at < 0 || at > end ? end : at);
      this.errors.push(
        x12Error('X12_SEGMENT_INVALID', `Found ${JSON.stringify(clip(text.slice(start, end)))} where a segment should start; a segment id is 2 or 3 letters or digits.`, {
          offset: this.base + start,
          segmentId: clip(first, 8),
        }),
      );
      return null;
    }
    // Separators in the trimmed tail are no element starts; one past the end closes the last element.
    const bounds = src.bounds;
    while (k - 1 > at && bounds[k - 1]! > end) k--;
    bounds[k] = end + 1;
    // The last element's class counted what was trimmed: class 0 sends it to the check's full reading.
    if (end < untrimmed) src.classes[k - 1] = 0;
    this.used = k + 1;
    return new Segment(id, key, src, at, k - at);
  }

  private startsIsa(pos: number): boolean {
    const t = this.text;
    return t.charCodeAt(pos) === 73 && t.charCodeAt(pos + 1) === 83 && t.charCodeAt(pos + 2) === 65 && pos + 3 < t.length && !isAlphanumericCode(t.charCodeAt(pos + 3));
  }

  /**
   * Reads an ISA and takes its delimiters. Counts 16 element separators rather than trusting the fixed
   * columns, so an ISA with a padding mistake still yields its delimiters (the envelope check reports the widths).
   */
  private readIsa(): Segment | 'more' | 'broken' {
    const text = this.text;
    const start = this.pos;
    const sep = text[start + 3]!;
    const elements: string[] = ['ISA'];
    let from = start + 4;
    const limit = Math.min(text.length, start + MAX_ISA_LENGTH);
    for (let n = 1; n < 16; n++) {
      const at = text.indexOf(sep, from);
      if (at < 0 || at >= limit) {
        if (at < 0 && !this.final && text.length < start + MAX_ISA_LENGTH) return 'more';
        return this.brokenIsa(start, `the ISA has ${n} elements before its data ends; it needs 16`);
      }
      elements.push(text.slice(from, at));
      from = at + 1;
    }
    // ISA16 is one character (the component separator) and the next one terminates the segment.
    if (from + 1 >= text.length && !this.final) return 'more';
    if (from + 1 >= text.length) return this.brokenIsa(start, 'the ISA ends before its component separator and segment terminator');
    const component = text[from]!;
    const terminator = text[from + 1]!;
    elements.push(component);
    const d: Delimiters = { element: sep, component, repetition: repetitionFromIsa(elements[11]!, elements[12]!), segment: terminator };
    const problem = checkDelimiters(d);
    if (problem !== null) return this.brokenIsa(start, problem);
    this.delimiters = d;
    // The separators as the dictionary check takes them (see validateSet), so that its key matches.
    const componentCode = d.component ? d.component.charCodeAt(0) : -1;
    const repetitionCode = d.repetition ? d.repetition.charCodeAt(0) : -1;
    this.scanTable = scanTable(sep.charCodeAt(0), componentCode, repetitionCode, terminator.charCodeAt(0));
    this.classKey = charClassKey(sep.charCodeAt(0), componentCode, repetitionCode);
    this.src = null;
    this.used = 0;
    this.pos = from + 2;
    return Segment.of('ISA', elements, this.base + start, component);
  }

  private brokenIsa(start: number, why: string): 'broken' {
    this.errors.push(x12Error('X12_ISA_INVALID', `Cannot read the interchange header: ${why}. Skipped to the next ISA.`, { offset: this.base + start, segmentId: 'ISA' }));
    this.delimiters = null;
    this.pos = start + 3;
    this.skipping = 'to-isa';
    return 'broken';
  }

  /** Drops input up to the landmark; true when found (reading resumes there). */
  private skip(): boolean {
    const text = this.text;
    if (this.skipping === 'to-terminator') {
      const at = this.delimiters === null ? -1 : text.indexOf(this.delimiters.segment, this.pos);
      if (at < 0) {
        this.pos = text.length;
        return false;
      }
      this.pos = at + 1;
      this.skipping = 'none';
      return true;
    }
    let at = text.indexOf('ISA', this.pos);
    while (at >= 0 && !(at + 3 < text.length && !isAlphanumericCode(text.charCodeAt(at + 3)))) {
      if (at + 3 >= text.length && !this.final) break;
      at = text.indexOf('ISA', at + 1);
    }
    if (at < 0 || at + 3 >= text.length) {
      // Keep the last two characters: 'IS' may be the start of an ISA split across chunks.
      this.pos = this.final ? text.length : Math.max(this.pos, text.length - 3);
      return false;
    }
    this.pos = at;
    this.skipping = 'none';
    return true;
  }
}

function internId(text: string, start: number, key: number, length: number): string {
  let id = idTable[key];
  if (id === undefined) idTable[key] = id = internalized(text.slice(start, start + length));
  return id;
}

/**
 * The engine's own copy of a string, the one literals like 'HL' in the set mappers are: a switch over
 * segment ids then compares pointers instead of characters. A property key is always internalized.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

function clip(s: string, max = 40): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}
