// TA1 Interchange Acknowledgment: the answer to an ISA/IEA envelope, before any group is looked at.
import { isoFromYymmdd } from './envelope.ts';
import { x12Error, type X12Error, type X12ErrorCode } from './errors.ts';
import type { Segment } from './tokenizer.ts';

export interface Ta1 {
  /** TA101: the ISA13 being acknowledged. */
  controlNumber: string;
  /** TA102/TA103 as ISO-8601 without offset: the date and time of the interchange acknowledged. */
  interchangeAt: string | null;
  /** TA104: A accepted, E accepted with errors, R rejected. */
  ackCode: 'A' | 'E' | 'R';
  /** TA105 interchange note code: '000' means no error. */
  noteCode: string;
  /** A sentence for the note code, when it is a known one. */
  note: string;
}

/** TA105 note codes from the X12 control standard. */
export const TA1_NOTES: Readonly<Record<string, string>> = {
  '000': 'No error',
  '001': 'The interchange control number in the header and trailer do not match',
  '002': 'The standard noted in the control standards identifier is not supported',
  '003': 'This version of the controls is not supported',
  '004': 'The segment terminator is invalid',
  '005': 'Invalid interchange id qualifier for sender',
  '006': 'Invalid interchange sender id',
  '007': 'Invalid interchange id qualifier for receiver',
  '008': 'Invalid interchange receiver id',
  '009': 'Unknown interchange receiver id',
  '014': 'Invalid interchange date value',
  '015': 'Invalid interchange time value',
  '017': 'Invalid interchange version id value',
  '018': 'Invalid interchange control number value',
  '019': 'Invalid acknowledgment requested value',
  '020': 'Invalid test indicator value',
  '021': 'Invalid number of included groups value',
  '022': 'Invalid control structure',
  '023': 'Improper (premature) end-of-file (transmission)',
  '024': 'Invalid interchange content (e.g. invalid GS segment)',
  '025': 'Duplicate interchange control number',
  '026': 'Invalid data element separator',
  '027': 'Invalid component element separator',
};

/** Which TA105 note code describes one of our interchange-level errors. */
const NOTE_BY_CODE: Partial<Record<X12ErrorCode, string>> = {
  X12_IEA_CONTROL: '001',
  X12_IEA_COUNT: '021',
  X12_IEA_MISSING: '023',
  X12_ISA_DATE: '014',
  X12_ISA_WIDTH: '022',
  X12_ISA_VALUE: '022',
  X12_ISA_INVALID: '022',
  X12_DELIMITERS: '026',
  X12_GS_INVALID: '024',
  X12_TRUNCATED: '023',
};

export function readTa1(seg: Segment, where: { interchange?: string; segmentPosition?: number } = {}): { ta1: Ta1 | null; errors: X12Error[] } {
  const e = seg.elements;
  const pos = { ...where, segmentId: 'TA1', offset: seg.offset };
  const errors: X12Error[] = [];
  if (!e[1]) errors.push(x12Error('X12_ELEMENT_MISSING', 'TA101, the interchange control number acknowledged, is missing.', { ...pos, element: 1 }));
  const ack = e[4] ?? '';
  if (ack !== 'A' && ack !== 'E' && ack !== 'R') errors.push(x12Error('X12_ELEMENT_INVALID', `TA104, the acknowledgment code, is ${JSON.stringify(ack)}; it must be A, E or R.`, { ...pos, element: 4 }));
  const note = e[5] ?? '';
  if (!/^\d{3}$/.test(note)) errors.push(x12Error('X12_ELEMENT_INVALID', `TA105, the interchange note code, is ${JSON.stringify(note)}; it must be three digits.`, { ...pos, element: 5 }));
  if (errors.length > 0) return { ta1: null, errors };
  return {
    ta1: {
      controlNumber: e[1]!,
      interchangeAt: isoFromYymmdd(e[2] ?? '', e[3] ?? ''),
      ackCode: ack as Ta1['ackCode'],
      noteCode: note,
      note: TA1_NOTES[note] ?? `Note code ${note}`,
    },
    errors,
  };
}

/** The TA1 that answers an interchange with these interchange-level errors (an empty list accepts it). */
export function ta1For(interchange: { controlNumber: string; preparedAt: string | null }, errors: readonly X12Error[]): Ta1 {
  const rejecting = errors.filter((e) => e.severity === 'error');
  const first = rejecting[0];
  const noteCode = first === undefined ? '000' : (noteForIsaElement(first) ?? NOTE_BY_CODE[first.code] ?? '022');
  return {
    controlNumber: interchange.controlNumber,
    interchangeAt: interchange.preparedAt,
    ackCode: rejecting.length === 0 ? 'A' : 'R',
    noteCode,
    note: TA1_NOTES[noteCode] ?? '',
  };
}

/** An ISA element at fault has a note code of its own (a 16-character ISA06 is an invalid sender id, 006). */
const NOTE_BY_ISA_ELEMENT: Readonly<Record<number, string>> = { 5: '005', 6: '006', 7: '007', 8: '008', 9: '014', 10: '015', 12: '017', 13: '018', 14: '019', 15: '020', 16: '027' };

function noteForIsaElement(e: X12Error): string | undefined {
  if (e.position.segmentId !== 'ISA' || e.position.element === undefined) return undefined;
  if (e.code !== 'X12_ISA_WIDTH' && e.code !== 'X12_ISA_VALUE' && e.code !== 'X12_ISA_DATE') return undefined;
  return NOTE_BY_ISA_ELEMENT[e.position.element];
}

/** TA1 as segment elements for the generator. */
export function ta1Segment(ta1: Ta1): string[] {
  const at = ta1.interchangeAt ?? '';
  const date = at.length >= 10 ? at.slice(2, 4) + at.slice(5, 7) + at.slice(8, 10) : '';
  const time = at.length >= 16 ? at.slice(11, 13) + at.slice(14, 16) : '';
  return ['TA1', ta1.controlNumber.padStart(9, '0'), date, time, ta1.ackCode, ta1.noteCode];
}
