// APERAK (application error and acknowledgement) <-> acknowledgment of kind 'application'. BGM 4343 says
// accepted (AP), conditionally accepted (CA) or rejected (RE); RFF ACW names the acknowledged message;
// each ERC is an application error with its text in the FTX that follows.
import type { Acknowledgment } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import {
  beginMessage, compact, documentHead, dtmDateTime, occurredAt, otherSegment, writeNad,
  type DecodeContext, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions,
} from './common.ts';

type AckError = Acknowledgment['errors'][number];

const RESPONSE_STATUS: Readonly<Record<string, Acknowledgment['status']>> = { AP: 'accepted', CA: 'accepted_with_errors', RE: 'rejected' };
const STATUS_RESPONSE: Readonly<Record<string, string>> = { accepted: 'AP', accepted_with_errors: 'CA', partially_accepted: 'CA', rejected: 'RE' };
const KNOWN = new Set(['BGM', 'DTM', 'FTX', 'CNT', 'RFF', 'NAD', 'CTA', 'COM', 'ERC', 'DOC']);

export function decodeAperak(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<Acknowledgment> {
  const { r, offset, bgm } = beginMessage(m, ctx);
  if (!bgm) return { documents: [], errors: r.errors };
  const number = bgm.comp(2, 1);
  const response = bgm.el(4);
  const references: Array<{ qualifier: string; value: string }> = number ? [{ qualifier: 'APERAK', value: number }] : [];
  const errors: AckError[] = [];
  let documentDate: string | undefined;
  let acknowledged = '';
  let documentType: string | undefined;
  let current: AckError | null = null;
  const notes: string[] = [];
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'DTM':
        if (seg.comp(1, 1) === '137' && current === null) documentDate = r.dtm(seg, offset, false);
        break;
      case 'DOC':
        documentType = seg.comp(1, 1) || undefined;
        if (!acknowledged && seg.comp(2, 1)) acknowledged = seg.comp(2, 1);
        break;
      case 'RFF': {
        const q = seg.comp(1, 1);
        const v = seg.comp(1, 2);
        if (!v) break;
        if (current !== null) current.path = `${q} ${v}`;
        else if (q === 'ACW' && !acknowledged) acknowledged = v;
        else references.push({ qualifier: q, value: v });
        break;
      }
      case 'ERC': {
        // ERC C901 9321 application error code (partner or association defined).
        const code = r.req(seg, 1, 1, 'application error code');
        current = { code: `ERC-${code}`, message: `Application error ${code}.` };
        errors.push(current);
        break;
      }
      case 'FTX': {
        const text = [1, 2, 3, 4, 5].map((j) => seg.comp(4, j)).filter(Boolean).join(' ');
        if (!text) break;
        if (current !== null && current.message.startsWith('Application error ')) current.message = text;
        else if (current !== null) current.message += ` ${text}`;
        else notes.push(text);
        break;
      }
      case 'NAD':
        break;
      default:
        otherSegment(r, seg, KNOWN);
    }
  }
  if (!number) r.req(bgm, 2, 1, 'document number');
  if (!acknowledged) r.missing('RFF+ACW', 'the reference of the acknowledged message', 'warning');
  // Without BGM 4343 an application error means a refusal: a positive APERAK carries no ERC.
  const status = RESPONSE_STATUS[response] ?? (errors.length > 0 ? 'rejected' : 'accepted');
  if (response && !RESPONSE_STATUS[response]) r.error('EDIFACT_CODE_UNKNOWN', `BGM-04, the response type, is ${JSON.stringify(response)}; Causeway reads AP, CA and RE.`, bgm, 4, undefined, 'warning');
  if (notes.length > 0 && errors.length === 0) errors.push({ code: 'FTX', message: notes.join(' ') });
  const ic = m.interchange;
  const receiverId = ic?.recipient.id ?? '';
  const doc: Acknowledgment = {
    // The acknowledged message went the other way: its sender is this APERAK's recipient.
    type: 'acknowledgment',
    ...documentHead(m, ctx, occurredAt(m, ctx, documentDate), entityKeys.ack(receiverId, acknowledged || number)),
    references,
    kind: 'application',
    status,
    acknowledges: compact({ documentType, reference: acknowledged || undefined, senderId: receiverId || undefined, receiverId: ic?.sender.id || undefined }),
    sets: [],
    errors,
  };
  return { documents: [doc], errors: r.errors };
}

/** Writes an application acknowledgment as an APERAK. */
export function encodeAperak(doc: Acknowledgment, o: MessageOptions): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  const number = doc.references.find((x) => x.qualifier === 'APERAK')?.value ?? doc.id.slice(-35);
  // BGM 313: message acknowledgement; 4343 the response type.
  segs.push(['BGM', ['313'], [number], '9', STATUS_RESPONSE[doc.status] ?? 'RE']);
  segs.push(dtmDateTime('137', doc.occurredAt));
  if (doc.acknowledges.documentType && o.directory === 'D01B') segs.push(['DOC', [doc.acknowledges.documentType], [doc.acknowledges.reference ?? '']]);
  if (doc.acknowledges.reference) segs.push(['RFF', ['ACW', doc.acknowledges.reference]]);
  for (const ref of doc.references) if (ref.qualifier !== 'APERAK') segs.push(['RFF', [ref.qualifier, ref.value]]);
  if (doc.acknowledges.receiverId) segs.push(...writeNad('MS', { code: doc.acknowledges.receiverId }, o.directory));
  if (doc.acknowledges.senderId) segs.push(...writeNad('MR', { code: doc.acknowledges.senderId }, o.directory));
  for (const e of doc.errors) {
    const code = e.code.startsWith('ERC-') ? e.code.slice(4) : e.code;
    segs.push(['ERC', [code.slice(0, 8)]]);
    // FTX 4451 AAO: error description, in pieces of 512.
    const text: string[] = [];
    for (let i = 0; i < e.message.length && text.length < 5; i += 512) text.push(e.message.slice(i, i + 512));
    segs.push(['FTX', 'AAO', '', '', text]);
    if (e.path) {
      const sp = e.path.indexOf(' ');
      if (sp > 0 && sp <= 3) segs.push(['RFF', [e.path.slice(0, sp), e.path.slice(sp + 1)]]);
    }
  }
  return { type: 'APERAK', segments: segs, errors: [] };
}
