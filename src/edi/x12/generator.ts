// Writes interchanges: envelopes around sets, delimiters as configured, control numbers from the caller's store.
import { checkDelimiters, DEFAULT_DELIMITERS, type Delimiters } from './delimiters.ts';
import { FUNCTIONAL_ID_BY_SET } from './envelope.ts';
import { x12Error, type X12Error } from './errors.ts';
import { ta1Segment, type Ta1 } from './ta1.ts';

/** An element: a plain value, or the components of a composite element. */
export type X12Element = string | readonly string[];
/** A segment to write: its id, then element 01, 02, ... Empty trailing elements are dropped on output. */
export type X12SegmentData = readonly [string, ...X12Element[]];

/**
 * Hands out the next control number of a kind. The store keeps one sequence per partner so numbers are
 * unique and increasing across restarts and workers; the generator never invents one.
 */
export type NextControlNumber = (kind: 'ISA' | 'GS' | 'ST') => Promise<number>;

export interface PartyId {
  /** ISA05/ISA07 interchange id qualifier, e.g. 'ZZ' (mutually defined), '01' (DUNS), '12' (phone). */
  qualifier: string;
  /** ISA06/ISA08, padded to 15 on output. */
  id: string;
}

export interface InterchangeOptions {
  sender: PartyId;
  receiver: PartyId;
  /** ISA12: '00401' for 004010 partners, '00501' for 005010. */
  version: string;
  /** ISA15: P production, T test (certification), I information. */
  usage?: 'P' | 'T' | 'I';
  /** ISA14: ask the receiver for a TA1. */
  ackRequested?: boolean;
  delimiters?: Delimiters;
  /** Write a line break after each segment terminator (most partners accept it; some require it). */
  lineBreaks?: boolean;
  nextControlNumber: NextControlNumber;
  /** Clock for ISA09/ISA10 and GS04/GS05, written in UTC. */
  now?: () => Date;
  /** TA1 acknowledgments to place right after the ISA, before any group. */
  ta1s?: readonly Ta1[];
}

export interface SetToWrite {
  /** ST01, e.g. '945'. */
  id: string;
  /** ST03, used in 005010 (e.g. '005010X231' for a 999). */
  implementationRef?: string;
  /** The set's body: every segment between ST and SE. */
  segments: readonly X12SegmentData[];
}

export interface GroupToWrite {
  /** GS01; when left out it is the one the first set requires (OW for a 940, SW for a 945 ...). */
  functionalId?: string;
  /** GS02 / GS03 application sender's and receiver's codes. */
  senderCode: string;
  receiverCode: string;
  /** GS08, e.g. '004010' or '005010'. */
  version: string;
  sets: readonly SetToWrite[];
}

export interface WrittenInterchange {
  /** The X12 text; empty when errors were found. */
  text: string;
  interchangeControlNumber: string;
  groups: Array<{ controlNumber: string; functionalId: string; sets: Array<{ id: string; controlNumber: string }> }>;
  errors: X12Error[];
}

/** Joins one segment with the delimiters, or reports the value that would break the file. */
export function writeSegment(seg: X12SegmentData, d: Delimiters, errors: X12Error[]): string {
  let last = seg.length - 1;
  while (last > 0 && isEmpty(seg[last]!)) last--;
  let out = seg[0];
  for (let i = 1; i <= last; i++) {
    const el = seg[i]!;
    out += d.element;
    if (typeof el === 'string') {
      checkValue(el, d, seg[0], i, errors);
      out += el;
    } else {
      let n = el.length;
      while (n > 0 && el[n - 1] === '') n--;
      for (let c = 0; c < n; c++) {
        if (c > 0) out += d.component;
        checkValue(el[c]!, d, seg[0], i, errors);
        out += el[c];
      }
    }
  }
  return out + d.segment;
}

/** Builds one interchange: ISA, optional TA1s, each group with its sets, counts and trailers computed. */
export async function writeInterchange(groups: readonly GroupToWrite[], opts: InterchangeOptions): Promise<WrittenInterchange> {
  const d = opts.delimiters ?? DEFAULT_DELIMITERS;
  const errors: X12Error[] = [];
  const problem = checkDelimiters(d);
  if (problem !== null) errors.push(x12Error('X12_DELIMITERS', `Cannot write with these delimiters: ${problem}.`));
  // Before 00402 ISA11 is the standards id 'U'; a repetition separator cannot be declared there.
  const repetitionAllowed = opts.version >= '00402';
  const nl = opts.lineBreaks && d.segment !== '\n' ? '\n' : '';
  const now = (opts.now ?? (() => new Date()))();
  const isaNumber = await opts.nextControlNumber('ISA');
  if (!(isaNumber >= 1 && isaNumber <= 999_999_999) || !Number.isInteger(isaNumber)) {
    errors.push(x12Error('X12_ISA_VALUE', `The interchange control number ${isaNumber} from the store is out of range; ISA13 holds 1 to 999999999.`));
  }
  const isa13 = String(isaNumber).padStart(9, '0');
  const ymd = utcDate(now);
  const hm = utcTime(now);
  checkWidth(errors, 'ISA05', opts.sender.qualifier, 2);
  checkWidth(errors, 'ISA06', opts.sender.id, 15);
  checkWidth(errors, 'ISA07', opts.receiver.qualifier, 2);
  checkWidth(errors, 'ISA08', opts.receiver.id, 15);
  const parts: string[] = [];
  const isa = [
    'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10),
    opts.sender.qualifier.padEnd(2), opts.sender.id.padEnd(15), opts.receiver.qualifier.padEnd(2), opts.receiver.id.padEnd(15),
    ymd.slice(2), hm, repetitionAllowed ? (d.repetition ?? 'U') : 'U', opts.version, isa13,
    opts.ackRequested ? '1' : '0', opts.usage ?? 'P', d.component,
  ];
  // The ISA keeps its padding and every element, so it is joined directly rather than trimmed like other segments.
  parts.push(isa.join(d.element) + d.segment + nl);
  for (const ta1 of opts.ta1s ?? []) parts.push(writeSegment(ta1Segment(ta1) as unknown as X12SegmentData, d, errors) + nl);

  const written: WrittenInterchange['groups'] = [];
  for (const g of groups) {
    const gsNumber = await opts.nextControlNumber('GS');
    const functionalId = g.functionalId ?? FUNCTIONAL_ID_BY_SET[g.sets[0]?.id ?? ''] ?? '';
    if (!functionalId) errors.push(x12Error('X12_GS_INVALID', `No GS01 functional identifier is known for set ${g.sets[0]?.id ?? '(none)'}; give one.`));
    const gs06 = String(gsNumber);
    parts.push(writeSegment(['GS', functionalId, g.senderCode, g.receiverCode, ymd, hm, gs06, 'X', g.version], d, errors) + nl);
    const sets: Array<{ id: string; controlNumber: string }> = [];
    for (const s of g.sets) {
      const st02 = String(await opts.nextControlNumber('ST')).padStart(4, '0');
      const setErrors: X12Error[] = [];
      parts.push(writeSegment(['ST', s.id, st02, s.implementationRef ?? ''], d, setErrors) + nl);
      for (const seg of s.segments) parts.push(writeSegment(seg, d, setErrors) + nl);
      parts.push(writeSegment(['SE', String(s.segments.length + 2), st02], d, setErrors) + nl);
      for (const e of setErrors) errors.push({ ...e, position: { ...e.position, interchange: isa13, group: gs06, set: st02, setId: s.id } });
      sets.push({ id: s.id, controlNumber: st02 });
    }
    parts.push(writeSegment(['GE', String(g.sets.length), gs06], d, errors) + nl);
    written.push({ controlNumber: gs06, functionalId, sets });
  }
  parts.push(writeSegment(['IEA', String(groups.length), isa13], d, errors) + nl);
  return { text: errors.some((e) => e.severity === 'error') ? '' : parts.join(''), interchangeControlNumber: isa13, groups: written, errors };
}

function isEmpty(el: X12Element): boolean {
  if (typeof el === 'string') return el === '';
  for (const c of el) if (c !== '') return false;
  return true;
}

/**
 * Reports a value that would break the file or change on the way: one holding a delimiter, a control
 * character, or a character no byte stands for (the file is written one byte per character, Latin-1,
 * where "Ł" would become "A" and "€" "¬").
 */
function checkValue(v: string, d: Delimiters, segmentId: string, element: number, errors: X12Error[]): void {
  if (hasDelimiter(v, d)) {
    errors.push(delimiterError(segmentId, element, v));
    return;
  }
  const odd = UNWRITABLE.exec(v);
  if (odd === null) return;
  const at = `${segmentId}-${String(element).padStart(2, '0')}`;
  const ch = odd[0].codePointAt(0)!;
  if (ch < 0x20 || ch === 0x7f) {
    // Neither character set of X12 holds control characters; a line break in a value is read as the
    // end of the segment by partners who write one after each terminator, and a NUL ends it for others.
    errors.push(x12Error('X12_VALUE_HAS_CONTROL', `The value ${JSON.stringify(v)} for ${at} holds a control character (a line break, tab or NUL), which X12 cannot carry; change the value.`, { segmentId, element }));
  } else {
    const name = `U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
    errors.push(x12Error('X12_VALUE_UNENCODABLE', `The value ${JSON.stringify(v)} for ${at} holds ${JSON.stringify(odd[0])} (${name}), which an X12 file, one byte per character, cannot carry; change the value.`, { segmentId, element }));
  }
}

// Control characters, and every UTF-16 unit above Latin-1 (lone surrogates included).
// eslint-disable-next-line no-control-regex
const UNWRITABLE = /[\u0000-\u001f\u007f\u0100-\uffff]/;

function hasDelimiter(v: string, d: Delimiters): boolean {
  return v.includes(d.element) || v.includes(d.segment) || v.includes(d.component) || (d.repetition !== null && v.includes(d.repetition));
}

function delimiterError(segmentId: string, element: number, value: string): X12Error {
  // X12 has no escape character: a value holding a delimiter would be read back as two values.
  return x12Error('X12_VALUE_HAS_DELIMITER', `The value ${JSON.stringify(value)} for ${segmentId}-${String(element).padStart(2, '0')} contains a delimiter character; X12 cannot escape it, so change the value or the partner's delimiters.`, { segmentId, element });
}

function checkWidth(errors: X12Error[], name: string, value: string, width: number): void {
  if (value.length > width) errors.push(x12Error('X12_VALUE_TOO_LONG', `${name} is ${JSON.stringify(value)}, longer than its fixed ${width} characters.`, { segmentId: 'ISA', element: Number(name.slice(3)) }));
}

export function utcDate(d: Date): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function utcTime(d: Date): string {
  return `${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}`;
}
