// What every transaction set module shares: reading elements with positioned errors, the canonical
// envelope fields, N1 party loops, and the small code tables several sets use.
import { normaliseDecimal } from '../../../model/index.ts';
import type { Address, CanonicalDocument, Party } from '../../../model/index.ts';
import { isoFromCcyymmdd, isoTime } from '../envelope.ts';
import { x12Error, type X12Error, type X12ErrorCode } from '../errors.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import { codeOf, type Segment } from '../tokenizer.ts';
import type { Guidelines } from '../dictionary/guidelines.ts';
import { isCountryCode } from '../../country.ts';
import { isDigits } from '../../digits.ts';
import { isPlainInteger } from '../../quantities.ts';

export { addQuantities, isPositiveQuantity } from '../../quantities.ts';

/** What the codec knows that the X12 does not: whose data this is and how it arrived. */
export interface DecodeContext {
  tenant: string;
  /** The endpoint (connector) name the file came in through. */
  endpoint: string;
  /** ISO-8601 with offset. */
  receivedAt: string;
  /** X12 dates carry no zone; the partner's offset, e.g. '-05:00'. Default 'Z'. */
  utcOffset?: string;
  /** How an 856 is read: an outbound shipment confirmation, or expected inbound (an inbound ASN). Default 'shipment'. */
  asn856As?: 'shipment' | 'purchase_order';
  /** 846 QTY-01 code of allocated stock when the partner does not use QC. */
  allocatedQualifier?: string;
  /** How strictly the partner's sets are held to the X12 dictionary (default: the standard's rules). */
  guidelines?: Guidelines;
}

/** What a partner profile changes in how a set is written. */
export interface EncodeOptions {
  /** 846 QTY-01 code of allocated stock (default QC). */
  allocatedQualifier?: string;
}

export interface SetDecodeResult<D> {
  documents: D[];
  /** Content errors ('error' rejects the set) with their positions. */
  errors: X12Error[];
}

export interface SetEncodeResult {
  /** ST01. */
  id: string;
  /** Body segments, ST and SE excluded: the generator adds those. */
  segments: X12SegmentData[];
  errors: X12Error[];
}

/** How the set registry calls a set's decoder. */
export type SetDecoder<D> = (set: TransactionSet, ctx: DecodeContext) => SetDecodeResult<D>;

/**
 * The decoder of a set that opens with `beginning` (BEG, W05, BSN...): a reader over the set, no
 * document when the beginning segment is missing, else what `read` makes of the beginning segment
 * and the rest, with every error the reader met on the way.
 */
export function setDecoder<D>(
  beginning: string, what: string, read: (r: SetReader, beg: Segment, set: TransactionSet, ctx: DecodeContext) => D[],
): SetDecoder<D> {
  return (set, ctx) => {
    const r = new SetReader(set, ctx.utcOffset);
    const beg = r.begin(beginning, what);
    return r.result(beg === undefined ? [] : read(r, beg, set, ctx));
  };
}

/** What an N9 inside an item loop may say of the item. */
export interface ItemReferences {
  lineNumber?: string;
  lot?: string;
  serials: string[];
}

/**
 * N9 in an item loop (943 W04, 944 W07, 945 W12): N9-01 LI the order's line number (the 940's LX),
 * LT a lot, SE a serial number, N9-02 the value. Returns N9-01, for the qualifiers a set reads itself.
 */
export function readItemN9(r: SetReader, n9: Segment, item: ItemReferences): string {
  const q = r.el(n9, 1);
  if (q === 'LI') item.lineNumber = r.el(n9, 2);
  else if (q === 'LT') item.lot = r.el(n9, 2);
  else if (q === 'SE' && r.el(n9, 2)) item.serials.push(r.el(n9, 2));
  return q;
}

/** Reads one set's segments in order, keeping the position each error must name. */
export class SetReader {
  readonly errors: X12Error[] = [];
  private i = 1; // segments[0] is ST
  private readonly last: number;
  /** The set's segments, held here too: peek and next run for every segment. */
  private readonly segments: Segment[];
  /** X12 dates carry no zone: the partner's offset, added to every timestamp read. */
  readonly utcOffset: string;
  constructor(readonly set: TransactionSet, utcOffset?: string) {
    this.segments = set.segments;
    this.last = set.segments.length - 1; // the SE, when present
    if (set.segments[this.last]?.id !== 'SE') this.last = set.segments.length;
    this.utcOffset = utcOffset ?? 'Z';
  }

  /** The set's beginning segment (W05, BSN, ...), which must come first; undefined, reported, when it does not. */
  begin(segmentId: string, what: string): Segment | undefined {
    const seg = this.next();
    if (seg !== undefined && seg.id === segmentId) return seg;
    this.missing(segmentId, what);
    return undefined;
  }

  /** What the set decodes to: these documents, and every error met on the way. */
  result<D>(documents: D[]): SetDecodeResult<D> {
    return { documents, errors: this.errors };
  }

  /** The next segment before SE without consuming it. */
  peek(): Segment | undefined {
    return this.i < this.last ? this.segments[this.i] : undefined;
  }

  next(): Segment | undefined {
    return this.i < this.last ? this.segments[this.i++] : undefined;
  }

  /** 1-based position of the segment most recently returned by next(). */
  get position(): number {
    return this.i;
  }

  positionOf(seg: Segment): number {
    // Segments are visited in order, so the one just read is almost always at i - 1.
    if (this.segments[this.i - 1] === seg) return this.i;
    return this.segments.indexOf(seg) + 1;
  }

  error(code: X12ErrorCode, message: string, seg?: Segment, element?: number, severity: 'error' | 'warning' = 'error'): void {
    const s = this.set;
    this.errors.push(
      x12Error(
        code,
        message,
        {
          interchange: s.interchange.controlNumber,
          group: s.group.controlNumber,
          set: s.controlNumber,
          setId: s.id,
          ...(seg ? { segmentPosition: this.positionOf(seg), offset: seg.offset, segmentId: seg.id } : {}),
          ...(element !== undefined ? { element } : {}),
        },
        severity,
      ),
    );
  }

  /** A segment that the set's standard does not define here: the set is rejected, as a 997 AK3 code 2 would say. */
  unknown(seg: Segment): void {
    this.error('X12_SEGMENT_UNKNOWN', `Segment ${seg.id} is not part of a ${this.set.id} at this point; it cannot be read.`, seg);
  }

  /** The element's value, or '' when absent. */
  el(seg: Segment, n: number): string {
    return seg.el(n);
  }

  /** A mandatory element: an error when missing, naming what it is. */
  req(seg: Segment, n: number, what: string): string {
    const v = seg.el(n);
    if (v === '') this.error('X12_ELEMENT_MISSING', `${ref(seg.id, n)}, the ${what}, is missing.`, seg, n);
    return v;
  }

  /** A decimal quantity as an exact string; errors when missing (if required) or not a number. */
  decimal(seg: Segment, n: number, what: string, required = true): string | undefined {
    const v = seg.el(n);
    if (v === '') {
      if (required) this.error('X12_ELEMENT_MISSING', `${ref(seg.id, n)}, the ${what}, is missing.`, seg, n);
      return undefined;
    }
    const d = readDecimal(v);
    if (d === null) this.error('X12_ELEMENT_INVALID', `${ref(seg.id, n)}, the ${what}, is ${JSON.stringify(v)}, which is not a number.`, seg, n);
    return d ?? undefined;
  }

  /** CCYYMMDD as an ISO date. */
  date(seg: Segment, n: number, what: string, required = false): string | undefined {
    const v = seg.el(n);
    if (v === '') {
      if (required) this.error('X12_ELEMENT_MISSING', `${ref(seg.id, n)}, the ${what}, is missing.`, seg, n);
      return undefined;
    }
    const iso = isoFromCcyymmdd(v.length === 6 ? `20${v}` : v, '');
    if (iso === null) this.error('X12_DATE_INVALID', `${ref(seg.id, n)}, the ${what}, is ${JSON.stringify(v)}; expected a real date CCYYMMDD.`, seg, n);
    return iso ?? undefined;
  }

  /** A date element plus an optional time element as ISO-8601 with the partner's offset. */
  timestamp(seg: Segment, dateEl: number, timeEl: number | null, what: string, offset: string): string | undefined {
    const d = this.date(seg, dateEl, what);
    if (d === undefined) return undefined;
    const t = timeEl === null ? '' : seg.el(timeEl);
    const time = t === '' ? '00:00:00' : isoTime(t);
    if (time === null) {
      this.error('X12_TIME_INVALID', `${ref(seg.id, timeEl!)}, the time of the ${what}, is ${JSON.stringify(t)}; expected a real time HHMM[SS].`, seg, timeEl!);
      return `${d}T00:00:00${offset}`;
    }
    return `${d}T${time.slice(0, 8)}${offset}`;
  }

  /** Reports a segment the set needs but does not have. */
  missing(segmentId: string, what: string, severity: 'error' | 'warning' = 'error'): void {
    const id = segmentId.split('*')[0]!;
    // A segment that is there but could not be read has its own error already: "no W01" would mislead.
    for (const e of this.errors) if (e.position.segmentId === id && e.position.segmentPosition !== undefined) return;
    const tail = severity === 'error' ? 'it is required' : 'the document goes through without it';
    this.error('X12_SEGMENT_MISSING', `The ${this.set.id} has no ${segmentId} segment (${what}); ${tail}.`, undefined, undefined, severity);
    const last = this.errors[this.errors.length - 1]!;
    // AK3 names the missing segment where it was looked for: the segment in its place, else the SE.
    last.position.segmentId = id;
    last.position.segmentPosition = this.i < this.last ? this.i : this.set.segments.length;
  }
}

export function ref(segmentId: string, n: number): string {
  return `${segmentId}${n < 10 ? '0' : ''}${n}`;
}

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** X12 'R' and 'N0' values ("12", "12.50", ".5", "-3") as canonical exact decimals; null when not a number. */
export function readDecimal(v: string): string | null {
  // Most X12 quantities are small whole numbers: already canonical, no parsing needed.
  if (isPlainInteger(v)) return v;
  if (!DECIMAL_RE.test(v)) return null;
  let s = v[0] === '+' ? v.slice(1) : v;
  const neg = s[0] === '-';
  if (neg) s = s.slice(1);
  if (s[0] === '.') s = '0' + s;
  if (s.endsWith('.')) s = s.slice(0, -1);
  const digits = s.indexOf('.') >= 0 ? s.indexOf('.') : s.length;
  if (digits > 18 || s.length - digits - 1 > 9) return null;
  return normaliseDecimal(neg ? '-' + s : s);
}

/** ISO date '2026-12-01' as CCYYMMDD. */
export function x12Date(iso: string | undefined): string {
  return iso ? iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) : '';
}

/** ISO time part as HHMM (or HHMMSS when seconds are not zero). */
export function x12Time(iso: string | undefined): string {
  if (!iso || iso.length < 16) return '';
  const hm = iso.slice(11, 13) + iso.slice(14, 16);
  const ss = iso.slice(17, 19);
  return ss && ss !== '00' ? hm + ss : hm;
}

/** A carrier as the sets read and write it: SCAC, service (routing), transportation method, who pays, the billing account. */
export interface Carrier {
  scac?: string;
  service?: string;
  transportMode?: string;
  paymentTerms?: 'prepaid' | 'collect' | 'third_party';
  account?: string;
}

/** Shipment method of payment (element 146: W66-01, W27-04) <-> the carrier's payment terms. */
export const PAYMENT_TERMS: Readonly<Record<string, NonNullable<Carrier['paymentTerms']>>> = { PP: 'prepaid', CC: 'collect', TP: 'third_party' };
export const PAYMENT_CODE = { prepaid: 'PP', collect: 'CC', third_party: 'TP' } as const;

/**
 * N9-01 / REF-01 12 (billing account): the carrier account the freight is billed to. No carrier segment
 * (W66, W27, TD5) has an element for it.
 */
export const CARRIER_ACCOUNT_QUALIFIER = '12';

/**
 * The carrier with what other segments than the carrier's own said of it: the billing account (N9/REF 12),
 * the method of payment (the 850's and 856's FOB-01). A carrier of its own when no carrier segment named one.
 */
export function withCarrierExtras<C extends Carrier>(carrier: C | undefined, account: string | undefined, paymentTerms?: Carrier['paymentTerms']): C | undefined {
  if (account === undefined && paymentTerms === undefined) return carrier;
  const c = { ...(carrier ?? {}) } as C;
  if (paymentTerms !== undefined) c.paymentTerms = paymentTerms;
  if (account !== undefined) c.account = account;
  return c;
}

/** FOB-01 shipment method of payment (element 146), as the payment terms when it is PP, CC or TP. */
export function readFobPayment(seg: Segment): Carrier['paymentTerms'] {
  return PAYMENT_TERMS[seg.el(1)];
}

/** A reference as every document lists them: REF-01/N9-01 qualifier and its value. */
export interface Reference {
  qualifier: string;
  value: string;
}

/**
 * Starts a canonical document with the fields every document carries, taken from the set's envelope: type,
 * schema version, tenant, id, source, occurredAt, receivedAt, entity key and references, in that order.
 * The set then assigns its own fields onto the same object one by one, optional ones only when present:
 * no base object spread into a copy, no compact copy afterwards (both showed up in decode profiles). The
 * caller fills every required field of D; the schema check of decoded documents in the tests holds it to that.
 */
export function openDocument<D extends CanonicalDocument>(type: D['type'], set: TransactionSet, ctx: DecodeContext, index: number, entityKey: string, references: Reference[]): D {
  const doc = {
    type,
    schemaVersion: 1 as const,
    tenant: ctx.tenant,
    id: documentId(set, index),
    source: documentSource(set, ctx),
    occurredAt: documentOccurredAt(set, ctx),
    receivedAt: ctx.receivedAt,
    entityKey,
    references,
  };
  return doc as unknown as D;
}

/** Unique per sender: ISA13 is unique per sender, GS06 per group, ST02 per set (several documents from one set get a suffix). */
function documentId(set: TransactionSet, index: number): string {
  const ic = set.interchange;
  const suffix = index > 0 ? `:${index + 1}` : '';
  return `x12:${ic.senderQualifier}:${ic.senderId}:${ic.controlNumber}:${set.group.controlNumber}:${set.controlNumber}${suffix}`;
}

/** The endpoint, and the control numbers as the partner's reference. */
function documentSource(set: TransactionSet, ctx: DecodeContext): { endpoint: string; partnerRef: string } {
  return { endpoint: ctx.endpoint, partnerRef: `ISA13=${set.interchange.controlNumber} GS06=${set.group.controlNumber} ST02=${set.controlNumber}` };
}

/** When the group (else the interchange) was prepared, in the partner's offset; when received, if neither says. */
function documentOccurredAt(set: TransactionSet, ctx: DecodeContext): string {
  const prepared = set.group.preparedAt ?? set.interchange.preparedAt;
  if (!prepared) return ctx.receivedAt;
  return `${prepared.length === 10 ? prepared + 'T00:00:00' : prepared.slice(0, 19)}${ctx.utcOffset ?? 'Z'}`;
}

/** An N1 loop (N1, N2, N3, N4, PER and anything else the caller takes) read into a party. */
export interface N1Party {
  /** N1-01 entity identifier code: ST ship to, BT bill to, DE depositor, WH warehouse, SF ship from, BY buyer ... */
  entity: string;
  /** N1-04 identification code (with N1-03 its qualifier). */
  code?: string;
  codeQualifier?: string;
  address: Address;
}

/** Segments that may follow N1 inside its loop. */
const N1_LOOP = new Set(['N2', 'N3', 'N4', 'PER', 'G61', 'REF', 'N9']);

/**
 * Reads N1 and its loop members; REF/N9 inside the loop are added to `refs` for the caller to place (a list,
 * not a callback: tsx names every closure it makes, which costs on the hot path).
 */
export function readN1Loop(r: SetReader, n1: Segment, refs: Reference[]): N1Party {
  // Each element is read once into a local: every el() call cuts a new string.
  const party: N1Party = { entity: n1.el(1), address: { lines: [] } };
  if (!party.entity) r.req(n1, 1, 'entity identifier code');
  const name = n1.el(2);
  if (name) party.address.name = name;
  const code = n1.el(4);
  if (code) {
    party.code = code;
    party.codeQualifier = n1.el(3);
  }
  const address = party.address;
  for (let s = r.peek(); s && N1_LOOP.has(s.id); s = r.peek()) {
    r.next();
    switch (s.id) {
      case 'N2': {
        // N2-01 and N2-02, and a second N2, continue the name: every part is kept, in order.
        for (let n = 1; n <= 2; n++) {
          const v = s.el(n);
          if (v) address.company = address.company === undefined ? v : `${address.company} ${v}`;
        }
        break;
      }
      case 'N3': {
        const a = s.el(1);
        if (a && address.lines.length < 4) address.lines.push(a);
        const b = s.el(2);
        if (b && address.lines.length < 4) address.lines.push(b);
        break;
      }
      case 'N4': {
        const city = s.el(1);
        if (city) address.city = city;
        const region = s.el(2);
        if (region) address.region = region;
        const postalCode = s.el(3);
        if (postalCode) address.postalCode = postalCode;
        const country = s.el(4);
        if (isCountryCode(country)) address.country = country;
        break;
      }
      case 'G61': {
        // G61 is the warehouse sets' contact: G61-03 qualifies the number in G61-04.
        const q = s.el(3);
        const v = s.el(4);
        if (q === 'TE' && v) address.phone = v;
        if (q === 'EM' && v) address.email = v;
        break;
      }
      case 'PER':
        // PER-03/05/07 qualify the numbers in PER-04/06/08: TE telephone, EM e-mail.
        for (let n = 3; n <= 7; n += 2) {
          const q = s.el(n);
          const v = s.el(n + 1);
          if (q === 'TE' && v) address.phone = v;
          if (q === 'EM' && v) address.email = v;
        }
        break;
      default:
        refs.push(refOf(r, s));
    }
  }
  return party;
}

export function partyOf(p: N1Party): Party {
  const party: Party = {};
  if (p.code) party.code = p.code;
  if (p.address.name) party.name = p.address.name;
  if (hasAddress(p.address)) party.address = p.address;
  return party;
}

function hasAddress(a: Address): boolean {
  return a.lines.length > 0 || !!a.city || !!a.region || !!a.postalCode || !!a.country || !!a.company || !!a.phone || !!a.email;
}

/**
 * Product id qualifiers (element 235) in the order we trust them to be the SKU both sides agree on:
 * SK stock keeping unit, VN vendor's item number, VC vendor's catalog number, VP vendor's part number,
 * IN buyer's item number, BP buyer's part number, PN part number, MG manufacturer's part number.
 */
const SKU_QUALIFIERS = ['SK', 'VN', 'VC', 'VP', 'IN', 'BP', 'PN', 'MG'];
/** Qualifiers that carry barcodes: UP U.P.C. consumer package, UK GTIN-14, EN EAN-13, UA U.P.C./EAN case, UC U.P.C. */
const GTIN_QUALIFIERS = ['UP', 'UK', 'EN', 'UA', 'UC', 'UI'];
/** Qualifiers of buyer's own item numbers. */
const CUSTOMER_QUALIFIERS = ['BP', 'IN'];

export interface ProductIds {
  sku: string | undefined;
  gtin: string | undefined;
  customerSku: string | undefined;
  lot: string | undefined;
}

// The qualifier lists as Segment.code numbers: a qualifier is matched without cutting a string for it.
const SKU_CODES = Int32Array.from(SKU_QUALIFIERS, codeOf);
const GTIN_CODES = Int32Array.from(GTIN_QUALIFIERS, codeOf);
const CUSTOMER_CODES = Int32Array.from(CUSTOMER_QUALIFIERS, codeOf);
const LT = codeOf('LT');

/** Where q stands in a short list of codes, -1 when absent: a loop the compiler inlines, where a typed array's indexOf is a call. */
function indexOfCode(codes: Int32Array, q: number): number {
  for (let i = 0; i < codes.length; i++) if (codes[i] === q) return i;
  return -1;
}

/**
 * Reads qualifier/id pairs at the given element positions (the qualifier first) and picks SKU, GTIN and lot.
 * Straight from the segment, without a pair array per line, and qualifiers compared as numbers: this runs
 * for every line of every set.
 */
export function readProductIds(seg: Segment, qualifierPositions: readonly number[], upcCaseElement?: number): ProductIds {
  const ids: ProductIds = { sku: undefined, gtin: undefined, customerSku: undefined, lot: undefined };
  let skuRank = SKU_CODES.length;
  let firstSkuLike = 0;
  let firstNonLot: string | undefined;
  for (let i = 0; i < qualifierPositions.length; i++) {
    const p = qualifierPositions[i]!;
    const q = seg.code(p);
    if (q === 0) continue;
    const id = seg.el(p + 1);
    if (id === '') continue;
    const rank = q > 0 ? indexOfCode(SKU_CODES, q) : -1;
    if (rank >= 0) {
      if (rank < skuRank) {
        skuRank = rank;
        ids.sku = id;
      }
      if (firstSkuLike === 0) firstSkuLike = q;
      // The buyer's own number counts only when it is not what the first SKU-like id is (every customer
      // qualifier is SKU-like, so the first one is already known here).
      if (ids.customerSku === undefined && q !== firstSkuLike && indexOfCode(CUSTOMER_CODES, q) >= 0) ids.customerSku = id;
    }
    if (ids.gtin === undefined && q > 0 && indexOfCode(GTIN_CODES, q) >= 0 && isDigits(id, 8, 14)) ids.gtin = id;
    if (q === LT) {
      if (ids.lot === undefined) ids.lot = id;
    } else if (firstNonLot === undefined) firstNonLot = id;
  }
  if (upcCaseElement !== undefined && ids.gtin === undefined) {
    const upc = seg.el(upcCaseElement);
    if (isDigits(upc, 12, 14)) ids.gtin = upc;
  }
  // Without any SKU-like qualifier the barcode is the only item id there is (856s from retail often carry only UP/EN).
  if (ids.sku === undefined) ids.sku = firstNonLot;
  return ids;
}

/** The item id pairs we write: VN for the SKU (the depositor's item number), a GTIN under the qualifier its length implies. */
export function productIdPairs(sku: string, gtin?: string, lot?: string): string[] {
  const out = ['VN', sku];
  if (gtin) out.push(gtin.length === 13 ? 'EN' : gtin.length === 14 ? 'UK' : 'UP', gtin);
  if (lot) out.push('LT', lot);
  return out;
}

/** An SSCC from MAN GM: 18 digits, or 20 with the GS1 application identifier '00' in front. */
export function readSscc(v: string): string | undefined {
  if (v.length === 18 && isDigits(v, 18, 18)) return v;
  if (v.length === 20 && v.charCodeAt(0) === 48 && v.charCodeAt(1) === 48 && isDigits(v, 20, 20)) return v.slice(2);
  return undefined;
}

/** Removes undefined fields so decoded documents compare equal after a round trip. */
export function compact<T extends object>(o: T): T {
  // A copy rather than `delete`: deleting keys turns V8 objects into slow dictionaries.
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Reads loop-level references (REF or N9) into a list, skipping those the caller took. */
export function refOf(_r: SetReader, seg: Segment): { qualifier: string; value: string } {
  return { qualifier: seg.el(1), value: seg.el(2) || seg.el(3) };
}
