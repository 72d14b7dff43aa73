// The ISA/GS headers as values, and the checks the standard puts on them.
import type { Delimiters } from './delimiters.ts';
import { x12Error, type X12Error, type X12Position } from './errors.ts';
import type { Segment } from './tokenizer.ts';

export interface InterchangeHeader {
  /** ISA13, as written (nine digits). */
  controlNumber: string;
  /** ISA05/ISA06 and ISA07/ISA08, trailing padding removed. */
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** ISA09 (YYMMDD) and ISA10 (HHMM) as ISO-8601 without offset: the ISA carries no time zone. */
  preparedAt: string | null;
  /** ISA12, e.g. '00401' or '00501'. */
  version: string;
  /** ISA14: the sender asks for a TA1. */
  ackRequested: boolean;
  /** ISA15: P production, T test, I information. */
  usage: string;
  delimiters: Delimiters;
  offset: number;
}

export interface GroupHeader {
  /** GS01, e.g. 'OW' for 940s. */
  functionalId: string;
  senderCode: string;
  receiverCode: string;
  /** GS04 (CCYYMMDD) and GS05 (HHMM[SS[d..]]) as ISO-8601 without offset. */
  preparedAt: string | null;
  /** GS06. */
  controlNumber: string;
  /** GS07, 'X' for ASC X12. */
  agency: string;
  /** GS08, e.g. '004010' or '005010X231'. */
  version: string;
  offset: number;
}

/** GS01 functional identifier code that must frame each set we speak. */
export const FUNCTIONAL_ID_BY_SET: Readonly<Record<string, string>> = {
  '850': 'PO',
  '856': 'SH',
  '846': 'IB',
  '940': 'OW',
  '943': 'AR',
  '944': 'RE',
  '945': 'SW',
  '947': 'AW',
  '997': 'FA',
  '999': 'FA',
};

/** ISA element widths, fixed by the standard (ISA01 .. ISA16). */
const ISA_WIDTHS = [0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

export function readInterchangeHeader(seg: Segment, delimiters: Delimiters): { header: InterchangeHeader; errors: X12Error[] } {
  const e = seg.elements;
  const errors: X12Error[] = [];
  const at = (element: number): X12Position => ({ interchange: e[13], segmentId: 'ISA', offset: seg.offset, element });
  for (let i = 1; i <= 16; i++) {
    const v = e[i] ?? '';
    if (v.length !== ISA_WIDTHS[i]) {
      errors.push(x12Error('X12_ISA_WIDTH', `ISA${pad2(i)} is ${v.length} characters long; the ISA is fixed-width and needs exactly ${ISA_WIDTHS[i]}.`, at(i)));
    }
  }
  const control = (e[13] ?? '').trim();
  if (!/^\d{1,9}$/.test(control)) errors.push(x12Error('X12_ISA_VALUE', `ISA13, the interchange control number, is ${JSON.stringify(e[13])}; it must be nine digits.`, at(13)));
  if (e[14] !== '0' && e[14] !== '1') errors.push(x12Error('X12_ISA_VALUE', `ISA14, acknowledgment requested, is ${JSON.stringify(e[14])}; it must be 0 or 1.`, at(14)));
  if (e[15] !== 'P' && e[15] !== 'T' && e[15] !== 'I') errors.push(x12Error('X12_ISA_VALUE', `ISA15, the usage indicator, is ${JSON.stringify(e[15])}; it must be P (production), T (test) or I (information).`, at(15)));
  if (!/^\d{5}$/.test(e[12] ?? '')) errors.push(x12Error('X12_ISA_VALUE', `ISA12, the interchange version, is ${JSON.stringify(e[12])}; it must be five digits such as 00401 or 00501.`, at(12)));
  const date = e[9] ?? '';
  const time = e[10] ?? '';
  const preparedAt = isoFromYymmdd(date, time);
  if (preparedAt === null) errors.push(x12Error('X12_ISA_DATE', `ISA09/ISA10, the interchange date and time, are ${JSON.stringify(date)} and ${JSON.stringify(time)}; they must be a real date YYMMDD and time HHMM.`, at(9)));
  return {
    header: {
      controlNumber: e[13] ?? '',
      senderQualifier: (e[5] ?? '').trim(),
      senderId: (e[6] ?? '').trim(),
      receiverQualifier: (e[7] ?? '').trim(),
      receiverId: (e[8] ?? '').trim(),
      preparedAt,
      version: e[12] ?? '',
      ackRequested: e[14] === '1',
      usage: e[15] ?? '',
      delimiters,
      offset: seg.offset,
    },
    errors,
  };
}

export function readGroupHeader(seg: Segment, interchange: InterchangeHeader): { header: GroupHeader; errors: X12Error[] } {
  const e = seg.elements;
  const errors: X12Error[] = [];
  const at = (element: number): X12Position => ({ interchange: interchange.controlNumber, group: e[6], segmentId: 'GS', offset: seg.offset, element });
  const names = ['', 'functional identifier code', "application sender's code", "application receiver's code", 'date', 'time', 'group control number', 'responsible agency code', 'version'];
  for (let i = 1; i <= 8; i++) {
    if (!e[i]) errors.push(x12Error('X12_GS_INVALID', `GS${pad2(i)}, the ${names[i]}, is missing.`, at(i)));
  }
  if (e[6] && !/^\d{1,9}$/.test(e[6])) errors.push(x12Error('X12_GS_INVALID', `GS06, the group control number, is ${JSON.stringify(e[6])}; it must be 1 to 9 digits.`, at(6)));
  const preparedAt = isoFromCcyymmdd(e[4] ?? '', e[5] ?? '');
  if (e[4] && e[5] && preparedAt === null) errors.push(x12Error('X12_GS_DATE', `GS04/GS05, the group date and time, are ${JSON.stringify(e[4])} and ${JSON.stringify(e[5])}; they must be a real date CCYYMMDD and time HHMM[SS].`, at(4)));
  const version = e[8] ?? '';
  if (version && !version.startsWith('00401') && !version.startsWith('00501')) {
    errors.push(x12Error('X12_GS_VERSION', `GS08 says version ${JSON.stringify(version)}; Causeway reads 004010 and 005010 and will try this group as the closest of them.`, at(8), 'warning'));
  }
  return {
    header: {
      functionalId: e[1] ?? '',
      senderCode: e[2] ?? '',
      receiverCode: e[3] ?? '',
      preparedAt,
      controlNumber: e[6] ?? '',
      agency: e[7] ?? '',
      version,
      offset: seg.offset,
    },
    errors,
  };
}

/** Control numbers match when they are the same number: IEA02 '3438' closes ISA13 '000003438'. */
export function sameControlNumber(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return x.replace(/^0+/, '') === y.replace(/^0+/, '');
  return false;
}

/** A count element (SE01, GE01, IEA01) as a number, or null when it is not one. */
export function readCount(value: string | undefined): number | null {
  if (value === undefined) return null;
  // SE01 of every set comes here: plain digits skip the trim and the regex.
  const v = value.length > 0 && value.length <= 10 && allDigits(value, 0, value.length) ? value : value.trim();
  if (v.length === 0 || v.length > 10 || !allDigits(v, 0, v.length)) return null;
  return digitsAt(v, 0, v.length);
}

export function isoFromYymmdd(date: string, time: string): string | null {
  if (!/^\d{6}$/.test(date)) return null;
  // The ISA has a two-digit year; the X12 convention reads it within a 100-year window, here 1950-2049.
  const yy = Number(date.slice(0, 2));
  return isoFromCcyymmdd(`${yy >= 50 ? 19 : 20}${date}`, time);
}

export function isoFromCcyymmdd(date: string, time: string): string | null {
  // Char codes rather than a regex and Number(slice): every 940/856 has dates, and this runs per set.
  if (date.length !== 8 || !allDigits(date, 0, 8)) return null;
  const y = digitsAt(date, 0, 4);
  const m = digitsAt(date, 4, 6);
  const d = digitsAt(date, 6, 8);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  if (time === '') return iso;
  const t = isoTime(time);
  return t === null ? null : `${iso}T${t}`;
}

/** X12 time HHMM, HHMMSS or HHMMSSd..d as HH:MM:SS[.d]. */
export function isoTime(time: string): string | null {
  const n = time.length;
  if ((n !== 4 && n !== 6 && n !== 7 && n !== 8) || !allDigits(time, 0, n)) return null;
  const h = digitsAt(time, 0, 2);
  const mi = digitsAt(time, 2, 4);
  const s = n >= 6 ? digitsAt(time, 4, 6) : 0;
  if (h > 23 || mi > 59 || s > 59) return null;
  return `${time.slice(0, 2)}:${time.slice(2, 4)}:${n >= 6 ? time.slice(4, 6) : '00'}${n > 6 ? '.' + time.slice(6) : ''}`;
}

function allDigits(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The number written by the digits v[from, to) (already checked to be digits). */
function digitsAt(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + v.charCodeAt(i) - 48;
  return n;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
