// The EDIFACT codec: a stored file -> canonical documents interchange by interchange (plus the
// CONTRL we owe for each), whole or in parts as it streams by, and a canonical document -> one interchange for a partner.
import {
  contentHashOf, contrlDraftFor, decodeEdifact, decodeEdifactStreamBatches, describePosition, encodeDocument, exchanges, findProfile, hasRejectingError, writeForPartner,
  type DecodeContext as MessageContext, type EdifactDecodeItem, type EdifactError, type InterchangeHeader, type PartnerProfile,
} from '../../edi/edifact/index.ts';
import { translateCodeTables } from '../../edi/partner-profile.ts';
import { CausewayFault, type CanonicalDocument, type CausewayError } from '../../model/index.ts';
import type { EdiStore } from '../../store/index.ts';
import type { DecodeContext, DecodeResult, EncodeContext } from '../contract.ts';
import { documentToWrite } from '../edi-common/index.ts';
import { settingsOf, type EdifactPartner, type EdifactSettings } from './settings.ts';

/** Where a decoded document came from, for the duplicate screen and the CONTRLs it settles. Shown as `extensions.edifactEnvelope`. */
export interface EdifactEnvelope {
  partner?: string;
  senderQualifier: string;
  senderId: string;
  recipientId: string;
  /** UNB 0020. */
  interchange: string;
  /** UNH 0062. */
  message: string;
  messageType: string;
  test: boolean;
  /** The message's content, without its references: the same message resent under a new UNH reference has the same hash. */
  contentHash: string;
}

/** A CONTRL we drafted for a partner's interchange: it goes to the partner only. Shown as `extensions.edifactAck`. */
export interface EdifactAckMarker {
  partner: string;
  interchange: string;
  senderQualifier: string;
  senderId: string;
}

export type EdifactMeta = { kind: 'message'; envelope: EdifactEnvelope } | { kind: 'owed-contrl'; ack: EdifactAckMarker };

function asError(e: EdifactError): CausewayError {
  const where = describePosition(e.position);
  return { code: e.code, message: where && !e.message.includes(where) ? `${e.message} (${where})` : e.message, position: { ...e.position } as CausewayError['position'] };
}

/**
 * Decodes a whole stored message. An interchange-level fault rejects every message of that
 * interchange (nothing of it is applied) and its CONTRL says so; a bad message rejects that message
 * only. An interchange from a sender that is not the endpoint's partner is neither read nor
 * answered; a test interchange (UNB 0035) sent to a production profile is answered, not applied.
 */
export function decodeEdifactMessage(body: Buffer, ctx: DecodeContext<EdifactSettings>): DecodeResult<EdifactMeta> {
  const reading = new EdifactMessageReading(ctx);
  if (reading.ready) for (const item of decodeEdifact(body, reading.messageContext)) reading.take(item);
  return reading.flush();
}

/** Messages of one open interchange held before its UNZ is read; beyond it they go out before the trailer. */
export const DEFAULT_MAX_HELD_MESSAGES = 5000;

/**
 * Decodes a large stored message as it streams by, in parts of bounded size: a part ends when an
 * interchange closes (its UNZ read and checked, its CONTRL drafted), so a part's documents are never
 * committed before the trailer that may reject them is known. An interchange of more than
 * `maxHeldMessages` messages cannot be held whole: its messages go out in parts of that size before
 * its UNZ is read (docs/operations.md, "Large files"), and a fault found there is reported, not undone.
 */
export async function* decodeEdifactParts(source: AsyncIterable<Buffer>, ctx: DecodeContext<EdifactSettings>, maxHeldMessages = DEFAULT_MAX_HELD_MESSAGES): AsyncGenerator<DecodeResult<EdifactMeta>> {
  const reading = new EdifactMessageReading(ctx);
  if (!reading.ready) {
    yield reading.flush();
    return;
  }
  for await (const batch of decodeEdifactStreamBatches(source, reading.messageContext)) {
    for (const item of batch) {
      reading.take(item);
      if (reading.settled ? reading.held > 0 : reading.held >= maxHeldMessages) yield reading.flush(!reading.settled);
    }
  }
  if (reading.held > 0 || reading.hasReports) yield reading.flush();
}

type Held = { document: Record<string, unknown>; envelope: EdifactMeta };

/** One interchange being read: what it holds until its UNZ says whether any of it may be applied. */
interface OpenInterchange {
  header: InterchangeHeader;
  profile: EdifactPartner | undefined;
  /** Not from the endpoint's partner: neither read nor answered. */
  foreign: boolean;
  /** Its messages are read into documents (false: another sender's, or a test interchange to a production partner). */
  readable: boolean;
  held: Held[];
  /** Errors found while reading its messages (a type the partner does not send), reported after the envelope's. */
  notes: CausewayError[];
  /** Too large to hold whole: some of what it held went out before its UNZ was read. */
  spilled: boolean;
}

/** The decoder's state across a message's items, for the whole message and for its parts alike. */
class EdifactMessageReading {
  private readonly profiles: Map<string, EdifactPartner>;
  private readonly partner: string | undefined;
  readonly messageContext: MessageContext;
  readonly ready: boolean;
  private documents: Array<Record<string, unknown>> = [];
  private envelopes: EdifactMeta[] = [];
  /** What belongs to no interchange (text before a UNB), reported first. */
  private stray: CausewayError[] = [];
  private bare = 0;
  private errors: CausewayError[] = [];
  /** What was read with an assumption (a release character not needed, a character outside the repertoire). */
  private warnings: CausewayError[] = [];
  private ic: OpenInterchange | null = null;
  /** Messages read into what is held or decided now. */
  held = 0;

  constructor(ctx: DecodeContext<EdifactSettings>) {
    const { profiles, partner } = settingsOf(ctx);
    this.profiles = profiles;
    this.partner = partner;
    this.ready = !(partner && !profiles.has(partner));
    if (!this.ready) this.errors.push({ code: 'EDIFACT_PARTNER_UNKNOWN', message: `the endpoint names partner "${partner}", which has no profile under edifactPartners` });
    const named = partner ? profiles.get(partner) : undefined;
    const given = ctx.options?.receivedAt;
    this.messageContext = { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt: typeof given === 'string' ? given : new Date().toISOString(), utcOffset: named?.utcOffset, eancom: named?.eancom };
  }

  /** No interchange is open: what is read so far is decided. */
  get settled(): boolean {
    return this.ic === null;
  }

  /** Errors or warnings not handed out yet. */
  get hasReports(): boolean {
    return this.errors.length > 0 || this.stray.length > 0 || this.bare > 0 || this.warnings.length > 0;
  }

  /** What is decided so far, handed out and forgotten; `spill` also hands out what the open interchange holds. */
  flush(spill = false): DecodeResult<EdifactMeta> {
    if (spill && this.ic) {
      for (const h of this.ic.held) this.emit(h);
      this.ic.held = [];
      this.ic.spilled = true;
    }
    const errors = this.stray;
    if (this.bare) errors.push({ code: 'EDIFACT_NO_INTERCHANGE', message: `${this.bare} message(s) without a UNB interchange around them; they were not applied (a partner's messages come in an interchange)` });
    for (const e of this.errors) errors.push(e);
    const part = { documents: this.documents, envelopes: this.envelopes, errors, ...(this.warnings.length ? { warnings: this.warnings } : {}) };
    this.warnings = [];
    this.documents = [];
    this.envelopes = [];
    this.stray = [];
    this.errors = [];
    this.bare = 0;
    this.held = 0;
    return part;
  }

  private emit(h: Held): void {
    this.documents.push(h.document);
    this.envelopes.push(h.envelope);
  }

  take(item: EdifactDecodeItem): void {
    switch (item.kind) {
      case 'error':
        if (item.error.severity === 'error') this.stray.push(asError(item.error));
        else this.warnings.push(asError(item.error));
        break;
      case 'interchange-start': {
        const header = item.interchange;
        const sender = header.sender;
        const profile = findProfile(this.profiles as Map<string, PartnerProfile>, this.partner, { id: sender.id, qualifier: sender.qualifier }) as EdifactPartner | undefined;
        const foreign = profile !== undefined && profile.theirs.id !== sender.id;
        this.ic = { header, profile, foreign, readable: !foreign && !(profile && header.test && !profile.test), held: [], notes: [], spilled: false };
        break;
      }
      case 'message':
        if (item.message.interchange === null) this.bare++;
        else if (this.ic !== null) this.message(this.ic, item);
        break;
      case 'interchange-end':
        if (this.ic !== null) this.endInterchange(this.ic, item);
        this.ic = null;
        break;
      default:
        break;
    }
  }

  private message(ic: OpenInterchange, m: Extract<EdifactDecodeItem, { kind: 'message' }>): void {
    this.held++;
    if (!ic.readable || !m.accepted) return;
    const { header, profile } = ic;
    const type = m.message.header.type;
    if (profile && !exchanges(profile, type, 'inbound')) {
      ic.notes.push({ code: 'EDIFACT_MESSAGE_NOT_EXCHANGED', message: `partner ${profile.name} does not send ${type} messages to us (edifactPartners.${profile.name}.messages); message ${m.message.header.reference} was not applied`, position: { interchange: header.controlReference, message: m.message.header.reference } });
      return;
    }
    const envelope: EdifactEnvelope = {
      ...(profile ? { partner: profile.name } : {}),
      senderQualifier: header.sender.qualifier, senderId: header.sender.id, recipientId: header.recipient.id,
      interchange: header.controlReference, message: m.message.header.reference, messageType: type, test: header.test, contentHash: contentHashOf(m.message),
    };
    for (const doc of m.documents) {
      const d = (profile ? translateCodeTables(doc, profile.codeTables, true) : doc) as CanonicalDocument;
      ic.held.push({ document: { ...d, extensions: { ...(d.extensions ?? {}), edifactEnvelope: { ...envelope } } }, envelope: { kind: 'message', envelope } });
    }
  }

  private endInterchange(ic: OpenInterchange, end: Extract<EdifactDecodeItem, { kind: 'interchange-end' }>): void {
    const { verdict } = end;
    const { header, profile } = ic;
    const sender = header.sender;
    for (const e of [...verdict.errors, ...verdict.groups.flatMap((g) => g.errors), ...verdict.messages.flatMap((m) => m.errors)]) {
      if (e.severity === 'error') this.errors.push(asError(e));
      else this.warnings.push(asError(e));
    }
    if (ic.foreign && profile) {
      // Not from our partner: neither applied nor answered in the partner's name.
      this.errors.push({ code: 'EDIFACT_PARTNER_MISMATCH', message: `interchange ${header.controlReference} is from ${sender.qualifier}/${sender.id}, but this endpoint's partner ${profile.name} sends as ${profile.theirs.qualifier ?? ''}/${profile.theirs.id}; it was not read`, position: { interchange: header.controlReference, segmentTag: 'UNB' } });
      return;
    }
    if (profile && header.test && !profile.test) {
      this.errors.push({ code: 'EDIFACT_TEST_INTERCHANGE', message: `interchange ${header.controlReference} is a test interchange (UNB 0035 = 1) but partner ${profile.name} is in production (test: false); it was acknowledged, not applied`, position: { interchange: header.controlReference, segmentTag: 'UNB' } });
    }
    for (const e of ic.notes) this.errors.push(e);
    if (end.accepted) for (const h of ic.held) this.emit(h);
    else if (ic.spilled) {
      this.errors.push({ code: 'EDIFACT_INTERCHANGE_SPILLED', message: `interchange ${header.controlReference} is rejected, but it was too large to hold until its UNZ: what was read before the limit was applied (docs/operations.md, "Large files")`, position: { interchange: header.controlReference, segmentTag: 'UNZ' } });
    }
    // CONTRLs are never answered (a CONTRL for a CONTRL would echo forever).
    const onlyContrl = verdict.messages.length > 0 && verdict.messages.every((m) => m.header.type === 'CONTRL');
    const rejected = !verdict.accepted || verdict.messages.some((m) => hasRejectingError(m.errors));
    const asked = header.ackRequested || !profile?.acknowledgments.contrl.requireRequest || rejected;
    if (profile?.acknowledgments.contrl.send && asked && !onlyContrl) {
      const marker: EdifactAckMarker = { partner: profile.name, interchange: header.controlReference, senderQualifier: sender.qualifier, senderId: sender.id };
      this.emit({ document: { ...contrlDraftFor(verdict), extensions: { edifactAck: { ...marker } } }, envelope: { kind: 'owed-contrl', ack: marker } });
      this.held++;
    }
  }
}

/** Writes one canonical document as an interchange for the endpoint's partner; faults name what is wrong. */
export async function encodeEdifactDocument(payload: unknown, ctx: EncodeContext<EdifactSettings>): Promise<Buffer> {
  const { profiles, partner } = settingsOf(ctx);
  const profile = partner ? profiles.get(partner) : undefined;
  if (!profile) {
    throw new CausewayFault({ code: 'EDIFACT_PARTNER_UNKNOWN', message: partner ? `no EDIFACT partner profile "${partner}" under edifactPartners` : 'writing EDIFACT needs a partner: set codecOptions.partner on the endpoint' });
  }
  return (await encodeForPartner(payload, profile, { tenant: ctx.tenant, endpoint: ctx.endpoint, store: ctx.store })).bytes;
}

/** Writes one canonical document as an interchange for this partner, whatever partner the endpoint names. */
export async function encodeForPartner(payload: unknown, profile: EdifactPartner, ctx: { tenant: string; endpoint: string; store: Pick<EdiStore, 'nextControlNumber'>; now?: () => Date }): Promise<{ bytes: Buffer; controlReference: string }> {
  const doc = translateCodeTables(documentToWrite(payload, ctx, 'EDIFACT'), profile.codeTables, false);
  const checked = encodeDocument(doc, profile);
  const refused = checked.errors.filter((e) => e.severity === 'error');
  if (refused.length) throw new CausewayFault(refused.map(asError));
  const written = await writeForPartner([doc], profile, {
    // One sequence per partner and kind, drawn outside the outcome's transaction: a crash leaves a gap, never a reuse.
    nextReference: (kind) => ctx.store.nextControlNumber(ctx.tenant, `edifact:${profile.name}`, kind, 99_999_999_999_999),
    now: ctx.now,
  });
  const errs = written.errors.filter((e) => e.severity === 'error');
  if (errs.length) throw new CausewayFault(errs.map(asError));
  return { bytes: written.bytes, controlReference: written.controlReference };
}
