// Turns the dictionary's tables into lookup structures once per version, set and guidelines: every
// inbound set is checked, so the check must find a segment's place and an element's rules without
// parsing or allocating anything.
import { CODE_LISTS, FREE_FORM_IDS } from './codes.ts';
import { ELEMENTS, type ElementType, type Version } from './elements.ts';
import { STANDARD_GUIDELINES, type Guidelines } from './guidelines.ts';
import { COMPOSITES_004010, COMPOSITES_005010, SEGMENTS_004010, SEGMENTS_005010, type SegmentTable } from './segments.ts';
import { SETS_004010, SETS_005010, type SetTable } from './sets.ts';
import { CHAR_CLASS, codeOf, SEGMENT_ID_KEYS, segmentIdKey } from '../tokenizer.ts';
import { ShapeMemo } from './shapes.ts';

/** Element kinds as small numbers for the check's switch. */
export const KIND = { AN: 0, ID: 1, DT: 2, TM: 3, R: 4, N: 5 } as const;

export interface CElement {
  /** 'N9-01', or 'N9-07-2' for a component: how errors name it. */
  ref: string;
  /** X12 element reference number ('128'), '' when given inline. */
  number: string;
  name: string;
  kind: number;
  min: number;
  max: number;
  mandatory: boolean;
  /** Closed code list as Segment.code numbers (codes of 1-3 characters), or null. */
  codes: ReadonlySet<number> | null;
  /** The same list as an open-addressed table of those numbers (see hasCode): the check's fast path. */
  codeTable: Int32Array | null;
  /** Codes of an ID element must be upper-case letters and digits. */
  shape: boolean;
  /** The components of a composite element (index 1 on), or null for a simple element. */
  components: ReadonlyArray<CElement | null> | null;
  /** Syntax notes between the components of a composite. */
  notes: readonly CNote[];
  /** More components exist than are checked. */
  open: boolean;
}

export interface CNote {
  kind: 'P' | 'R' | 'C' | 'L' | 'E';
  /** 1-based element positions. */
  elements: readonly number[];
  /** The same positions as bits (1 << position), for the check's fast path; every position is below 32. */
  mask: number;
  /** The first position's bit, and the others'. */
  first: number;
  rest: number;
  text: string;
}

export interface CSegment {
  id: string;
  /** Elements from index 1; null when the dictionary knows the segment only by its place in sets. */
  elements: ReadonlyArray<CElement | null> | null;
  /** The same elements as flat tables for the check's fast path; null when elements is. */
  plan: SegmentPlan | null;
  /** Elements beyond the listed ones exist but are not checked. */
  open: boolean;
  notes: readonly CNote[];
}

/**
 * How the check's fast path judges each element of a segment, in flat tables indexed by element number
 * (1 on): one switch and two comparisons decide that a value is valid. A value the fast path does not pass
 * goes to the full check, which says what is wrong, so errors are as precise either way.
 */
export interface SegmentPlan {
  /** FAST code of each element. */
  fast: Uint8Array;
  /**
   * The character class (see CHAR_CLASS) that, with a length between min and max, makes a value valid on its
   * own: most values are judged by one test. 0 where more must be read (a code, a date, a time, a composite).
   */
  need: Uint8Array;
  min: Int32Array;
  max: Int32Array;
  /** 1 where the element is mandatory. */
  mandatory: Uint8Array;
  /** The highest mandatory element's number, 0 when none is. */
  lastMandatory: number;
  /** The last presence mask (bit i: element i has a value) found to keep every syntax note; -1 before any. */
  notesKeptBy: number;
  /** The code table of an element with a closed code list (FAST.CODE), else null. */
  codes: ReadonlyArray<Int32Array | null>;
}

/** The fast path's cases; SLOW (a composite) always takes the full check. */
export const FAST = { SLOW: 0, AN: 1, ID_SHAPE: 2, ID_FREE: 3, N: 4, R: 5, DT: 6, TM: 7, CODE: 8 } as const;

/**
 * The class each FAST case needs of all characters for a value within its lengths to pass (see passes in
 * validate.ts); a decimal (R) of digits only, whose length is then its digits'. 0: the class does not decide.
 */
const NEED: Readonly<Record<number, number>> = {
  [FAST.SLOW]: 0, [FAST.AN]: CHAR_CLASS.OK, [FAST.ID_SHAPE]: CHAR_CLASS.ALNUM, [FAST.ID_FREE]: CHAR_CLASS.OK,
  [FAST.N]: CHAR_CLASS.DIGIT, [FAST.R]: CHAR_CLASS.DIGIT, [FAST.DT]: 0, [FAST.TM]: 0, [FAST.CODE]: 0,
};

function planOf(elements: ReadonlyArray<CElement | null>): SegmentPlan {
  const n = elements.length;
  const plan: SegmentPlan = { fast: new Uint8Array(n), need: new Uint8Array(n), min: new Int32Array(n), max: new Int32Array(n), mandatory: new Uint8Array(n), lastMandatory: 0, notesKeptBy: -1, codes: new Array<Int32Array | null>(n).fill(null) };
  const codes = plan.codes as Array<Int32Array | null>;
  for (let i = 1; i < n; i++) {
    const el = elements[i]!;
    plan.min[i] = el.min;
    plan.max[i] = el.max;
    plan.mandatory[i] = el.mandatory ? 1 : 0;
    if (el.mandatory) plan.lastMandatory = i;
    codes[i] = el.codeTable;
    plan.fast[i] = el.components !== null ? FAST.SLOW
      : el.codeTable !== null ? FAST.CODE
      : el.kind === KIND.AN ? FAST.AN
      : el.kind === KIND.ID ? (el.shape ? FAST.ID_SHAPE : FAST.ID_FREE)
      : el.kind === KIND.N ? FAST.N
      : el.kind === KIND.R ? FAST.R
      : el.kind === KIND.DT ? FAST.DT
      : FAST.TM;
    plan.need[i] = NEED[plan.fast[i]!]!;
  }
  return plan;
}

export interface CNode {
  id: string;
  loop: boolean;
  mandatory: boolean;
  max: number;
  segment: CSegment;
  /** A loop's nodes, its beginning segment first. */
  children: readonly CNode[] | null;
  /** A loop's segment ids -> indexes in children where they may stand (the beginning segment excluded: it starts the next repeat). */
  byId: ReadonlyMap<string, readonly number[]> | null;
  /**
   * The same as a table: next[pos * stride + sid] is the first index at or after pos where the segment of
   * number sid (see segmentNumber) may stand, -1 when none. One load per segment and open loop instead of a search.
   */
  next: Int16Array | null;
  stride: number;
  /** mandatoryFrom[k]: the first mandatory child at or after k (children.length when none), so checks skip the optional ones. */
  mandatoryFrom: Int16Array | null;
}

/** Segment id keys (see segmentIdKey) -> small numbers, for every id a compiled set holds; 0 when none was given. */
const sidTable = new Int16Array(SEGMENT_ID_KEYS);
let sidCount = 1;

/** The small number of a segment id the dictionary holds, 0 for any other id (or a string that is no id). */
export function segmentNumber(id: string): number {
  return segmentNumberOfKey(segmentIdKey(id));
}

/** segmentNumber of the id with this key (-1: no id). */
export function segmentNumberOfKey(key: number): number {
  return key < 0 ? 0 : sidTable[key]!;
}

function numberSegment(id: string): number {
  let n = segmentNumber(id);
  if (n !== 0) return n;
  sidTable[segmentIdKey(id)] = n = sidCount++;
  return n;
}

export interface CompiledSet {
  version: Version;
  setId: string;
  /** A loop without a beginning segment holding the whole set. */
  root: CNode;
  /** Every segment id the set defines, anywhere. */
  ids: ReadonlySet<string>;
  /** Segment ids the dictionary knows in any set: an id outside it is not recognised at all (AK304 1). */
  known: ReadonlySet<string>;
  /** Shapes of this set already walked without a finding (see ShapeMemo). */
  shapes: ShapeMemo<CSegment>;
}

const TABLES: Readonly<Record<Version, { segments: SegmentTable; composites: SegmentTable; sets: SetTable }>> = {
  '004010': { segments: SEGMENTS_004010, composites: COMPOSITES_004010, sets: SETS_004010 },
  '005010': { segments: SEGMENTS_005010, composites: COMPOSITES_005010, sets: SETS_005010 },
};

/** The dictionary version a group's GS08 is read by: 005010 and later as 005010, anything earlier as 004010. */
export function versionOf(gs08: string): Version {
  // Compared in place: a slice per set is garbage on the hot path.
  return gs08 >= '005010' || (gs08.length > 6 && gs08.startsWith('00501')) ? '005010' : '004010';
}

/** The sets the dictionary holds for a version. */
export function dictionarySets(version: Version): string[] {
  return Object.keys(TABLES[version].sets);
}

const standard = new Map<string, CompiledSet | null>();
const custom = new WeakMap<Guidelines, Map<string, CompiledSet | null>>();

/** The compiled set, or null when the dictionary does not hold it (the set is then not checked). */
/** The last set looked up: a file is mostly sets of one kind, so most lookups end here without a key string. */
let last: { version: Version; setId: string; guidelines: Guidelines; set: CompiledSet | null } | null = null;

export function compiledSet(version: Version, setId: string, guidelines: Guidelines = STANDARD_GUIDELINES): CompiledSet | null {
  const l = last;
  if (l !== null && l.setId === setId && l.version === version && l.guidelines === guidelines) return l.set;
  const set = lookupSet(version, setId, guidelines);
  last = { version, setId, guidelines, set };
  return set;
}

function lookupSet(version: Version, setId: string, guidelines: Guidelines): CompiledSet | null {
  const isStandard = guidelines === STANDARD_GUIDELINES || (Object.keys(guidelines.required).length === 0 && Object.keys(guidelines.extraCodes).length === 0);
  let cache = isStandard ? standard : custom.get(guidelines);
  if (cache === undefined) custom.set(guidelines, (cache = new Map()));
  const key = `${version}:${setId}`;
  let c = cache.get(key);
  if (c === undefined) {
    c = compile(version, setId, isStandard ? STANDARD_GUIDELINES : guidelines);
    cache.set(key, c);
  }
  return c;
}

function compile(version: Version, setId: string, guidelines: Guidelines): CompiledSet | null {
  const tables = TABLES[version];
  const text = tables.sets[setId];
  if (text === undefined) return null;
  const required = new Set(guidelines.required[setId] ?? []);
  const segments = new Map<string, CSegment>();
  const segmentOf = (id: string): CSegment => {
    let s = segments.get(id);
    if (s === undefined) segments.set(id, (s = compileSegment(version, id, tables, required, guidelines.extraCodes)));
    return s;
  };
  const root = parseSet(setId, text, segmentOf, required);
  const known = new Set<string>(Object.keys(tables.segments));
  for (const t of Object.values(tables.sets)) for (const m of t.matchAll(/([A-Z][A-Z0-9]{1,2}):[MO]:/g)) known.add(m[1]!);
  return { version, setId, root, ids: new Set(segments.keys()), known, shapes: new ShapeMemo<CSegment>() };
}

/** Parses a set's structure notation into nodes; a mistake in the table is caught here, when first used. */
function parseSet(setId: string, text: string, segmentOf: (id: string) => CSegment, required: ReadonlySet<string>): CNode {
  const tokens = text.replace(/\]/g, ' ] ').trim().split(/\s+/);
  const requiredSeen = new Set<string>();
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`X12 dictionary, set ${setId}: ${why} at token ${i + 1} (${tokens[i] ?? 'end'})`);
  };
  const node = (tok: string, loop: boolean): Omit<CNode, 'children' | 'byId' | 'next' | 'stride' | 'mandatoryFrom'> => {
    const m = /^([A-Z][A-Z0-9]{1,2}):([MO]):(\d+|>1)$/.exec(tok);
    if (!m) return fail('expected ID:M|O:max');
    // A partner's required segment is required where the set first defines it (the header N9, not each line's).
    const partnerRequires = required.has(m[1]!) && !requiredSeen.has(m[1]!);
    if (partnerRequires) requiredSeen.add(m[1]!);
    return { id: m[1]!, loop, mandatory: m[2] === 'M' || partnerRequires, max: m[3] === '>1' ? Number.POSITIVE_INFINITY : Number(m[3]), segment: segmentOf(m[1]!) };
  };
  const readChildren = (closing: boolean): CNode[] => {
    const out: CNode[] = [];
    while (i < tokens.length) {
      const tok = tokens[i]!;
      if (tok === ']') {
        if (!closing) fail('unmatched ]');
        i++;
        return out;
      }
      if (tok.startsWith('[')) {
        const head = node(tok.slice(1), true);
        i++;
        const children = readChildren(true);
        if (children[0]?.id !== head.id || children[0].loop) fail(`loop ${head.id} must begin with its own segment`);
        out.push(withIndex({ ...head, children }, true));
        continue;
      }
      out.push({ ...node(tok, false), children: null, byId: null, next: null, stride: 0, mandatoryFrom: null });
      i++;
    }
    if (closing) fail('missing ]');
    return out;
  };
  const top = readChildren(false);
  return withIndex({ id: '', loop: true, mandatory: true, max: 1, segment: { id: '', elements: null, plan: null, open: true, notes: [] }, children: top }, false);
}

function withIndex(n: Omit<CNode, 'byId' | 'next' | 'stride' | 'mandatoryFrom'>, hasBeginning: boolean): CNode {
  const children = n.children!;
  const byId = new Map<string, number[]>();
  children.forEach((c, k) => {
    if (hasBeginning && k === 0) return;
    const list = byId.get(c.id) ?? [];
    list.push(k);
    byId.set(c.id, list);
  });
  for (const c of children) numberSegment(c.id);
  let stride = 1;
  for (const c of children) stride = Math.max(stride, segmentNumber(c.id) + 1);
  const count = children.length;
  if (count >= 0x7fff) throw new Error(`X12 dictionary: loop ${n.id} has too many segments`);
  const next = new Int16Array((count + 1) * stride).fill(-1);
  for (let pos = count - 1; pos >= 0; pos--) {
    next.copyWithin(pos * stride, (pos + 1) * stride, (pos + 2) * stride);
    if (!(hasBeginning && pos === 0)) next[pos * stride + segmentNumber(children[pos]!.id)] = pos;
  }
  const mandatoryFrom = new Int16Array(count + 1);
  mandatoryFrom[count] = count;
  for (let k = count - 1; k >= 0; k--) mandatoryFrom[k] = children[k]!.mandatory ? k : mandatoryFrom[k + 1]!;
  return { ...n, byId, next, stride, mandatoryFrom };
}

function compileSegment(version: Version, id: string, tables: { segments: SegmentTable; composites: SegmentTable }, required: ReadonlySet<string>, extraCodes: Guidelines['extraCodes']): CSegment {
  const text = tables.segments[id];
  if (text === undefined || text === '') return { id, elements: null, plan: null, open: true, notes: [] };
  const { elements, open, notes } = parseElements(version, id, text, tables.composites, (ref) => required.has(ref), extraCodes);
  return { id, elements, plan: planOf(elements), open, notes };
}

function parseElements(
  version: Version, owner: string, text: string, composites: SegmentTable, isRequired: (ref: string) => boolean, extraCodes: Guidelines['extraCodes'], componentOf?: string,
): { elements: Array<CElement | null>; open: boolean; notes: CNote[] } {
  const [list, noteText = ''] = text.split('|');
  const tokens = list!.trim().split(/\s+/).filter(Boolean);
  const elements: Array<CElement | null> = [null];
  let open = false;
  for (const tok of tokens) {
    if (tok === '+') {
      open = true;
      continue;
    }
    const n = elements.length;
    const ref = componentOf ? `${componentOf}-${n}` : `${owner}-${n < 10 ? '0' : ''}${n}`;
    const m = /^([MOX])(?:(C\d{3})|=(AN|ID|DT|TM|R|N\d):(\d+)\/(\d+)|(\d+))$/.exec(tok);
    if (!m) throw new Error(`X12 dictionary, segment ${owner}: cannot read ${tok}`);
    const mandatory = m[1] === 'M' || isRequired(ref);
    if (m[2]) {
      const ctext = composites[m[2]];
      if (ctext === undefined) throw new Error(`X12 dictionary, segment ${owner}: no composite ${m[2]}`);
      const inner = parseElements(version, owner, ctext, composites, isRequired, extraCodes, ref);
      elements.push({ ref, number: m[2], name: `composite ${m[2]}`, kind: KIND.AN, min: 0, max: 0, mandatory, codes: null, codeTable: null, shape: false, components: inner.elements, notes: inner.notes, open: inner.open });
      continue;
    }
    let def: { name: string; type: ElementType; min: number; max: number };
    let number = '';
    if (m[6]) {
      number = m[6];
      const d = ELEMENTS[version].get(number);
      if (!d) throw new Error(`X12 dictionary, segment ${owner}: no element ${number} in ${version}`);
      def = d;
    } else def = { name: `element ${ref}`, type: m[3] as ElementType, min: Number(m[4]), max: Number(m[5]) };
    const kind = def.type === 'AN' ? KIND.AN : def.type === 'ID' ? KIND.ID : def.type === 'DT' ? KIND.DT : def.type === 'TM' ? KIND.TM : def.type === 'R' ? KIND.R : KIND.N;
    const list = def.type === 'ID' ? CODE_LISTS[number] : undefined;
    const extra = extraCodes[ref] ?? [];
    const codes = list ? new Set([...list, ...extra].map(codeOf)) : null;
    elements.push({ ref, number, name: def.name, kind, min: def.min, max: def.max, mandatory, codes, codeTable: codes === null ? null : codeTableOf(codes), shape: def.type === 'ID' && !FREE_FORM_IDS.has(number), components: null, notes: [], open: false });
  }
  const notes: CNote[] = [];
  for (const tok of noteText.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([PRCLE])((?:\d\d)+)$/.exec(tok);
    if (!m) throw new Error(`X12 dictionary, segment ${owner}: cannot read note ${tok}`);
    const positions = m[2]!.match(/\d\d/g)!.map(Number);
    for (const p of positions) if (p >= elements.length) throw new Error(`X12 dictionary, segment ${owner}: note ${tok} names element ${p}, which is not listed`);
    if (positions.some((p) => p > 31)) throw new Error(`X12 dictionary, segment ${owner}: note ${tok} names an element past 31`);
    const bit = (p: number) => (1 << p) >>> 0;
    const rest = positions.slice(1).reduce((m, p) => (m | bit(p)) >>> 0, 0);
    notes.push({ kind: m[1] as CNote['kind'], elements: positions, mask: (bit(positions[0]!) | rest) >>> 0, first: bit(positions[0]!), rest, text: tok });
  }
  return { elements, open, notes };
}

/** Spreads code numbers over a table four times their count (a power of two), so a look-up mostly reads one slot. */
function codeTableOf(codes: ReadonlySet<number>): Int32Array {
  let size = 8;
  while (size < codes.size * 4) size <<= 1;
  const table = new Int32Array(size);
  for (const code of codes) {
    if (code <= 0) continue; // -1 (a code longer than 3) is never looked up as valid; the Set judges it
    let h = codeSlot(code, size);
    while (table[h] !== 0) h = (h + 1) & (size - 1);
    table[h] = code;
  }
  return table;
}

function codeSlot(code: number, size: number): number {
  return (Math.imul(code, 0x9e3779b1) >>> 16) & (size - 1);
}

/** Whether code (a Segment.code number, never 0) is in a table made by codeTableOf. */
export function hasCode(table: Int32Array, code: number): boolean {
  const mask = table.length - 1;
  for (let h = (Math.imul(code, 0x9e3779b1) >>> 16) & mask; ; h = (h + 1) & mask) {
    const v = table[h]!;
    if (v === code) return true;
    if (v === 0) return false;
  }
}
