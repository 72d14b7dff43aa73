// Reads EDIFACT envelopes (UNB/UNZ, UNG/UNE, UNH/UNT) and hands out one message at a time. The same state
// machine serves a Buffer in memory and a stream, so both check envelopes alike.
import {
  interchangeKey,
  messageContentHash,
  readCount,
  readGroupHeader,
  readInterchangeHeader,
  readMessageHeader,
  sameReference,
  type GroupHeader,
  type InterchangeHeader,
  type MessageHeader,
} from './envelope.ts';
import { edifactError, hasRejectingError, type EdifactError, type EdifactPosition } from './errors.ts';
import { Segment, EdifactTokenizer } from './tokenizer.ts';

export interface EdifactMessage {
  header: MessageHeader;
  /** The interchange it came in; null for a bare message (UNH without UNB around it). */
  interchange: InterchangeHeader | null;
  group: GroupHeader | null;
  /** UNH through UNT; segments[i] is at position i + 1. */
  segments: Segment[];
  /** Envelope problems of this message (counts, references, stray segments, characters). Any 'error' rejects it. */
  errors: EdifactError[];
  /** Its interchange already had a rejecting error when the message began: nothing in it is applied. */
  interchangeRejected: boolean;
  offset: number;
}

export type EdifactItem =
  | { kind: 'interchange-start'; interchange: InterchangeHeader; key: string; errors: EdifactError[] }
  | { kind: 'group-start'; interchange: InterchangeHeader; group: GroupHeader; errors: EdifactError[] }
  | { kind: 'message'; message: EdifactMessage }
  /** UNE seen (or missing): `errors` are the trailer's; `messageCount` counts the UNH segments read. */
  | { kind: 'group-end'; interchange: InterchangeHeader; group: GroupHeader; messageCount: number; errors: EdifactError[] }
  /**
   * UNZ seen (or missing). `errors` are every interchange-level problem (UNA, UNB, stray segments, UNZ);
   * `accepted` is false when any of them rejects the interchange, and then none of its messages may be
   * applied, though each was handed out (and checked) as it came.
   */
  | { kind: 'interchange-end'; interchange: InterchangeHeader; count: number; errors: EdifactError[]; accepted: boolean }
  /** Something that belongs to no interchange: text before the first UNB, a UNA problem with no UNB after it. */
  | { kind: 'error'; error: EdifactError };

/** The content hash of a message (see messageContentHash): the same message resent under new references hashes the same. */
export function contentHashOf(message: EdifactMessage): string {
  return messageContentHash(message.header.type, message.segments);
}

interface OpenInterchange {
  header: InterchangeHeader;
  /** Every interchange-level error, the start's included. */
  errors: EdifactError[];
  groups: number;
  messages: number;
  /** Messages outside any group. */
  loose: number;
  mixedReported: boolean;
}

interface OpenGroup {
  header: GroupHeader;
  messages: number;
  errors: EdifactError[];
}

/** Where an error about the segment just pushed goes; its position is made only when an error comes. */
interface Owner {
  errors: EdifactError[];
  /** The envelope part of the position (the segment's own comes with the error). */
  position: EdifactPosition | null;
  /** The message it is in, whose position is worked out on demand. */
  message?: EdifactMessage;
  /** The interchange-level list it counts in, when it is one. */
  interchange?: OpenInterchange;
}

/** Consumes segments in order and produces EdifactItems; call end() when the input is over. */
export class EnvelopeReader {
  private interchange: OpenInterchange | null = null;
  private group: OpenGroup | null = null;
  private message: EdifactMessage | null = null;
  private readonly out: EdifactItem[] = [];
  /** UNA problems wait for the UNB they belong to. */
  private pending: EdifactError[] = [];
  private owner: Owner | null = null;
  /** The last UNH read, whose values the next one reuses when equal (see readMessageHeader). */
  private lastHeader: MessageHeader | null = null;

  /** Items produced so far; the caller drains the array. */
  get items(): EdifactItem[] {
    return this.out;
  }

  /** A tokenizer problem that came before the segment about to be pushed: placed in the innermost open envelope. */
  addError(error: EdifactError): void {
    if (error.position.segmentTag === 'UNA' && this.interchange === null) {
      this.pending.push(error);
      return;
    }
    const m = this.message;
    if (m !== null) {
      // A broken segment still occupies a position that UNT counts.
      if (error.code === 'EDIFACT_SEGMENT_INVALID') m.segments.push(Segment.of('', [], error.position.offset ?? -1));
      m.errors.push({ ...error, position: { ...this.where(), segmentPosition: m.segments.length, ...error.position } });
    } else if (this.interchange !== null) {
      this.interchangeError({ ...error, position: { ...this.where(), ...error.position } });
    } else this.out.push({ kind: 'error', error });
  }

  /** A tokenizer problem about the segment just pushed (a bad character in it, a missing terminator). */
  addSegmentError(error: EdifactError): void {
    const o = this.owner;
    if (o === null) {
      this.out.push({ kind: 'error', error });
      return;
    }
    // In a message, the segment just pushed is its last.
    const base = o.message ? { ...messagePosition(o.message), segmentPosition: o.message.segments.length } : o.position ?? {};
    const e = { ...error, position: { ...base, ...error.position } };
    if (o.interchange) this.interchangeError(e, o.interchange);
    else o.errors.push(e);
  }

  push(seg: Segment, tokenizer: EdifactTokenizer): void {
    const tag = seg.tag;
    const m = this.message;
    if (m !== null) {
      if (tag === 'UNT') return this.closeMessage(seg);
      if (tag !== 'UNH' && tag !== 'UNZ' && tag !== 'UNB' && tag !== 'UNG' && tag !== 'UNE') {
        m.segments.push(seg);
        return;
      }
      this.abandonMessage(seg);
    }
    if (this.pending.length > 0 && tag !== 'UNB') this.flushPending();
    switch (tag) {
      case 'UNB':
        return this.openInterchange(seg, tokenizer);
      case 'UNG':
        return this.openGroup(seg);
      case 'UNH':
        return this.openMessage(seg);
      case 'UNE':
        return this.closeGroup(seg);
      case 'UNZ':
        return this.closeInterchange(seg);
      default:
        this.owner = null;
        this.addError(edifactError('EDIFACT_UNEXPECTED_SEGMENT', `Segment ${tag} appears outside a message, where only service segments (UNB, UNG, UNH, UNE, UNZ) may be; it was ignored.`, { segmentTag: tag, offset: seg.offset }));
        this.owner = null;
    }
  }

  /** `sawUna`: the input held a UNA, so an input that gave nothing else still gets an error. */
  end(finalOffset: number, sawUna = false): void {
    if (this.message !== null) this.abandonMessage(null, finalOffset);
    if (this.group !== null) this.closeGroup(null, finalOffset);
    if (this.interchange !== null) this.closeInterchange(null, finalOffset);
    this.flushPending();
    if (!this.produced && this.out.length === 0 && sawUna) {
      this.out.push({ kind: 'error', error: edifactError('EDIFACT_NO_INTERCHANGE', 'The input holds a UNA service string advice and no interchange after it.', { offset: 0, segmentTag: 'UNA' }) });
    }
  }

  /** Whether any item was handed out (set by the drivers as they drain). */
  produced = false;

  private flushPending(): void {
    for (const e of this.pending) this.out.push({ kind: 'error', error: e });
    this.pending = [];
  }

  private interchangeError(e: EdifactError, ic: OpenInterchange | null = this.interchange): void {
    ic?.errors.push(e);
  }

  private where(): EdifactPosition {
    const p: EdifactPosition = {};
    if (this.interchange !== null) p.interchange = this.interchange.header.controlReference;
    if (this.group !== null) p.group = this.group.header.reference;
    if (this.message !== null) {
      p.message = this.message.header.reference;
      p.messageType = this.message.header.type;
    }
    return p;
  }

  private openInterchange(seg: Segment, tokenizer: EdifactTokenizer): void {
    if (this.group !== null) this.closeGroup(null, seg.offset);
    if (this.interchange !== null) this.closeInterchange(null, seg.offset);
    const { header, errors } = readInterchangeHeader(seg, tokenizer.chars!, tokenizer.una);
    const all: EdifactError[] = this.pending.map((e) => ({ ...e, position: { ...e.position, interchange: header.controlReference } }));
    for (const e of errors) all.push(e);
    this.pending = [];
    const ic: OpenInterchange = { header, errors: all, groups: 0, messages: 0, loose: 0, mixedReported: false };
    this.interchange = ic;
    this.owner = { errors: all, position: { interchange: header.controlReference, segmentTag: 'UNB', offset: seg.offset }, interchange: ic };
    // The start item shares the list: problems found in the UNB itself (its characters) still land in it.
    this.out.push({ kind: 'interchange-start', interchange: header, key: interchangeKey(header), errors: all });
  }

  private openGroup(seg: Segment): void {
    const ic = this.interchange;
    if (ic === null) {
      this.owner = null;
      this.addError(edifactError('EDIFACT_UNEXPECTED_SEGMENT', 'A UNG group header appears outside any interchange (no UNB before it); the group was ignored.', { segmentTag: 'UNG', offset: seg.offset }));
      return;
    }
    if (this.group !== null) this.closeGroup(null, seg.offset);
    const { header, errors } = readGroupHeader(seg, ic.header);
    this.group = { header, messages: 0, errors };
    ic.groups++;
    this.checkMixed(seg);
    this.owner = { errors, position: { interchange: ic.header.controlReference, group: header.reference, segmentTag: 'UNG', offset: seg.offset } };
    this.out.push({ kind: 'group-start', interchange: ic.header, group: header, errors });
  }

  private checkMixed(seg: Segment): void {
    const ic = this.interchange!;
    if (ic.groups > 0 && ic.loose > 0 && !ic.mixedReported) {
      ic.mixedReported = true;
      this.interchangeError(edifactError('EDIFACT_GROUPS_AND_MESSAGES_MIXED', 'The interchange holds both functional groups (UNG) and messages outside any group; it must hold one or the other.', { interchange: ic.header.controlReference, segmentTag: seg.tag, offset: seg.offset }));
    }
  }

  private openMessage(seg: Segment): void {
    const header = readMessageHeader(seg, this.lastHeader);
    this.lastHeader = header;
    const ic = this.interchange;
    const g = this.group;
    const message: EdifactMessage = {
      header,
      interchange: ic?.header ?? null,
      group: g?.header ?? null,
      segments: [seg],
      errors: [],
      interchangeRejected: ic !== null && hasRejectingError(ic.errors),
      offset: seg.offset,
    };
    this.message = message;
    this.owner = { errors: message.errors, position: null, message };
    if (ic !== null) {
      ic.messages++;
      if (g !== null) g.messages++;
      else {
        ic.loose++;
        this.checkMixed(seg);
      }
    } else {
      message.errors.push(edifactError('EDIFACT_NO_INTERCHANGE', `Message ${header.type || '(no type)'} #${header.reference} stands outside any interchange (no UNB before it); it was read with the default service characters and no declared character set.`, { ...messagePosition(message), segmentPosition: 1, segmentTag: 'UNH', offset: seg.offset }, 'warning'));
    }
    // Checked with plain comparisons first: positions (and their objects) are made only for errors.
    if (header.reference && header.reference.length <= 14 && header.version === 'D' && header.release && header.agency && isMessageType(header.type)) return;
    const at = (element: number, component?: number): EdifactPosition => ({ ...messagePosition(message), segmentPosition: 1, segmentTag: 'UNH', offset: seg.offset, element, ...(component ? { component } : {}) });
    if (!header.reference) message.errors.push(edifactError('EDIFACT_UNH_INVALID', 'UNH 0062, the message reference number, is missing.', at(1)));
    else if (header.reference.length > 14) message.errors.push(edifactError('EDIFACT_UNH_INVALID', `UNH 0062, the message reference number, is ${JSON.stringify(header.reference)}: longer than its 14 characters.`, at(1)));
    if (!/^[A-Z]{6}$/.test(header.type)) message.errors.push(edifactError('EDIFACT_UNH_INVALID', `UNH S009 0065, the message type, is ${JSON.stringify(header.type)}; it must be six letters such as ORDERS.`, at(2, 1)));
    if (!header.version) message.errors.push(edifactError('EDIFACT_UNH_INVALID', 'UNH S009 0052, the message version number, is missing.', at(2, 2)));
    else if (header.type !== 'CONTRL' && header.version !== 'D') {
      message.errors.push(edifactError('EDIFACT_UNH_VERSION', `UNH S009 0052 is ${JSON.stringify(header.version)}; a directory message has version D. It was read as D${header.release}.`, at(2, 2), 'warning'));
    }
    if (!header.release) message.errors.push(edifactError('EDIFACT_UNH_INVALID', 'UNH S009 0054, the message release number, is missing.', at(2, 3)));
    if (!header.agency) message.errors.push(edifactError('EDIFACT_UNH_INVALID', 'UNH S009 0051, the controlling agency, is missing.', at(2, 4)));
  }

  private closeMessage(seg: Segment): void {
    const m = this.message!;
    m.segments.push(seg);
    const count = m.segments.length;
    const declared = readCount(seg.el(1));
    if (declared === null) m.errors.push(edifactError('EDIFACT_UNT_COUNT', `UNT 0074, the number of segments in the message, is ${JSON.stringify(seg.el(1))}; it must be a number (here ${count}).`, untPosition(m, count, seg, 1)));
    else if (declared !== count) m.errors.push(edifactError('EDIFACT_UNT_COUNT', `UNT says the message has ${declared} segments, but it has ${count} counting UNH and UNT.`, untPosition(m, count, seg, 1)));
    const ref = seg.el(2);
    if (seg.count < 2 || (ref !== m.header.reference && !sameReference(ref, m.header.reference))) {
      m.errors.push(edifactError('EDIFACT_UNT_REFERENCE', `UNT 0062 is ${JSON.stringify(ref)} but the message started with UNH 0062 ${JSON.stringify(m.header.reference)}; they must match.`, untPosition(m, count, seg, 2)));
    }
    this.message = null;
    this.owner = { errors: m.errors, position: null, message: m };
    this.out.push({ kind: 'message', message: m });
  }

  /** A message cut short by the next service segment or the end of input: rejected as a whole. */
  private abandonMessage(next: Segment | null, finalOffset = 0): void {
    const m = this.message!;
    const found = next === null ? 'the input ends' : `${next.tag} comes`;
    m.errors.push(
      edifactError('EDIFACT_UNT_MISSING', `Message ${m.header.type} #${m.header.reference} has no UNT trailer: ${found} after its segment ${m.segments.length}.`, {
        ...this.where(),
        segmentPosition: m.segments.length,
        offset: next?.offset ?? finalOffset,
        segmentTag: next?.tag ?? 'UNT',
      }),
    );
    this.message = null;
    this.out.push({ kind: 'message', message: m });
  }

  private closeGroup(seg: Segment | null, finalOffset = 0): void {
    const ic = this.interchange;
    if (this.group === null || ic === null) {
      this.owner = null;
      this.addError(edifactError('EDIFACT_UNEXPECTED_SEGMENT', 'A UNE group trailer appears without an open group (no UNG before it); it was ignored.', { segmentTag: 'UNE', offset: seg?.offset ?? finalOffset }));
      return;
    }
    const g = this.group;
    const errors: EdifactError[] = g.errors;
    const position: EdifactPosition = { interchange: ic.header.controlReference, group: g.header.reference, segmentTag: 'UNE', offset: seg?.offset ?? finalOffset };
    const at = (element: number): EdifactPosition => ({ ...position, element });
    if (seg === null) {
      errors.push(edifactError('EDIFACT_UNE_MISSING', `Group #${g.header.reference} has no UNE trailer: the ${finalOffset ? 'interchange goes on' : 'input ends'} without closing it.`, position));
    } else {
      const declared = readCount(seg.el(1));
      if (declared !== g.messages) errors.push(edifactError('EDIFACT_UNE_COUNT', `UNE 0060 says the group has ${seg.el(1) || 'no'} messages, but it has ${g.messages}.`, at(1)));
      if (!sameReference(seg.el(2), g.header.reference)) errors.push(edifactError('EDIFACT_UNE_REFERENCE', `UNE 0048 is ${JSON.stringify(seg.el(2))} but the group started with UNG 0048 ${JSON.stringify(g.header.reference)}; they must match.`, at(2)));
    }
    this.group = null;
    this.owner = seg === null ? null : { errors, position };
    this.out.push({ kind: 'group-end', interchange: ic.header, group: g.header, messageCount: g.messages, errors });
  }

  private closeInterchange(seg: Segment | null, finalOffset = 0): void {
    const ic = this.interchange;
    if (ic === null) {
      this.owner = null;
      this.addError(edifactError('EDIFACT_UNEXPECTED_SEGMENT', 'A UNZ interchange trailer appears without a UNB before it; it was ignored.', { segmentTag: 'UNZ', offset: seg?.offset ?? finalOffset }));
      return;
    }
    if (this.group !== null) this.closeGroup(null, seg?.offset ?? finalOffset);
    const position: EdifactPosition = { interchange: ic.header.controlReference, segmentTag: 'UNZ', offset: seg?.offset ?? finalOffset };
    const at = (element: number): EdifactPosition => ({ ...position, element });
    // UNZ 0036 counts the groups when there are any, else the messages.
    const count = ic.groups > 0 ? ic.groups : ic.messages;
    if (seg === null) {
      ic.errors.push(edifactError('EDIFACT_UNZ_MISSING', `Interchange #${ic.header.controlReference} has no UNZ trailer: ${finalOffset ? 'the input ends or another UNB comes' : 'the input ends'} first, so it cannot be known to be whole.`, position));
    } else {
      const declared = readCount(seg.el(1));
      const what = ic.groups > 0 ? 'functional groups' : 'messages';
      if (declared !== count) ic.errors.push(edifactError('EDIFACT_UNZ_COUNT', `UNZ 0036 says the interchange has ${seg.el(1) || 'no'} ${what}, but it has ${count}.`, at(1)));
      if (!sameReference(seg.el(2), ic.header.controlReference)) {
        ic.errors.push(edifactError('EDIFACT_UNZ_REFERENCE', `UNZ 0020 is ${JSON.stringify(seg.el(2))} but the interchange started with UNB 0020 ${JSON.stringify(ic.header.controlReference)}; they must match.`, at(2)));
      }
    }
    this.interchange = null;
    this.owner = seg === null ? null : { errors: ic.errors, position, interchange: ic };
    this.out.push({ kind: 'interchange-end', interchange: ic.header, count, errors: ic.errors, accepted: !hasRejectingError(ic.errors) });
  }
}

/** The envelope part of a position in a message. */
function messagePosition(m: EdifactMessage): EdifactPosition {
  const p: EdifactPosition = {};
  if (m.interchange !== null) p.interchange = m.interchange.controlReference;
  if (m.group !== null) p.group = m.group.reference;
  p.message = m.header.reference;
  p.messageType = m.header.type;
  return p;
}

function isMessageType(t: string): boolean {
  if (t.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    const c = t.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/** Where a problem with element `element` of a message's UNT (its segment `count`) is. */
function untPosition(m: EdifactMessage, count: number, seg: Segment, element: number): EdifactPosition {
  return { ...messagePosition(m), segmentPosition: count, segmentTag: 'UNT', offset: seg.offset, element };
}

/** Cuts segments from what the tokenizer holds and passes them through the reader, errors placed by where they arose. */
function step(tokenizer: EdifactTokenizer, reader: EnvelopeReader): boolean {
  const seg = tokenizer.next();
  const errors = tokenizer.errors;
  if (errors.length === 0) {
    if (seg === null) return false;
    reader.push(seg, tokenizer);
    return true;
  }
  const found = errors.splice(0, errors.length);
  if (seg === null) {
    for (const e of found) reader.addError(e);
    return false;
  }
  const at = seg.offset;
  for (const e of found) if ((e.position.offset ?? -1) < at) reader.addError(e);
  reader.push(seg, tokenizer);
  for (const e of found) if ((e.position.offset ?? -1) >= at) reader.addSegmentError(e);
  return true;
}

/** Bytes decoded to text at a time when reading in windows (below V8's large-object size). */
const WINDOW = 64 * 1024;
/** Stored messages above this size are read in windows rather than as one string. */
const WINDOWED_ABOVE = 8 * 1024 * 1024;
/** Items per batch: enough to make the await per batch cheap, few enough that messages die young in the GC. */
const BATCH = 64;

/**
 * Reads EDIFACT already in memory. Pass the bytes as received: a string is taken as their latin1 view
 * (one char per byte), never as decoded text. Yields items as they complete.
 */
export function* readEdifact(input: Buffer | Uint8Array | string): Generator<EdifactItem> {
  if (typeof input !== 'string' && input.byteLength > WINDOWED_ABOVE) {
    yield* readWindows(Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    return;
  }
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  const tokenizer = new EdifactTokenizer();
  const reader = new EnvelopeReader();
  const items = reader.items;
  tokenizer.feed(text, true);
  while (step(tokenizer, reader)) {
    if (items.length > 0) {
      reader.produced = true;
      for (const it of items) yield it;
      items.length = 0;
    }
  }
  reader.end(text.length, tokenizer.sawUna);
  for (const it of items) yield it;
  items.length = 0;
}

function* readWindows(bytes: Buffer): Generator<EdifactItem> {
  const tokenizer = new EdifactTokenizer();
  const reader = new EnvelopeReader();
  for (let at = 0; at < bytes.length; at += WINDOW) {
    tokenizer.feedBytes(bytes.subarray(at, Math.min(bytes.length, at + WINDOW)), false);
    for (const batch of drain(tokenizer, reader, BATCH)) yield* batch;
  }
  tokenizer.feed('', true);
  for (const batch of drain(tokenizer, reader, 1)) yield* batch;
  reader.end(tokenizer.offset, tokenizer.sawUna);
  yield* reader.items.splice(0, reader.items.length);
}

function* drain(tokenizer: EdifactTokenizer, reader: EnvelopeReader, batch: number): Generator<EdifactItem[]> {
  const items = reader.items;
  while (step(tokenizer, reader)) {
    if (items.length >= batch) {
      reader.produced = true;
      yield items.splice(0, items.length);
    }
  }
}

/** Reads a stream of any size in bounded memory, one array of items per batch (one await per batch, not per item). */
export async function* readEdifactStreamBatches(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<EdifactItem[]> {
  const tokenizer = new EdifactTokenizer();
  const reader = new EnvelopeReader();
  const items = reader.items;
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      tokenizer.feed(chunk, false);
      yield* drain(tokenizer, reader, BATCH);
      continue;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length; at += WINDOW) {
      tokenizer.feedBytes(bytes.subarray(at, Math.min(bytes.length, at + WINDOW)), false);
      yield* drain(tokenizer, reader, BATCH);
    }
  }
  tokenizer.feed('', true);
  yield* drain(tokenizer, reader, 1);
  reader.end(tokenizer.offset, tokenizer.sawUna);
  if (items.length > 0) yield items.splice(0, items.length);
}

/** Reads a stream (a Node Readable or any AsyncIterable of chunks) message by message, in bounded memory. */
export async function* readEdifactStream(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<EdifactItem> {
  for await (const batch of readEdifactStreamBatches(source)) yield* batch;
}
