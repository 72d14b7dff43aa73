// The acknowledgments we owe: a CONTRL for an inbound interchange, from the reader's and decoder's verdicts
// (UCI for the interchange, UCM per message, UCS/UCD per segment and element at fault), and an APERAK for a
// message the rules or the target refused.
import type { Acknowledgment } from '../../model/index.ts';
import { entityKeys } from '../../model/index.ts';
import type { GroupHeader, InterchangeHeader, MessageHeader } from './envelope.ts';
import type { EdifactError } from './errors.ts';
import type { MessageToWrite } from './generator.ts';
import { encodeAperak, encodeContrl } from './messages/index.ts';
import { SYNTAX_ERROR_CODE } from './messages/contrl.ts';
import type { EdifactItem } from './reader.ts';

type SetAck = Acknowledgment['sets'][number];
type AckError = SetAck['errors'][number];

/** An acknowledgment document before the engine fills its envelope (id, tenant, times, source). */
export type AcknowledgmentDraft = Omit<Acknowledgment, 'id' | 'tenant' | 'receivedAt' | 'occurredAt' | 'source' | 'schemaVersion'> & { occurredAt?: string };

export interface MessageVerdict {
  header: MessageHeader;
  group?: string;
  /** Envelope and content errors of the message; any 'error' rejected it. */
  errors: EdifactError[];
}

/** What was found in one interchange: its own problems, its groups', and each message's. */
export interface InterchangeVerdict {
  interchange: InterchangeHeader;
  /** Interchange-level problems (UNA, UNB, stray segments, UNZ). */
  errors: EdifactError[];
  groups: Array<{ header: GroupHeader; errors: EdifactError[] }>;
  messages: MessageVerdict[];
  /** No interchange-level error rejected it. */
  accepted: boolean;
}

/**
 * Gathers a verdict per interchange from reader items (and the decoder's content errors of each message).
 * Feed items in order; `finished` holds a verdict once its interchange-end came.
 */
export class VerdictCollector {
  private current: InterchangeVerdict | null = null;
  finished: InterchangeVerdict | null = null;

  add(item: EdifactItem, contentErrors: readonly EdifactError[] = []): void {
    this.finished = null;
    switch (item.kind) {
      case 'interchange-start':
        this.current = { interchange: item.interchange, errors: [], groups: [], messages: [], accepted: true };
        break;
      case 'group-end':
        this.current?.groups.push({ header: item.group, errors: item.errors });
        break;
      case 'message':
        if (item.message.interchange !== null && this.current !== null) {
          const m = item.message;
          // The message's own list is shared when the content added nothing: no copy per message.
          const errors = contentErrors.length === 0 ? m.errors : m.errors.concat(contentErrors);
          this.current.messages.push(m.group ? { header: m.header, group: m.group.reference, errors } : { header: m.header, errors });
        }
        break;
      case 'interchange-end':
        if (this.current !== null) {
          this.current.errors = item.errors;
          this.current.accepted = item.accepted;
          this.finished = this.current;
        }
        this.current = null;
        break;
      default:
        break;
    }
  }
}

const SERVICE_TAGS = new Set(['UNA', 'UNB', 'UNG', 'UNH', 'UNT', 'UNE', 'UNZ']);

function ackError(prefix: 'UCI' | 'UCM' | 'UCS' | 'UCD', code: string, e: EdifactError): AckError {
  const p = e.position;
  const out: AckError = { code: `${prefix}-${code}`, message: e.message };
  if (p.segmentTag && (prefix === 'UCS' || prefix === 'UCD' || SERVICE_TAGS.has(p.segmentTag))) out.segmentId = p.segmentTag.slice(0, 3);
  if (p.segmentPosition !== undefined && (prefix === 'UCS' || prefix === 'UCD')) {
    out.segmentPosition = p.segmentPosition;
    out.path = `${p.segmentTag ?? ''} at position ${p.segmentPosition}${p.element !== undefined ? `, element ${p.element}${p.component ? `-${p.component}` : ''}` : ''}`;
  }
  if (p.element !== undefined && p.element > 0) out.elementPosition = p.element;
  if (p.component !== undefined && p.component > 0) out.componentPosition = p.component;
  return out;
}

/** The CONTRL draft for an interchange: 0083 4 (rejected) or 7 (acknowledged) at each level, 0085 for each error. */
export function contrlDraftFor(v: InterchangeVerdict): AcknowledgmentDraft {
  const ic = v.interchange;
  const errors: AckError[] = [];
  // Group problems have no UCF here: they are the interchange's to report.
  for (const e of [...v.errors, ...v.groups.flatMap((g) => g.errors)]) {
    if (e.severity !== 'error') continue;
    errors.push(ackError('UCI', SYNTAX_ERROR_CODE[e.code] ?? '18', e));
  }
  const sets: SetAck[] = v.messages.map((m) => {
    const out: AckError[] = [];
    let rejected = false;
    for (const e of m.errors) {
      if (e.severity !== 'error') continue;
      rejected = true;
      const code = SYNTAX_ERROR_CODE[e.code] ?? '18';
      const p = e.position;
      const onService = p.segmentTag !== undefined && SERVICE_TAGS.has(p.segmentTag);
      if (p.segmentPosition === undefined || onService) out.push(ackError('UCM', code, e));
      else if (p.element !== undefined && p.element > 0) out.push(ackError('UCD', code, e));
      else out.push(ackError('UCS', code, e));
    }
    return { transactionSetId: m.header.type, controlNumber: m.header.reference, status: rejected ? 'rejected' : 'accepted', errors: out };
  });
  // An interchange rejected as a whole rejects every message in it (UCI 0083 4: this level and all below).
  const interchangeRejected = !v.accepted || errors.length > 0;
  if (interchangeRejected) for (const s of sets) s.status = 'rejected';
  const accepted = sets.filter((s) => s.status !== 'rejected').length;
  let status: Acknowledgment['status'];
  if (interchangeRejected || errors.length > 0 || (sets.length > 0 && accepted === 0)) status = 'rejected';
  else if (accepted < sets.length) status = 'partially_accepted';
  else status = 'accepted';
  return {
    type: 'acknowledgment',
    entityKey: entityKeys.ack(ic.sender.id, ic.controlReference),
    references: [{ qualifier: 'UNB', value: ic.controlReference }],
    kind: 'functional',
    status,
    acknowledges: {
      documentType: 'edifact-interchange', reference: ic.controlReference, senderId: ic.sender.id, receiverId: ic.recipient.id,
      ...(ic.sender.qualifier ? { senderQualifier: ic.sender.qualifier } : {}), ...(ic.recipient.qualifier ? { receiverQualifier: ic.recipient.qualifier } : {}),
      version: String(ic.syntaxVersion),
    },
    sets,
    errors,
  };
}

/** The CONTRL message for a verdict, in the syntax version of the interchange it answers (D:3 or 4:1). */
export function contrlFor(v: InterchangeVerdict): { acknowledgment: AcknowledgmentDraft; message: MessageToWrite } {
  const acknowledgment = contrlDraftFor(v);
  const body = encodeContrl(acknowledgment as Acknowledgment);
  const v4 = v.interchange.syntaxVersion >= 4;
  return { acknowledgment, message: { type: 'CONTRL', version: v4 ? '4' : 'D', release: v4 ? '1' : '3', agency: 'UN', segments: body.segments } };
}

export interface Refusal {
  /** A stable code (a rule's, a target's); codes up to 8 characters go into ERC as they are, longer ones as ZZZ with the code in the text. */
  code: string;
  message: string;
  /** Where in the document, e.g. '$.lines[2].quantity', or an EDIFACT reference such as 'ON 4500012'. */
  path?: string;
}

/** What an APERAK needs of the message it answers: its type and UNH reference, and who sent it to whom. */
export interface AnsweredMessage {
  header: Pick<MessageHeader, 'type' | 'reference'>;
  interchange: { sender: { id: string }; recipient: { id: string } } | null;
}

/**
 * The APERAK draft for a message the rules or the target refused (or, with no refusals, accepted): it names
 * the message by its UNH reference and goes back to the message's sender.
 */
export function aperakDraftFor(message: AnsweredMessage, refusals: readonly Refusal[], documentNumber?: string): AcknowledgmentDraft {
  const ic = message.interchange;
  const errors: AckError[] = refusals.map((r) => ({ code: `ERC-${r.code.length <= 8 ? r.code : 'ZZZ'}`, message: r.code.length <= 8 ? r.message : `[${r.code}] ${r.message}`, ...(r.path ? { path: r.path } : {}) }));
  return {
    type: 'acknowledgment',
    entityKey: entityKeys.ack(ic?.sender.id ?? '', message.header.reference),
    references: documentNumber ? [{ qualifier: 'APERAK', value: documentNumber.slice(0, 35) }] : [],
    kind: 'application',
    status: refusals.length > 0 ? 'rejected' : 'accepted',
    acknowledges: { documentType: message.header.type, reference: message.header.reference, ...(ic ? { senderId: ic.sender.id, receiverId: ic.recipient.id } : {}) },
    sets: [],
    errors,
  };
}

/** The APERAK message for a refused (or accepted) message, in the directory given. */
export function aperakFor(message: AnsweredMessage, refusals: readonly Refusal[], opts: { directory: 'D96A' | 'D01B'; association?: string; documentNumber?: string; now?: () => Date }): { acknowledgment: AcknowledgmentDraft; message: MessageToWrite } {
  const acknowledgment = aperakDraftFor(message, refusals, opts.documentNumber);
  const occurredAt = (opts.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const body = encodeAperak({ ...acknowledgment, occurredAt, id: `aperak:${message.header.reference}` } as Acknowledgment, { directory: opts.directory, eancom: !!opts.association, association: opts.association ?? '', decimal: '.' });
  return { acknowledgment, message: { type: 'APERAK', version: 'D', release: opts.directory.slice(1), agency: 'UN', ...(opts.association ? { association: opts.association } : {}), segments: body.segments } };
}
