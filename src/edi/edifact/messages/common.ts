// What every message module shares: reading segments with positioned errors, dates (DTM 2379 formats),
// decimals with either decimal mark, NAD parties, LIN/PIA item ids, and the canonical envelope fields.
import { normaliseDecimal, plainDecimal } from '../../../model/index.ts';
import type { Address, Party, SalesOrder } from '../../../model/index.ts';

type Carrier = NonNullable<SalesOrder['carrier']>;
import { daysInMonth, isEancom } from '../envelope.ts';
import { edifactError, type EdifactError, type EdifactErrorCode } from '../errors.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import { isCountryCode } from '../../country.ts';
import { isDigits } from '../../digits.ts';

/** What the codec knows that the interchange does not: whose data this is and how it arrived. */
export interface DecodeContext {
  tenant: string;
  /** The endpoint (connector) name the file came in through. */
  endpoint: string;
  /** ISO-8601 with offset. */
  receivedAt: string;
  /** Offset for dates without a zone, e.g. '+01:00'. Default 'Z'. */
  utcOffset?: string;
  /** Hold messages to the EANCOM guides even when UNH does not say EANnnn (a partner set up as EANCOM). */
  eancom?: boolean;
}

/** What a partner profile changes in how a message is written. */
export interface MessageOptions {
  directory: 'D96A' | 'D01B';
  eancom: boolean;
  /** UNH S009 0057 to write. */
  association: string;
  /** Decimal mark to write (the UNA's). */
  decimal: '.' | ',';
}

export interface MessageDecodeResult<D> {
  documents: D[];
  /** Content errors ('error' rejects the message) with their positions. */
  errors: EdifactError[];
}

export interface MessageEncodeResult {
  /** UNH S009 0065. */
  type: string;
  /** Body segments, UNH and UNT excluded: the generator adds those. */
  segments: EdifactSegmentData[];
  errors: EdifactError[];
}

/** The directory a message is read as: D96A or D01B, the closest by release when it names another. */
export function readingDirectory(m: EdifactMessage): 'D96A' | 'D01B' {
  const d = `D${m.header.release}`;
  if (d === 'D96A' || d === 'D01B') return d;
  // Releases are YY + A/B/C; before 2000 (9xA) read as D96A, from 2000 on as D01B.
  return /^9/.test(m.header.release) ? 'D96A' : 'D01B';
}

/** Reads one message's segments in order, keeping the position each error must name. */
export class MessageReader {
  readonly errors: EdifactError[] = [];
  readonly directory: 'D96A' | 'D01B';
  readonly eancom: boolean;
  private i = 1; // segments[0] is UNH
  private readonly last: number;
  constructor(readonly message: EdifactMessage, ctx: Pick<DecodeContext, 'eancom'>) {
    this.last = message.segments.length - 1;
    if (message.segments[this.last]?.tag !== 'UNT') this.last = message.segments.length;
    const release = message.header.release;
    this.eancom = isEancom(message.header) || ctx.eancom === true;
    if (release === '96A' || release === '01B') this.directory = release === '96A' ? 'D96A' : 'D01B';
    else {
      this.directory = readingDirectory(message);
      if (message.header.type !== 'CONTRL') this.error('EDIFACT_DIRECTORY_UNSUPPORTED', `The message follows directory D${release}; Causeway reads D96A and D01B and read it as ${this.directory}.`, message.segments[0], 2, 3, 'warning');
    }
  }

  peek(): Segment | undefined {
    return this.i < this.last ? this.message.segments[this.i] : undefined;
  }

  next(): Segment | undefined {
    return this.i < this.last ? this.message.segments[this.i++] : undefined;
  }

  positionOf(seg: Segment): number {
    if (this.message.segments[this.i - 1] === seg) return this.i;
    return this.message.segments.indexOf(seg) + 1;
  }

  error(code: EdifactErrorCode, message: string, seg?: Segment, element?: number, component?: number, severity: 'error' | 'warning' = 'error'): void {
    const m = this.message;
    this.errors.push(
      edifactError(
        code,
        message,
        {
          ...(m.interchange ? { interchange: m.interchange.controlReference } : {}),
          ...(m.group ? { group: m.group.reference } : {}),
          message: m.header.reference,
          messageType: m.header.type,
          ...(seg ? { segmentPosition: this.positionOf(seg), offset: seg.offset, segmentTag: seg.tag } : {}),
          ...(element !== undefined ? { element } : {}),
          ...(component !== undefined ? { component } : {}),
        },
        severity,
      ),
    );
  }

  /** A segment the message does not define at this point: the message is rejected, as a CONTRL would say. */
  unknown(seg: Segment): void {
    this.error('EDIFACT_SEGMENT_UNKNOWN', `Segment ${seg.tag} is not part of a ${this.message.header.type} at this point; it cannot be read.`, seg);
  }

  /** A mandatory component: an error when missing, naming what it is. */
  req(seg: Segment, n: number, j: number, what: string): string {
    const v = seg.comp(n, j);
    if (v === '') this.error('EDIFACT_ELEMENT_MISSING', `${ref(seg.tag, n, j)}, the ${what}, is missing.`, seg, n, j);
    return v;
  }

  /** A decimal as an exact string; either decimal mark is read (ISO 9735 lets the UNA name one, receivers take both). */
  decimal(seg: Segment, n: number, j: number, what: string, required = true): string | undefined {
    const v = seg.comp(n, j);
    if (v === '') {
      if (required) this.error('EDIFACT_ELEMENT_MISSING', `${ref(seg.tag, n, j)}, the ${what}, is missing.`, seg, n, j);
      return undefined;
    }
    const d = readDecimal(v);
    if (d === null) this.error('EDIFACT_ELEMENT_INVALID', `${ref(seg.tag, n, j)}, the ${what}, is ${JSON.stringify(v)}, which is not a number.`, seg, n, j);
    return d ?? undefined;
  }

  /** A DTM C507 as an ISO date or date-time with the partner's offset (2379: 102, 203, 204, 101, 303). */
  dtm(seg: Segment, offset: string, dateOnly: boolean): string | undefined {
    const value = seg.comp(1, 2);
    // Nearly every DTM says 102: compared in place rather than cut as a string each time.
    const given = seg.is(1, 3, '102') ? '102' : seg.comp(1, 3);
    const format = given || (value.length === 8 ? '102' : value.length === 12 ? '203' : '');
    const parsed = parseDtm(value, format, offset);
    if (parsed === null) {
      this.error('EDIFACT_ELEMENT_INVALID', `DTM C507 holds ${JSON.stringify(value)} with format ${JSON.stringify(seg.comp(1, 3))}; Causeway reads formats 102 (CCYYMMDD), 101 (YYMMDD), 203 (CCYYMMDDHHMM), 204 (with seconds) and 303 (with a zone).`, seg, 1, 2);
      return undefined;
    }
    if (!given) this.error('EDIFACT_ELEMENT_MISSING', `DTM C507 2379, the date format code, is missing; ${JSON.stringify(value)} was read as ${format}.`, seg, 1, 3, 'warning');
    return dateOnly ? parsed.slice(0, 10) : parsed.length === 10 ? `${parsed}T00:00:00${offset}` : parsed;
  }

  /** Reports a segment the message needs but does not have. */
  missing(tag: string, what: string, severity: 'error' | 'warning' = 'error'): void {
    const tail = severity === 'error' ? 'it is required' : 'the document goes through without it';
    this.error('EDIFACT_SEGMENT_MISSING', `The ${this.message.header.type} has no ${tag} segment (${what}); ${tail}.`, undefined, undefined, undefined, severity);
    this.errors[this.errors.length - 1]!.position.segmentTag = tag.slice(0, 3);
  }

  /** Checks a composite's component count against what the directory allows. */
  components(seg: Segment, n: number, max: number, what: string): void {
    const k = seg.components(n);
    if (k > max) {
      this.error('EDIFACT_TOO_MANY_COMPONENTS', `${ref(seg.tag, n)}, the ${what}, has ${k} components; it holds at most ${max} (an unreleased ${JSON.stringify(seg.chars.component)} in the text?).`, seg, n, max + 1);
    }
  }
}

/**
 * Starts reading a message whose first body segment must be BGM: the reader, the partner's offset for dates
 * without a zone, and the BGM (undefined, with the error reported, when the message does not begin with one).
 */
export function beginMessage(m: EdifactMessage, ctx: DecodeContext): { r: MessageReader; offset: string; bgm: Segment | undefined } {
  const r = new MessageReader(m, ctx);
  const bgm = r.next();
  if (bgm && bgm.tag === 'BGM') return { r, offset: ctx.utcOffset ?? 'Z', bgm };
  r.missing('BGM', 'beginning of message');
  return { r, offset: ctx.utcOffset ?? 'Z', bgm: undefined };
}

/** A segment the message neither reads here nor ignores everywhere: a second BGM or one it does not define. */
export function otherSegment(r: MessageReader, seg: Segment, known: ReadonlySet<string>): void {
  if (seg.tag === 'BGM') r.error('EDIFACT_SEGMENT_REPEATED', 'A second BGM: a message has one beginning segment.', seg);
  else if (!known.has(seg.tag) && !IGNORED.has(seg.tag)) r.unknown(seg);
}

export function ref(tag: string, n: number, j?: number): string {
  return `${tag}-${n < 10 ? '0' : ''}${n}${j !== undefined && j > 0 ? `-${j}` : ''}`;
}

/** "12", "12.5", "12,5", "-3", ".5" as canonical exact decimals; null when not a number. */
export function readDecimal(v: string): string | null {
  // Most quantities are small whole numbers, already canonical: no regex, no copy.
  const n = v.length;
  if (n > 0 && n <= 15 && (v.charCodeAt(0) !== 48 || n === 1)) {
    let digits = true;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) {
        digits = false;
        break;
      }
    }
    if (digits) return v;
  }
  // Prices and weights such as "1.50" or "12,5": either mark is read.
  const plain = plainDecimal(v, true, true);
  if (plain !== undefined) return plain;
  const s = v.replace(',', '.');
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  let t = s;
  const neg = t[0] === '-';
  if (neg) t = t.slice(1);
  if (t[0] === '.') t = '0' + t;
  if (t.endsWith('.')) t = t.slice(0, -1);
  const point = t.indexOf('.');
  if ((point >= 0 ? point : t.length) > 18 || (point >= 0 && t.length - point - 1 > 9)) return null;
  return normaliseDecimal(neg ? '-' + t : t);
}

/** A canonical decimal with the partner's decimal mark. */
export function writeDecimal(v: string, mark: '.' | ','): string {
  return mark === ',' ? v.replace('.', ',') : v;
}

/**
 * The last two CCYYMMDD read and their ISO forms: a file repeats the same few dates in message after
 * message, often two in turn (a document date and a best-before date).
 */
let last102 = '';
let last102Iso = '';
let before102 = '';
let before102Iso = '';

/** DTM value and format (2379) as ISO: a date, a date-time without offset given the partner's, or 303 with its own. */
export function parseDtm(value: string, format: string, offset: string): string | null {
  // The common case, a CCYYMMDD date, without a regex or a number parse per part.
  if (format === '102' && value.length === 8) {
    if (value === last102) return last102Iso;
    if (value === before102) {
      before102 = last102;
      last102 = value;
      const iso = before102Iso;
      before102Iso = last102Iso;
      last102Iso = iso;
      return iso;
    }
    let y = 0;
    for (let i = 0; i < 4; i++) {
      const c = value.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      y = y * 10 + c;
    }
    const m1 = value.charCodeAt(4) - 48;
    const m2 = value.charCodeAt(5) - 48;
    const d1 = value.charCodeAt(6) - 48;
    const d2 = value.charCodeAt(7) - 48;
    if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return null;
    const mo = m1 * 10 + m2;
    const d = d1 * 10 + d2;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
    before102 = last102;
    before102Iso = last102Iso;
    last102Iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
    last102 = value;
    return last102Iso;
  }
  let date: string;
  let time = '';
  let zone = offset;
  switch (format) {
    case '102':
      date = value;
      break;
    case '101':
      if (!/^\d{6}$/.test(value)) return null;
      date = `${Number(value.slice(0, 2)) >= 50 ? 19 : 20}${value}`;
      break;
    case '203':
      if (value.length !== 12) return null;
      date = value.slice(0, 8);
      time = value.slice(8, 12) + '00';
      break;
    case '204':
      if (value.length !== 14) return null;
      date = value.slice(0, 8);
      time = value.slice(8, 14);
      break;
    case '303':
    case '304': {
      // CCYYMMDDHHMM[SS]ZZZ: the zone as a signed offset (+01, +0100) or UTC/GMT/Z.
      const m = format === '303' ? /^(\d{8})(\d{4})()(.+)$/.exec(value) : /^(\d{8})(\d{4})(\d{2})(.+)$/.exec(value);
      if (!m) return null;
      date = m[1]!;
      time = m[2]! + (m[3] || '00');
      const z = /^([+-]\d{2}):?(\d{2})?$/.exec(m[4]!);
      if (z) zone = `${z[1]}:${z[2] ?? '00'}`;
      else if (m[4] === 'UTC' || m[4] === 'GMT' || m[4] === 'Z') zone = 'Z';
      else return null;
      if (zone === '+00:00' || zone === '-00:00') zone = 'Z';
      break;
    }
    default:
      return null;
  }
  if (!/^\d{8}$/.test(date)) return null;
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(4, 6));
  const d = Number(date.slice(6, 8));
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  if (time === '') return iso;
  if (!/^\d{6}$/.test(time) || Number(time.slice(0, 2)) > 23 || Number(time.slice(2, 4)) > 59 || Number(time.slice(4, 6)) > 59) return null;
  return `${iso}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}${zone}`;
}

/** An ISO date as DTM C507 (102). */
export function dtmDate(qualifier: string, iso: string): EdifactSegmentData {
  return ['DTM', [qualifier, iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10), '102']];
}

/** An ISO date-time as DTM C507: 303 with its offset (so no partner clock is needed), 102 when it is a date. */
export function dtmDateTime(qualifier: string, iso: string): EdifactSegmentData {
  if (iso.length <= 10) return dtmDate(qualifier, iso);
  const d = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
  const sec = iso.slice(17, 19);
  const zone = /([+-]\d\d):?(\d\d)$/.exec(iso);
  if (sec && sec !== '00') return ['DTM', [qualifier, d + sec + (zone ? zone[1]! + zone[2]! : ''), zone ? '304' : '204']];
  return ['DTM', [qualifier, d + (zone ? zone[1]! + zone[2]! : '+0000'), '303']];
}

/** A NAD (with its CTA/COM contacts) read into a party: C082 id, C080 names, C059 street, city, region, postcode, country. */
export interface NadParty {
  /** NAD 3035 party function: BY buyer, SU supplier, DP delivery party, ST ship to, SF ship from, IV invoicee ... */
  qualifier: string;
  /** C082 3039 party identifier (a GLN with agency 9). */
  code?: string;
  /** C082 3055 code list responsible agency. */
  agency?: string;
  address: Address;
}

export function readNad(r: MessageReader, nad: Segment): NadParty {
  const party: NadParty = { qualifier: nad.el(1), address: { lines: [] } };
  if (!party.qualifier) r.req(nad, 1, 1, 'party function code qualifier');
  const code = nad.comp(2, 1);
  if (code) {
    party.code = code;
    const agency = nad.comp(2, 3);
    if (agency) party.agency = agency;
  }
  const a = party.address;
  // C080 party name: the first line is the name, the second the company; C058 unstructured lines fill in when absent.
  const name = nad.comp(4, 1) || nad.comp(3, 1);
  if (name) a.name = name;
  const company = nad.comp(4, 2);
  if (company) a.company = company;
  for (let j = 1; j <= 4; j++) {
    const line = nad.comp(5, j);
    if (line && a.lines.length < 4) a.lines.push(line);
  }
  const city = nad.el(6);
  if (city) a.city = city;
  const region = nad.comp(7, 1);
  if (region) a.region = region;
  const postalCode = nad.el(8);
  if (postalCode) a.postalCode = postalCode;
  const country = nad.el(9);
  if (isCountryCode(country)) a.country = country;
  else if (country) r.error('EDIFACT_ELEMENT_INVALID', `NAD-09, the country code, is ${JSON.stringify(country)}; expected an ISO 3166 two-letter code.`, nad, 9, undefined, 'warning');
  // Contacts follow their NAD: CTA then COM (TE telephone, EM e-mail).
  for (let s = r.peek(); s && (s.tag === 'CTA' || s.tag === 'COM' || s.tag === 'LOC' || s.tag === 'FII'); s = r.peek()) {
    r.next();
    if (s.tag === 'COM') {
      const q = s.comp(1, 2);
      const v = s.comp(1, 1);
      if (q === 'TE' && v) a.phone = v;
      else if (q === 'EM' && v) a.email = v;
    }
  }
  return party;
}

/** A party: the NAD's first name line is the party's name, not repeated in its address. */
export function partyOf(p: NadParty): Party {
  const party: Party = {};
  if (p.code) party.code = p.code;
  if (p.address.name) party.name = p.address.name;
  if (hasAddress(p.address)) {
    const { name: _name, ...address } = p.address;
    party.address = address;
  }
  return party;
}

function hasAddress(a: Address): boolean {
  return a.lines.length > 0 || !!a.city || !!a.region || !!a.postalCode || !!a.country || !!a.company || !!a.phone || !!a.email;
}

/** A GLN is 13 digits: its agency is GS1 (3055 9); any other code is assigned by the sender (92 for a buyer, 91 for a supplier). */
export function agencyFor(code: string): string {
  return /^\d{13}$/.test(code) ? '9' : '92';
}

/** Writes a NAD (and CTA/COM for the phone and e-mail). */
export function writeNad(qualifier: string, p: { code?: string; name?: string; address?: Address }, directory: 'D96A' | 'D01B'): EdifactSegmentData[] {
  const a = p.address;
  const name = p.name ?? a?.name ?? '';
  const out: EdifactSegmentData[] = [];
  out.push([
    'NAD', qualifier, p.code ? [p.code, '', agencyFor(p.code)] : '', '',
    [name, a?.company ?? ''], a ? a.lines.slice(0, 4) : '', a?.city ?? '',
    // 3229 is a simple element in D96A and the first component of C819 in D01B: written the same.
    directory === 'D01B' ? [a?.region ?? ''] : (a?.region ?? ''), a?.postalCode ?? '', a?.country ?? '',
  ]);
  if (a?.phone || a?.email) {
    out.push(['CTA', 'IC']);
    if (a.phone) out.push(['COM', [a.phone, 'TE']]);
    if (a.email) out.push(['COM', [a.email, 'EM']]);
  }
  return out;
}

/**
 * Item number type codes (7143) in the order we trust them to be the SKU both sides agree on: SA supplier's
 * article number, MF manufacturer's, IN buyer's item number, BP buyer's part number. SRV (GS1 GTIN), EN
 * (EAN-13) and UP (UPC) carry barcodes; NB is a batch (lot) number.
 */
const SKU_TYPES = ['SA', 'MF', 'VN', 'IN', 'BP'];
const GTIN_TYPES = ['SRV', 'EN', 'UP', 'UK', 'EAN'];
const CUSTOMER_TYPES = ['IN', 'BP'];

export interface ItemIds {
  sku?: string;
  /** An item number without a type code (7143): the item's id when nothing better is given. */
  untyped?: string;
  gtin?: string;
  customerSku?: string;
  lot?: string;
  skuRank: number;
}

export function emptyIds(): ItemIds {
  return { skuRank: SKU_TYPES.length };
}

/** Adds the C212 item number at element n (LIN C212, one of PIA's five) to what is known of the item. */
export function addItemId(ids: ItemIds, seg: Segment, n: number): void {
  const id = seg.comp(n, 1);
  if (!id) return;
  const type = seg.comp(n, 2);
  if (type === '') {
    ids.untyped ??= id;
    return;
  }
  if (type === 'SA' && ids.skuRank > 0) {
    ids.skuRank = 0;
    ids.sku = id;
    return;
  }
  const rank = SKU_TYPES.indexOf(type);
  if (rank >= 0 && rank < ids.skuRank) {
    ids.skuRank = rank;
    ids.sku = id;
  }
  if (CUSTOMER_TYPES.includes(type) && ids.customerSku === undefined) ids.customerSku = id;
  if (ids.gtin === undefined && GTIN_TYPES.includes(type) && isDigits(id, 8, 14)) ids.gtin = id;
  if (type === 'NB' && ids.lot === undefined) ids.lot = id;
}

/** The SKU: the best SKU-like id, else the barcode (retail guides often send only the GTIN). */
export function skuOf(ids: ItemIds): string | undefined {
  return ids.sku ?? ids.gtin ?? ids.untyped;
}

/** LIN and PIA for an item: the GTIN in LIN (SRV) when there is one, the SKU as supplier's article number. */
export function writeItem(lineNumber: string, sku: string, opts: { gtin?: string; customerSku?: string; lot?: string; eancom: boolean }): EdifactSegmentData[] {
  const out: EdifactSegmentData[] = [];
  const pia: string[][] = [];
  if (opts.gtin) {
    out.push(['LIN', lineNumber, '', [opts.gtin, 'SRV']]);
    pia.push([sku, 'SA']);
  } else if (opts.eancom && /^\d{13,14}$/.test(sku)) out.push(['LIN', lineNumber, '', [sku, 'SRV']]);
  else out.push(['LIN', lineNumber, '', [sku, 'SA']]);
  if (opts.customerSku) pia.push([opts.customerSku, 'IN']);
  if (opts.lot) pia.push([opts.lot, 'NB']);
  // PIA 4347 1: additional identification; five C212 per segment.
  for (let i = 0; i < pia.length; i += 5) out.push(['PIA', '1', ...pia.slice(i, i + 5)] as unknown as EdifactSegmentData);
  return out;
}

/** TDT C220 8067 mode, C228 8178 free text (the service level), C040 3127 carrier (3055 182: a SCAC). */
export function readCarrier(seg: Segment): Carrier | undefined {
  const c: Carrier = {};
  const id = seg.comp(5, 1);
  if (id && seg.comp(5, 3) === '182' && /^[A-Z0-9]{2,4}$/.test(id)) c.scac = id;
  else if (id) c.code = id;
  const service = seg.comp(4, 2);
  if (service) c.service = service;
  const mode = seg.comp(3, 1);
  if (mode) c.transportMode = mode;
  return c.scac !== undefined || c.code !== undefined || c.service !== undefined || c.transportMode !== undefined ? c : undefined;
}

/** TDT 20 (main carriage) for a carrier, the SCAC under agency 182. */
export function writeCarrier(c: Carrier): EdifactSegmentData {
  return ['TDT', '20', '', c.transportMode ? [c.transportMode] : '', c.service ? ['', c.service] : '', c.scac ? [c.scac, '', '182'] : c.code ? [c.code] : ''];
}

/** GIN BN: serial numbers, two to a C208 and five C208 to a segment. */
export function writeSerials(segs: EdifactSegmentData[], serials: readonly string[]): void {
  for (let i = 0; i < serials.length; i += 10) {
    const batch = serials.slice(i, i + 10);
    const pairs: string[][] = [];
    for (let k = 0; k < batch.length; k += 2) pairs.push(batch.slice(k, k + 2));
    segs.push(['GIN', 'BN', ...pairs] as unknown as EdifactSegmentData);
  }
}

/** The item numbers of a PIA (its five C212) added to what is known of the line's item. */
export function addPiaIds(ids: ItemIds, seg: Segment): void {
  for (let n = 2; n <= 6; n++) addItemId(ids, seg, n);
}

/** The canonical document id: unique per sender (its interchange reference and the message reference). */
export function documentId(m: EdifactMessage, index: number): string {
  const ic = m.interchange;
  const suffix = index > 0 ? `:${index + 1}` : '';
  return ic ? `edifact:${ic.sender.qualifier}:${ic.sender.id}:${ic.controlReference}:${m.group ? m.group.reference + ':' : ''}${m.header.reference}${suffix}` : `edifact:${m.header.type}:${m.header.reference}:${m.offset}${suffix}`;
}

export function documentSource(m: EdifactMessage, ctx: DecodeContext): { endpoint: string; partnerRef: string } {
  const ic = m.interchange;
  return { endpoint: ctx.endpoint, partnerRef: `${ic ? `UNB=${ic.controlReference} ` : ''}${m.group ? `UNG=${m.group.reference} ` : ''}UNH=${m.header.reference}` };
}

/** When it happened at the source: the message's document date (DTM 137) when given, else the UNB's, else receipt. */
export function occurredAt(m: EdifactMessage, ctx: DecodeContext, documentDate: string | undefined): string {
  if (documentDate) return documentDate.length === 10 ? `${documentDate}T00:00:00${ctx.utcOffset ?? 'Z'}` : documentDate;
  const prepared = m.interchange?.preparedAt;
  return prepared ? `${prepared}${ctx.utcOffset ?? 'Z'}` : ctx.receivedAt;
}

/**
 * The fields every canonical document decoded from a message has after its type. A document is written
 * `{ type, ...documentHead(...), ... }`: the type first, then these, then its own; spreading the head
 * first and setting the type over it makes every document heavier and the decode slower.
 */
export function documentHead(m: EdifactMessage, ctx: DecodeContext, at: string, entityKey: string) {
  return { schemaVersion: 1 as const, tenant: ctx.tenant, id: documentId(m, 0), source: documentSource(m, ctx), occurredAt: at, receivedAt: ctx.receivedAt, entityKey };
}

/** Segments every message may carry that a mapper reads nowhere: kept out of "unknown segment" errors. */
export const IGNORED = new Set(['UNS', 'CUX', 'PAT', 'PCD', 'MOA', 'ALC', 'ALI', 'TAX', 'TOD', 'GIR', 'HAN', 'EQD', 'SCC', 'RNG', 'DGS', 'PRI', 'APR', 'DOC', 'STS', 'SEL', 'GIS', 'CCI', 'CAV', 'PGI', 'MKS']);

/** Removes undefined fields so decoded documents compare equal after a round trip. */
export function compact<T extends object>(o: T): T {
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
