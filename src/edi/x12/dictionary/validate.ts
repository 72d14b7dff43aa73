// Checks a transaction set against the dictionary of its version: each segment's place (order, loops,
// maximum use, mandatory segments) and each element (presence, type, length, code, date, time, syntax
// notes, stray separators). Every finding is an X12Error whose code is the 997 AK304 / AK403 it reports.
import { x12Error, type X12Error, type X12ErrorCode, type X12Position } from '../errors.ts';
import type { ElementSpan } from '../tokenizer.ts';
import { KIND, type CElement, type CNode, type CNote, type CompiledSet, type CSegment } from './compile.ts';
import type { Guidelines } from './guidelines.ts';

/** What the check reads of a segment: a read Segment, or a segment about to be written (see segmentView). */
export interface SegmentView {
  readonly id: string;
  /** Number of data elements (the id not counted). */
  readonly count: number;
  span(n: number, out: ElementSpan): void;
  readonly offset?: number;
}

export interface CheckContext {
  /** Component and repetition separators as char codes (-1 when none). */
  component: number;
  repetition: number;
  guidelines: Guidelines;
  /** Where the set sits (interchange, group, set, setId): copied into each error's position. */
  where: X12Position;
}

interface Frame {
  node: CNode;
  pos: number;
  counts: number[];
}

/** Reused between calls: checking is synchronous, and a set rarely nests loops more than four deep. */
const frames: Frame[] = [];
const span: ElementSpan = { text: '', start: 0, end: 0 };
const present: Uint8Array = new Uint8Array(128);

/**
 * Checks segments[from, to) of a set (its body: ST and SE excluded). `positionOf(i)` is the 1-based
 * position the 997 reports for segments[i]; `end` the position where missing trailing segments are reported.
 */
export function checkSegments(segments: ArrayLike<SegmentView>, from: number, to: number, set: CompiledSet, ctx: CheckContext, positionOf: (i: number) => number, end: number): X12Error[] {
  const errors: X12Error[] = [];
  let top = 0;
  frames[0] = { node: set.root, pos: 0, counts: new Array<number>(set.root.children!.length).fill(0) };
  const g = ctx.guidelines;
  for (let i = from; i < to; i++) {
    const seg = segments[i]!;
    const id = seg.id;
    const position = positionOf(i);
    let placed = false;
    for (let d = top; d >= 0; d--) {
      const f = frames[d]!;
      const c = forward(f, id);
      if (c < 0) continue;
      for (let k = top; k > d; k--) closeFrame(frames[k]!, errors, ctx, position, seg);
      top = d;
      const children = f.node.children!;
      for (let k = f.pos; k < c; k++) if (f.counts[k] === 0 && children[k]!.mandatory) missing(errors, ctx, children[k]!, position, seg);
      f.pos = c;
      const node = children[c]!;
      const n = ++f.counts[c]!;
      if (n > node.max) overused(errors, ctx, node, seg, position);
      if (node.loop) {
        const counts = new Array<number>(node.children!.length).fill(0);
        counts[0] = 1;
        const next = frames[++top];
        if (next === undefined) frames[top] = { node, pos: 0, counts };
        else {
          next.node = node;
          next.pos = 0;
          next.counts = counts;
        }
      }
      checkElements(seg, node.segment, ctx, position, errors);
      placed = true;
      break;
    }
    if (!placed) misplaced(seg, set, frames, top, ctx, position, errors);
  }
  for (let k = top; k >= 0; k--) closeFrame(frames[k]!, errors, ctx, end, null);
  return errors;
}

/** The index in f's loop where `id` may stand next, at or after where f stands; -1 when none. */
function forward(f: Frame, id: string): number {
  const at = f.node.byId!.get(id);
  if (at === undefined) return -1;
  for (let k = 0; k < at.length; k++) if (at[k]! >= f.pos) return at[k]!;
  return -1;
}

function closeFrame(f: Frame, errors: X12Error[], ctx: CheckContext, position: number, seg: SegmentView | null): void {
  const children = f.node.children!;
  for (let k = f.pos; k < children.length; k++) if (f.counts[k] === 0 && children[k]!.mandatory) missing(errors, ctx, children[k]!, position, seg);
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
  const what = node.loop ? `the ${node.id} loop` : `segment ${node.id}`;
  const e = err('X12_SEGMENT_MISSING', `Mandatory ${what} is missing${seg ? ` before ${seg.id}` : ''}.`, ctx, null, position);
  e.position.segmentId = node.id;
  errors.push(e);
}

function overused(errors: X12Error[], ctx: CheckContext, node: CNode, seg: SegmentView, position: number): void {
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
  for (let i = 1; i <= defined; i++) present[i] = 0;
  for (let i = 1; i <= upto; i++) {
    const el = els[i]!;
    seg.span(i, span);
    if (span.end === span.start) {
      if (el.mandatory) errors.push(elementErr('X12_ELEMENT_MISSING', `${el.ref}, the ${el.name}, is missing; it is mandatory.`, el, ctx, seg, position, i));
      continue;
    }
    present[i] = 1;
    if (el.components !== null) checkComposite(seg, el, span.text, span.start, span.end, ctx, position, i, errors);
    else checkValue(seg, el, span.text, span.start, span.end, ctx, position, i, undefined, errors);
  }
  for (let i = upto + 1; i <= defined; i++) {
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
  if (def.notes.length > 0) checkNotes(def.notes, seg.id, (k) => present[k] === 1, ctx, seg, position, undefined, errors);
}

function checkNotes(notes: readonly CNote[], owner: string, has: (k: number) => boolean, ctx: CheckContext, seg: SegmentView, position: number, element: number | undefined, errors: X12Error[]): void {
  for (const note of notes) {
    const e = note.elements;
    const name = (k: number) => (element === undefined ? `${owner}-${k < 10 ? '0' : ''}${k}` : `${owner}-${element < 10 ? '0' : ''}${element}-${k}`);
    const at = (k: number) => (element === undefined ? [k, undefined] as const : [element, k] as const);
    switch (note.kind) {
      case 'P': {
        const some = e.some(has);
        if (!some) break;
        for (const k of e) if (!has(k)) {
          const [el, comp] = at(k);
          errors.push(err('X12_ELEMENT_CONDITIONAL', `${name(k)} is missing: ${e.filter(has).map(name).join(', ')} is present and they go together (${note.text}).`, ctx, seg, position, el, comp));
        }
        break;
      }
      case 'R':
        if (!e.some(has)) {
          const [el, comp] = at(e[0]!);
          errors.push(err('X12_ELEMENT_CONDITIONAL', `At least one of ${e.map(name).join(', ')} is required (${note.text}).`, ctx, seg, position, el, comp));
        }
        break;
      case 'C':
        if (has(e[0]!)) for (const k of e.slice(1)) if (!has(k)) {
          const [el, comp] = at(k);
          errors.push(err('X12_ELEMENT_CONDITIONAL', `${name(k)} is required when ${name(e[0]!)} is present (${note.text}).`, ctx, seg, position, el, comp));
        }
        break;
      case 'L':
        if (has(e[0]!) && !e.slice(1).some(has)) {
          const [el, comp] = at(e[1]!);
          errors.push(err('X12_ELEMENT_CONDITIONAL', `One of ${e.slice(1).map(name).join(', ')} is required when ${name(e[0]!)} is present (${note.text}).`, ctx, seg, position, el, comp));
        }
        break;
      case 'E': {
        const there = e.filter(has);
        if (there.length > 1) {
          const [el, comp] = at(there[1]!);
          errors.push(err('X12_ELEMENT_EXCLUSION', `Only one of ${e.map(name).join(', ')} may be present (${note.text}).`, ctx, seg, position, el, comp));
        }
        break;
      }
    }
  }
}

function checkComposite(seg: SegmentView, el: CElement, text: string, a: number, b: number, ctx: CheckContext, position: number, i: number, errors: X12Error[]): void {
  const comps = el.components!;
  const defined = comps.length - 1;
  const has: boolean[] = [false];
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
      has[j] = k > start;
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
  if (el.notes.length > 0) checkNotes(el.notes, seg.id, (k) => has[k] === true, ctx, seg, position, i, errors);
}

/** Checks one simple value text[a, b): separators, characters, code, date, time, length. */
function checkValue(seg: SegmentView, el: CElement, text: string, a: number, b: number, ctx: CheckContext, position: number, i: number, j: number | undefined, errors: X12Error[]): void {
  const kind = el.kind;
  let digits = 0;
  let bad = false;
  let points = 0;
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c === ctx.component && j === undefined) {
      errors.push(separator(el, 'component', ctx, seg, position, i));
      return;
    }
    if (c === ctx.repetition) {
      errors.push(separator(el, 'repetition', ctx, seg, position, i, j));
      return;
    }
    if (c < 32 || c === 127) {
      errors.push(elementErr('X12_ELEMENT_INVALID', `${el.ref}, the ${el.name}, holds a control character (code ${c}).`, el, ctx, seg, position, i, j));
      return;
    }
    if (c >= 48 && c <= 57) digits++;
    else if (kind === KIND.R || kind === KIND.N) {
      if (c === 45 && k === a && b > a + 1) continue; // a leading minus sign
      if (c === 46 && kind === KIND.R && points === 0) {
        points++;
        continue;
      }
      bad = true;
    } else if (kind === KIND.ID && el.shape && !(c >= 65 && c <= 90)) bad = true;
  }
  const len = kind === KIND.R || kind === KIND.N ? digits : b - a;
  const value = () => JSON.stringify(text.slice(a, b));
  switch (kind) {
    case KIND.ID:
      if (el.codes !== null) {
        if (!el.codes.has(codeAt(text, a, b))) errors.push(elementErr('X12_CODE_INVALID', `${el.ref}, the ${el.name}, is ${value()}, which is not one of its codes.`, el, ctx, seg, position, i, j));
        return;
      }
      if (bad) {
        errors.push(elementErr('X12_CODE_INVALID', `${el.ref}, the ${el.name}, is ${value()}, which is not a code (codes are upper-case letters and digits).`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.R:
    case KIND.N:
      if (bad || digits === 0) {
        errors.push(elementErr('X12_ELEMENT_INVALID', `${el.ref}, the ${el.name}, is ${value()}, which is not ${kind === KIND.R ? 'a decimal number' : 'a whole number (an implied-decimal value has no point)'}.`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.DT:
      if (len >= el.min && len <= el.max && !isDate(text, a, b)) {
        errors.push(elementErr('X12_DATE_INVALID', `${el.ref}, the ${el.name}, is ${value()}, which is not a date ${len === 6 ? 'YYMMDD' : 'CCYYMMDD'}.`, el, ctx, seg, position, i, j));
        return;
      }
      break;
    case KIND.TM:
      if (len >= el.min && len <= el.max && !isTime(text, a, b)) {
        errors.push(elementErr('X12_TIME_INVALID', `${el.ref}, the ${el.name}, is ${value()}, which is not a time HHMM[SS[d..]].`, el, ctx, seg, position, i, j));
        return;
      }
      break;
  }
  if (len < el.min) errors.push(elementErr('X12_ELEMENT_TOO_SHORT', `${el.ref}, the ${el.name}, is ${value()}: ${len} character${len === 1 ? '' : 's'}, at least ${el.min} needed.`, el, ctx, seg, position, i, j));
  else if (len > el.max) errors.push(elementErr('X12_ELEMENT_TOO_LONG', `${el.ref}, the ${el.name}, is ${value()}: ${len} characters, at most ${el.max} allowed.`, el, ctx, seg, position, i, j));
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
