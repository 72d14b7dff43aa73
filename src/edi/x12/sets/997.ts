// 997 Functional Acknowledgment and 999 Implementation Acknowledgment <-> acknowledgment.
// They share AK1/AK2/AK9; the 997 reports segment and element errors in AK3/AK4/AK5, the 999 in IK3/IK4/IK5 (with CTX).
import type { Acknowledgment } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import { ELEMENT_ERRORS, GROUP_ERRORS, SEGMENT_ERRORS, SET_ERRORS } from './ack-codes.ts';
import type { Segment } from '../tokenizer.ts';
import { compact, openDocument, setDecoder, type Reference, type SetEncodeResult, type SetReader } from './common.ts';
import { defineLayout, readBody } from './layout.ts';

type SetAck = Acknowledgment['sets'][number];
type AckError = SetAck['errors'][number];

/** AK9-01 / AK5-01 / IK5-01 acknowledgment codes. M, W and X (authentication/security failures) are rejections. */
const GROUP_STATUS: Readonly<Record<string, Acknowledgment['status']>> = { A: 'accepted', E: 'accepted_with_errors', P: 'partially_accepted', R: 'rejected', M: 'rejected', W: 'rejected', X: 'rejected' };
const SET_STATUS: Readonly<Record<string, SetAck['status']>> = { A: 'accepted', E: 'accepted_with_errors', R: 'rejected', M: 'rejected', W: 'rejected', X: 'rejected' };
const STATUS_CODE: Readonly<Record<string, string>> = { accepted: 'A', accepted_with_errors: 'E', partially_accepted: 'P', rejected: 'R' };

/** What the AK2..AK9 segments have said so far. */
interface AckState {
  references: Reference[];
  sets: SetAck[];
  /** Group-level errors (AK9-05..09). */
  errors: AckError[];
  status: Acknowledgment['status'] | undefined;
  /** AK902: how many sets the acknowledged group declared. */
  declaredSets?: number;
  /** The set response (AK2) being read, until its AK5/IK5. */
  current: SetAck | null;
  /** The segment the last AK3/IK3 named, which its AK4/IK4s are about. */
  segmentPath: string;
  segmentAt: Pick<AckError, 'segmentId' | 'segmentPosition' | 'loopId'>;
  /** AK3, AK4, AK5 in a 997; IK3, IK4, IK5 in a 999. Error codes carry the segment id. */
  noteIds: readonly [string, string, string];
}

function ackLayout(noteIds: readonly [string, string, string]) {
  const [segment, element, setResponse] = noteIds;
  return defineLayout<AckState>({
    segments: new Set(['AK2', segment, element, 'CTX', setResponse, 'AK9']),
    rules: {
      AK2: { read: 'loop', reader: readSetResponseHeader },
      [segment]: { read: 'loop', reader: readSegmentNote },
      [element]: { read: 'loop', reader: readElementNote },
      [setResponse]: { read: 'loop', reader: readSetResponseTrailer },
      AK9: { read: 'loop', reader: readGroupResponseTrailer },
    },
  });
}

const NOTES_997 = ['AK3', 'AK4', 'AK5'] as const;
const NOTES_999 = ['IK3', 'IK4', 'IK5'] as const;
const LAYOUT_997 = ackLayout(NOTES_997);
const LAYOUT_999 = ackLayout(NOTES_999);

export const decode997 = setDecoder<Acknowledgment>('AK1', 'functional group response header', (r, ak1, set, ctx) => {
  const is999 = set.id === '999';
  // AK1-01 functional id of the group acknowledged, AK1-02 its GS06, AK1-03 (005010) its GS08.
  const functionalId = r.req(ak1, 1, 'functional identifier code');
  const groupControlNumber = r.req(ak1, 2, 'group control number');
  const st: AckState = { references: [], sets: [], errors: [], status: undefined, current: null, segmentPath: '', segmentAt: {}, noteIds: is999 ? NOTES_999 : NOTES_997 };
  readBody(r, is999 ? LAYOUT_999 : LAYOUT_997, st);
  if (st.status === undefined) r.missing('AK9', 'functional group response trailer');
  if (!groupControlNumber || st.status === undefined) return [];
  const ic = set.interchange;
  // The acknowledged group went the other way: its sender is this interchange's receiver.
  const doc = openDocument<Acknowledgment>('acknowledgment', set, ctx, 0, entityKeys.ack(ic.receiverId, groupControlNumber), st.references);
  doc.kind = 'functional';
  doc.status = st.status;
  const acknowledges: Acknowledgment['acknowledges'] = {
    documentType: is999 ? 'x12-999' : 'x12-997',
    reference: groupControlNumber,
    senderId: ic.receiverId,
    receiverId: ic.senderId,
    functionalId,
    groupControlNumber,
  };
  const version = r.el(ak1, 3);
  if (version) acknowledges.version = version;
  if (st.declaredSets !== undefined) acknowledges.declaredSets = st.declaredSets;
  doc.acknowledges = acknowledges;
  doc.sets = st.sets;
  doc.errors = st.errors;
  return [doc];
});

/** AK2-01 set id, AK2-02 its ST02. */
function readSetResponseHeader(r: SetReader, seg: Segment, st: AckState): void {
  // AK3/AK4 notes belong to the set response they follow: a new AK2 starts with none.
  st.segmentPath = '';
  st.segmentAt = {};
  st.current = { transactionSetId: r.req(seg, 1, 'transaction set identifier code'), controlNumber: r.req(seg, 2, 'transaction set control number'), status: 'accepted', errors: [] };
  st.sets.push(st.current);
}

/** AK3-01 segment id, AK3-02 position in the set, AK3-03 loop id, AK3-04 error code. */
function readSegmentNote(r: SetReader, seg: Segment, st: AckState): void {
  st.segmentPath = `${r.el(seg, 1)} at position ${r.el(seg, 2)}`;
  st.segmentAt = { segmentId: r.el(seg, 1).slice(0, 3) || undefined, segmentPosition: positiveInt(r.el(seg, 2)), loopId: r.el(seg, 3).slice(0, 6) || undefined };
  const code = r.el(seg, 4);
  const segmentPath = st.segmentPath;
  if (code) st.current?.errors.push(compact({ code: `${st.noteIds[0]}-${code}`, message: `${SEGMENT_ERRORS[code] ?? `Segment error ${code}`}: segment ${segmentPath}.`, path: segmentPath, ...st.segmentAt }));
}

/** AK4-01 element position (C030: position, component), AK4-02 element reference number, AK4-03 error code, AK4-04 bad data. */
function readElementNote(r: SetReader, seg: Segment, st: AckState): void {
  const parts = r.el(seg, 1).split(r.set.interchange.delimiters.component);
  const pos = parts.join('-');
  const code = r.el(seg, 3);
  const bad = r.el(seg, 4);
  const path = `${st.segmentPath}, element ${pos}`;
  st.current?.errors.push(compact({
    code: `${st.noteIds[1]}-${code}`, message: `${ELEMENT_ERRORS[code] ?? `Element error ${code}`}: ${path}${bad ? ` (found ${JSON.stringify(bad)})` : ''}.`, path,
    ...st.segmentAt, elementPosition: positiveInt(parts[0]), componentPosition: positiveInt(parts[1]),
    elementReference: r.el(seg, 2).slice(0, 4) || undefined, badValue: bad ? bad.slice(0, 99) : undefined,
  }));
}

/** AK5-01 / IK5-01 the set's acknowledgment code, AK5-02..06 its set-level error codes. */
function readSetResponseTrailer(r: SetReader, seg: Segment, st: AckState): void {
  const id = st.noteIds[2];
  const code = r.req(seg, 1, 'acknowledgment code');
  const current = st.current;
  if (current) {
    current.status = SET_STATUS[code] ?? 'rejected';
    if (!SET_STATUS[code]) r.error('X12_CODE_UNKNOWN', `${id}01 is ${JSON.stringify(code)}; expected A, E, R, M, W or X.`, seg, 1);
    for (let n = 2; n <= 6; n++) {
      const c = r.el(seg, n);
      if (c) current.errors.push({ code: `${id}-${c}`, message: `${SET_ERRORS[c] ?? `Set error ${c}`}.` });
    }
  } else r.error('X12_SEGMENT_ORDER', `${id} comes before any AK2 set response header.`, seg);
  st.current = null;
}

/** AK9-01 group status, AK9-02/03/04 sets included/received/accepted, AK9-05..09 group error codes. */
function readGroupResponseTrailer(r: SetReader, seg: Segment, st: AckState): void {
  const code = r.req(seg, 1, 'functional group acknowledge code');
  st.status = GROUP_STATUS[code];
  if (code && !st.status) r.error('X12_CODE_UNKNOWN', `AK901 is ${JSON.stringify(code)}; expected A, E, P, R, M, W or X.`, seg, 1);
  const declared = r.el(seg, 2);
  if (declared !== '' && /^\d{1,6}$/.test(declared)) st.declaredSets = Number(declared);
  for (let n = 5; n <= 9; n++) {
    const c = r.el(seg, n);
    if (c) st.errors.push({ code: `AK9-${c}`, message: `${GROUP_ERRORS[c] ?? `Group error ${c}`}.` });
  }
}

/** Writes an acknowledgment as a 997 or, for 005010 partners, a 999 (with ST03 005010X231). */
export function encode997(doc: Acknowledgment, setId: '997' | '999' = '997'): SetEncodeResult {
  const [ik3, ik4, ik5] = setId === '999' ? ['IK3', 'IK4', 'IK5'] : ['AK3', 'AK4', 'AK5'];
  const segs: X12SegmentData[] = [];
  const a = doc.acknowledges;
  // AK103, the acknowledged group's GS08, exists from 005010 on: a 997 of 004010 to 004030 has none.
  const version = setId === '999' ? (a.version ?? '005010') : (a.version ?? '');
  segs.push(['AK1', a.functionalId ?? '', a.groupControlNumber ?? a.reference ?? '', version >= '005010' ? version : '']);
  let accepted = 0;
  for (const s of doc.sets) {
    segs.push(['AK2', s.transactionSetId, s.controlNumber]);
    const setCodes: string[] = [];
    for (const e of s.errors) {
      const [prefix, code] = splitCode(e.code);
      // The structured fields say where; documents written before they existed still carry the path.
      const parsed = parsePath(e.path ?? '');
      const where = {
        segmentId: e.segmentId ?? parsed.segmentId,
        position: e.segmentPosition !== undefined ? String(e.segmentPosition) : parsed.position,
        element: e.elementPosition !== undefined ? `${e.elementPosition}${e.componentPosition ? `-${e.componentPosition}` : ''}` : parsed.element,
      };
      if (prefix.endsWith('3')) segs.push([ik3, where.segmentId, where.position, e.loopId ?? '', code]);
      else if (prefix.endsWith('4')) {
        // An AK4 needs its AK3; one without an error code of its own only says which segment.
        if (!String(segs[segs.length - 1]![0]).endsWith('3') && !String(segs[segs.length - 1]![0]).endsWith('4')) segs.push([ik3, where.segmentId, where.position, e.loopId ?? '', '']);
        const found = /\(found (".*")\)\.$/.exec(e.message);
        const bad = e.badValue ?? (found ? (JSON.parse(found[1]!) as string) : '');
        segs.push([ik4, where.element.includes('-') ? where.element.split('-') : where.element, e.elementReference ?? '', code, bad]);
      } else setCodes.push(code);
    }
    if (s.status !== 'rejected') accepted++;
    segs.push([ik5, STATUS_CODE[s.status] ?? 'R', ...setCodes.slice(0, 5)] as unknown as X12SegmentData);
  }
  const groupCodes = doc.errors.map((e) => splitCode(e.code)[1]).slice(0, 5);
  // AK902 sets the group declared (GE01), AK903 sets received, AK904 sets accepted: none in a rejected group, which is applied in nothing.
  const declared = a.declaredSets ?? doc.sets.length;
  segs.push(['AK9', STATUS_CODE[doc.status] ?? 'R', String(declared), String(doc.sets.length), String(doc.status === 'rejected' ? 0 : accepted), ...groupCodes] as unknown as X12SegmentData);
  return { id: setId, segments: segs, errors: [] };
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v);
  return v && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** 'AK3-8' -> ['AK3', '8']; codes we did not write pass as set-level. */
function splitCode(code: string): [string, string] {
  const i = code.indexOf('-');
  return i < 0 ? ['', code] : [code.slice(0, i), code.slice(i + 1)];
}

/** Reads back the path our decoder writes: "W01 at position 6, element 1". */
function parsePath(path: string): { segmentId: string; position: string; element: string } {
  const m = /^(\w*) at position (\d*)(?:, element ([\d-]+))?/.exec(path);
  return { segmentId: m?.[1] ?? '', position: m?.[2] ?? '', element: m?.[3] ?? '' };
}

