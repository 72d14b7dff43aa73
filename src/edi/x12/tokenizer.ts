// Splits X12 text into segments. Works on latin1 strings (one char per byte, so a char index is a byte
// offset) with indexOf/charCodeAt scanning: no regex per segment, no split of the whole input.
import { checkDelimiters, isAlphanumericCode, repetitionFromIsa, type Delimiters } from './delimiters.ts';
import { x12Error, type X12Error } from './errors.ts';

/** One segment. elements[0] is the segment id, so elements[1] is element 01 as the guides number it. */
export interface Segment {
  readonly id: string;
  readonly elements: string[];
  /** Byte offset of the segment's first character in the whole input. */
  readonly offset: number;
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
export class X12Tokenizer {
  delimiters: Delimiters | null = null;
  readonly errors: X12Error[] = [];
  private text = '';
  private pos = 0;
  private base = 0;
  private final = false;
  /** After a broken ISA or a runaway segment: drop input up to this kind of landmark. */
  private skipping: 'none' | 'to-isa' | 'to-terminator' = 'none';

  /** Adds input. `final` says no more will come, so an unterminated last segment is taken as is. */
  feed(chunk: string, final: boolean): void {
    if (this.pos >= this.text.length) {
      this.base += this.text.length;
      this.text = chunk;
    } else {
      this.base += this.pos;
      // Concatenation makes a rope (ConsString) that V8 walks slowly in charCodeAt; copying through a
      // Buffer gives one flat one-byte string. It costs one copy per chunk, not per segment.
      this.text = Buffer.from(this.text.slice(this.pos) + chunk, 'latin1').toString('latin1');
    }
    this.pos = 0;
    this.final = final;
  }

  /** Characters held but not yet returned as segments. */
  get pending(): number {
    return this.text.length - this.pos;
  }

  /** Byte offset of the next character to be read. */
  get offset(): number {
    return this.base + this.pos;
  }

  next(): Segment | null {
    const text = this.text;
    for (;;) {
      let pos = this.pos;
      const len = text.length;
      while (pos < len && isSkippable(text.charCodeAt(pos))) pos++;
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

      let end = text.indexOf(d.segment, pos);
      let next = end + 1;
      if (end < 0) {
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
      const seg = this.cut(pos, end, d);
      if (seg !== null) return seg;
    }
  }

  /** Splits text[start, end) into elements; null (with an error queued) when it is no segment at all. */
  private cut(start: number, end: number, d: Delimiters): Segment | null {
    const text = this.text;
    // Line-based files: the terminator may be LF with a CR before it, and editors leave trailing blanks.
    while (end > start) {
      const c = text.charCodeAt(end - 1);
      if (c === CR || c === LF || ((c === SPACE || c === TAB) && d.segment.charCodeAt(0) <= SPACE)) end--;
      else break;
    }
    // Elements are a few characters long: comparing char codes beats an indexOf call per element.
    const sep = d.element.charCodeAt(0);
    const elements: string[] = [];
    let from = start;
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) === sep) {
        elements.push(text.slice(from, i));
        from = i + 1;
      }
    }
    elements.push(text.slice(from, end));
    const id = elements[0]!;
    if (!isSegmentId(id)) {
      this.errors.push(
        x12Error('X12_SEGMENT_INVALID', `Found ${JSON.stringify(clip(text.slice(start, end)))} where a segment should start; a segment id is 2 or 3 letters or digits.`, {
          offset: this.base + start,
          segmentId: clip(id, 8),
        }),
      );
      return null;
    }
    return { id, elements, offset: this.base + start };
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
    this.pos = from + 2;
    return { id: 'ISA', elements, offset: this.base + start };
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

function isSegmentId(id: string): boolean {
  const n = id.length;
  if (n < 2 || n > 3) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

function clip(s: string, max = 40): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}
