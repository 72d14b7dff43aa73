// CONTRL (syntax and service report) <-> acknowledgment. UCI answers the interchange, UCF a group, UCM a
// message; UCS names a segment at fault by its position (UNH is 1) and UCD an element (and component) in it.
// Codes are those of the service code lists: 0083 action (4 rejected, 7 acknowledged, 8 received) and
// 0085 syntax error.
import type { Acknowledgment } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { EdifactErrorCode } from '../errors.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import {
  compact, documentHead, IGNORED, MessageReader, occurredAt,
  type DecodeContext, type MessageDecodeResult, type MessageEncodeResult,
} from './common.ts';

type SetAck = Acknowledgment['sets'][number];
type AckError = SetAck['errors'][number];

/** 0085 syntax error codes (ISO 9735 service code list). */
export const SYNTAX_ERRORS: Readonly<Record<string, string>> = {
  '2': 'Syntax version or level not supported',
  '7': 'Interchange recipient not actual recipient',
  '12': 'Invalid value',
  '13': 'Missing',
  '14': 'Value not supported in this position',
  '15': 'Not supported in this position',
  '16': 'Too many constituents',
  '17': 'No agreement',
  '18': 'Unspecified error',
  '19': 'Invalid decimal notation',
  '20': 'Character invalid as service character',
  '21': 'Invalid character(s)',
  '22': 'Invalid service segment tag',
  '23': 'Unknown interchange sender',
  '24': 'Too old',
  '25': 'Test indicator not supported',
  '26': 'Duplicate detected',
  '28': 'References do not match',
  '29': 'Control count does not match number of instances received',
  '30': 'Functional groups and messages mixed',
  '32': 'Lower level empty',
  '33': 'Invalid occurrence outside message, package or group',
  '35': 'Too many data element repetitions',
  '36': 'Too many segment group repetitions',
  '37': 'Invalid type of character(s)',
  '39': 'Data element too long',
  '40': 'Data element too short',
};

/** 0083 action codes. */
const ACTION_STATUS: Readonly<Record<string, SetAck['status']>> = { '4': 'rejected', '7': 'accepted', '8': 'accepted' };

/** Our error codes as the 0085 code a CONTRL reports them with. */
export const SYNTAX_ERROR_CODE: Readonly<Partial<Record<EdifactErrorCode | string, string>>> = {
  EDIFACT_UNA_INVALID: '20',
  EDIFACT_SEGMENT_INVALID: '12',
  EDIFACT_SEGMENT_TOO_LONG: '39',
  EDIFACT_TERMINATOR_MISSING: '13',
  EDIFACT_RELEASE_TRAILING: '21',
  EDIFACT_CHARACTER_INVALID: '21',
  EDIFACT_CHARSET_UNSUPPORTED: '2',
  EDIFACT_SYNTAX_VERSION: '2',
  EDIFACT_UNB_INVALID: '12',
  EDIFACT_UNB_DATE: '12',
  EDIFACT_UNZ_MISSING: '13',
  EDIFACT_UNZ_REFERENCE: '28',
  EDIFACT_UNZ_COUNT: '29',
  EDIFACT_GROUPS_AND_MESSAGES_MIXED: '30',
  EDIFACT_UNG_INVALID: '12',
  EDIFACT_UNE_MISSING: '13',
  EDIFACT_UNE_REFERENCE: '28',
  EDIFACT_UNE_COUNT: '29',
  EDIFACT_UNH_INVALID: '12',
  EDIFACT_UNT_MISSING: '13',
  EDIFACT_UNT_REFERENCE: '28',
  EDIFACT_UNT_COUNT: '29',
  EDIFACT_UNEXPECTED_SEGMENT: '33',
  EDIFACT_MESSAGE_UNSUPPORTED: '17',
  EDIFACT_MESSAGE_NOT_EXCHANGED: '17',
  EDIFACT_SEGMENT_MISSING: '13',
  EDIFACT_SEGMENT_UNKNOWN: '15',
  EDIFACT_SEGMENT_REPEATED: '15',
  EDIFACT_SEGMENT_ORDER: '15',
  EDIFACT_PACK_STRUCTURE: '15',
  EDIFACT_ELEMENT_MISSING: '13',
  EDIFACT_ELEMENT_INVALID: '12',
  EDIFACT_TOO_MANY_COMPONENTS: '16',
  EDIFACT_CODE_UNKNOWN: '14',
  EDIFACT_PARTNER_MISMATCH: '23',
  EDIFACT_TEST_INTERCHANGE: '25',
  EDIFACT_DUPLICATE: '26',
};

export function decodeContrl(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<Acknowledgment> {
  const r = new MessageReader(m, ctx);
  const uci = r.next();
  if (!uci || uci.tag !== 'UCI') {
    r.missing('UCI', 'the interchange response');
    return { documents: [], errors: r.errors };
  }
  // UCI 0020 the acknowledged interchange's reference, S002 its sender, S003 its recipient, 0083 action, 0085 error, 0013 tag, S011 element.
  const reference = r.req(uci, 1, 1, 'interchange control reference');
  const action = r.req(uci, 4, 1, 'action');
  const errors: AckError[] = [];
  const uciError = uci.el(5);
  if (uciError) errors.push(compact({ code: `UCI-${uciError}`, message: `${SYNTAX_ERRORS[uciError] ?? `Syntax error ${uciError}`}${uci.el(6) ? ` in ${uci.el(6)}` : ''}.`, segmentId: uci.el(6) || undefined, elementPosition: positiveInt(uci.comp(7, 1)), componentPosition: positiveInt(uci.comp(7, 2)) }));
  if (action && !ACTION_STATUS[action]) r.error('EDIFACT_CODE_UNKNOWN', `UCI 0083, the action, is ${JSON.stringify(action)}; expected 4 (rejected), 7 (acknowledged) or 8 (received).`, uci, 4);
  const sets: SetAck[] = [];
  let current: SetAck | null = null;
  let segmentAt: Pick<AckError, 'segmentPosition' | 'segmentId'> = {};
  let group = '';
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'UCF': {
        // UCF 0048 group reference, S006, S007, 0083, 0085.
        group = seg.el(1);
        const code = seg.el(5);
        if (code) errors.push({ code: `UCF-${code}`, message: `${SYNTAX_ERRORS[code] ?? `Syntax error ${code}`} in group ${group}.` });
        if (seg.el(4) === '4') errors.push({ code: 'UCF-4', message: `Group ${group} was rejected.` });
        current = null;
        break;
      }
      case 'UCM': {
        // UCM 0062 message reference, S009 type, 0083 action, 0085 error, 0013 tag, S011.
        const status = ACTION_STATUS[seg.el(3)] ?? 'rejected';
        current = { transactionSetId: seg.comp(2, 1), controlNumber: seg.el(1), status, errors: [] };
        const code = seg.el(4);
        if (code) current.errors.push(compact({ code: `UCM-${code}`, message: `${SYNTAX_ERRORS[code] ?? `Syntax error ${code}`}${seg.el(5) ? ` in ${seg.el(5)}` : ''}.`, segmentId: seg.el(5) || undefined, elementPosition: positiveInt(seg.comp(6, 1)), componentPosition: positiveInt(seg.comp(6, 2)) }));
        sets.push(current);
        segmentAt = {};
        break;
      }
      case 'UCS': {
        // UCS 0096 segment position in the message (UNH is 1), 0085 error.
        const position = positiveInt(seg.el(1));
        segmentAt = compact({ segmentPosition: position });
        const code = seg.el(2);
        if (code) current?.errors.push(compact({ code: `UCS-${code}`, message: `${SYNTAX_ERRORS[code] ?? `Syntax error ${code}`}: segment at position ${seg.el(1)}.`, path: `segment at position ${seg.el(1)}`, ...segmentAt }));
        break;
      }
      case 'UCD': {
        // UCD 0085 error, S011 0098 element position, 0104 component position.
        const code = seg.el(1);
        const el = positiveInt(seg.comp(2, 1));
        const comp = positiveInt(seg.comp(2, 2));
        current?.errors.push(compact({ code: `UCD-${code}`, message: `${SYNTAX_ERRORS[code] ?? `Syntax error ${code}`}: element ${seg.comp(2, 1)}${comp ? `-${comp}` : ''} of the segment at position ${segmentAt.segmentPosition ?? '?'}.`, ...segmentAt, elementPosition: el, componentPosition: comp }));
        break;
      }
      default:
        if (!IGNORED.has(seg.tag)) r.unknown(seg);
    }
  }
  if (!reference) return { documents: [], errors: r.errors };
  const accepted = sets.filter((s) => s.status !== 'rejected').length;
  let status: Acknowledgment['status'];
  if (action === '4' || (sets.length > 0 && accepted === 0)) status = 'rejected';
  else if (accepted < sets.length) status = 'partially_accepted';
  else if (errors.length > 0 || sets.some((s) => s.errors.length > 0)) status = 'accepted_with_errors';
  else status = 'accepted';
  // The acknowledged interchange went the other way: its sender is the one this CONTRL is sent to.
  const senderId = uci.comp(2, 1);
  const doc: Acknowledgment = {
    type: 'acknowledgment',
    ...documentHead(m, ctx, occurredAt(m, ctx, undefined), entityKeys.ack(senderId, reference)),
    references: [],
    kind: 'functional',
    status,
    acknowledges: compact({ documentType: 'edifact-interchange', reference, senderId: senderId || undefined, receiverId: uci.comp(3, 1) || undefined, senderQualifier: uci.comp(2, 2) || undefined, receiverQualifier: uci.comp(3, 2) || undefined, groupControlNumber: group || undefined, version: m.header.version === 'D' ? undefined : m.header.version }),
    sets,
    errors,
  };
  return { documents: [doc], errors: r.errors };
}

/** Writes an acknowledgment as a CONTRL (0083 and 0085 from the codes it carries). */
export function encodeContrl(doc: Acknowledgment): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  const a = doc.acknowledges;
  const uciCode = doc.errors.find((e) => e.code.startsWith('UCI-'));
  // 4: the interchange and everything in it rejected; 7: acknowledged, each message as its UCM says.
  const action = doc.status === 'rejected' && (uciCode !== undefined || doc.sets.length === 0) ? '4' : '7';
  // UCI S002/S003: the acknowledged interchange's sender and recipient as its UNB named them, with their 0007 qualifiers.
  const party = (id: string | undefined, qualifier: string | undefined) => (qualifier ? [id ?? '', qualifier] : [id ?? '']);
  segs.push(['UCI', a.reference ?? '', party(a.senderId, a.senderQualifier), party(a.receiverId, a.receiverQualifier), action, uciCode ? uciCode.code.slice(4) : '', uciCode?.segmentId ?? '', uciCode?.elementPosition ? [String(uciCode.elementPosition), uciCode.componentPosition ? String(uciCode.componentPosition) : ''] : '']);
  for (const s of doc.sets) {
    const ucm = s.errors.find((e) => e.code.startsWith('UCM-'));
    segs.push(['UCM', s.controlNumber, [s.transactionSetId], s.status === 'rejected' ? '4' : '7', ucm ? ucm.code.slice(4) : '', ucm?.segmentId ?? '', ucm?.elementPosition ? [String(ucm.elementPosition), ucm.componentPosition ? String(ucm.componentPosition) : ''] : '']);
    let lastPosition: number | undefined;
    for (const e of s.errors) {
      const [prefix, code] = [e.code.slice(0, 3), e.code.slice(4)];
      if (prefix === 'UCS') {
        segs.push(['UCS', String(e.segmentPosition ?? ''), code]);
        lastPosition = e.segmentPosition;
      } else if (prefix === 'UCD') {
        // A UCD belongs to the UCS of its segment; one without an error of its own only says which segment.
        if (e.segmentPosition !== undefined && e.segmentPosition !== lastPosition) {
          segs.push(['UCS', String(e.segmentPosition)]);
          lastPosition = e.segmentPosition;
        }
        segs.push(['UCD', code, [String(e.elementPosition ?? ''), e.componentPosition ? String(e.componentPosition) : '']]);
      }
    }
  }
  return { type: 'CONTRL', segments: segs, errors: [] };
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v);
  return v && Number.isInteger(n) && n > 0 ? n : undefined;
}
