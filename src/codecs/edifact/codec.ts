// The EDIFACT codec: a stored file -> canonical documents interchange by interchange (plus the
// CONTRL we owe for each), and a canonical document -> one interchange for a partner.
import {
  contrlDraftFor, decodeInterchanges, describePosition, encodeDocument, exchanges, findProfile, writeForPartner,
  type EdifactError, type PartnerProfile,
} from '../../edi/edifact/index.ts';
import { translateCodeTables } from '../../edi/partner-profile.ts';
import { CausewayFault, entityKeyFor, validateDocument, type CanonicalDocument, type CausewayError } from '../../model/index.ts';
import type { EdiStore } from '../../store/index.ts';
import type { DecodeContext, DecodeResult, EncodeContext } from '../contract.ts';
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
  const { profiles, partner } = settingsOf(ctx);
  const documents: Array<Record<string, unknown>> = [];
  const envelopes: EdifactMeta[] = [];
  const errors: CausewayError[] = [];
  if (partner && !profiles.has(partner)) {
    return { documents, errors: [{ code: 'EDIFACT_PARTNER_UNKNOWN', message: `the endpoint names partner "${partner}", which has no profile under edifactPartners` }] };
  }
  const named = partner ? profiles.get(partner) : undefined;
  const receivedAt = new Date().toISOString();
  const decoded = decodeInterchanges(body, { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt, utcOffset: named?.utcOffset, eancom: named?.eancom });
  for (const e of decoded.outside.errors) if (e.severity === 'error') errors.push(asError(e));
  if (decoded.outside.messages.length) {
    errors.push({ code: 'EDIFACT_NO_INTERCHANGE', message: `${decoded.outside.messages.length} message(s) without a UNB interchange around them; they were not applied (a partner's messages come in an interchange)` });
  }
  for (const ic of decoded.interchanges) {
    const header = ic.verdict.interchange;
    const sender = header.sender;
    const profile = findProfile(profiles as Map<string, PartnerProfile>, partner, { id: sender.id, qualifier: sender.qualifier }) as EdifactPartner | undefined;
    for (const e of [...ic.verdict.errors, ...ic.verdict.groups.flatMap((g) => g.errors), ...ic.messages.flatMap((m) => m.errors)]) {
      if (e.severity === 'error') errors.push(asError(e));
    }
    if (profile && profile.theirs.id !== sender.id) {
      // Not from our partner: neither applied nor answered in the partner's name.
      errors.push({ code: 'EDIFACT_PARTNER_MISMATCH', message: `interchange ${header.controlReference} is from ${sender.qualifier}/${sender.id}, but this endpoint's partner ${profile.name} sends as ${profile.theirs.qualifier ?? ''}/${profile.theirs.id}; it was not read`, position: { interchange: header.controlReference, segmentTag: 'UNB' } });
      continue;
    }
    let readable = true;
    if (profile && header.test && !profile.test) {
      readable = false;
      errors.push({ code: 'EDIFACT_TEST_INTERCHANGE', message: `interchange ${header.controlReference} is a test interchange (UNB 0035 = 1) but partner ${profile.name} is in production (test: false); it was acknowledged, not applied`, position: { interchange: header.controlReference, segmentTag: 'UNB' } });
    }
    for (const m of ic.messages) {
      if (!readable || !m.accepted) continue;
      const type = m.message.header.type;
      if (profile && !exchanges(profile, type, 'inbound')) {
        errors.push({ code: 'EDIFACT_MESSAGE_NOT_EXCHANGED', message: `partner ${profile.name} does not send ${type} messages to us (edifactPartners.${profile.name}.messages); message ${m.message.header.reference} was not applied`, position: { interchange: header.controlReference, message: m.message.header.reference } });
        continue;
      }
      const envelope: EdifactEnvelope = {
        ...(profile ? { partner: profile.name } : {}),
        senderQualifier: sender.qualifier, senderId: sender.id, recipientId: header.recipient.id,
        interchange: header.controlReference, message: m.message.header.reference, messageType: type, test: header.test, contentHash: m.contentHash,
      };
      for (const doc of m.documents) {
        const d = (profile ? translateCodeTables(doc, profile.codeTables, true) : doc) as CanonicalDocument;
        documents.push({ ...d, extensions: { ...(d.extensions ?? {}), edifactEnvelope: { ...envelope } } });
        envelopes.push({ kind: 'message', envelope });
      }
    }
    // CONTRLs are never answered (a CONTRL for a CONTRL would echo forever).
    const onlyContrl = ic.messages.length > 0 && ic.messages.every((m) => m.message.header.type === 'CONTRL');
    const asked = header.ackRequested || !profile?.acknowledgments.contrl.requireRequest || !ic.verdict.accepted || ic.messages.some((m) => !m.accepted);
    if (profile?.acknowledgments.contrl.send && asked && !onlyContrl) {
      const marker: EdifactAckMarker = { partner: profile.name, interchange: header.controlReference, senderQualifier: sender.qualifier, senderId: sender.id };
      documents.push({ ...contrlDraftFor(ic.verdict), extensions: { edifactAck: { ...marker } } });
      envelopes.push({ kind: 'owed-contrl', ack: marker });
    }
  }
  return { documents, envelopes, errors };
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
  if (!payload || typeof payload !== 'object' || typeof (payload as { type?: unknown }).type !== 'string') {
    throw new CausewayFault({ code: 'EDIFACT_DOCUMENT_INVALID', path: '$', message: 'EDIFACT is written from a canonical document (an object with a "type"); a mapping for an EDIFACT endpoint must keep the document\'s shape' });
  }
  const now = new Date().toISOString();
  const raw = payload as Record<string, unknown>;
  const filled: Record<string, unknown> = { tenant: ctx.tenant, id: `edifact-out-${Date.now()}`, source: { endpoint: ctx.endpoint }, occurredAt: now, receivedAt: now, ...raw };
  filled.entityKey ??= entityKeyFor(filled);
  const valid = validateDocument(filled);
  if (!valid.ok) throw new CausewayFault(valid.errors);
  const doc = translateCodeTables(valid.document, profile.codeTables, false);
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
