// Splits EDIFACT into segments. Works on a latin1 view of the bytes (one char per byte, so a char index is a
// byte offset and the ASCII service characters are found alike in every character set), with one table
// lookup per character: most characters are plain data and cost nothing more.
import { SegmentBuffer } from '../segment-buffer.ts';
import { allValid, badCharacters, charsetOf, decodeValue, nameByte, type Charset } from './charsets.ts';
import { edifactError, type EdifactError } from './errors.ts';
import { DEFAULT_SERVICE_CHARS, forVersion, LEVEL_B_SERVICE_CHARS, readUna, repeats, type ServiceChars } from './syntax.ts';

/** What the segments cut from one chunk with one set of service characters share. */
export interface SegmentSource {
  readonly text: string;
  /** Byte offset of text[0] in the whole input. */
  readonly base: number;
  readonly chars: ServiceChars;
  /** The declared character set; null before a UNB declared one (UNA and UNB are ASCII in every set). */
  readonly charset: Charset | null;
  /**
   * Where each element and component of the segments cut from text starts, in order, as the scan found
   * them: an element's start as ~start (negative), a further component's as start; after a segment's last
   * element comes ~(one past its end). A component is then read without walking its characters again.
   */
  readonly parts: Int32Array;
  /** A segment made from given elements (Segment.of) has a source of its own holding them; null for read ones. */
  readonly given: string[][] | null;
}

function sourceOf(text: string, base: number, chars: ServiceChars, charset: Charset | null, parts: Int32Array): SegmentSource {
  return { text, base, chars, charset, parts, given: null };
}

/** A start in SegmentSource.parts, whether it opens an element (stored negated) or a component. */
function startIn(entry: number): number {
  return entry < 0 ? ~entry : entry;
}

const HAS_RELEASE = 1;
const HAS_HIGH = 2;
const NEEDS_CHECK = 4;
/** An unreleased repetition separator: component starts then mix repetitions, so components are found by a walk. */
const HAS_REPETITION = 8;
/** A segment keeps its flags in the low bits of one number and its element count above them. */
const FLAG_BITS = 4;
const FLAG_MASK = (1 << FLAG_BITS) - 1;

/**
 * One segment, read lazily: offsets into the input and strings made only when a mapper asks. Element
 * numbers follow the directories: el(0) is the tag, el(1) the first data element; components are 1-based.
 */
export class Segment {
  readonly tag: string;
  #src: SegmentSource;
  /** Index in src.parts of the segment's first entry (the tag's start). */
  #at: number;
  /**
   * The element count n (tag included) shifted above the flags (HAS_*): a file has hundreds of thousands
   * of segments, and each field more on every one of them is garbage the decode pays for (and a streamed
   * segment is capped at 1 MB, so its count stays far below the 2^27 this leaves room for).
   */
  #shape: number;

  constructor(tag: string, src: SegmentSource, at: number, n: number, flags: number) {
    this.tag = tag;
    this.#src = src;
    this.#at = at;
    this.#shape = (n << FLAG_BITS) | flags;
  }

  /** A segment whose elements are given (placeholders and tests). */
  static of(tag: string, elements: string[][], offset: number): Segment {
    const src: SegmentSource = { ...sourceOf('', 0, DEFAULT_SERVICE_CHARS, null, Int32Array.of(~offset)), given: [[tag], ...elements] };
    return new Segment(tag, src, 0, 0, 0);
  }

  /** Byte offset of the segment's first character in the whole input. */
  get offset(): number {
    const src = this.#src;
    return src.base + ~src.parts[this.#at]!;
  }

  /** Number of data elements (the tag not counted). */
  get count(): number {
    return this.#src.given !== null ? this.#src.given.length - 1 : (this.#shape >> FLAG_BITS) - 1;
  }

  get chars(): ServiceChars {
    return this.#src.chars;
  }

  /** Index in src.parts of element n's first entry (n up to the element count, which gives the closing one). */
  private entryOf(n: number): number {
    const parts = this.#src.parts;
    let i = this.#at;
    for (let k = 0; k < n; k++) while (parts[++i]! >= 0);
    return i;
  }

  /** One past where the element whose first entry is e ends in the text. */
  private endAfter(e: number): number {
    const parts = this.#src.parts;
    let i = e + 1;
    while (parts[i]! >= 0) i++;
    return ~parts[i]! - 1;
  }

  /** Raw bytes of element n (release characters and separators as written); '' when absent. */
  raw(n: number): string {
    if (this.#src.given !== null) return (this.#src.given[n] ?? []).join(':');
    if (n >= (this.#shape >> FLAG_BITS)) return '';
    const e = this.entryOf(n);
    return this.#src.text.slice(~this.#src.parts[e]!, this.endAfter(e));
  }

  /** The segment as written, from its tag to its terminator (excluded). */
  get rawText(): string {
    if (this.#src.given !== null) return this.#src.given.map((e) => e.join(':')).join('+');
    const parts = this.#src.parts;
    return this.#src.text.slice(~parts[this.#at]!, ~parts[this.entryOf(this.#shape >> FLAG_BITS)]! - 1);
  }

  /** Element n as text (its first repetition, components and all); '' when absent. */
  el(n: number): string {
    if (this.#src.given !== null) return (this.#src.given[n] ?? []).join(':');
    if (n >= (this.#shape >> FLAG_BITS)) return '';
    if ((this.#shape & HAS_REPETITION) !== 0) return this.compAt(n, 0, 0);
    const e = this.entryOf(n);
    return this.value(~this.#src.parts[e]!, this.endAfter(e));
  }

  /** Component j (1-based) of element n's first repetition, as text; '' when absent. */
  comp(n: number, j: number): string {
    if (this.#src.given !== null || (this.#shape & HAS_REPETITION) !== 0 || j < 1) return this.compAt(n, 0, j);
    if (n >= (this.#shape >> FLAG_BITS)) return '';
    const src = this.#src;
    const parts = src.parts;
    const e = this.entryOf(n);
    for (let c = 1; c < j; c++) if (parts[e + c]! < 0) return '';
    const a = startIn(parts[e + j - 1]!);
    const b = startIn(parts[e + j]!) - 1;
    if (a >= b) return '';
    return (this.#shape & FLAG_MASK) === 0 ? src.text.slice(a, b) : this.value(a, b);
  }

  /**
   * Component j of repetition r (0-based) of element n (j 0: the whole repetition). Without repetitions the
   * scan's component starts give it at once; with them, one walk over the element.
   */
  compAt(n: number, r: number, j: number): string {
    const given = this.#src.given;
    if (given !== null) return r === 0 ? (j === 0 ? (given[n] ?? []).join(':') : (given[n]?.[j - 1] ?? '')) : '';
    if (n >= (this.#shape >> FLAG_BITS)) return '';
    if ((this.#shape & HAS_REPETITION) === 0) {
      if (r !== 0 || j < 0) return '';
      return j === 0 ? this.el(n) : this.comp(n, j);
    }
    const e = this.entryOf(n);
    const a = ~this.#src.parts[e]!;
    const end = this.endAfter(e);
    if (a >= end) return '';
    const src = this.#src;
    const text = src.text;
    const chars = src.chars;
    const comp = chars.component.charCodeAt(0);
    const rel = chars.release === '' ? -1 : chars.release.charCodeAt(0);
    const rep = chars.repetition.charCodeAt(0);
    let rIndex = 0;
    let k = 1;
    let start = a;
    for (let i = a; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === rel) {
        i++;
        continue;
      }
      if (c === rep) {
        if (rIndex === r) return j === 0 || k === j ? this.value(j === 0 ? repStart(text, a, i, rep, rel, r) : start, i) : '';
        rIndex++;
        k = 1;
        start = i + 1;
      } else if (c === comp && rIndex === r && j !== 0) {
        if (k === j) return this.value(start, i);
        k++;
        start = i + 1;
      }
    }
    if (rIndex !== r) return '';
    if (j === 0) return this.value(repStart(text, a, end, rep, rel, r), end);
    return k === j ? this.value(start, end) : '';
  }

  /**
   * Whether component j (1-based) of element n is exactly `value` (comp(n, j) === value), compared in place
   * when the text is plain: mappers test qualifiers on every segment, and a string cut for each test is
   * most of their garbage.
   */
  is(n: number, j: number, value: string): boolean {
    if (this.#src.given !== null || (this.#shape & (HAS_RELEASE | HAS_REPETITION | HAS_HIGH)) !== 0) return this.compAt(n, 0, j) === value;
    if (n >= (this.#shape >> FLAG_BITS)) return value === '';
    if (j < 1) return value === '';
    const src = this.#src;
    const parts = src.parts;
    const e = this.entryOf(n);
    for (let c = 1; c < j; c++) if (parts[e + c]! < 0) return value === '';
    const a = startIn(parts[e + j - 1]!);
    const len = value.length;
    if (startIn(parts[e + j]!) - 1 - a !== len) return false;
    const text = src.text;
    for (let x = 0; x < len; x++) if (text.charCodeAt(a + x) !== value.charCodeAt(x)) return false;
    return true;
  }

  /** Number of components in element n's first repetition (0 when the element is absent or empty). */
  components(n: number): number {
    if (this.#src.given !== null) return this.#src.given[n]?.length ?? 0;
    if (n >= (this.#shape >> FLAG_BITS)) return 0;
    const parts = this.#src.parts;
    const e = this.entryOf(n);
    if ((this.#shape & HAS_REPETITION) === 0) {
      let i = e + 1;
      while (parts[i]! >= 0) i++;
      // No separator in it: an element that is there but empty counts no component.
      return i > e + 1 ? i - e : ~parts[i]! - 1 > ~parts[e]! ? 1 : 0;
    }
    const a = ~parts[e]!;
    const end = this.endAfter(e);
    if (a >= end) return 0;
    const src = this.#src;
    const text = src.text;
    const comp = src.chars.component.charCodeAt(0);
    const rel = src.chars.release === '' ? -1 : src.chars.release.charCodeAt(0);
    const rep = src.chars.repetition.charCodeAt(0);
    let k = 1;
    for (let i = a; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === rel) i++;
      else if (c === rep) break;
      else if (c === comp) k++;
    }
    return k;
  }

  /** Number of repetitions of element n (1 without a repetition separator; 0 when absent). */
  repetitions(n: number): number {
    if (this.#src.given !== null) return this.#src.given[n] ? 1 : 0;
    if (n >= (this.#shape >> FLAG_BITS)) return 0;
    const e = this.entryOf(n);
    const a = ~this.#src.parts[e]!;
    const end = this.endAfter(e);
    if (a >= end) return 0;
    if ((this.#shape & HAS_REPETITION) === 0) return 1;
    const src = this.#src;
    const text = src.text;
    const rel = src.chars.release === '' ? -1 : src.chars.release.charCodeAt(0);
    const rep = src.chars.repetition.charCodeAt(0);
    let k = 1;
    for (let i = a; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === rel) i++;
      else if (c === rep) k++;
    }
    return k;
  }

  /** Every element as its components (first repetition), tag first: for envelopes, tests and tools. Made on each call. */
  get elements(): string[][] {
    if (this.#src.given !== null) return this.#src.given;
    const out: string[][] = [[this.tag]];
    for (let n = 1; n < (this.#shape >> FLAG_BITS); n++) {
      const k = Math.max(1, this.components(n));
      const el: string[] = [];
      for (let j = 1; j <= k; j++) el.push(this.comp(n, j));
      out.push(el);
    }
    return out;
  }

  toJSON(): { tag: string; elements: string[][]; offset: number } {
    return { tag: this.tag, elements: this.elements, offset: this.offset };
  }

  /** text[a, b) with release characters taken out and the bytes read in the declared set. */
  private value(a: number, b: number): string {
    if (a >= b) return '';
    let s = this.#src.text.slice(a, b);
    if ((this.#shape & HAS_RELEASE) !== 0) s = unrelease(s, this.#src.chars.release);
    if ((this.#shape & HAS_HIGH) !== 0 && this.#src.charset !== null) s = decodeValue(s, this.#src.charset);
    return s;
  }
}

/** Where repetition r starts in the element text[a, to) (found again: only asked for the rare whole repetition). */
function repStart(text: string, a: number, to: number, rep: number, rel: number, r: number): number {
  if (r === 0) return a;
  let k = 0;
  for (let i = a; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === rel) i++;
    else if (c === rep && ++k === r) return i + 1;
  }
  return to;
}

function unrelease(s: string, release: string): string {
  if (release === '' || s.indexOf(release) < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === release && i + 1 < s.length) i++;
    out += s[i];
  }
  return out;
}

/**
 * Segment tags are three of [0-9A-Z]: interned in a flat table indexed by their char codes, so that reading
 * one allocates no string and costs no hashing (callers have checked the three are tag characters).
 */
const TAG_SPAN = 91 - 48;
const tagTable: Array<string | undefined> = new Array(TAG_SPAN * TAG_SPAN * TAG_SPAN).fill(undefined);
function internTag(text: string, start: number): string {
  const key = ((text.charCodeAt(start) - 48) * TAG_SPAN + text.charCodeAt(start + 1) - 48) * TAG_SPAN + text.charCodeAt(start + 2) - 48;
  let tag = tagTable[key];
  if (tag === undefined) tagTable[key] = tag = Object.keys({ [text.slice(start, start + 3)]: 0 })[0]!;
  return tag;
}

function isTagChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

/** Longest segment waited for in a stream before giving up on it: keeps memory bounded on a file without terminators. */
export const MAX_SEGMENT_LENGTH = 1 << 20;

const CR = 13;
const LF = 10;

// Character classes of the scan: 0 plain data, then the few that need a look.
const C_ELEMENT = 1;
const C_RELEASE = 2;
const C_TERMINATOR = 3;
const C_HIGH = 4;
const C_CHECK = 5;
const C_LINEBREAK = 6;
const C_HIGH_CHECK = 7;
const C_COMPONENT = 8;
const C_REPETITION = 9;

/**
 * Pull tokenizer over a latin1 text that may grow (streaming) or be complete (in memory). next() returns a
 * segment, or null when it needs more input (or the input is finished). Problems go to `errors` for the
 * envelope reader to place. The UNB's syntax identifier switches the character set for what follows, and
 * a UNZ ends the interchange's service characters (the next one declares its own or takes the defaults).
 */
export class EdifactTokenizer extends SegmentBuffer<SegmentSource> {
  /** The service characters in force; null between interchanges. */
  chars: ServiceChars | null = null;
  /** The character set declared by the current UNB. */
  charset: Charset | null = null;
  /** The current UNB's syntax version (0 before one is read). */
  version = 0;
  /** The current interchange began with a UNA. */
  una = false;
  /** Some UNA was read (a UNA with nothing after it is still worth an error). */
  sawUna = false;
  /** Problems with the UNA or the syntax identifier, for the reader to put on the interchange. */
  readonly errors: EdifactError[] = [];
  private classes: Uint8Array | null = null;
  private skipping = false;

  next(): Segment | null {
    for (;;) {
      const text = this.text;
      const len = text.length;
      let pos = this.pos;
      // Between segments: line breaks, padding, NULs of padded records, a UTF-8 byte order mark. Reading
      // past the end (once per chunk) would cost the optimised loop its fast character reads.
      while (pos < len) {
        const c = text.charCodeAt(pos);
        if (c === CR || c === LF || c === 32 || c === 9 || c === 0) pos++;
        else if (c === 0xef && text.charCodeAt(pos + 1) === 0xbb && text.charCodeAt(pos + 2) === 0xbf) pos += 3;
        else break;
      }
      this.pos = Math.min(pos, len);
      if (pos >= len) return null;
      if (!this.final && len - pos < 9) return null; // a UNA (9 characters) or a tag may be cut by the chunk's end

      if (this.skipping) {
        const term = this.chars?.segment ?? "'";
        const at = text.indexOf(term, pos);
        if (at < 0) {
          this.pos = len;
          return null;
        }
        this.pos = at + 1;
        this.skipping = false;
        continue;
      }

      if (text.charCodeAt(pos) === 85 && text.charCodeAt(pos + 1) === 78 && text.charCodeAt(pos + 2) === 65 && pos + 3 < len && !isTagChar(text.charCodeAt(pos + 3))) {
        this.readUna(pos);
        continue;
      }
      if (this.chars === null) this.startInterchange(pos, null);
      const seg = this.scan(pos);
      if (seg === 'more') return null;
      if (seg === null) continue;
      return seg;
    }
  }

  private readUna(pos: number): void {
    const una = this.text.slice(pos, pos + 9);
    if (una.length < 9) {
      this.errors.push(edifactError('EDIFACT_UNA_INVALID', `The UNA service string advice is cut short (${una.length} characters of 9); the defaults apply.`, { offset: this.base + pos, segmentTag: 'UNA' }));
      this.startInterchange(pos, null);
      this.pos = this.text.length;
      return;
    }
    const { chars, problem, short } = readUna(una);
    if (problem !== null) {
      this.errors.push(edifactError('EDIFACT_UNA_INVALID', `The UNA service string advice cannot be used: ${problem}.`, { offset: this.base + pos, segmentTag: 'UNA' }));
    }
    this.startInterchange(pos, problem === null || short ? chars : null);
    this.una = true;
    this.sawUna = true;
    this.pos = pos + (short ? 8 : 9);
  }

  /** New service characters (the UNA's, or the defaults chosen by the character after the first tag). */
  private startInterchange(pos: number, chars: ServiceChars | null): void {
    this.chars = chars ?? (this.text.charCodeAt(pos + 3) === 0x1d ? LEVEL_B_SERVICE_CHARS : DEFAULT_SERVICE_CHARS);
    this.una = false;
    this.charset = null;
    this.version = 0;
    this.src = null;
    this.classes = null;
  }

  /** The class of each byte under the current service characters and character set. */
  private classTable(): Uint8Array {
    if (this.classes !== null) return this.classes;
    const t = new Uint8Array(256);
    const cs = this.charset;
    for (let c = 0; c < 256; c++) {
      if (c >= 0x80) t[c] = cs === null || cs.kind === 'latin1' ? (cs === null || cs.valid[c] === 1 ? C_HIGH : C_HIGH_CHECK) : cs.kind === 'utf8' ? C_HIGH_CHECK : cs.valid[c] === 1 ? C_HIGH : C_HIGH_CHECK;
      else if (c === CR || c === LF) t[c] = C_LINEBREAK;
      else if (cs === null ? c < 0x20 || c === 0x7f : cs.valid[c] !== 1) t[c] = C_CHECK;
    }
    const chars = this.chars!;
    t[chars.element.charCodeAt(0)] = C_ELEMENT;
    if (chars.release !== '') t[chars.release.charCodeAt(0)] = C_RELEASE;
    t[chars.segment.charCodeAt(0)] = C_TERMINATOR;
    t[chars.component.charCodeAt(0)] = C_COMPONENT;
    if (repeats(chars)) t[chars.repetition.charCodeAt(0)] = C_REPETITION;
    this.classes = t;
    return t;
  }

  /**
   * A new source for the text, sized to the text left; the entries of a segment being scanned (from `at`
   * to `k`) move to the front of the new table.
   */
  private newSource(at: number, k: number): SegmentSource {
    const old = this.src;
    const left = this.text.length - this.pos;
    // Dense files (short codes and numbers) hold an element or component start every three or four bytes:
    // a table sized for that rarely fills before the text ends (a full one is replaced).
    const parts = new Int32Array(Math.max(64, Math.min(1 << 16, (left >> 2) + (left >> 3)), 2 * (k - at) + 16));
    if (old !== null && k > at) parts.set(old.parts.subarray(at, k));
    const src = sourceOf(this.text, this.base, this.chars!, this.charset, parts);
    this.src = src;
    this.used = 0;
    return src;
  }

  /** Scans one segment from pos; 'more' when its end is not in the text yet, null when it was no segment. */
  private scan(pos: number): Segment | null | 'more' {
    const text = this.text;
    const len = text.length;
    const classes = this.classTable();
    let src = this.src;
    if (src === null || this.used + 2 > src.parts.length) src = this.newSource(0, 0);
    let parts = src.parts;
    let at = this.used;
    let k = at;
    parts[k++] = ~pos;
    // One pass, one table lookup per character: segments are short, and a native search per element
    // and per kind of character costs more in calls than it saves in characters. Element and component
    // starts are noted on the way, so reading a component later costs no second walk.
    let flags = 0;
    let end = pos;
    let next = -1;
    let missingTerminator = false;
    // Problems found on the way are kept until the segment is cut: a scan that needs more input starts again.
    let found: EdifactError[] | null = null;
    for (; end < len; end++) {
      const cls = classes[text.charCodeAt(end) & 0xff]!;
      if (cls === 0) continue;
      if (cls === C_COMPONENT || cls === C_ELEMENT) {
        if (k + 2 > parts.length) {
          src = this.newSource(at, k);
          parts = src.parts;
          k -= at;
          at = 0;
        }
        parts[k++] = cls === C_ELEMENT ? ~(end + 1) : end + 1;
      } else if (cls === C_TERMINATOR) {
        next = end + 1;
        break;
      } else if (cls === C_RELEASE) {
        flags |= HAS_RELEASE;
        if (end + 1 >= len) {
          if (!this.final) return 'more';
          (found ??= []).push(edifactError('EDIFACT_RELEASE_TRAILING', 'The input ends in a release character with nothing after it to release.', { offset: this.base + end, ...this.placeIn(pos, end) }));
          break;
        }
        const released = text.charCodeAt(end + 1);
        if (!this.isServiceChar(released)) {
          (found ??= []).push(edifactError('EDIFACT_RELEASE_UNNEEDED', `A release character stands before ${JSON.stringify(text[end + 1])}, which is no service character; it was taken as is.`, { offset: this.base + end, ...this.placeIn(pos, end) }, 'warning'));
        }
        if (released > 0x7f) flags |= HAS_HIGH;
        end++;
      } else if (cls === C_REPETITION) flags |= HAS_REPETITION;
      else if (cls === C_HIGH) flags |= HAS_HIGH;
      else if (cls === C_HIGH_CHECK) flags |= HAS_HIGH | NEEDS_CHECK;
      else if (cls === C_LINEBREAK) {
        // A line break inside a segment is no data; followed by what looks like a segment, the terminator is missing.
        const tagAt = this.tagAfterLineBreak(end);
        if (tagAt === -2) return 'more';
        if (tagAt >= 0) {
          missingTerminator = true;
          next = tagAt;
          break;
        }
        flags |= NEEDS_CHECK;
      } else flags |= NEEDS_CHECK;
    }
    if (next < 0) {
      if (!this.final) {
        if (len - pos > MAX_SEGMENT_LENGTH) {
          this.errors.push(edifactError('EDIFACT_SEGMENT_TOO_LONG', `No segment terminator ${JSON.stringify(this.chars!.segment)} within ${MAX_SEGMENT_LENGTH} bytes; skipped to the next one.`, { offset: this.base + pos }));
          this.skipping = true;
          this.pos = pos + 1;
          return null;
        }
        return 'more';
      }
      // The last segment of a file may lack its terminator; take the rest.
      end = len;
      next = len;
    }
    this.pos = next;
    if (found !== null) for (const e of found) this.errors.push(e);
    // Trailing line breaks and blanks before a line-break split are not part of the segment.
    let stop = end;
    while (stop > pos && (text.charCodeAt(stop - 1) === CR || text.charCodeAt(stop - 1) === LF || (missingTerminator && text.charCodeAt(stop - 1) === 32))) stop--;
    return this.cut(pos, stop, src, at, k, flags, missingTerminator);
  }

  private isServiceChar(c: number): boolean {
    const s = this.chars!;
    return c === s.component.charCodeAt(0) || c === s.element.charCodeAt(0) || c === s.segment.charCodeAt(0) || c === s.release.charCodeAt(0) || (repeats(s) && c === s.repetition.charCodeAt(0));
  }

  /** Where the next tag starts after the line break at i (-1: none there, -2: cannot tell yet). */
  private tagAfterLineBreak(i: number): number {
    const text = this.text;
    let j = i;
    while (j < text.length && (text.charCodeAt(j) === CR || text.charCodeAt(j) === LF)) j++;
    if (j + 4 > text.length) return this.final ? -1 : -2;
    if (!isTagChar(text.charCodeAt(j)) || !isTagChar(text.charCodeAt(j + 1)) || !isTagChar(text.charCodeAt(j + 2))) return -1;
    const after = text.charCodeAt(j + 3);
    const s = this.chars!;
    return after === s.element.charCodeAt(0) || after === s.segment.charCodeAt(0) ? j : -1;
  }

  /** Element and component (1-based) of the character at i in the segment starting at start. */
  private placeIn(start: number, i: number): { segmentTag: string; element?: number; component?: number } {
    const text = this.text;
    const s = this.chars!;
    const tag = text.slice(start, Math.min(start + 3, i));
    let element = 0;
    let component = 1;
    for (let p = start; p < i; p++) {
      const c = text[p];
      if (c === s.release) p++;
      else if (c === s.element) {
        element++;
        component = 1;
      } else if (c === s.component || (repeats(s) && c === s.repetition)) component++;
    }
    return element === 0 ? { segmentTag: tag } : { segmentTag: tag, element, component };
  }

  /** Makes the segment text[start, end); null (with an error queued) when it is no segment at all. */
  private cut(start: number, end: number, src: SegmentSource, at: number, k: number, flags: number, missingTerminator: boolean): Segment | null {
    const text = this.text;
    const s = this.chars!;
    const c3 = start + 3 < end ? text.charCodeAt(start + 3) : s.element.charCodeAt(0);
    if (end - start < 3 || !isTagChar(text.charCodeAt(start)) || !isTagChar(text.charCodeAt(start + 1)) || !isTagChar(text.charCodeAt(start + 2)) || (c3 !== s.element.charCodeAt(0) && c3 !== s.component.charCodeAt(0))) {
      const shown = text.slice(start, Math.min(end, start + 40));
      this.errors.push(edifactError('EDIFACT_SEGMENT_INVALID', `Found ${JSON.stringify(shown)}${end - start > 40 ? '…' : ''} where a segment should start; a segment tag is three upper-case letters or digits.`, { offset: this.base + start, segmentTag: text.slice(start, Math.min(end, start + 3)) }));
      return null;
    }
    const tag = internTag(text, start);
    // Separators in the trimmed tail start nothing; one past the end closes the last element.
    const parts = src.parts;
    while (k - 1 > at && startIn(parts[k - 1]!) > end) k--;
    let n = 0;
    for (let i = at; i < k; i++) if (parts[i]! < 0) n++;
    parts[k] = ~(end + 1);
    this.used = k + 1;
    const seg = new Segment(tag, src, at, n, flags);
    if (missingTerminator) {
      this.errors.push(edifactError('EDIFACT_TERMINATOR_MISSING', `Segment ${tag} has no segment terminator ${JSON.stringify(s.segment)}: a line break and the next segment follow it. Each segment must end in the terminator (line breaks after it are allowed, not instead of it).`, { offset: this.base + start, segmentTag: tag }));
    }
    if ((flags & NEEDS_CHECK) !== 0) this.checkCharacters(start, end, tag);
    if (tag === 'UNB') this.declare(seg);
    // A UNA and the defaults hold for one interchange: after its UNZ the next one declares its own.
    else if (tag === 'UNZ') {
      this.chars = null;
      this.charset = null;
      this.version = 0;
      this.una = false;
      this.src = null;
      this.classes = null;
    }
    return seg;
  }

  /** A UNB names the character set and syntax version of everything after it. */
  private declare(unb: Segment): void {
    const id = unb.comp(1, 1);
    const version = Number(unb.comp(1, 2));
    this.version = Number.isInteger(version) && version >= 1 && version <= 9 ? version : 0;
    // Before syntax version 4 the UNA's eighth character is reserved: no repetition separator.
    this.chars = forVersion(this.chars!, this.version || 4);
    const cs = charsetOf(id);
    this.charset = 'refused' in cs ? null : cs;
    this.src = null;
    this.classes = null;
  }

  private checkCharacters(start: number, end: number, tag: string): void {
    const cs = this.charset;
    const text = this.text;
    if (cs !== null && allValid(text, start, end, cs)) return;
    const bad = cs === null ? controlCharacters(text, start, end) : badCharacters(text, start, end, cs);
    const s = this.chars!;
    let warned = false;
    let seqEnd = -1;
    for (const b of bad) {
      const c = text.charCodeAt(b.at);
      // Released service characters and the service characters themselves are no data to check.
      if (c === s.element.charCodeAt(0) || c === s.component.charCodeAt(0) || c === s.release.charCodeAt(0) || c === s.segment.charCodeAt(0) || c === s.repetition.charCodeAt(0)) continue;
      const where = { offset: this.base + b.at, ...this.placeIn(start, b.at) };
      const what = c >= 0x20 && c < 0x7f ? JSON.stringify(text[b.at]) : nameByte(c);
      if (b.severity === 'warning') {
        // One warning per segment is enough to say the repertoire is not kept.
        if (warned) continue;
        warned = true;
        this.errors.push(edifactError('EDIFACT_CHARACTER_INVALID', `Segment ${tag} holds ${what}, which ${cs!.id} does not include; it was read as is.`, where, 'warning'));
        continue;
      }
      const seq = cs !== null && cs.kind !== 'utf8' ? utf8SequenceAround(text, b.at, end) : null;
      if (seq !== null) {
        // One error per UTF-8 sequence, not one per byte of it.
        if (b.at < seqEnd) continue;
        seqEnd = seq[0] + seq[1];
        const shown = Buffer.from(text.slice(seq[0], seq[0] + seq[1]), 'latin1').toString('utf8');
        this.errors.push(edifactError('EDIFACT_CHARACTER_INVALID', `Segment ${tag} holds the bytes ${[...text.slice(seq[0], seq[0] + seq[1])].map((ch) => nameByte(ch.charCodeAt(0)).slice(5)).join(' ')}, which are no text in ${cs!.name} but UTF-8 for ${JSON.stringify(shown)}: the sender seems to write UTF-8 while declaring ${cs!.id}; it should declare UNOY (or UNOW).`, { ...where, offset: this.base + seq[0], ...this.placeIn(start, seq[0]) }));
        continue;
      }
      this.errors.push(edifactError('EDIFACT_CHARACTER_INVALID', `Segment ${tag} holds ${what}, which is no character of ${cs?.name ?? 'the interchange'}.`, where));
    }
  }
}

function controlCharacters(text: string, start: number, end: number): Array<{ at: number; length: number; severity: 'error' }> {
  const out: Array<{ at: number; length: number; severity: 'error' }> = [];
  for (let i = start; i < end && out.length < 8; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out.push({ at: i, length: 1, severity: 'error' });
  }
  return out;
}

/** [start, length] of a well-formed multi-byte UTF-8 sequence covering the byte at i, or null. */
function utf8SequenceAround(text: string, i: number, end: number): [number, number] | null {
  for (let s = Math.max(0, i - 3); s <= i; s++) {
    const b = text.charCodeAt(s);
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || s + n <= i || s + n > end) continue;
    let ok = true;
    for (let k = 1; k < n; k++) if ((text.charCodeAt(s + k) & 0xc0) !== 0x80) ok = false;
    if (ok) return [s, n];
  }
  return null;
}

