// src/edi/edifact: our own UN/EDIFACT engine. Read interchanges message by message (in memory or streamed),
// check envelopes and character sets, turn messages into canonical documents and back, answer with CONTRL
// and APERAK, and write interchanges with the store's control references.
import type { CanonicalDocument } from '../../model/index.ts';
import { VerdictCollector, type InterchangeVerdict } from './acknowledge.ts';
import { edifactError, hasRejectingError, type EdifactError } from './errors.ts';
import { writeInterchange, type MessageToWrite, type NextReference, type WrittenInterchange } from './generator.ts';
import { decodeContent, encodeContent, messageTypeFor, type DecodeContext } from './messages/index.ts';
import { associationOf, exchanges, serviceCharsOf, type MessageType, type PartnerProfile } from './profile.ts';
import { contentHashOf, readEdifact, readEdifactStreamBatches, type EdifactItem, type EdifactMessage } from './reader.ts';

export { describePosition, edifactError, hasRejectingError, type EdifactError, type EdifactErrorCode, type EdifactPosition } from './errors.ts';
export { DEFAULT_SERVICE_CHARS, LEVEL_B_SERVICE_CHARS, checkServiceChars, readUna, writeUna, type ServiceChars } from './syntax.ts';
export { charsetOf, SUPPORTED_CHARSETS, type Charset } from './charsets.ts';
export { directoryOf, interchangeKey, isEancom, messageContentHash, type GroupHeader, type InterchangeHeader, type MessageHeader, type PartyIdentification } from './envelope.ts';
export { contentHashOf, EnvelopeReader, readEdifact, readEdifactStream, readEdifactStreamBatches, type EdifactItem, type EdifactMessage } from './reader.ts';
export { EdifactTokenizer, Segment } from './tokenizer.ts';
export { writeInterchange, writeSegment, writingFor, type EdifactElement, type EdifactSegmentData, type InterchangeOptions, type MessageToWrite, type NextReference, type WrittenInterchange } from './generator.ts';
export * from './profile.ts';
export { aperakDraftFor, aperakFor, contrlDraftFor, contrlFor, VerdictCollector, type AcknowledgmentDraft, type AnsweredMessage, type InterchangeVerdict, type MessageVerdict, type Refusal } from './acknowledge.ts';
export { decodeContent, encodeContent, messageTypeFor, SUPPORTED_MESSAGES, type DecodeContext, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions } from './messages/index.ts';
export { SYNTAX_ERROR_CODE, SYNTAX_ERRORS } from './messages/contrl.ts';

export interface MessageDecodeOutcome {
  documents: CanonicalDocument[];
  /** Envelope and content errors; any 'error' rejected the message. */
  errors: EdifactError[];
  accepted: boolean;
}

/**
 * Decodes one message read by readEdifact into canonical documents. A message whose envelope is cut short
 * (no UNT) is not read further; one in an interchange already rejected gives no documents.
 */
export function decodeMessage(message: EdifactMessage, ctx: DecodeContext): MessageDecodeOutcome {
  const envelopeRejected = hasRejectingError(message.errors);
  const truncated = message.errors.some((e) => e.code === 'EDIFACT_UNT_MISSING');
  const content = truncated || message.interchangeRejected ? { documents: [], errors: [] } : decodeContent(message, ctx);
  const errors = content.errors.length === 0 ? message.errors : message.errors.concat(content.errors);
  const accepted = !message.interchangeRejected && !envelopeRejected && !hasRejectingError(content.errors);
  return { documents: accepted ? content.documents : [], errors, accepted };
}

export interface DecodedMessage extends MessageDecodeOutcome {
  kind: 'message';
  message: EdifactMessage;
}

export type EdifactDecodeItem =
  | DecodedMessage
  | Exclude<EdifactItem, { kind: 'message' | 'interchange-end' }>
  /** The interchange's end, with the verdict a CONTRL is built from (contrlFor). */
  | (Extract<EdifactItem, { kind: 'interchange-end' }> & { verdict: InterchangeVerdict });

function decodeItem(item: EdifactItem, ctx: DecodeContext, verdicts: VerdictCollector): EdifactDecodeItem {
  if (item.kind === 'message') {
    const out = decodeMessage(item.message, ctx);
    verdicts.add(item, out.errors.length === item.message.errors.length ? [] : out.errors.slice(item.message.errors.length));
    return { kind: 'message', message: item.message, documents: out.documents, errors: out.errors, accepted: out.accepted };
  }
  verdicts.add(item);
  if (item.kind === 'interchange-end') return { ...item, verdict: verdicts.finished! };
  return item;
}

/**
 * Decodes EDIFACT in memory message by message. Messages come as they are read: a message is only to be
 * applied once its interchange-end says the interchange was accepted (see decodeInterchanges).
 */
export function* decodeEdifact(input: Buffer | Uint8Array | string, ctx: DecodeContext): Generator<EdifactDecodeItem> {
  const verdicts = new VerdictCollector();
  for (const item of readEdifact(input)) yield decodeItem(item, ctx, verdicts);
}

/** Decodes a stream of any size in bounded memory, one array of decoded items per batch. */
export async function* decodeEdifactStreamBatches(source: AsyncIterable<Buffer | Uint8Array | string>, ctx: DecodeContext): AsyncGenerator<EdifactDecodeItem[]> {
  const verdicts = new VerdictCollector();
  for await (const batch of readEdifactStreamBatches(source)) yield batch.map((item) => decodeItem(item, ctx, verdicts));
}

export async function* decodeEdifactStream(source: AsyncIterable<Buffer | Uint8Array | string>, ctx: DecodeContext): AsyncGenerator<EdifactDecodeItem> {
  for await (const batch of decodeEdifactStreamBatches(source, ctx)) yield* batch;
}

export interface DecodedInterchange {
  verdict: InterchangeVerdict;
  /** The interchange's key (sender qualifier, sender id, control reference), for recognising a resend. */
  key: string;
  /** Documents of its accepted messages; none at all when the interchange itself was rejected. */
  documents: CanonicalDocument[];
  messages: Array<DecodedMessage & { contentHash: string }>;
}

/**
 * Decodes a stored message in memory, interchange by interchange, and holds each interchange's documents
 * back until its UNZ is checked: an interchange-level error rejects every message in it. Bare messages
 * (no UNB) and stray errors come in `outside`.
 */
export function decodeInterchanges(input: Buffer | Uint8Array | string, ctx: DecodeContext): { interchanges: DecodedInterchange[]; outside: { messages: DecodedMessage[]; errors: EdifactError[] } } {
  const interchanges: DecodedInterchange[] = [];
  const outside: { messages: DecodedMessage[]; errors: EdifactError[] } = { messages: [], errors: [] };
  let current: DecodedInterchange['messages'] = [];
  let key = '';
  for (const item of decodeEdifact(input, ctx)) {
    switch (item.kind) {
      case 'interchange-start':
        current = [];
        key = item.key;
        break;
      case 'message':
        if (item.message.interchange === null) outside.messages.push(item);
        else current.push({ ...item, contentHash: contentHashOf(item.message) });
        break;
      case 'interchange-end': {
        const accepted = item.accepted;
        if (!accepted) for (const m of current) m.documents = [];
        interchanges.push({ verdict: item.verdict, key, documents: accepted ? current.flatMap((m) => m.documents) : [], messages: current });
        current = [];
        break;
      }
      case 'error':
        outside.errors.push(item.error);
        break;
      default:
        break;
    }
  }
  return { interchanges, outside };
}

/** The message options a partner profile gives for a message type. */
export function messageOptionsFor(profile: PartnerProfile, type: string): { directory: 'D96A' | 'D01B'; eancom: boolean; association: string; decimal: '.' | ',' } {
  const decimal = serviceCharsOf(profile).decimal === ',' ? ',' : '.';
  return { directory: profile.directory, eancom: profile.eancom, association: associationOf(profile, type as MessageType), decimal };
}

export interface EncodeContext {
  /** For an APERAK: none needed; for the UNH of a CONTRL, the syntax version it answers (default the profile's). */
  syntaxVersion?: 3 | 4;
}

/** Writes one canonical document as a message for a partner: its body, and the UNH S009 to put on it. */
export function encodeDocument(doc: CanonicalDocument, profile: PartnerProfile, ctx: EncodeContext = {}): { message: MessageToWrite | null; errors: EdifactError[] } {
  const type = messageTypeFor(doc);
  if (type && !exchanges(profile, type, 'outbound')) {
    return { message: null, errors: [edifactError('EDIFACT_MESSAGE_NOT_EXCHANGED', `Partner ${profile.name ?? ''} does not take ${type} messages from us (its profile's messages); a ${doc.type} is written as ${type}.`, { messageType: type })] };
  }
  const o = messageOptionsFor(profile, type ?? '');
  const body = encodeContent(doc, o);
  const errors = body.errors;
  if (hasRejectingError(errors) || !type) return { message: null, errors };
  if (type === 'CONTRL') {
    const v4 = (ctx.syntaxVersion ?? profile.syntax.version) >= 4;
    return { message: { type, version: v4 ? '4' : 'D', release: v4 ? '1' : '3', agency: 'UN', segments: body.segments }, errors };
  }
  return { message: { type, version: 'D', release: profile.directory.slice(1), agency: 'UN', ...(o.association ? { association: o.association } : {}), segments: body.segments }, errors };
}

/** Writes documents as one interchange to a partner, with its ids, syntax, service characters and test flag. */
export async function writeForPartner(docs: readonly CanonicalDocument[], profile: PartnerProfile, opts: { nextReference: NextReference; now?: () => Date }): Promise<WrittenInterchange> {
  const messages: MessageToWrite[] = [];
  const errors: EdifactError[] = [];
  for (const doc of docs) {
    const r = encodeDocument(doc, profile);
    errors.push(...r.errors);
    if (r.message) messages.push(r.message);
  }
  if (hasRejectingError(errors)) return { bytes: Buffer.alloc(0), text: '', controlReference: '', groups: [], messages: [], errors };
  const written = await writeInterchange(messages, {
    sender: profile.ours,
    recipient: profile.theirs,
    syntax: profile.syntax as { identifier: string; version: 3 | 4 },
    chars: serviceCharsOf(profile),
    una: profile.una,
    applicationReference: profile.applicationReference,
    agreementId: profile.agreementId,
    ackRequested: profile.acknowledgments.contrl.expect,
    test: profile.test,
    groups: profile.groups,
    lineBreaks: profile.lineBreaks,
    nextReference: opts.nextReference,
    now: opts.now,
  });
  return { ...written, errors: errors.concat(written.errors) };
}
