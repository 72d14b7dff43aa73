// Builds the acknowledgment we owe for one inbound functional group: what a 997 (or 999) says about
// each set (AK2/AK3/AK4/AK5) and the group (AK9), from the errors the decoder found.
import type { Acknowledgment } from '../../model/index.ts';
import { entityKeys } from '../../model/index.ts';
import type { GroupHeader, InterchangeHeader } from './envelope.ts';
import type { X12Error } from './errors.ts';
import type { TransactionSet } from './reader.ts';
import { TA1_NOTES, ta1For, type Ta1 } from './ta1.ts';
import { ELEMENT_ERROR_CODE, GROUP_ERROR_CODE, SEGMENT_ERROR_CODE, SET_ERROR_CODE } from './sets/ack-codes.ts';

type SetAck = Acknowledgment['sets'][number];
type AckError = SetAck['errors'][number];

/** An acknowledgment document before the engine fills its envelope (id, tenant, times). */
export type AcknowledgmentDraft = Omit<Acknowledgment, 'id' | 'tenant' | 'receivedAt' | 'occurredAt' | 'source' | 'schemaVersion'> & { occurredAt?: string };

export interface SetOutcome {
  set: TransactionSet;
  errors: readonly X12Error[];
}

/**
 * The group's acknowledgment. A set with an 'error' is rejected (R), with only warnings accepted with
 * errors (E); the group is A when every set is, R when none is accepted or its trailer is broken
 * (AK9 codes 3/4/5), P when some are, E when all went through but with noted errors.
 */
export function acknowledgeGroup(interchange: InterchangeHeader, group: GroupHeader, sets: readonly SetOutcome[], groupErrors: readonly X12Error[], ackSet: '997' | '999', declaredSets?: number | null): AcknowledgmentDraft {
  const [seg3, seg4, seg5] = ackSet === '999' ? ['IK3', 'IK4', 'IK5'] : ['AK3', 'AK4', 'AK5'];
  const setAcks: SetAck[] = sets.map(({ set, errors }) => {
    const out: AckError[] = [];
    let rejected = false;
    let segmentErrors = false;
    for (const e of errors) {
      if (e.severity === 'error') rejected = true;
      const setCode = SET_ERROR_CODE[e.code];
      const p = e.position;
      if (setCode) out.push({ code: `${seg5}-${setCode}`, message: e.message });
      else if (p.segmentPosition !== undefined && p.segmentId) {
        segmentErrors = true;
        const segCode = SEGMENT_ERROR_CODE[e.code] ?? '8';
        const where = { segmentId: p.segmentId.slice(0, 3), segmentPosition: p.segmentPosition, path: `${p.segmentId} at position ${p.segmentPosition}` };
        // One AK3 per segment in error, its AK4s after it: a second element error of the same segment adds only its AK4.
        if (!(p.element !== undefined && sameSegment(out, seg3, segCode, where.segmentPosition))) out.push({ code: `${seg3}-${segCode}`, message: e.message, ...where });
        const elCode = ELEMENT_ERROR_CODE[e.code];
        if (p.element !== undefined && elCode) {
          const bad = badValue(set, p.segmentPosition, p.element, p.component);
          out.push({
            code: `${seg4}-${elCode}`, message: e.message, ...where, path: `${where.path}, element ${p.element}${p.component ? `-${p.component}` : ''}`,
            elementPosition: p.element, ...(p.component ? { componentPosition: p.component } : {}), ...(p.elementReference ? { elementReference: p.elementReference } : {}),
            ...(bad ? { badValue: bad.slice(0, 99) } : {}),
          });
        }
      } else if (e.severity === 'error') out.push({ code: `${seg5}-5`, message: e.message });
    }
    // AK502 5: the set is rejected because of the segments reported above.
    if (rejected && segmentErrors && !out.some((x) => x.code.startsWith(seg5))) out.push({ code: `${seg5}-5`, message: 'One or more segments in error.' });
    const status: SetAck['status'] = rejected ? 'rejected' : out.length ? 'accepted_with_errors' : 'accepted';
    return { transactionSetId: set.id, controlNumber: set.controlNumber, status, errors: out };
  });
  const groupAckErrors: AckError[] = [];
  for (const e of groupErrors) {
    const code = GROUP_ERROR_CODE[e.code];
    if (code) groupAckErrors.push({ code: `AK9-${code}`, message: e.message });
  }
  const accepted = setAcks.filter((s) => s.status !== 'rejected').length;
  let status: Acknowledgment['status'];
  if (groupErrors.some((e) => e.severity === 'error') || (setAcks.length > 0 && accepted === 0)) status = 'rejected';
  else if (accepted < setAcks.length) status = 'partially_accepted';
  else if (setAcks.some((s) => s.status === 'accepted_with_errors')) status = 'accepted_with_errors';
  else status = 'accepted';
  return {
    type: 'acknowledgment',
    entityKey: entityKeys.ack(interchange.senderId, group.controlNumber),
    references: [{ qualifier: 'ISA13', value: interchange.controlNumber }],
    kind: 'functional',
    status,
    acknowledges: {
      documentType: `x12-${group.functionalId}`,
      reference: group.controlNumber,
      senderId: interchange.senderId,
      receiverId: interchange.receiverId,
      functionalId: group.functionalId,
      groupControlNumber: group.controlNumber,
      version: group.version,
      // AK902 is what GE01 declared, not what we counted (AK903); a GE01 that is no number leaves the count.
      declaredSets: declaredSets ?? sets.length,
    },
    sets: setAcks,
    errors: groupAckErrors,
  };
}

/**
 * The TA1 we owe for an interchange: accepted when it has no interchange-level error, else rejected
 * with the note code of the first one. It is sent when ISA14 asks for it, and always on a rejection.
 */
export function acknowledgeInterchange(interchange: InterchangeHeader, errors: readonly X12Error[]): AcknowledgmentDraft {
  const ta1 = ta1For(interchange, errors);
  const rejecting = errors.filter((e) => e.severity === 'error');
  return {
    type: 'acknowledgment',
    entityKey: entityKeys.ack(interchange.senderId, `ISA${interchange.controlNumber}`),
    references: [{ qualifier: 'ISA13', value: interchange.controlNumber }],
    kind: 'interchange',
    status: ta1.ackCode === 'A' ? 'accepted' : 'rejected',
    acknowledges: {
      documentType: 'x12-interchange',
      reference: interchange.controlNumber,
      senderId: interchange.senderId,
      receiverId: interchange.receiverId,
      version: interchange.version,
      ...(interchange.preparedAt ? { interchangeAt: interchange.preparedAt } : {}),
    },
    sets: [],
    errors: ta1.ackCode === 'A' ? [] : [{ code: `TA1-${ta1.noteCode}`, message: `${ta1.note}: ${rejecting[0]!.message}`.slice(0, 1000) }],
  };
}

/** The TA1 segment an interchange acknowledgment document stands for. */
export function ta1Of(doc: Pick<Acknowledgment, 'status' | 'acknowledges' | 'errors'>): Ta1 {
  const note = /^TA1-(\d{3})$/.exec(doc.errors[0]?.code ?? '')?.[1] ?? (doc.status === 'accepted' ? '000' : '022');
  return {
    controlNumber: doc.acknowledges.reference ?? '',
    interchangeAt: doc.acknowledges.interchangeAt ?? null,
    ackCode: doc.status === 'accepted' ? 'A' : doc.status === 'rejected' ? 'R' : 'E',
    noteCode: note,
    note: TA1_NOTES[note] ?? '',
  };
}

/** Whether the last AK3 written (AK4s after it aside) is this segment's, with this code. */
function sameSegment(out: readonly AckError[], seg3: string, code: string, position: number): boolean {
  for (let i = out.length - 1; i >= 0; i--) {
    const e = out[i]!;
    if (e.code.startsWith(seg3)) return e.code === `${seg3}-${code}` && e.segmentPosition === position;
    if (e.segmentPosition !== position) return false;
  }
  return false;
}

/** AK4-04: a copy of the bad element, so the partner sees what we read. */
function badValue(set: TransactionSet, position: number, element: number, component?: number): string | undefined {
  const v = set.segments[position - 1]?.elements[element];
  if (!v) return undefined;
  return component ? v.split(set.interchange.delimiters.component)[component - 1] : v;
}
