// Reads X12 envelopes (ISA/IEA, GS/GE, ST/SE) and hands out one transaction set at a time.
// The same state machine serves a Buffer in memory and a stream, so both check envelopes alike.
import type { Delimiters } from './delimiters.ts';
import {
  FUNCTIONAL_ID_BY_SET,
  readCount,
  readGroupHeader,
  readInterchangeHeader,
  sameControlNumber,
  type GroupHeader,
  type InterchangeHeader,
} from './envelope.ts';
import { x12Error, type X12Error, type X12Position } from './errors.ts';
import { readTa1, type Ta1 } from './ta1.ts';
import { Segment, X12Tokenizer } from './tokenizer.ts';

export interface TransactionSet {
  /** ST01, e.g. '940'. */
  id: string;
  /** ST02. */
  controlNumber: string;
  /** ST03 (005010): the implementation convention reference, e.g. '005010X231'. */
  implementationRef: string | null;
  interchange: InterchangeHeader;
  group: GroupHeader;
  /** ST through SE; segments[i] is at position i + 1. */
  segments: Segment[];
  /** Envelope problems of this set (counts, control numbers, stray segments). Any 'error' rejects the set. */
  errors: X12Error[];
  offset: number;
}

/** Sets read from an input that had bytes above ASCII by their end: their values may be UTF-8 (see decodeItem). */
const aboveAscii = new WeakSet<TransactionSet>();

/** Whether the set's values may hold UTF-8: bytes above ASCII had come by the set's end. */
export function mayHoldUtf8(set: TransactionSet): boolean {
  return aboveAscii.has(set);
}

export type X12Item =
  | { kind: 'interchange-start'; interchange: InterchangeHeader; errors: X12Error[] }
  | { kind: 'group-start'; interchange: InterchangeHeader; group: GroupHeader; errors: X12Error[] }
  | { kind: 'set'; set: TransactionSet }
  /** GE seen (or missing): `errors` are the trailer's; `setCount` counts the ST segments read, `declared` is GE01 (null when missing or not a number). */
  | { kind: 'group-end'; interchange: InterchangeHeader; group: GroupHeader; setCount: number; declared: number | null; errors: X12Error[] }
  | { kind: 'interchange-end'; interchange: InterchangeHeader; groupCount: number; errors: X12Error[] }
  | { kind: 'ta1'; interchange: InterchangeHeader; ta1: Ta1 }
  /** Something that belongs to no envelope: text before the first ISA, a broken ISA. */
  | { kind: 'error'; error: X12Error };

interface OpenGroup {
  header: GroupHeader;
  setCount: number;
}

/** Consumes segments in order and produces X12Items; call end() when the input is over. */
export class EnvelopeReader {
  private interchange: InterchangeHeader | null = null;
  private groupCount = 0;
  private interchangeErrors: X12Error[] = [];
  private group: OpenGroup | null = null;
  private set: TransactionSet | null = null;
  /** Whether any segment or error came at all: an input of nothing (or only blanks) is itself an error. */
  private seenAny = false;
  private readonly out: X12Item[] = [];
  /** Set by whoever feeds the tokenizer: its nonAscii, noted for each set as it ends (mayHoldUtf8). */
  nonAscii = false;

  /** Items produced so far; the caller drains the array. */
  get items(): X12Item[] {
    return this.out;
  }

  /** A tokenizer problem, placed in the innermost open envelope. */
  addError(error: X12Error): void {
    this.seenAny = true;
    if (this.set !== null) {
      // The broken segment still occupies a position that SE01 counts.
      this.set.segments.push(Segment.of('', [''], error.position.offset ?? -1));
      this.set.errors.push({ ...error, position: { ...this.where(), segmentPosition: this.set.segments.length, ...error.position } });
    } else if (this.interchange !== null) {
      this.interchangeErrors.push({ ...error, position: { ...this.where(), ...error.position } });
    } else {
      this.out.push({ kind: 'error', error });
    }
  }

  push(seg: Segment, delimiters: Delimiters): void {
    this.seenAny = true;
    const id = seg.id;
    if (this.set !== null) {
      if (id === 'SE') return this.closeSet(seg);
      if (id !== 'ST' && id !== 'GE' && id !== 'IEA' && id !== 'ISA' && id !== 'GS') {
        this.set.segments.push(seg);
        return;
      }
      this.abandonSet(seg);
    }
    switch (id) {
      case 'ISA':
        return this.openInterchange(seg, delimiters);
      case 'GS':
        return this.openGroup(seg);
      case 'ST':
        return this.openSet(seg);
      case 'GE':
        return this.closeGroup(seg);
      case 'IEA':
        return this.closeInterchange(seg);
      case 'TA1':
        return this.readTa1(seg);
      default:
        this.addError(x12Error('X12_UNEXPECTED_SEGMENT', `Segment ${id} appears outside a transaction set, where only envelope segments may be; it was ignored.`, { segmentId: id, offset: seg.offset }));
    }
  }

  end(finalOffset: number): void {
    if (!this.seenAny) {
      const what = finalOffset === 0 ? 'is empty' : 'holds only blanks';
      this.out.push({ kind: 'error', error: x12Error('X12_NO_ISA', `The input ${what}: an X12 interchange starts with ISA.`, { offset: 0 }) });
      return;
    }
    if (this.set !== null) this.abandonSet(null, finalOffset);
    if (this.group !== null) this.closeGroup(null, finalOffset);
    if (this.interchange !== null) this.closeInterchange(null, finalOffset);
  }

  private where(): X12Position {
    const p: X12Position = {};
    if (this.interchange !== null) p.interchange = this.interchange.controlNumber;
    if (this.group !== null) p.group = this.group.header.controlNumber;
    if (this.set !== null) {
      p.set = this.set.controlNumber;
      p.setId = this.set.id;
    }
    return p;
  }

  /** Where in the open set an envelope error sits. */
  private at(segmentPosition: number, segmentId: string, offset: number, element: number): X12Position {
    return { ...this.where(), segmentPosition, segmentId, offset, element };
  }

  private openInterchange(seg: Segment, delimiters: Delimiters): void {
    if (this.group !== null) this.closeGroup(null, seg.offset);
    if (this.interchange !== null) this.closeInterchange(null, seg.offset);
    const { header, errors } = readInterchangeHeader(seg, delimiters);
    this.interchange = header;
    this.groupCount = 0;
    this.interchangeErrors = [];
    this.out.push({ kind: 'interchange-start', interchange: header, errors });
  }

  private openGroup(seg: Segment): void {
    if (this.interchange === null) {
      this.addError(x12Error('X12_UNEXPECTED_SEGMENT', 'A GS group header appears outside any interchange (no ISA before it); the group was ignored.', { segmentId: 'GS', offset: seg.offset }));
      return;
    }
    if (this.group !== null) this.closeGroup(null, seg.offset);
    const { header, errors } = readGroupHeader(seg, this.interchange);
    this.group = { header, setCount: 0 };
    this.groupCount++;
    this.out.push({ kind: 'group-start', interchange: this.interchange, group: header, errors });
  }

  private openSet(seg: Segment): void {
    if (this.interchange === null || this.group === null) {
      this.addError(x12Error('X12_UNEXPECTED_SEGMENT', `An ST set header appears outside a functional group (no GS before it); set ${seg.el(1)} #${seg.el(2)} was ignored.`, { segmentId: 'ST', offset: seg.offset }));
      return;
    }
    const g = this.group;
    g.setCount++;
    const set: TransactionSet = {
      id: seg.el(1),
      controlNumber: seg.el(2),
      implementationRef: seg.el(3) || null,
      interchange: this.interchange,
      group: g.header,
      segments: [seg],
      errors: [],
      offset: seg.offset,
    };
    this.set = set;
    // Positions are built only for errors: a closure per set costs more than the check (tsx keeps function names).
    if (!isThreeDigits(set.id)) set.errors.push(x12Error('X12_ST_INVALID', `ST01, the transaction set identifier, is ${JSON.stringify(set.id)}; it must be three digits such as 940.`, this.at(1, 'ST', seg.offset, 1)));
    if (set.controlNumber.length < 4 || set.controlNumber.length > 9) {
      set.errors.push(x12Error('X12_ST_INVALID', `ST02, the set control number, is ${JSON.stringify(set.controlNumber)}; it must be 4 to 9 characters.`, this.at(1, 'ST', seg.offset, 2)));
    }
    const expected = FUNCTIONAL_ID_BY_SET[set.id];
    if (expected !== undefined && g.header.functionalId !== expected) {
      set.errors.push(x12Error('X12_SET_MISMATCH', `A ${set.id} set belongs in a group with GS01 ${expected}, but this group is ${JSON.stringify(g.header.functionalId)}.`, this.at(1, 'ST', seg.offset, 1), 'warning'));
    }
  }

  private closeSet(seg: Segment): void {
    const set = this.set!;
    set.segments.push(seg);
    const count = set.segments.length;
    const declared = readCount(seg.el(1));
    if (declared === null) {
      set.errors.push(x12Error('X12_SE_COUNT', `SE01, the number of included segments, is ${JSON.stringify(seg.el(1))}; it must be a number (here ${count}).`, this.at(count, 'SE', seg.offset, 1)));
    } else if (declared !== count) {
      set.errors.push(x12Error('X12_SE_COUNT', `SE01 says the set has ${declared} segments, but it has ${count} counting ST and SE.`, this.at(count, 'SE', seg.offset, 1)));
    }
    // A missing SE02 never matches, not even an empty ST02: hence undefined rather than ''.
    if (!sameControlNumber(seg.count >= 2 ? seg.el(2) : undefined, set.controlNumber)) {
      set.errors.push(x12Error('X12_SE_CONTROL', `SE02 is ${JSON.stringify(seg.el(2))} but the set started with ST02 ${JSON.stringify(set.controlNumber)}; they must match.`, this.at(count, 'SE', seg.offset, 2)));
    }
    if (this.nonAscii) aboveAscii.add(set);
    this.set = null;
    this.out.push({ kind: 'set', set });
  }

  /** A set cut short by the next envelope segment or the end of input: rejected as a whole. */
  private abandonSet(next: Segment | null, finalOffset = 0): void {
    const set = this.set!;
    const found = next === null ? 'the input ends' : `${next.id} comes`;
    set.errors.push(
      x12Error('X12_SE_MISSING', `Set ${set.id} #${set.controlNumber} has no SE trailer: ${found} after its segment ${set.segments.length}.`, {
        ...this.where(),
        segmentPosition: set.segments.length,
        offset: next?.offset ?? finalOffset,
        segmentId: next?.id ?? 'SE',
      }),
    );
    this.set = null;
    this.out.push({ kind: 'set', set });
  }

  private closeGroup(seg: Segment | null, finalOffset = 0): void {
    if (this.group === null || this.interchange === null) {
      this.addError(x12Error('X12_UNEXPECTED_SEGMENT', 'A GE group trailer appears without an open group (no GS before it); it was ignored.', { segmentId: 'GE', offset: seg?.offset ?? finalOffset }));
      return;
    }
    const g = this.group;
    const errors: X12Error[] = [];
    const at = (element?: number): X12Position => ({ interchange: this.interchange!.controlNumber, group: g.header.controlNumber, segmentId: 'GE', offset: seg?.offset ?? finalOffset, ...(element ? { element } : {}) });
    const declared = seg === null ? null : readCount(seg.elements[1]);
    if (seg === null) {
      errors.push(x12Error('X12_GE_MISSING', `Group #${g.header.controlNumber} has no GE trailer: the ${this.interchange.controlNumber ? 'interchange' : 'input'} goes on without closing it.`, at()));
    } else {
      if (declared !== g.setCount) {
        errors.push(x12Error('X12_GE_COUNT', `GE01 says the group has ${seg.elements[1] ?? 'no'} transaction sets, but it has ${g.setCount}.`, at(1)));
      }
      if (!sameControlNumber(seg.elements[2], g.header.controlNumber)) {
        errors.push(x12Error('X12_GE_CONTROL', `GE02 is ${JSON.stringify(seg.elements[2] ?? '')} but the group started with GS06 ${JSON.stringify(g.header.controlNumber)}; they must match.`, at(2)));
      }
    }
    this.group = null;
    this.out.push({ kind: 'group-end', interchange: this.interchange, group: g.header, setCount: g.setCount, declared, errors });
  }

  private closeInterchange(seg: Segment | null, finalOffset = 0): void {
    if (this.interchange === null) {
      this.addError(x12Error('X12_UNEXPECTED_SEGMENT', 'An IEA interchange trailer appears without an ISA before it; it was ignored.', { segmentId: 'IEA', offset: seg?.offset ?? finalOffset }));
      return;
    }
    if (this.group !== null) this.closeGroup(null, seg?.offset ?? finalOffset);
    const ic = this.interchange;
    const errors = this.interchangeErrors;
    const at = (element?: number): X12Position => ({ interchange: ic.controlNumber, segmentId: 'IEA', offset: seg?.offset ?? finalOffset, ...(element ? { element } : {}) });
    if (seg === null) {
      errors.push(x12Error('X12_IEA_MISSING', `Interchange #${ic.controlNumber} has no IEA trailer: ${finalOffset ? 'another ISA or the end of input' : 'the input ends'} comes first.`, at()));
    } else {
      const declared = readCount(seg.elements[1]);
      if (declared !== this.groupCount) errors.push(x12Error('X12_IEA_COUNT', `IEA01 says the interchange has ${seg.elements[1] ?? 'no'} functional groups, but it has ${this.groupCount}.`, at(1)));
      if (!sameControlNumber(seg.elements[2], ic.controlNumber)) {
        errors.push(x12Error('X12_IEA_CONTROL', `IEA02 is ${JSON.stringify(seg.elements[2] ?? '')} but the interchange started with ISA13 ${JSON.stringify(ic.controlNumber)}; they must match.`, at(2)));
      }
    }
    this.interchange = null;
    this.interchangeErrors = [];
    this.out.push({ kind: 'interchange-end', interchange: ic, groupCount: this.groupCount, errors });
  }

  private readTa1(seg: Segment): void {
    if (this.interchange === null || this.group !== null) {
      this.addError(x12Error('X12_UNEXPECTED_SEGMENT', 'A TA1 interchange acknowledgment must sit in an interchange, outside any group; it was ignored.', { segmentId: 'TA1', offset: seg.offset }));
      return;
    }
    const { ta1, errors } = readTa1(seg, { interchange: this.interchange.controlNumber });
    for (const e of errors) this.interchangeErrors.push(e);
    if (ta1 !== null) this.out.push({ kind: 'ta1', interchange: this.interchange, ta1 });
  }
}

function isThreeDigits(id: string): boolean {
  if (id.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function asLatin1(input: Buffer | Uint8Array | string): string {
  if (typeof input === 'string') return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
}

/**
 * Reads X12 already in memory. A string is taken as one char per byte (latin1); pass a Buffer for
 * exact byte offsets. Yields items as they complete.
 */
export function* readX12(input: Buffer | Uint8Array | string): Generator<X12Item> {
  // A large stored message (a whole day's file) is read in windows like a stream, so the heap holds
  // a window and a set, never the file as one string (V8 could not even make one past ~512 MB).
  if (typeof input !== 'string' && input.byteLength > WINDOWED_ABOVE) {
    yield* readX12Windows(Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    return;
  }
  const text = asLatin1(input);
  const tokenizer = new X12Tokenizer();
  const reader = new EnvelopeReader();
  const items = reader.items;
  tokenizer.feed(text, true);
  reader.nonAscii = tokenizer.nonAscii;
  for (;;) {
    const seg = tokenizer.next();
    if (tokenizer.errors.length > 0) {
      for (const e of tokenizer.errors) reader.addError(e);
      tokenizer.errors.length = 0;
    }
    if (seg === null) break;
    reader.push(seg, tokenizer.delimiters!);
    if (items.length > 0) {
      for (const it of items) yield it;
      items.length = 0;
    }
  }
  reader.end(text.length);
  for (const it of items) yield it;
  items.length = 0;
}

/** Bytes of a streamed chunk decoded to text at a time (below V8's large-object size). */
const WINDOW = 64 * 1024;

/** Stored messages above this size are read in windows rather than as one string. */
const WINDOWED_ABOVE = 8 * 1024 * 1024;

function* readX12Windows(bytes: Buffer): Generator<X12Item> {
  const tokenizer = new X12Tokenizer();
  const reader = new EnvelopeReader();
  for (let at = 0; at < bytes.length; at += WINDOW) {
    tokenizer.feedBytes(bytes.subarray(at, Math.min(bytes.length, at + WINDOW)), false);
    for (const batch of drainItems(tokenizer, reader, BATCH)) yield* batch;
  }
  tokenizer.feed('', true);
  for (const batch of drainItems(tokenizer, reader, 1)) yield* batch;
  reader.end(tokenizer.offset);
  yield* reader.items.splice(0, reader.items.length);
}

/** Segments the tokenizer can cut from what it was fed, through the envelope reader, as batches of items. */
function* drainItems(tokenizer: X12Tokenizer, reader: EnvelopeReader, batch: number): Generator<X12Item[]> {
  const items = reader.items;
  reader.nonAscii = tokenizer.nonAscii;
  for (;;) {
    const seg = tokenizer.next();
    if (tokenizer.errors.length > 0) {
      for (const e of tokenizer.errors) reader.addError(e);
      tokenizer.errors.length = 0;
    }
    if (seg === null) return;
    reader.push(seg, tokenizer.delimiters!);
    if (items.length >= batch) yield items.splice(0, items.length);
  }
}

/** Items per batch: enough to make the await per batch cheap, few enough that sets die young in the GC. */
const BATCH = 64;

/**
 * Reads X12 from a stream and hands out items in small arrays: one await per batch rather than per item
 * keeps streaming close to in-memory speed.
 */
export async function* readX12StreamBatches(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<X12Item[]> {
  const tokenizer = new X12Tokenizer();
  const reader = new EnvelopeReader();
  const items = reader.items;
  const drain = () => drainItems(tokenizer, reader, BATCH);
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      tokenizer.feed(chunk, false);
      yield* drain();
      continue;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // Big chunks are read in windows: a window's text is small enough for the young generation, where it dies
    // cheaply with its segments; a whole 1 MB chunk as one string lands in large-object space and costs full GCs.
    for (let at = 0; at < bytes.length; at += WINDOW) {
      tokenizer.feedBytes(bytes.subarray(at, Math.min(bytes.length, at + WINDOW)), false);
      yield* drain();
    }
  }
  tokenizer.feed('', true);
  yield* drain();
  reader.end(tokenizer.offset);
  if (items.length > 0) yield items.splice(0, items.length);
}

/**
 * Reads X12 from a stream (a Node Readable or any AsyncIterable of chunks) set by set. Memory holds one
 * chunk, the unfinished segment, and the set being read — not the file.
 */
export async function* readX12Stream(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<X12Item> {
  for await (const batch of readX12StreamBatches(source)) yield* batch;
}
