// The EDIFACT codec's envelope hooks: duplicates are not applied again; our CONTRLs go to the
// partner only; a partner's CONTRL settles the interchange of ours it answers; what we send is
// tracked until its CONTRL comes, and alerts when it is overdue.
import { durationMs, readEdifact } from '../../edi/edifact/index.ts';
import type { Acknowledgment } from '../../model/index.ts';
import type { EdiGroup, EdiGroupSent, NewAlert } from '../../store/index.ts';
import type { DecodedDocument, HookContext, HookResult, RouteResult, ScreenResult } from '../contract.ts';
import { deliverOurAcknowledgment, interchangeOf, screenRepeats, sentExchange, settleOurs } from '../edi-common/index.ts';
import { encodeForPartner, type EdifactAckMarker, type EdifactEnvelope, type EdifactMeta } from './codec.ts';
import { EDIFACT_TRACKED_AS, overdueExchanges } from '../overdue.ts';
import { profileFor, settingsOf, type EdifactSettings } from './settings.ts';

/** The name our CONTRLs are delivered under, in place of a flow's (lineage shows it). */
export const CONTRL_FLOW = 'edifact-contrl';

/** What tracking writes as the functional id of an interchange we sent: EDIFACT has no group to track, the interchange is the unit. */
export const TRACKED_AS = EDIFACT_TRACKED_AS;

const messageOf = (env: EdifactEnvelope) => `${interchangeOf(env)}:${env.message}`;

/**
 * Skips what was already received: an interchange whose UNB reference this sender used within the
 * window, or a message whose content came before under other references (see screenRepeats).
 */
export async function screenEdifactDuplicates(documents: ReadonlyArray<DecodedDocument<EdifactMeta>>, ctx: HookContext<EdifactSettings>): Promise<ScreenResult> {
  const messages = documents.flatMap((d) => (d.envelope?.kind === 'message' ? [{ index: d.index, env: d.envelope.envelope }] : []));
  const { skip, errors, receipts } = await screenRepeats(messages, ctx, {
    standard: 'EDIFACT',
    unitOf: messageOf,
    interchangeKey: (interchange) => `edifact:${interchange}`,
    contentKey: (env) => `edifact:${env.senderQualifier}:${env.senderId}:${env.messageType}:${env.contentHash}`,
    windowMs: (partner) => {
      const profile = profileFor(ctx.endpoint, partner || undefined, ctx.endpoint.tenant);
      return profile ? durationMs(profile.duplicateWindow) : undefined;
    },
    repeatedInterchange: (env, r) => ({ code: 'EDIFACT_DUPLICATE_INTERCHANGE', message: `interchange ${env.interchange} from ${env.senderQualifier}/${env.senderId} was already received in message ${r.firstMessageId} (seen ${r.count} times); its documents were not applied again`, position: { interchange: env.interchange } }),
    repeatedUnit: (env, r) => ({ code: 'EDIFACT_DUPLICATE_MESSAGE', message: `${env.messageType} message ${env.message} in interchange ${env.interchange} repeats one received in message ${r.firstMessageId}; it was not applied again`, position: { interchange: env.interchange, message: env.message, messageType: env.messageType } }),
  });
  return { skip, errors, writes: { receipts } };
}

export async function routeEdifactAcknowledgment(doc: DecodedDocument<EdifactMeta>, ctx: HookContext<EdifactSettings>): Promise<RouteResult | undefined> {
  if (doc.envelope?.kind === 'owed-contrl') return sendOurs(doc, doc.envelope.ack, ctx);
  if (doc.document.type === 'acknowledgment' && doc.envelope?.kind === 'message' && doc.envelope.envelope.messageType === 'CONTRL') {
    return settle(doc.document as Acknowledgment, doc.envelope.envelope, ctx);
  }
  return undefined;
}

function sendOurs({ document }: DecodedDocument<EdifactMeta>, marker: EdifactAckMarker, ctx: HookContext<EdifactSettings>): Promise<RouteResult> {
  return deliverOurAcknowledgment(document, profileFor(ctx.endpoint, marker.partner, document.tenant), ctx, CONTRL_FLOW, async (doc, profile, target) =>
    (await encodeForPartner(doc, profile, { tenant: doc.tenant, endpoint: target, store: ctx.store })).bytes);
}

/** A partner's CONTRL settles the interchange of ours it answers, then goes through flows like any document. */
function settle(ack: Acknowledgment, env: EdifactEnvelope, ctx: HookContext<EdifactSettings>): RouteResult | undefined {
  const reference = ack.acknowledges.reference;
  if (!env.partner || !reference || !profileFor(ctx.endpoint, env.partner, ack.tenant)) return undefined;
  return settleOurs(ack, { partner: env.partner, reference, interchange: env.interchange }, ctx, answerAlert);
}

function answerAlert(group: EdiGroup, ack: Acknowledgment, ackMessageId: number, at: number): NewAlert | undefined {
  if (ack.status === 'accepted') return undefined;
  const refused = ack.sets.filter((s) => s.status !== 'accepted').map((s) => `${s.transactionSetId} ${s.controlNumber} ${s.status}${s.errors.length ? ` (${s.errors.map((e) => e.code).join(', ')})` : ''}`);
  return {
    tenant: group.tenant, kind: `edifact_${ack.status}`, subject: `partner ${group.partner} interchange ${group.interchangeControlNumber}`,
    message: `${group.partner} answered interchange ${group.interchangeControlNumber} with a CONTRL: ${ack.status.replace(/_/g, ' ')}${refused.length ? `: ${refused.join('; ')}` : ''}${ack.errors.length ? ` (${ack.errors.map((e) => e.code).join(', ')})` : ''}`,
    dedupeKey: `edifact:${group.partner}:${group.interchangeControlNumber}:${ack.status}`, createdAt: at,
    detail: { partner: group.partner, interchange: group.interchangeControlNumber, ackMessageId, messages: ack.sets, errors: ack.errors },
  };
}

/** After writing an interchange for a partner (not a CONTRL): it is tracked until the partner's CONTRL comes. */
export async function trackSentInterchanges(sent: { bytes: Buffer; deliveryKey: string }, ctx: HookContext<EdifactSettings>): Promise<HookResult | undefined> {
  const { endpoint } = ctx;
  const profile = profileFor(endpoint, settingsOf(endpoint).partner, endpoint.tenant);
  if (!profile) return undefined;
  const deadlineMs = profile.acknowledgments.contrl.expect ? durationMs(profile.acknowledgments.contrl.deadline) : null;
  const tracked: EdiGroupSent[] = [];
  let current: EdiGroupSent | null = null;
  for (const item of readEdifact(sent.bytes)) {
    if (item.kind === 'interchange-start') {
      // EDIFACT has no group to track: the interchange is the unit, under its own reference.
      const reference = item.interchange.controlReference;
      current = sentExchange(ctx, profile.name, sent.deliveryKey, { interchangeControlNumber: reference, groupControlNumber: reference, functionalId: TRACKED_AS }, deadlineMs);
      tracked.push(current);
    } else if (item.kind === 'message' && current) current.sets.push({ id: item.message.header.type, controlNumber: item.message.header.reference });
  }
  // Acknowledgments themselves are not acknowledged.
  const own = tracked.filter((t) => t.sets.some((s) => s.id !== 'CONTRL'));
  return own.length ? { writes: { groups: own } } : undefined;
}

/** The periodic check: what waited past its deadline becomes overdue (each once), and alerts (see overdueAlert). */
export const overdueInterchanges = overdueExchanges;
