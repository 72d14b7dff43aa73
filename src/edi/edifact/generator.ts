// Writes interchanges: UNA when wanted, UNB with the clock's date, messages with UNH/UNT counts, optional
// UNG/UNE groups, UNZ; every value escaped with the release character and held to the character set.
import { charsetOf, encodeText, nameCharacter, unencodable, type Charset } from './charsets.ts';
import { edifactError, type EdifactError, type EdifactPosition } from './errors.ts';
import { checkServiceChars, DEFAULT_SERVICE_CHARS, forVersion, isDefault, repeats, writeUna, type ServiceChars } from './syntax.ts';

/** An element: a plain value, or the components of a composite element. */
export type EdifactElement = string | readonly string[];
/** A segment to write: its tag, then element 1, 2, ... Empty trailing elements and components are dropped. */
export type EdifactSegmentData = readonly [string, ...EdifactElement[]];

/**
 * Hands out the next control reference of a kind. The store keeps one sequence per partner so references
 * are unique and increasing across restarts and workers; the generator never invents one.
 */
export type NextReference = (kind: 'interchange' | 'group' | 'message') => Promise<number>;

export interface PartyToWrite {
  /** S002 0004 / S003 0010. */
  id: string;
  /** 0007: 14 GS1 location number, 1 DUNS, ZZZ mutually defined ... ('' leaves it out). */
  qualifier?: string;
  /** S002 0008 / S003 0014 internal routing id. */
  internalId?: string;
}

export interface InterchangeOptions {
  sender: PartyToWrite;
  recipient: PartyToWrite;
  /** S001: the character set (UNOA, UNOC, UNOY ...) and syntax version (3 or 4). */
  syntax: { identifier: string; version: 3 | 4 };
  /** Service characters to write; the defaults when left out. */
  chars?: ServiceChars;
  /** 'always' writes a UNA; 'when-needed' only when the service characters are not the defaults. */
  una?: 'always' | 'when-needed';
  applicationReference?: string;
  /** UNB 0031: ask the recipient for a CONTRL. */
  ackRequested?: boolean;
  /** UNB 0032, e.g. 'EANCOM'. */
  agreementId?: string;
  /** UNB 0035 test indicator. */
  test?: boolean;
  /** Write UNG/UNE around the messages (one group per message type). */
  groups?: boolean;
  /** A line break after each segment terminator. */
  lineBreaks?: boolean;
  /** UNOA has no lower case: fold it to upper case rather than refuse it (the usual practice). Default true. */
  upperCaseForUnoa?: boolean;
  nextReference: NextReference;
  /** Clock for UNB and UNG S004, written in UTC. */
  now?: () => Date;
}

export interface MessageToWrite {
  /** S009 0065, e.g. 'ORDERS'. */
  type: string;
  /** S009 0052: 'D' for directory messages, '4' or 'D' for CONTRL. */
  version: string;
  /** S009 0054, e.g. '96A'. */
  release: string;
  /** S009 0051, default 'UN'. */
  agency?: string;
  /** S009 0057, e.g. 'EAN008'. */
  association?: string;
  /** Everything between UNH and UNT. */
  segments: readonly EdifactSegmentData[];
}

export interface WrittenInterchange {
  /** The interchange in its character set; empty when errors were found. */
  bytes: Buffer;
  /** The same as text. */
  text: string;
  controlReference: string;
  groups: Array<{ reference: string; messageType: string }>;
  messages: Array<{ type: string; reference: string; group?: string }>;
  errors: EdifactError[];
}

/** How values are written: the service characters to release and the set to hold them to. */
export interface Writing {
  chars: ServiceChars;
  charset: Charset;
  upperCaseForUnoa: boolean;
  /** Matches what needs a closer look in a value: a service character, a control or a non-ASCII character. */
  special: RegExp;
}

/** Joins one segment, releasing service characters in values and refusing characters the set cannot carry. */
export function writeSegment(seg: EdifactSegmentData, w: Writing, errors: EdifactError[], where: EdifactPosition = {}): string {
  const c = w.chars;
  let last = seg.length - 1;
  while (last > 0 && isEmpty(seg[last]!)) last--;
  let out = seg[0];
  for (let i = 1; i <= last; i++) {
    const el = seg[i]!;
    out += c.element;
    if (typeof el === 'string') out += escape(el, w, errors, { ...where, segmentTag: seg[0], element: i });
    else {
      let n = el.length;
      while (n > 0 && el[n - 1] === '') n--;
      for (let k = 0; k < n; k++) {
        if (k > 0) out += c.component;
        out += escape(el[k]!, w, errors, { ...where, segmentTag: seg[0], element: i, component: k + 1 });
      }
    }
  }
  return out + c.segment;
}

function escape(value: string, w: Writing, errors: EdifactError[], where: EdifactPosition): string {
  let v = w.charset.id === 'UNOA' && w.upperCaseForUnoa ? value.toUpperCase() : value;
  const c = w.chars;
  // Most values are plain letters and digits: nothing to look at.
  if (!w.special.test(v)) return v;
  const bad = unencodable(v, w.charset);
  if (bad.length > 0) {
    errors.push(edifactError('EDIFACT_CHARACTER_UNENCODABLE', `The value ${JSON.stringify(value)} holds ${bad.map(nameCharacter).join(', ')}, which ${w.charset.name} cannot carry; write to this partner in a character set that has them (UNOY carries every character) or change the value.`, where));
    return '';
  }
  const specials = [c.release, c.component, c.element, c.segment];
  if (repeats(c)) specials.push(c.repetition);
  let out = '';
  for (const ch of v) {
    if (specials.includes(ch) && ch !== '') {
      if (c.release === '') {
        errors.push(edifactError('EDIFACT_SERVICE_CHARS', `The value ${JSON.stringify(value)} holds the service character ${JSON.stringify(ch)} and the interchange has no release character to escape it.`, where));
        return '';
      }
      out += c.release;
    }
    out += ch;
  }
  v = out;
  return v;
}

function isEmpty(el: EdifactElement): boolean {
  if (typeof el === 'string') return el === '';
  for (const c of el) if (c !== '') return false;
  return true;
}

/** The Writing for a syntax identifier and version, or an error naming why it cannot be had. */
export function writingFor(identifier: string, version: number, chars: ServiceChars | undefined, upperCaseForUnoa = true): Writing | EdifactError {
  const cs = charsetOf(identifier);
  if ('refused' in cs) return edifactError('EDIFACT_CHARSET_UNSUPPORTED', `Cannot write syntax identifier ${identifier}: ${cs.refused}.`);
  const c = forVersion(chars ?? DEFAULT_SERVICE_CHARS, version);
  const problem = checkServiceChars(c);
  if (problem !== null) return edifactError('EDIFACT_SERVICE_CHARS', `Cannot write with these service characters: ${problem}.`);
  const specials = [c.release, c.component, c.element, c.segment, repeats(c) ? c.repetition : ''].filter(Boolean).map((ch) => '\\' + ch).join('');
  return { chars: c, charset: cs, upperCaseForUnoa, special: new RegExp(`[\\x00-\\x1f\\x7f-\\uffff${specials}]`) };
}

/** Builds one interchange: UNA, UNB, each message (in groups when asked), UNZ, with counts and references computed. */
export async function writeInterchange(messages: readonly MessageToWrite[], opts: InterchangeOptions): Promise<WrittenInterchange> {
  const errors: EdifactError[] = [];
  const version = opts.syntax.version;
  const w = writingFor(opts.syntax.identifier, version, opts.chars, opts.upperCaseForUnoa ?? true);
  const empty: WrittenInterchange = { bytes: Buffer.alloc(0), text: '', controlReference: '', groups: [], messages: [], errors };
  if ('code' in w) {
    errors.push(w);
    return empty;
  }
  const chars = w.chars;
  const nl = opts.lineBreaks && chars.segment !== '\n' ? '\n' : '';
  const now = (opts.now ?? (() => new Date()))();
  const icNumber = await opts.nextReference('interchange');
  if (!Number.isInteger(icNumber) || icNumber < 1 || icNumber > 99_999_999_999_999) {
    errors.push(edifactError('EDIFACT_REFERENCE_RANGE', `The interchange control reference ${icNumber} from the store is out of range; UNB 0020 holds 1 to 99999999999999.`));
    return empty;
  }
  const reference = String(icNumber);
  const date = version >= 4 ? utcDate(now) : utcDate(now).slice(2);
  const time = utcTime(now);
  const parts: string[] = [];
  if (opts.una === 'always' || !isDefault(chars, version)) parts.push(writeUna(chars) + nl);
  const icWhere: EdifactPosition = { interchange: reference };
  const party = (p: PartyToWrite): string[] => [p.id, p.qualifier ?? '', p.internalId ?? ''];
  parts.push(writeSegment(['UNB', [opts.syntax.identifier, String(version)], party(opts.sender), party(opts.recipient), [date, time], reference, '', opts.applicationReference ?? '', '', opts.ackRequested ? '1' : '', opts.agreementId ?? '', opts.test ? '1' : ''], w, errors, icWhere) + nl);
  const written: WrittenInterchange = { bytes: Buffer.alloc(0), text: '', controlReference: reference, groups: [], messages: [], errors };
  const writeMessage = async (m: MessageToWrite, group?: string): Promise<void> => {
    const ref = String(await opts.nextReference('message'));
    const where: EdifactPosition = { ...icWhere, ...(group ? { group } : {}), message: ref, messageType: m.type };
    const s009 = [m.type, m.version, m.release, m.agency ?? 'UN', m.association ?? ''];
    parts.push(writeSegment(['UNH', ref, s009], w, errors, { ...where, segmentPosition: 1 }) + nl);
    m.segments.forEach((seg, i) => parts.push(writeSegment(seg, w, errors, { ...where, segmentPosition: i + 2 }) + nl));
    parts.push(writeSegment(['UNT', String(m.segments.length + 2), ref], w, errors, { ...where, segmentPosition: m.segments.length + 2 }) + nl);
    written.messages.push({ type: m.type, reference: ref, ...(group ? { group } : {}) });
  };
  if (opts.groups) {
    const byType = new Map<string, MessageToWrite[]>();
    for (const m of messages) byType.set(m.type, [...(byType.get(m.type) ?? []), m]);
    for (const [type, list] of byType) {
      const g = String(await opts.nextReference('group'));
      const first = list[0]!;
      const s008 = [first.version, first.release, first.association ?? ''];
      parts.push(writeSegment(['UNG', type, [opts.sender.id, opts.sender.qualifier ?? ''], [opts.recipient.id, opts.recipient.qualifier ?? ''], [date, time], g, first.agency ?? 'UN', s008], w, errors, { ...icWhere, group: g }) + nl);
      for (const m of list) await writeMessage(m, g);
      parts.push(writeSegment(['UNE', String(list.length), g], w, errors, { ...icWhere, group: g }) + nl);
      written.groups.push({ reference: g, messageType: type });
    }
  } else for (const m of messages) await writeMessage(m);
  parts.push(writeSegment(['UNZ', String(opts.groups ? written.groups.length : messages.length), reference], w, errors, icWhere) + nl);
  if (errors.some((e) => e.severity === 'error')) return { ...written, errors };
  const text = parts.join('');
  return { ...written, text, bytes: encodeText(text, w.charset) };
}

export function utcDate(d: Date): string {
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

export function utcTime(d: Date): string {
  return `${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}`;
}
