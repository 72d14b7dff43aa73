// The EDIFACT codec's envelope hooks: duplicates are not applied again; our CONTRLs go to the
// partner only; a partner's CONTRL settles the interchange of ours it answers; what we send is
// tracked until its CONTRL comes, and alerts when it is overdue.
import { durationMs, readEdifact } from '../../edi/edifact/index.ts';
import type { Acknowledgment, CausewayError } from '../../model/index.ts';
import type { EdiGroup, EdiGroupSent, EdiReceipt, EdiStore, NewAlert, ScreenedReceipt } from '../../store/index.ts';
import type { DecodedDocument, HookContext, HookResult, RouteResult, ScreenResult } from '../contract.ts';
import { encodeForPartner, type EdifactAckMarker, type EdifactEnvelope, type EdifactMeta } from './codec.ts';
import { EDIFACT_TRACKED_AS, overdueExchanges } from '../overdue.ts';
import { profileFor, settingsOf, type EdifactSettings } from './settings.ts';

/** The name our CONTRLs are delivered under, in place of a flow's (lineage shows it). */
export const CONTRL_FLOW = 'edifact-contrl';

/** What tracking writes as the functional id of an interchange we sent: EDIFACT has no group to track, the interchange is the unit. */
export const TRACKED_AS = EDIFACT_TRACKED_AS;

const DEFAULT_WINDOW_MS = 30 * 86_400_000;
const interchangeOf = (env: EdifactEnvelope) => `${env.senderQualifier}:${env.senderId}:${env.interchange}`;
const messageOf = (env: EdifactEnvelope) => `${interchangeOf(env)}:${env.message}`;

/**
 * Skips what was already received: an interchange whose UNB reference this sender used within the
 * window, or a message whose content came before under other references. Our CONTRL for a duplicate
 * still goes out. The store is only read here; receipts are written with the message's outcome.
 */
export async function screenEdifactDuplicates(documents: ReadonlyArray<DecodedDocument<EdifactMeta>>, ctx: HookContext<EdifactSettings>): Promise<ScreenResult> {
  const { tenant } = ctx.endpoint;
  const receipts: ScreenedReceipt[] = [];
  const errors: CausewayError[] = [];
  const screen = async (r: Omit<EdiReceipt, 'tenant' | 'messageId' | 'at' | 'windowMs'>) => {
    const profile = profileFor(ctx.endpoint, r.partner || undefined, tenant);
    const receipt: EdiReceipt = { ...r, tenant, messageId: ctx.messageId, at: ctx.now, windowMs: profile ? durationMs(profile.duplicateWindow) : DEFAULT_WINDOW_MS };
    const verdict = await ctx.store.checkEdiReceipt(receipt);
    receipts.push({ ...receipt, duplicate: verdict.duplicate });
    return verdict;
  };
  const messages = documents.flatMap((d) => (d.envelope?.kind === 'message' ? [{ index: d.index, env: d.envelope.envelope }] : []));
  const duplicateInterchanges = new Set<string>();
  const seen = new Set<string>();
  for (const { env } of messages) {
    const key = interchangeOf(env);
    if (seen.has(key)) continue;
    seen.add(key);
    const r = await screen({ kind: 'interchange', key: `edifact:${key}`, partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    duplicateInterchanges.add(key);
    errors.push({ code: 'EDIFACT_DUPLICATE_INTERCHANGE', message: `interchange ${env.interchange} from ${env.senderQualifier}/${env.senderId} was already received in message ${r.firstMessageId} (seen ${r.count} times); its documents were not applied again`, position: { interchange: env.interchange } });
    ctx.logger.warn({ messageId: ctx.messageId, interchange: env.interchange, sender: env.senderId, firstMessageId: r.firstMessageId }, 'duplicate EDIFACT interchange not processed again');
  }
  const duplicateMessages = new Set<string>();
  const messageSeen = new Set<string>();
  for (const { env } of messages) {
    if (duplicateInterchanges.has(interchangeOf(env)) || messageSeen.has(messageOf(env))) continue;
    messageSeen.add(messageOf(env));
    const r = await screen({ kind: 'set', key: `edifact:${env.senderQualifier}:${env.senderId}:${env.messageType}:${env.contentHash}`, partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    duplicateMessages.add(messageOf(env));
    errors.push({ code: 'EDIFACT_DUPLICATE_MESSAGE', message: `${env.messageType} message ${env.message} in interchange ${env.interchange} repeats one received in message ${r.firstMessageId}; it was not applied again`, position: { interchange: env.interchange, message: env.message, messageType: env.messageType } });
  }
  const skip = messages.filter(({ env }) => duplicateInterchanges.has(interchangeOf(env)) || duplicateMessages.has(messageOf(env))).map((m) => m.index);
  return { skip, errors, writes: { receipts } };
}

export async function routeEdifactAcknowledgment(doc: DecodedDocument<EdifactMeta>, ctx: HookContext<EdifactSettings>): Promise<RouteResult | undefined> {
  if (doc.envelope?.kind === 'owed-contrl') return sendOurs(doc, doc.envelope.ack, ctx);
  if (doc.document.type === 'acknowledgment' && doc.envelope?.kind === 'message' && doc.envelope.envelope.messageType === 'CONTRL') {
    return settle(doc.document as Acknowledgment, doc.envelope.envelope, ctx);
  }
  return undefined;
}

async function sendOurs({ document }: DecodedDocument<EdifactMeta>, marker: EdifactAckMarker, ctx: HookContext<EdifactSettings>): Promise<RouteResult> {
  const profile = profileFor(ctx.endpoint, marker.partner, document.tenant);
  const target = profile?.acknowledgments.endpoint ? ctx.endpointNamed(profile.acknowledgments.endpoint) : undefined;
  if (!profile || !target || target.tenant !== document.tenant) return { deliverInstead: [] };
  const { bytes } = await encodeForPartner(document, profile, { tenant: document.tenant, endpoint: target.name, store: ctx.store });
  return { deliverInstead: [{ endpoint: target.name, flow: CONTRL_FLOW, payload: bytes }] };
}

/** A partner's CONTRL settles the interchange of ours it answers, then goes through flows like any document. */
function settle(ack: Acknowledgment, env: EdifactEnvelope, ctx: HookContext<EdifactSettings>): RouteResult | undefined {
  const reference = ack.acknowledges.reference;
  if (!env.partner || !reference || !profileFor(ctx.endpoint, env.partner, ack.tenant)) return undefined;
  const at = ctx.now;
  const messageId = ctx.messageId;
  return {
    writes: {
      reconciliations: [{
        tenant: ack.tenant, partner: env.partner, groupControlNumber: reference,
        ack: { status: ack.status, messageId, at, detail: { status: ack.status, sets: ack.sets, errors: ack.errors, interchange: env.interchange } },
        alertFor: (group) => answerAlert(group, ack, messageId, at),
      }],
    },
  };
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
  const tracked: EdiGroupSent[] = [];
  let current: EdiGroupSent | null = null;
  for (const item of readEdifact(sent.bytes)) {
    if (item.kind === 'interchange-start') {
      current = {
        tenant: endpoint.tenant, partner: profile.name, interchangeControlNumber: item.interchange.controlReference, groupControlNumber: item.interchange.controlReference,
        functionalId: TRACKED_AS, sets: [], deliveryKey: sent.deliveryKey, messageId: ctx.messageId, endpoint: endpoint.name, sentAt: ctx.now,
        deadlineAt: profile.acknowledgments.contrl.expect ? ctx.now + durationMs(profile.acknowledgments.contrl.deadline) : null,
      };
      tracked.push(current);
    } else if (item.kind === 'message' && current) current.sets.push({ id: item.message.header.type, controlNumber: item.message.header.reference });
  }
  // Acknowledgments themselves are not acknowledged.
  const own = tracked.filter((t) => t.sets.some((s) => s.id !== 'CONTRL'));
  return own.length ? { writes: { groups: own } } : undefined;
}

/** The periodic check: what waited past its deadline becomes overdue (each once), and alerts (see overdueAlert). */
export const overdueInterchanges = overdueExchanges;
