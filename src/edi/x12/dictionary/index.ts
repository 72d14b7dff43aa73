// The X12 dictionary: segments, elements, code lists and set structures of 004010 and 005010 as data,
// compiled into lookup tables, and the check of inbound and outbound sets against them.
import type { Delimiters } from '../delimiters.ts';
import type { X12Error } from '../errors.ts';
import type { X12Element, X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import type { ElementSpan } from '../tokenizer.ts';
import { compiledSet, versionOf } from './compile.ts';
import { STANDARD_GUIDELINES, type Guidelines } from './guidelines.ts';
import { checkSegments, type CheckContext, type SegmentView } from './validate.ts';

export { compiledSet, dictionarySets, versionOf, type CompiledSet } from './compile.ts';
export { guidelinesSchema, STANDARD_GUIDELINES, type Guidelines } from './guidelines.ts';
export type { Version } from './elements.ts';


const inbound: CheckContext & { where: { interchange: string; group: string; set: string; setId: string } } = {
  element: 42, component: -1, repetition: -1, guidelines: STANDARD_GUIDELINES, where: { interchange: '', group: '', set: '', setId: '' },
};

/**
 * Checks an inbound set against the dictionary of its group's version (GS08). A set the dictionary does
 * not hold, or guidelines with validate: false, give no errors.
 */
export function validateSet(set: TransactionSet, guidelines: Guidelines = STANDARD_GUIDELINES): X12Error[] {
  if (!guidelines.validate) return [];
  const dict = compiledSet(versionOf(set.group.version), set.id, guidelines);
  if (dict === null) return [];
  const segs = set.segments;
  const hasSe = segs.length > 1 && segs[segs.length - 1]!.id === 'SE';
  const to = hasSe ? segs.length - 1 : segs.length;
  const d = set.interchange.delimiters;
  // One context for every inbound set (checking is synchronous); each error copies what it needs of it.
  const where = inbound.where;
  where.interchange = set.interchange.controlNumber;
  where.group = set.group.controlNumber;
  where.set = set.controlNumber;
  where.setId = set.id;
  inbound.element = d.element.charCodeAt(0);
  inbound.component = d.component ? d.component.charCodeAt(0) : -1;
  inbound.repetition = d.repetition ? d.repetition.charCodeAt(0) : -1;
  inbound.guidelines = guidelines;
  return checkSegments(segs, 1, to, dict, inbound, 1, to + 1);
}

/** A segment about to be written, seen as the check reads one; composites joined by the component separator. */
class SegmentToWrite implements SegmentView {
  readonly id: string;
  readonly count: number;
  constructor(private readonly data: X12SegmentData, private readonly component: string) {
    this.id = data[0];
    let last = data.length - 1;
    while (last > 0 && isEmpty(data[last]!)) last--;
    this.count = last;
  }
  span(n: number, out: ElementSpan): void {
    const el = n >= 1 && n < this.data.length ? this.data[n]! : '';
    const v = typeof el === 'string' ? el : trimComponents(el).join(this.component);
    out.text = v;
    out.start = 0;
    out.end = v.length;
  }
}

function isEmpty(el: X12Element): boolean {
  return typeof el === 'string' ? el === '' : el.every((c) => c === '');
}

function trimComponents(el: readonly string[]): readonly string[] {
  let n = el.length;
  while (n > 0 && el[n - 1] === '') n--;
  return el.slice(0, n);
}

/**
 * Checks a set's body before it is written for a partner: what the partner's translator would reject
 * is never sent. Positions count ST as 1, as the partner's 997 would.
 */
export function validateOutbound(setId: string, body: readonly X12SegmentData[], version: string, delimiters: Delimiters, guidelines: Guidelines = STANDARD_GUIDELINES): X12Error[] {
  if (!guidelines.validate) return [];
  const v = versionOf(version);
  const dict = compiledSet(v, setId, guidelines);
  if (dict === null) return [];
  const views = body.map((s) => new SegmentToWrite(s, delimiters.component));
  return checkSegments(views, 0, views.length, dict, {
    element: delimiters.element.charCodeAt(0),
    component: delimiters.component.charCodeAt(0),
    repetition: v === '005010' && delimiters.repetition ? delimiters.repetition.charCodeAt(0) : -1,
    guidelines,
    where: { setId },
  }, 2, views.length + 2);
}
