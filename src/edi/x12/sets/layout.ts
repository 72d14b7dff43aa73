// A transaction set's layout as data: the segments it may hold, and for each segment it reads, where the
// content goes. Header segments (N1 loops, REF/N9, G62/DTM dates, carrier, notes, weights) are declared
// as rules: which element holds the qualifier, which qualifier fills which field, which element holds the
// value and what it is called in errors. Detail loops (LX, W04, LIN, HL...) are the set's own functions.
// One loop, readBody, reads every set by its layout; element positions are named in the rules so that a
// data dictionary (segment order, requirement, repeats, element types) can later check or supply them.
import type { Address, Party } from '../../../model/index.ts';
import type { Segment } from '../tokenizer.ts';
import { CARRIER_ACCOUNT_QUALIFIER, PAYMENT_TERMS, partyOf, readN1Loop, refOf, type Carrier, type Reference, type SetReader } from './common.ts';

/** What every set's header holds: the references no rule places elsewhere. */
export interface HeaderFields {
  references: Reference[];
}

/** Keys of H whose field can hold a V. */
type FieldFor<H, V> = { [K in keyof H]-?: V extends H[K] ? K : never }[keyof H] & string;
/** Keys of H whose field is a list of V. */
type ListFor<H, V> = { [K in keyof H]-?: H[K] extends V[] ? K : never }[keyof H] & string;

/**
 * Where one value goes: into field `to`, the last one read winning (or, with keep 'first', the first one
 * read), or, with list, onto the end of list `to`.
 */
export type Into<H, V> = { to: FieldFor<H, V>; keep?: 'first'; list?: undefined } | { to: ListFor<H, V>; list: true };

/**
 * N1-01 entity code -> where the party goes: as its address, as a party, as its code (N1-04, else its
 * name), or as the facility. Every set names its facility alike: by rank (0 the warehouse N1 WH, 1 the
 * set's stand-in such as SF or ST), the first N1 of the best rank winning, whatever order they come in.
 */
export type PartyInto<H> =
  | { as: 'facility'; rank: number; keep?: undefined; list?: undefined }
  | { as: 'address'; to: FieldFor<H, Address>; keep?: 'first'; list?: undefined }
  | { as: 'party'; to: FieldFor<H, Party>; keep?: 'first'; list?: undefined }
  | { as: 'code'; to: FieldFor<H, string>; keep?: 'first'; list?: undefined };

/** An N1 loop (N1 with its N2, N3, N4, PER, G61, REF, N9). */
export interface PartyRule<H> {
  read: 'party';
  entities: PartyEntities<H>;
  /** Where REF/N9 inside the loop go: by this reference rule, after the loop; without one, into references as read. */
  refs?: ReferenceRule<H>;
}

/** REF or N9: element 01 the qualifier, 02 the value (03 when 02 is empty). Qualifiers not listed go to references. */
export interface ReferenceRule<H> {
  read: 'reference';
  qualifiers?: Readonly<Record<string, Into<H, string>>>;
}

/** What a shipment's header keeps of its references (a 943's or a 945's). */
interface ShipmentReferenceFields extends HeaderFields {
  carrierAccount: string | undefined;
  billOfLading: string | undefined;
  proNumber: string | undefined;
  trackingNumbers: string[];
}

/**
 * The references of a shipment, as a 943 and a 945 give them (N9, also inside N1 loops): N9-01 BM bill
 * of lading, CN the carrier's reference (PRO), 2I a tracking number, 12 the carrier's billing account.
 */
export const SHIPMENT_REFERENCES: ReferenceRule<ShipmentReferenceFields> = {
  read: 'reference',
  qualifiers: { BM: { to: 'billOfLading' }, CN: { to: 'proNumber' }, '2I': { to: 'trackingNumbers', list: true }, [CARRIER_ACCOUNT_QUALIFIER]: { to: 'carrierAccount' } },
};

/** A date under a qualifier; with `time`, a timestamp in the partner's offset (the time element when present, else midnight). */
export type DateInto<H> = { to: FieldFor<H, string>; what: string; time?: number; keep?: 'first'; list?: undefined };

/** G62 or DTM: the qualifier in element `qualifier`, the date in element `date`. */
export interface DateRule<H> {
  read: 'date';
  qualifier: number;
  date: number;
  qualifiers: Readonly<Record<string, DateInto<H>>>;
}

/** W66, W27 or TD5: the SCAC (only when element scacWhen[0] is scacWhen[1], if given) and the service (routing). */
export interface CarrierRule<H> {
  read: 'carrier';
  to: FieldFor<H, Carrier>;
  scac: number;
  scacWhen?: readonly [number, string];
  service: number;
  /** The transportation method (element 91: W27-01, TD5-04). */
  mode?: number;
  /** The shipment method of payment (element 146: W27-04): PP, CC, TP read as the payment terms. */
  payment?: number;
  /** A segment naming none of these clears what an earlier one said (W66, W27); otherwise it is passed over (TD5). */
  replaces?: boolean;
  /** Other elements kept as they are, when present. */
  elements?: ReadonlyArray<{ element: number; to: FieldFor<H, string> }>;
}

/** A free-text note (NTE): the text element, onto a list. */
export interface NoteRule<H> {
  read: 'note';
  element: number;
  to: ListFor<H, string>;
}

/** A weight: decimal value and unit of measure elements (LB when the unit is absent). */
export interface WeightRule<H> {
  read: 'weight';
  to: FieldFor<H, { value: string; unit: string }>;
  value: number;
  unit: number;
  what: string;
}

/** A segment the set reads itself: a detail loop (LX, W04, LIN...) or anything that depends on where it stands. */
export interface LoopRule<H> {
  read: 'loop';
  reader: (r: SetReader, seg: Segment, h: H) => void;
}

/** A rule for a header segment: data only, read by readHeaderSegment. */
export type HeaderRule<H> = PartyRule<H> | ReferenceRule<H> | DateRule<H> | CarrierRule<H> | NoteRule<H> | WeightRule<H>;
export type SegmentRule<H> = LoopRule<H> | HeaderRule<H>;

/** A set's layout as its module declares it. */
export interface SetLayout<H> {
  /** Every segment the set may hold; any other is an unknown segment that rejects the set. */
  segments: ReadonlySet<string>;
  /**
   * Segment id -> how it is read; a segment in `segments` without a rule is passed over. Rules are looked
   * up in the order written: the most frequent segments (the detail loops) first.
   */
  rules: Readonly<Record<string, SegmentRule<H>>>;
}

/** A layout ready to read by (see defineLayout). */
export interface Layout<H> {
  readonly segments: ReadonlySet<string>;
  /** Segment ids with a rule, in the order declared; rules[i] and loops[i] are those of ids[i]. */
  readonly ids: readonly string[];
  readonly rules: ReadonlyArray<SegmentRule<H>>;
  /** The reader of a loop rule, null for a header rule: loops, most of a set's segments, are called straight away. */
  readonly loops: ReadonlyArray<LoopRule<H>['reader'] | null>;
}

/**
 * Makes a layout ready to read by. Segment ids are interned strings and a set has about a dozen rules, so
 * they are kept in a list whose scan compares pointers: cheaper, per segment, than a hash lookup. Qualifier
 * and entity tables get a null prototype, since their keys come from the partner's data and must never
 * find 'constructor' or 'toString'. A rule for a segment the set does not hold is a mistake in the layout,
 * caught when the module loads.
 */
export function defineLayout<H extends HeaderFields>(layout: SetLayout<H>): Layout<H> {
  const ids = Object.keys(layout.rules);
  for (const id of ids) if (!layout.segments.has(id)) throw new Error(`layout: a rule for ${id}, which is not among the set's segments`);
  const rules = ids.map((id) => withLookups(layout.rules[id]!));
  return { segments: layout.segments, ids, rules, loops: rules.map((rule) => (rule.read === 'loop' ? rule.reader : null)) };
}

/** N1 entity codes -> where each party goes, for the set's header H. */
export type PartyEntities<H> = Readonly<Record<string, PartyInto<H>>>;

/**
 * The facility as every warehouse set names it: N1 WH, the warehouse, first; else the set's stand-in
 * (SF ship from, ST ship to, SN store...).
 */
export function facilityParties(standIn: string): Readonly<Record<string, PartyInto<never>>> {
  return { WH: { as: 'facility', rank: 0 }, [standIn]: { as: 'facility', rank: 1 } };
}

/**
 * The layout of a set read by a detail loop (LX, W04) and N1 loops, whose references are read by one
 * rule wherever they stand: N9 and REF of the header and those inside an N1 loop (an N9 after an N1 loop
 * is read as the loop's). Rules are declared in that order, the detail loop first, then `rules`.
 */
export function loopAndPartiesLayout<H extends HeaderFields>(layout: {
  segments: ReadonlySet<string>;
  loop: string;
  reader: LoopRule<H>['reader'];
  parties: PartyEntities<H>;
  references: ReferenceRule<H>;
  rules: Readonly<Record<string, SegmentRule<H>>>;
}): Layout<H> {
  const { segments, loop, reader, parties, references, rules } = layout;
  return defineLayout<H>({
    segments,
    rules: { [loop]: { read: 'loop', reader }, N1: { read: 'party', entities: parties, refs: references }, N9: references, REF: references, ...rules },
  });
}

function withLookups<H>(rule: SegmentRule<H>): SegmentRule<H> {
  switch (rule.read) {
    case 'party':
      return { read: 'party', entities: lookup(rule.entities), ...(rule.refs ? { refs: withLookups(rule.refs) as ReferenceRule<H> } : {}) };
    case 'reference':
      return rule.qualifiers ? { read: 'reference', qualifiers: lookup(rule.qualifiers) } : rule;
    case 'date':
      return { ...rule, qualifiers: lookup(rule.qualifiers) };
    default:
      return rule;
  }
}

function lookup<T>(table: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, table);
}

/** Reads every segment after the beginning segment, by the set's layout. */
export function readBody<H extends HeaderFields>(r: SetReader, layout: Layout<H>, h: H): void {
  const ids = layout.ids;
  const n = ids.length;
  for (let seg = r.next(); seg !== undefined; seg = r.next()) {
    const id = seg.id;
    let i = 0;
    while (i < n && ids[i] !== id) i++;
    if (i === n) {
      if (!layout.segments.has(id)) r.unknown(seg);
      continue;
    }
    const loop = layout.loops[i];
    if (loop !== null) loop(r, seg, h);
    else readHeaderSegment(r, seg, layout.rules[i] as HeaderRule<H>, h);
  }
}

/** Reads one header segment by its rule. */
function readHeaderSegment<H extends HeaderFields>(r: SetReader, seg: Segment, rule: HeaderRule<H>, h: H): void {
  switch (rule.read) {
    case 'party':
      readParty(r, seg, rule, h);
      break;
    case 'reference':
      placeReference(rule, refOf(r, seg), h);
      break;
    case 'date':
      readDate(r, seg, rule, h);
      break;
    case 'carrier':
      readCarrier(seg, rule, h);
      break;
    case 'note': {
      const v = seg.el(rule.element);
      if (v) (field(h, rule.to) as string[]).push(v);
      break;
    }
    case 'weight': {
      const w = r.decimal(seg, rule.value, rule.what, false);
      if (w !== undefined) setField(h, rule.to, { value: w, unit: seg.el(rule.unit) || 'LB' });
      break;
    }
  }
}

/** References read inside N1 loops, waiting to be placed; one list for all sets (reading is synchronous). */
const loopRefs: Reference[] = [];

function readParty<H extends HeaderFields>(r: SetReader, n1: Segment, rule: PartyRule<H>, h: H): void {
  const refs = rule.refs;
  // Setting an array's length is a runtime call: the list is emptied only when something was put in it.
  if (refs !== undefined && loopRefs.length !== 0) loopRefs.length = 0;
  const p = readN1Loop(r, n1, refs === undefined ? h.references : loopRefs);
  const into = rule.entities[p.entity];
  if (into !== undefined && into.as === 'facility') putFacility(h, into.rank, p.code ?? p.address.name);
  else if (into !== undefined) put(h, into, into.as === 'address' ? p.address : into.as === 'party' ? partyOf(p) : (p.code ?? p.address.name));
  if (refs === undefined || loopRefs.length === 0) return;
  for (let i = 0; i < loopRefs.length; i++) placeReference(refs, loopRefs[i]!, h);
  loopRefs.length = 0;
}

/**
 * The rank of the N1 the facility of `rankedHeader` came from. Sets are read one at a time and each has a
 * header of its own, so one pair serves: a header other than the last one ranked holds no facility yet.
 */
let rankedHeader: object | null = null;
let rankHeld = 0;

function putFacility<H extends HeaderFields>(h: H, rank: number, v: string | undefined): void {
  if (rankedHeader === h && rankHeld <= rank) return;
  rankedHeader = h;
  rankHeld = rank;
  setField(h, 'facility', v);
}

function placeReference<H extends HeaderFields>(rule: ReferenceRule<H>, ref: Reference, h: H): void {
  const into = rule.qualifiers === undefined ? undefined : rule.qualifiers[ref.qualifier];
  if (into === undefined) h.references.push(ref);
  else put(h, into, ref.value);
}

function readDate<H extends HeaderFields>(r: SetReader, seg: Segment, rule: DateRule<H>, h: H): void {
  const into = rule.qualifiers[seg.el(rule.qualifier)];
  if (into === undefined) {
    // A date under a qualifier we do not map is not kept, but it is checked like any other: every set alike.
    r.date(seg, rule.date, 'date');
    return;
  }
  const time = into.time;
  const d = time === undefined ? r.date(seg, rule.date, into.what) : r.timestamp(seg, rule.date, seg.el(time) ? time : null, into.what, r.utcOffset);
  put(h, into, d);
}

function readCarrier<H extends HeaderFields>(seg: Segment, rule: CarrierRule<H>, h: H): void {
  const when = rule.scacWhen;
  const scac = when === undefined || seg.el(when[0]) === when[1] ? seg.el(rule.scac) : '';
  const service = seg.el(rule.service);
  const mode = rule.mode === undefined ? '' : seg.el(rule.mode);
  const terms = rule.payment === undefined ? undefined : PAYMENT_TERMS[seg.el(rule.payment)];
  if (scac || service || mode || terms !== undefined) {
    const c: Carrier = {};
    if (scac) c.scac = scac;
    if (service) c.service = service;
    if (mode) c.transportMode = mode;
    if (terms !== undefined) c.paymentTerms = terms;
    setField(h, rule.to, c);
  } else if (rule.replaces) setField(h, rule.to, undefined);
  const elements = rule.elements;
  if (elements === undefined) return;
  for (let i = 0; i < elements.length; i++) {
    const v = seg.el(elements[i]!.element);
    if (v) setField(h, elements[i]!.to, v);
  }
}

function put<H>(h: H, into: { to: string; keep?: 'first'; list?: true | undefined }, v: unknown): void {
  if (into.list === true) (field(h, into.to) as unknown[]).push(v);
  else if (into.keep !== 'first' || field(h, into.to) === undefined) setField(h, into.to, v);
}

function field<H>(h: H, key: string): unknown {
  return (h as Record<string, unknown>)[key];
}

function setField<H>(h: H, key: string, v: unknown): void {
  (h as Record<string, unknown>)[key] = v;
}

/**
 * Reads the body of a warehouse set, then reports what it cannot do without: the warehouse (N1 WH, or
 * the set's stand-in) and at least one detail segment (`count` says how many the header holds).
 */
export function readWarehouseBody<H extends HeaderFields & { facility: string | undefined }>(
  r: SetReader, layout: Layout<H>, h: H, facility: string, detail: { segment: string; what: string; count(h: H): number },
): void {
  readBody(r, layout, h);
  if (!h.facility) r.missing('N1*WH', facility);
  if (detail.count(h) === 0) r.missing(detail.segment, detail.what);
}
