// Where an X12 or EDIFACT error stands, said the same way for both: the segment (and element), the
// message or transaction set, its group and interchange, and the byte offset.

/** The parts of a position both standards have; the segment and the message or set are named by the caller. */
export interface PositionParts {
  interchange?: string;
  group?: string;
  segmentPosition?: number;
  offset?: number;
  element?: number;
  component?: number;
}

/**
 * "element LIN-03-1 of segment LIN at position 12 of message ORDERS #1 in interchange #807 (byte 312)":
 * the where-part of a sentence. `unit` is "message" (EDIFACT) or "set" (X12), with its type and reference.
 */
export function describeWhere(p: PositionParts, tag: string | undefined, unit: string, unitType: string | undefined, unitRef: string | undefined): string {
  const parts: string[] = [];
  if (tag !== undefined) {
    let s = `segment ${tag}`;
    if (p.element !== undefined) s = `element ${tag}-${String(p.element).padStart(2, '0')}${p.component !== undefined ? `-${p.component}` : ''} of ${s}`;
    if (p.segmentPosition !== undefined) s += ` at position ${p.segmentPosition}`;
    parts.push(s);
  }
  if (unitRef !== undefined) parts.push(`${unit} ${unitType ?? ''}${unitType ? ' ' : ''}#${unitRef}`);
  if (p.group !== undefined) parts.push(`group #${p.group}`);
  if (p.interchange !== undefined) parts.push(`interchange #${p.interchange}`);
  let out = parts.join(' in ');
  if (p.offset !== undefined) out += `${out ? ' ' : ''}(byte ${p.offset})`;
  return out;
}

/** An EDI error: a stable code for machines, a sentence for people, and where it stands. */
export interface EdiError<C extends string, P> {
  code: C;
  message: string;
  position: P;
  /** 'error' rejects the message or set (or group, or interchange); 'warning' is reported but the data goes through. */
  severity: 'error' | 'warning';
}

/** Whether a list holds anything that rejects the thing it belongs to. */
export function hasRejectingError(errors: readonly { severity: 'error' | 'warning' }[]): boolean {
  for (const e of errors) if (e.severity === 'error') return true;
  return false;
}
