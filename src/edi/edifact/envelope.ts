// The UNB, UNG and UNH headers as values, and the checks the syntax rules put on them.
import { createHash } from 'node:crypto';
import { isDigits } from '../digits.ts';
import { charsetOf } from './charsets.ts';
import { edifactError, type EdifactError, type EdifactPosition } from './errors.ts';
import type { ServiceChars } from './syntax.ts';
import type { Segment } from './tokenizer.ts';

export interface PartyIdentification {
  /** S002 0004 / S003 0010: the interchange sender's or recipient's id. */
  id: string;
  /** 0007 partner identification code qualifier: 14 GS1 (EAN) location number, 1 DUNS, ZZZ mutually defined. */
  qualifier: string;
  /** S002 0008 / S003 0014: the reverse routing or routing address (an internal id). */
  internalId: string;
}

export interface InterchangeHeader {
  /** UNB 0020, the interchange control reference. */
  controlReference: string;
  /** S001 0001, e.g. 'UNOC'. */
  syntaxId: string;
  /** S001 0002: 1 to 4. */
  syntaxVersion: number;
  sender: PartyIdentification;
  recipient: PartyIdentification;
  /** S004 date and time as ISO-8601 without offset: the UNB carries no zone. */
  preparedAt: string | null;
  /** 0026 application reference (often the message type inside). */
  applicationReference: string;
  /** 0031: the sender asks for an acknowledgment (a CONTRL). */
  ackRequested: boolean;
  /** 0032 interchange agreement identifier (e.g. EANCOM). */
  agreementId: string;
  /** 0035: 1 says this is a test interchange. */
  test: boolean;
  /** The interchange began with a UNA. */
  una: boolean;
  chars: ServiceChars;
  offset: number;
}

export interface GroupHeader {
  /** UNG 0048. */
  reference: string;
  /** UNG 0038: the message type the group holds. */
  messageGroupId: string;
  sender: { id: string; qualifier: string };
  recipient: { id: string; qualifier: string };
  preparedAt: string | null;
  /** 0051 controlling agency, e.g. 'UN'. */
  agency: string;
  /** S008 message version, release and association, e.g. 'D:96A:EAN008'. */
  version: string;
  offset: number;
}

export interface MessageHeader {
  /** UNH 0062, the message reference number. */
  reference: string;
  /** S009 0065, e.g. 'ORDERS'. */
  type: string;
  /** S009 0052 (D for a directory message; 4 or 2 for CONTRL). */
  version: string;
  /** S009 0054, e.g. '96A'. */
  release: string;
  /** S009 0051, e.g. 'UN'. */
  agency: string;
  /** S009 0057 association assigned code, e.g. 'EAN008' for an EANCOM message. */
  association: string;
  /** 0068 common access reference. */
  commonAccessReference: string;
}

/** The directory a message says it follows, e.g. 'D96A' (version and release of UNH S009). */
export function directoryOf(h: Pick<MessageHeader, 'version' | 'release'>): string {
  return `${h.version}${h.release}`;
}

/** Whether a message is written to an EANCOM guide (association code EANnnn). */
export function isEancom(h: Pick<MessageHeader, 'association'>): boolean {
  return h.association.startsWith('EAN');
}

/** The key by which a resent interchange is recognised: sender qualifier and id, and the control reference. */
export function interchangeKey(h: Pick<InterchangeHeader, 'sender' | 'controlReference'>): string {
  return `${h.sender.qualifier}:${h.sender.id}:${h.controlReference}`;
}

/**
 * A hash of what a message says, its references left out (UNH 0062 and UNT 0062, which a resend changes):
 * the message type and every segment's elements between UNH and UNT, unescaped, so the same message
 * resent with other service characters or another reference hashes the same.
 */
export function messageContentHash(type: string, segments: readonly Segment[]): string {
  // The message is hashed as one string: an update per element cost more than the hashing itself. The
  // text is what joining each segment's elements (Segment.elements) gives, read without making the arrays.
  let text = type + '\u001e';
  const last = segments.length - (segments[segments.length - 1]?.tag === 'UNT' ? 1 : 0);
  for (let i = 1; i < last; i++) {
    const seg = segments[i]!;
    text += seg.tag + '\u001d';
    for (let n = 1; n <= seg.count; n++) {
      const k = Math.max(1, seg.components(n));
      for (let j = 1; j <= k; j++) text += j === 1 ? seg.comp(n, j) : '\u001f' + seg.comp(n, j);
      text += '\u001d';
    }
    text += '\u001e';
  }
  return createHash('sha256').update(text).digest('hex');
}

export function readInterchangeHeader(seg: Segment, chars: ServiceChars, una: boolean): { header: InterchangeHeader; errors: EdifactError[] } {
  const errors: EdifactError[] = [];
  const reference = seg.el(5);
  const at = (element: number, component?: number): EdifactPosition => ({ interchange: reference, segmentTag: 'UNB', offset: seg.offset, element, ...(component ? { component } : {}) });
  const syntaxId = seg.comp(1, 1);
  const versionText = seg.comp(1, 2);
  const syntaxVersion = /^[1-4]$/.test(versionText) ? Number(versionText) : 0;
  if (!syntaxId) errors.push(edifactError('EDIFACT_UNB_INVALID', 'UNB S001 0001, the syntax identifier (the character set, such as UNOC), is missing.', at(1, 1)));
  else {
    const cs = charsetOf(syntaxId);
    if ('refused' in cs) errors.push(edifactError('EDIFACT_CHARSET_UNSUPPORTED', `The interchange declares syntax identifier ${JSON.stringify(syntaxId)}: ${cs.refused}. It was not read.`, at(1, 1)));
  }
  if (syntaxVersion === 0) errors.push(edifactError('EDIFACT_SYNTAX_VERSION', `UNB S001 0002, the syntax version, is ${JSON.stringify(versionText)}; Causeway reads versions 1 to 4.`, at(1, 2)));
  else if (syntaxVersion < 3) errors.push(edifactError('EDIFACT_SYNTAX_VERSION', `The interchange declares syntax version ${syntaxVersion}; it was read under the rules of version 3.`, at(1, 2), 'warning'));
  const sender = { id: seg.comp(2, 1), qualifier: seg.comp(2, 2), internalId: seg.comp(2, 3) };
  const recipient = { id: seg.comp(3, 1), qualifier: seg.comp(3, 2), internalId: seg.comp(3, 3) };
  if (!sender.id.trim()) errors.push(edifactError('EDIFACT_UNB_INVALID', 'UNB S002 0004, the interchange sender identification, is missing.', at(2, 1)));
  if (!recipient.id.trim()) errors.push(edifactError('EDIFACT_UNB_INVALID', 'UNB S003 0010, the interchange recipient identification, is missing.', at(3, 1)));
  const date = seg.comp(4, 1);
  const time = seg.comp(4, 2);
  const preparedAt = isoFromEdifactDate(date, time);
  if (preparedAt === null) errors.push(edifactError('EDIFACT_UNB_DATE', `UNB S004, the date and time of preparation, are ${JSON.stringify(date)} and ${JSON.stringify(time)}; they must be a real date YYMMDD (or CCYYMMDD) and time HHMM.`, at(4, 1)));
  if (!reference) errors.push(edifactError('EDIFACT_UNB_INVALID', 'UNB 0020, the interchange control reference, is missing.', at(5)));
  else if (reference.length > 14) errors.push(edifactError('EDIFACT_UNB_INVALID', `UNB 0020, the interchange control reference, is ${JSON.stringify(reference)}: longer than its 14 characters.`, at(5)));
  const testFlag = seg.el(11);
  if (testFlag !== '' && testFlag !== '1') errors.push(edifactError('EDIFACT_UNB_INVALID', `UNB 0035, the test indicator, is ${JSON.stringify(testFlag)}; it must be 1 or left out.`, at(11), 'warning'));
  const ack = seg.el(9);
  return {
    header: {
      controlReference: reference,
      syntaxId,
      syntaxVersion: syntaxVersion || 3,
      sender,
      recipient,
      preparedAt,
      applicationReference: seg.el(7),
      ackRequested: ack === '1',
      agreementId: seg.el(10),
      test: testFlag === '1',
      una,
      chars,
      offset: seg.offset,
    },
    errors,
  };
}

export function readGroupHeader(seg: Segment, interchange: InterchangeHeader): { header: GroupHeader; errors: EdifactError[] } {
  const errors: EdifactError[] = [];
  const reference = seg.el(5);
  const at = (element: number): EdifactPosition => ({ interchange: interchange.controlReference, group: reference, segmentTag: 'UNG', offset: seg.offset, element });
  const messageGroupId = seg.el(1);
  if (!messageGroupId) errors.push(edifactError('EDIFACT_UNG_INVALID', 'UNG 0038, the message group identification, is missing.', at(1)));
  if (!reference) errors.push(edifactError('EDIFACT_UNG_INVALID', 'UNG 0048, the group reference number, is missing.', at(5)));
  const preparedAt = isoFromEdifactDate(seg.comp(4, 1), seg.comp(4, 2));
  if ((seg.comp(4, 1) || seg.comp(4, 2)) && preparedAt === null) errors.push(edifactError('EDIFACT_UNG_INVALID', `UNG S004, the date and time of preparation, are ${JSON.stringify(seg.el(4))}; expected YYMMDD:HHMM.`, at(4)));
  return {
    header: {
      reference,
      messageGroupId,
      sender: { id: seg.comp(2, 1), qualifier: seg.comp(2, 2) },
      recipient: { id: seg.comp(3, 1), qualifier: seg.comp(3, 2) },
      preparedAt,
      agency: seg.el(6),
      version: [seg.comp(7, 1), seg.comp(7, 2), seg.comp(7, 3)].filter(Boolean).join(':'),
      offset: seg.offset,
    },
    errors,
  };
}

/**
 * Reads a UNH. The messages of a file repeat one type, version, release, agency and association: given the
 * header before it, equal values are taken from it rather than cut again, so the headers an interchange's
 * verdict keeps until its UNZ share their strings.
 */
export function readMessageHeader(seg: Segment, previous: MessageHeader | null = null): MessageHeader {
  return {
    reference: seg.el(1),
    type: previous !== null && seg.is(2, 1, previous.type) ? previous.type : seg.comp(2, 1),
    version: previous !== null && seg.is(2, 2, previous.version) ? previous.version : seg.comp(2, 2),
    release: previous !== null && seg.is(2, 3, previous.release) ? previous.release : seg.comp(2, 3),
    agency: previous !== null && seg.is(2, 4, previous.agency) ? previous.agency : seg.comp(2, 4),
    association: previous !== null && seg.is(2, 5, previous.association) ? previous.association : seg.comp(2, 5),
    commonAccessReference: seg.el(3),
  };
}

/** A count element (UNT 0074, UNE 0060, UNZ 0036) as a number, or null when it is not one. */
export function readCount(value: string): number | null {
  return isDigits(value, 1, 10) ? Number(value) : null;
}

/** References match when they are the same text, or the same number (0000123 closes 123). */
export function sameReference(a: string, b: string): boolean {
  if (a === b) return true;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.replace(/^0+/, '') === b.replace(/^0+/, '');
  return false;
}

/** UNB/UNG date YYMMDD (syntax 3) or CCYYMMDD (syntax 4) and time HHMM as ISO-8601 without offset. */
export function isoFromEdifactDate(date: string, time: string): string | null {
  let full: string;
  if (/^\d{6}$/.test(date)) {
    // A two-digit year is read within a 100-year window, 1950-2049, as for X12.
    const yy = Number(date.slice(0, 2));
    full = `${yy >= 50 ? 19 : 20}${date}`;
  } else if (/^\d{8}$/.test(date)) full = date;
  else return null;
  const y = Number(full.slice(0, 4));
  const m = Number(full.slice(4, 6));
  const d = Number(full.slice(6, 8));
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  if (!/^\d{4}$/.test(time)) return null;
  const hh = Number(time.slice(0, 2));
  const mi = Number(time.slice(2, 4));
  if (hh > 23 || mi > 59) return null;
  return `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:00`;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
