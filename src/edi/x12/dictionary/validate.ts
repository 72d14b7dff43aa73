// Checks a transaction set against the dictionary of its version: each segment's place (order, loops,
// maximum use, mandatory segments) and each element (presence, type, length, code, date, time, syntax
// notes, stray separators). Every finding is an X12Error whose code is the 997 AK304 / AK403 it reports.
import { x12Error, type X12Error, type X12ErrorCode, type X12Position } from '../errors.ts';
import { CHAR_CLASS, charClasses, charClassKey, type ElementSpan, type SegmentBounds } from '../tokenizer.ts';
import { FAST, hasCode, KIND, segmentNumber, segmentNumberOfKey, type CElement, type CNode, type CNote, type CompiledSet, type CSegment } from './compile.ts';
import type { Guidelines } from './guidelines.ts';
import { LONGEST_SHAPE, nextShapeHash } from './shapes.ts';

/** What the check reads of a segment: a read Segment, or a segment about to be written (see segmentView). */
export interface SegmentView {
  readonly id: string;
  /** The id's key (see segmentIdKey), when the segment was read: its number is then found without reading the id. */
  readonly idKey?: number;
  /** Number of data elements (the id not counted). */
  readonly count: number;
  span(n: number, out: ElementSpan): void;
  /** A read segment lends its text and element bounds: the check then reads them without a call per element. */
  boundsInto?(out: SegmentBounds): boolean;
  readonly offset?: number;
}

export interface CheckContext {
  /** Element, component and repetition separators as char codes (-1 when none). */
  element: number;
  component: number;
  repetition: number;
  guidelines: Guidelines;
  /** Character classes under these separators (see charClasses); set by checkSegments. */
  classes?: Uint8Array;
  /** Their key (see charClassKey): a read segment's own classes are used only under the same. */
  classKey?: number;
  /** Where the set sits (interchange, group, set, setId): copied into each error's position. */
  where: X12Position;
}

interface Frame {
  node: CNode;
  pos: number;
  /** Uses of each of node's children in the loop's current repeat; reused from set to set. */
  counts: Int32Array;
}

/** Reused between calls: checking is synchronous, and a set rarely nests loops more than four deep. */
const frames: Frame[] = [];
const span: ElementSpan = { text: '', start: 0, end: 0 };
const lent: SegmentBounds = { text: '', bounds: new Int32Array(0), classes: new Uint8Array(0), classKey: -1, at: 0, n: 0 };
const present: Uint8Array = new Uint8Array(128);
const componentPresent: Uint8Array = new Uint8Array(64);
/** The set's segment numbers, and the definition the walk checked each segment by (see ShapeMemo). */
let sids = new Int16Array(0);
const defs: CSegment[] = [];
/** Whether the walk so far placed every segment without a finding about the set's structure. */
let regular = true;

/**
 * Enters a loop (or the set) at depth d: the frame and its counts are reused, nothing is allocated per
 * segment or per set. (Closures are avoided on this path too: tsx names each one it makes, which costs.)
 */
function enter(d: number, node: CNode, first: number): void {
  const n = node.children!.length;
  let f = frames[d];
  if (f === undefined) frames[d] = f = { node, pos: 0, counts: new Int32Array(Math.max(64, n)) };
  else if (f.counts.length < n) f.counts = new Int32Array(n);
  f.node = node;
  f.pos = 0;
  // A loop has a handful of children: a plain loop clears them faster than a call to fill().
  const counts = f.counts;
  counts[0] = first;
  for (let k = 1; k < n; k++) counts[k] = 0;
}

/**
 * Checks segments[from, to) of a set (its body: ST and SE excluded). segments[i] is at position i + shift
 * in the set as the 997 counts (ST is 1); `end` is where missing trailing segments are reported.
 */
export function checkSegments(segments: ArrayLike<SegmentView>, from: number, to: number, set: CompiledSet, ctx: CheckContext, shift: number, end: number): X12Error[] {
  const errors: X12Error[] = [];
  ctx.classes = charClasses(ctx.element, ctx.component, ctx.repetition);
  ctx.classKey = charClassKey(ctx.element, ctx.component, ctx.repetition);
  const count = to - from;
  const memo = count <= LONGEST_SHAPE;
  let hash = 0;
  if (memo) {
    if (sids.length < count) sids = new Int16Array(LONGEST_SHAPE);
    for (let i = from; i < to; i++) hash = nextShapeHash(hash, (sids[i - from] = numberOf(segments[i]!)));
    const known = set.shapes.find(sids, count, hash);
    if (known !== null) {
      for (let i = from; i < to; i++) checkElements(segments[i]!, known[i - from]!, ctx, i + shift, errors);
      return errors;
    }
  }
  regular = true;
  let top = 0;
  enter(0, set.root, 0);
  for (let i = from; i < to; i++) {
    const seg = segments[i]!;
    const sid = memo ? sids[i - from]! : numberOf(seg);
    const position = i + shift;
    let placed = false;
    // The innermost open loop that has a place for the segment at or after where it stands takes it; the
    // loops inside it are closed. A segment the dictionary does not number has no place anywhere.
    if (sid !== 0) {
      for (let d = top; d >= 0; d--) {
        const f = frames[d]!;
        const node = f.node;
        const stride = node.stride;
        if (sid >= stride) continue;
        const c = node.next![f.pos * stride + sid]!;
        if (c < 0) continue;
        for (let k = top; k > d; k--) closeFrame(frames[k]!, errors, ctx, position, seg);
        top = d;
        const children = node.children!;
        const counts = f.counts;
        const mandatory = node.mandatoryFrom!;
        for (let k = mandatory[f.pos]!; k < c; k = mandatory[k + 1]!) if (counts[k] === 0) missing(errors, ctx, children[k]!, position, seg);
        f.pos = c;
        const child = children[c]!;
        const n = ++counts[c]!;
        if (n > child.max) overused(errors, ctx, child, seg, position);
        if (child.loop) enter(++top, child, 1);
        if (memo) defs[i - from] = child.segment;
        checkElements(seg, child.segment, ctx, position, errors);
        placed = true;
        break;
      }
    }
    if (!placed) {
      regular = false;
      misplaced(seg, set, frames, top, ctx, position, errors);
    }
  }
  for (let k = top; k >= 0; k--) closeFrame(frames[k]!, errors, ctx, end, null);
  if (memo && regular) set.shapes.remember(sids, count, hash, defs);
  return errors;
}

/** The dictionary's number of a segment's id (see segmentNumber). */
function numberOf(seg: SegmentView): number {
  const key = seg.idKey;
  return key === undefined ? segmentNumber(seg.id) : segmentNumberOfKey(key);
}

function closeFrame(f: Frame, errors: X12Error[], ctx: CheckContext, position: number, seg: SegmentView | null): void {
  const children = f.node.children!;
  const mandatory = f.node.mandatoryFrom!;
  const n = children.length;
  for (let k = mandatory[f.pos]!; k < n; k = mandatory[k + 1]!) if (f.counts[k] === 0) missing(errors, ctx, children[k]!, position, seg);
}

/** A segment found nowhere ahead: unknown, from another set, out of order, or from a loop not open here. */
function misplaced(seg: SegmentView, set: CompiledSet, stack: Frame[], top: number, ctx: CheckContext, position: number, errors: X12Error[]): void {
  const g = ctx.guidelines;
  const id = seg.id;
  if (!set.ids.has(id)) {
    if (g.allowUnknownSegments) return;
    const known = set.known.has(id);
    const code: X12ErrorCode = known ? 'X12_SEGMENT_NOT_IN_SET' : 'X12_SEGMENT_UNRECOGNIZED';
    const why = known ? `is not defined in a ${set.setId} (${set.version})` : 'is not a segment the X12 dictionary knows';
    errors.push(err(code, `Segment ${id} ${why}.`, ctx, seg, position));
    return;
  }
  for (let d = top; d >= 0; d--) {
    const f = stack[d]!;
    const at = f.node.byId!.get(id);
    if (at === undefined) continue;
    // Defined earlier in a loop that is open: out of sequence.
    const k = at[0]!;
    if (!g.enforceSegmentOrder) {
      const node = f.node.children![k]!;
      if (++f.counts[k]! > node.max) overused(errors, ctx, node, seg, position);
      checkElements(seg, node.segment, ctx, position, errors);
      return;
    }
    errors.push(err('X12_SEGMENT_ORDER', `Segment ${id} is out of sequence: in a ${set.setId} it comes before ${f.node.children![f.pos]!.id}${f.node.id ? ` in the ${f.node.id} loop` : ''}.`, ctx, seg, position));
    return;
  }
  if (g.allowUnknownSegments) return;
  errors.push(err('X12_SEGMENT_UNKNOWN', `Segment ${id} is unexpected here: a ${set.setId} defines it only inside a loop that is not open at this point.`, ctx, seg, position));
}

function missing(errors: X12Error[], ctx: CheckContext, node: CNode, position: number, seg: SegmentView | null): void {
  regular = false;
  const what = node.loop ? `${node.id} loop` : `segment ${node.id}`;
  const e = err('X12_SEGMENT_MISSING', `Mandatory ${what} is missing${seg ? ` before ${seg.id}` : ''}.`, ctx, null, position);
  e.position.segmentId = node.id;
  errors.push(e);
}

function overused(errors: X12Error[], ctx: CheckContext, node: CNode, seg: SegmentView, position: number): void {
  regular = false;
  const loop = node.loop;
  const severity = ctx.guidelines.acceptExtraRepeats ? 'warning' : 'error';
  const message = loop ? `The ${node.id} loop repeats more than the ${node.max} times allowed.` : `Segment ${node.id} is used more than the ${node.max} time${node.max === 1 ? '' : 's'} allowed here.`;
  errors.push(err(loop ? 'X12_LOOP_REPEAT' : 'X12_SEGMENT_REPEAT', message, ctx, seg, position, undefined, undefined, severity));
}

/** The finding about one element, with the element's reference number for the 997's AK4-02. */
function elementErr(code: X12ErrorCode, message: string, el: CElement, ctx: CheckContext, seg: SegmentView, position: number, element: number, component?: number): X12Error {
  const e = err(code, message, ctx, seg, position, element, component);
  if (el.number !== '' && el.components === null) e.position.elementReference = el.number;
  return e;
}

function err(code: X12ErrorCode, message: string, ctx: CheckContext, seg: SegmentView | null, position: number, element?: number, component?: number, severity: 'error' | 'warning' = 'error'): X12Error {
  const p: X12Position = { ...ctx.where, segmentPosition: position };
  if (seg !== null) {
    p.segmentId = seg.id;
    if (seg.offset !== undefined) p.offset = seg.offset;
  }
  if (element !== undefined) p.element = element;
  if (component !== undefined) p.component = component;
  return x12Error(code, message, p, severity);
}

/** Checks each element of one segment, then its syntax notes. */
function checkElements(seg: SegmentView, def: CSegment, ctx: CheckContext, position: number, errors: X12Error[]): void {
  const els = def.elements;
  if (els === null) return;
  const n = seg.count;
  const defined = els.length - 1;
  const upto = n < defined ? n : defined;
  let mask = 0;
  if (seg.boundsInto !== undefined && seg.boundsInto(lent)) {
    // A read segment: element starts straight from the tokenizer's table, each element judged by the
    // segment's plan in this one loop; only a value it does not pass takes the full check.
    const text = lent.text;
    const bounds = lent.bounds;
    const at = lent.at;
    const classes = ctx.classes!;
    // The tokenizer's per-element classes, when it read under the separators this check judges by.
    const elementClasses = lent.classKey === ctx.classKey ? lent.classes : null;
    const plan = def.plan!;
    const fast = plan.fast;
    const needs = plan.need;
    const mins = plan.min;
    const maxs = plan.max;
    for (let i = 1; i <= upto; i++) {
      const a = bounds[at + i]!;
      const b = bounds[at + i + 1]! - 1;
      if (a === b) {
        if (plan.mandatory[i] === 1) {
          const el = els[i]!;
          errors.push(elementErr('X12_ELEMENT_MISSING', `${el.ref}, the ${el.name}, is missing; it is mandatory.`, el, ctx, seg, position, i));
        }
        continue;
      }
      mask |= 1 << i;
      const len = b - a;
      const need = needs[i]!;
      if (need !== 0 && len >= mins[i]! && len <= maxs[i]! && ((elementClasses === null ? classOf(text, a, b, classes) : elementClasses[at + i]!) & need) !== 0) continue;
      const f = fast[i]!;
      if (f === FAST.CODE) {
        if (len <= 3 && hasCode(plan.codes[i]!, codeAt(text, a, b))) continue;
      } else if (f !== FAST.SLOW && passes(f, elementClasses === null ? classOf(text, a, b, classes) : elementClasses[at + i]!, text, a, b, len, mins[i]!, maxs[i]!)) continue;
      checkSimple(seg, els[i]!, f, text, a, b, classes, ctx, position, i, errors);
    }
  } else {
    const classes = ctx.classes!;
    for (let i = 1; i <= upto; i++) {
      const el = els[i]!;
      seg.span(i, span);
      if (span.end === span.start) {
        if (el.mandatory) errors.push(elementErr('X12_ELEMENT_MISSING', `${el.ref}, the ${el.name}, is missing; it is mandatory.`, el, ctx, seg, position, i));
        continue;
      }
      mask |= 1 << i;
      checkSimple(seg, el, def.plan!.fast[i]!, span.text, span.start, span.end, classes, ctx, position, i, errors);
    }
  }
  // Elements past the last one given: only a mandatory one among them is a finding.
  for (let i = upto + 1; i <= def.plan!.lastMandatory; i++) {
    const el = els[i]!;
    if (el.mandatory) errors.push(elementErr('X12_ELEMENT_MISSING', `${el.ref}, the ${el.name}, is missing; it is mandatory.`, el, ctx, seg, position, i));
  }
  if (!def.open && n > defined) {
    // Empty trailing elements say nothing; a value past the last defined element is one too many.
    for (let i = defined + 1; i <= n; i++) {
      seg.span(i, span);
      if (span.end > span.start) {
        errors.push(err('X12_ELEMENT_TOO_MANY', `Segment ${seg.id} has a value in element ${i}, but defines only ${defined}.`, ctx, seg, position, i));
        break;
      }
    }
  }
  if (def.notes.length === 0) return;
  // Segments of one kind mostly give the same elements: a presence already found to keep every note is not judged again.
  const presence = mask >>> 0;
  const plan = def.plan!;
  if (presence === plan.notesKeptBy) return;
  if (breaksNote(def.notes, presence)) {
    for (let i = 1; i <= defined; i++) present[i] = (mask >>> i) & 1;
    checkNotes(def.notes, present, ctx, seg, position, undefined, errors);
  } else plan.notesKeptBy = presence;
}

/** Whether any note is broken, judged on bits alone: the common case (none is) costs a few operations. */
function breaksNote(notes: readonly CNote[], mask: number): boolean {
  for (let n = 0; n < notes.length; n++) {
    const note = notes[n]!;
    const there = (mask & note.mask) >>> 0;
    switch (note.kind) {
      case 'P':
        if (there !== 0 && there !== note.mask) return true;
        break;
      case 'R':
        if (there === 0) return true;
        break;
      case 'C':
        if ((there & note.first) !== 0 && ((there & note.rest) >>> 0) !== note.rest) return true;
        break;
      case 'L':
        if ((there & note.first) !== 0 && (there & note.rest) === 0) return true;
        break;
      case 'E':
        if ((there & (there - 1)) !== 0) return true;
        break;
    }
  }
  return false;
}

/** 'N1-03', or 'QTY-03-2' for a component: how a note names an element. */
function noteName(owner: string, element: number | undefined, k: number): string {
  return element === undefined ? `${owner}-${k < 10 ? '0' : ''}${k}` : `${owner}-${element < 10 ? '0' : ''}${element}-${k}`;
}

function names(owner: string, element: number | undefined, list: readonly number[]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) out += (i > 0 ? ', ' : '') + noteName(owner, element, list[i]!);
  return out;
}

/** A finding about element k of a note: the element itself, or component k of the composite. */
function noteErr(code: X12ErrorCode, message: string, ctx: CheckContext, seg: SegmentView, position: number, element: number | undefined, k: number): X12Error {
  return element === undefined ? err(code, message, ctx, seg, position, k) : err(code, message, ctx, seg, position, element, k);
}

/** Syntax notes over the elements (or a composite's components) marked in has[]. */
function checkNotes(notes: readonly CNote[], has: Uint8Array, ctx: CheckContext, seg: SegmentView, position: number, element: number | undefined, errors: X12Error[]): void {
  const owner = seg.id;
  for (let n = 0; n < notes.length; n++) {
    const note = notes[n]!;
    const e = note.elements;
    let count = 0;
    for (let i = 0; i < e.length; i++) if (has[e[i]!] === 1) count++;
    switch (note.kind) {
      case 'P':
        if (count === 0 || count === e.length) break;
        for (let i = 0; i < e.length; i++) {
          const k = e[i]!;
          if (has[k] === 1) continue;
          const there: number[] = [];
          for (let j = 0; j < e.length; j++) if (has[e[j]!] === 1) there.push(e[j]!);
          errors.push(noteErr('X12_ELEMENT_CONDITIONAL', `${noteName(owner, element, k)} is missing: ${names(owner, element, there)} is present and they go together (${note.text}).`, ctx, seg, position, element, k));
        }
        break;
      case 'R':
        if (count === 0) errors.push(noteErr('X12_ELEMENT_CONDITIONAL', `At least one of ${names(owner, element, e)} is required (${note.text}).`, ctx, seg, position, element, e[0]!));
        break;
      case 'C':
        if (has[e[0]!] !== 1) break;
        for (let i = 1; i < e.length; i++) {
          if (has[e[i]!] === 1) continue;
          errors.push(noteErr('X12_ELEMENT_CONDITIONAL', `${noteName(owner, element, e[i]!)} is required when ${noteName(owner, element, e[0]!)} is present (${note.text}).`, ctx, seg, position, element, e[i]!));
        }
        break;
      case 'L':
        if (has[e[0]!] === 1 && count === 1) {
          errors.push(noteErr('X12_ELEMENT_CONDITIONAL', `One of ${names(owner, element, e.slice(1))} is required when ${noteName(owner, element, e[0]!)} is present (${note.text}).`, ctx, seg, position, element, e[1]!));
        }
        break;
      case 'E':
        if (count > 1) {
          let second = 0;
          for (let i = 0, seen = 0; i < e.length; i++) if (has[e[i]!] === 1 && ++seen === 2) second = e[i]!;
          errors.push(noteErr('X12_ELEMENT_EXCLUSION', `Only one of ${names(owner, element, e)} may be present (${note.text}).`, ctx, seg, position, element, second));
        }
        break;
    }
  }
}

const { DIGIT, ALNUM, POINT, OK } = CHAR_CLASS;

/**
 * Checks element i, text[a, b), which is not empty, when the segment's plan did not pass it at once:
 * a composite, or a value that is not valid as it stands (checkValue says what is wrong).
 */
function checkSimple(seg: SegmentView, el: CElement, f: number, text: string, a: number, b: number, classes: Uint8Array, ctx: CheckContext, position: number, i: number, errors: X12Error[]): void {
  if (el.components !== null) {
    checkComposite(seg, el, text, a, b, ctx, position, i, errors);
    return;
  }
  if (f === FAST.CODE) {
    if (b - a <= 3 && hasCode(el.codeTable!, codeAt(text, a, b))) return;
  } else if (passes(f, classOf(text, a, b, classes), text, a, b, b - a, el.min, el.max)) return;
  checkValue(seg, el, text, a, b, ctx, position, i, undefined, errors);
}

/** The AND of the CHAR_CLASS classes of text[a, b) (a table of every UTF-16 code unit, see charClasses). */
function classOf(text: string, a: number, b: number, classes: Uint8Array): number {
  let all = 0xff;
  for (let k = a; k < b; k++) all &= classes[text.charCodeAt(k)]!;
  return all;
}

/**
 * Whether a value is valid for a plan's FAST case f (not SLOW, not CODE), judged by what its characters
 * have in common (`all`, see CHAR_CLASS) and its length. False sends it to the full check.
 */
function passes(f: number, all: number, text: string, a: number, b: number, len: number, min: number, max: number): boolean {
  switch (f) {
    case FAST.AN:
    case FAST.ID_FREE:
      return (all & OK) !== 0 && len >= min && len <= max;
    case FAST.ID_SHAPE:
      return (all & ALNUM) !== 0 && len >= min && len <= max;
    case FAST.N:
      return (all & DIGIT) !== 0 && len >= min && len <= max;
    case FAST.R:
      // Digits, or digits around one point: the length counts the digits only.
      if ((all & DIGIT) !== 0) return len >= min && len <= max;
      if ((all & POINT) !== 0 && len > 1) {
        const second = text.indexOf('.', text.indexOf('.', a) + 1);
        return (second < 0 || second >= b) && len - 1 >= min && len - 1 <= max;
      }
      return false;
    case FAST.DT:
      return (all & OK) !== 0 && len >= min && len <= max && isDate(text, a, b);
    case FAST.TM:
      return (all & OK) !== 0 && len >= min && len <= max && isTime(text, a, b);
  }
  return false;
}

function checkComposite(seg: SegmentView, el: CElement, text: string, a: number, b: number, ctx: CheckContext, position: number, i: number, errors: X12Error[]): void {
  const comps = el.components!;
  const defined = comps.length - 1;
  const has = componentPresent;
  has.fill(0, 0, defined + 1);
  let start = a;
  let j = 1;
  for (let k = a; k <= b; k++) {
    const c = k < b ? text.charCodeAt(k) : ctx.component;
    if (c === ctx.repetition) {
      errors.push(err('X12_ELEMENT_REPEATS', `${el.ref}, the ${el.name}, holds the repetition separator, but it does not repeat.`, ctx, seg, position, i));
      return;
    }
    if (c !== ctx.component) continue;
    if (j > defined) {
      if (!el.open && k > start) {
        errors.push(err('X12_ELEMENT_COMPONENTS', `${el.ref}, the ${el.name}, has more than its ${defined} components.`, ctx, seg, position, i, j));
        return;
      }
    } else {
      const def = comps[j]!;
      has[j] = k > start ? 1 : 0;
      if (k === start) {
        if (def.mandatory) errors.push(elementErr('X12_ELEMENT_MISSING', `${def.ref}, the ${def.name}, is missing; it is mandatory.`, def, ctx, seg, position, i, j));
      } else checkValue(seg, def, text, start, k, ctx, position, i, j, errors);
    }
    start = k + 1;
    j++;
  }
  for (; j <= defined; j++) {
    const def = comps[j]!;
    if (def.mandatory) errors.push(elementErr('X12_ELEMENT_MISSING', `${def.ref}, the ${def.name}, is missing; it is mandatory.`, def, ctx, seg, position, i, j));
  }
  if (el.notes.length > 0) checkNotes(el.notes, has, ctx, seg, position, i, errors);
}

/** Checks one simple value text[a, b): separators, characters, code, date, time, length. */
function checkValue(seg: SegmentView, el: CElement, text: string, a: number, b: number, ctx: CheckContext, position: number, i: number, j: number | undefined, errors: X12Error[]): void {
  const kind = el.kind;
  // A code of the element's list is valid as it stands: the common case costs one lookup.
  if (el.codes !== null && el.codes.has(codeAt(text, a, b))) return;
  const component = j === undefined ? ctx.component : -2;
  const repetition = ctx.repetition;
  const numeric = kind === KIND.R || kind === KIND.N;
  const code = kind === KIND.ID && el.shape;
  let digits = 0;
  let bad = false;
  let points = 0;
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      digits++;
      continue;
    }
    if (c < 32 || c === 127 || c === component || c === repetition) {
      errors.push(stray(c, el, ctx, seg, position, i, j));
      return;
    }
    if (numeric) {
      if (c === 45 && k === a && b > a + 1) continue; // a leading minus sign
      if (c === 46 && kind === KIND.R && points === 0) {
        points++;
        continue;
      }
      bad = true;
    } else if (code && !(c >= 65 && c <= 90)) bad = true;
  }
  const len = kind === KIND.R || kind === KIND.N ? digits : b - a;

  switch (kind) {
    case KIND.ID:
      if (el.codes !== null) {
        if (!el.codes.has(codeAt(text, a, b))) errors.push(elementErr('X12_CODE_INVALID', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}, which is not one of its codes.`, el, ctx, seg, position, i, j));
        return;
      }
      if (bad) {
        errors.push(elementErr('X12_CODE_INVALID', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}, which is not a code (codes are upper-case letters and digits).`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.R:
    case KIND.N:
      if (bad || digits === 0) {
        errors.push(elementErr('X12_ELEMENT_INVALID', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}, which is not ${kind === KIND.R ? 'a decimal number' : 'a whole number (an implied-decimal value has no point)'}.`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.DT:
      if (len >= el.min && len <= el.max && !isDate(text, a, b)) {
        errors.push(elementErr('X12_DATE_INVALID', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}, which is not a date ${len === 6 ? 'YYMMDD' : 'CCYYMMDD'}.`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.TM:
      if (len >= el.min && len <= el.max && !isTime(text, a, b)) {
        errors.push(elementErr('X12_TIME_INVALID', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}, which is not a time HHMM[SS[d..]].`, el, ctx, seg, position, i, j));
        return;
      }
      break;
  }
  checkLength(seg, el, text, a, b, len, ctx, position, i, j, errors);
}

function checkLength(seg: SegmentView, el: CElement, text: string, a: number, b: number, len: number, ctx: CheckContext, position: number, i: number, j: number | undefined, errors: X12Error[]): void {
  if (len < el.min) errors.push(elementErr('X12_ELEMENT_TOO_SHORT', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}: ${len} character${len === 1 ? '' : 's'}, at least ${el.min} needed.`, el, ctx, seg, position, i, j));
  else if (len > el.max) errors.push(elementErr('X12_ELEMENT_TOO_LONG', `${el.ref}, the ${el.name}, is ${quoted(text, a, b)}: ${len} characters, at most ${el.max} allowed.`, el, ctx, seg, position, i, j));
}

/** A separator or control character inside a simple value. */
function stray(c: number, el: CElement, ctx: CheckContext, seg: SegmentView, position: number, i: number, j: number | undefined): X12Error {
  if (c === ctx.repetition) return separator(el, 'repetition', ctx, seg, position, i, j);
  if (c === ctx.component && j === undefined) return separator(el, 'component', ctx, seg, position, i);
  return elementErr('X12_ELEMENT_INVALID', `${el.ref}, the ${el.name}, holds a control character (code ${c}).`, el, ctx, seg, position, i, j);
}

function quoted(text: string, a: number, b: number): string {
  return JSON.stringify(text.slice(a, b));
}

function separator(el: CElement, which: 'component' | 'repetition', ctx: CheckContext, seg: SegmentView, position: number, i: number, j?: number): X12Error {
  const message = `${el.ref}, the ${el.name}, holds the ${which} separator, which a simple element cannot.`;
  // 004010 has no repetition separator, nor AK403 codes 12 and 13: there a stray separator is an invalid character.
  if (ctx.repetition < 0) return elementErr('X12_ELEMENT_INVALID', message, el, ctx, seg, position, i, j);
  return elementErr(which === 'component' ? 'X12_ELEMENT_COMPONENTS' : 'X12_ELEMENT_REPEATS', message, el, ctx, seg, position, i, j);
}

/** The number Segment.code gives for text[a, b) (codes of 1-3 latin1 characters), -1 when longer. */
function codeAt(text: string, a: number, b: number): number {
  const len = b - a;
  if (len > 3) return -1;
  let c = len << 24;
  for (let k = 0; k < len; k++) {
    const ch = text.charCodeAt(a + k);
    if (ch > 0xff) return -1;
    c |= ch << (8 * (len - 1 - k));
  }
  return c;
}

function digitsAt(text: string, a: number, n: number): number {
  let v = 0;
  for (let k = a; k < a + n; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function isDate(text: string, a: number, b: number): boolean {
  const len = b - a;
  if (len !== 8 && len !== 6) return false;
  const y = len === 8 ? digitsAt(text, a, 4) : 2000 + digitsAt(text, a, 2);
  const m = digitsAt(text, b - 4, 2);
  const d = digitsAt(text, b - 2, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

function isTime(text: string, a: number, b: number): boolean {
  const len = b - a;
  if (len < 4 || len === 5) return false;
  const h = digitsAt(text, a, 2);
  const mi = digitsAt(text, a + 2, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return false;
  if (len >= 6) {
    const s = digitsAt(text, a + 4, 2);
    if (s < 0 || s > 59) return false;
    if (len > 6 && digitsAt(text, a + 6, len - 6) < 0) return false;
  }
  return true;
}
