// 997s and 999s both ways: ours go to the partner's acknowledgment endpoint and nowhere else; theirs
// settle the group of ours they acknowledge, and raise an alert unless it was accepted.
import type { Acknowledgment } from '../../model/index.ts';
import type { EdiGroup, NewAlert } from '../../store/index.ts';
import type { DecodedDocument, HookContext, RouteResult, ScreenResult } from '../contract.ts';
import { deliverOurAcknowledgment, settleOurs } from '../edi-common/index.ts';
import { encodeForPartner, type X12AckMarker, type X12Envelope, type X12Meta } from './codec.ts';
import { profileFor, type X12Settings } from './settings.ts';

/** The name our acknowledgments are delivered under, in place of a flow's (lineage shows it). */
export const ACK_FLOW = 'x12-acknowledgment';

export async function routeAcknowledgment(doc: DecodedDocument<X12Meta>, ctx: HookContext<X12Settings>): Promise<RouteResult | undefined> {
  if (doc.envelope?.kind === 'owed-ack') return sendOurs(doc, doc.envelope.ack, ctx);
  if (doc.document.type === 'acknowledgment' && doc.envelope?.kind === 'set') return settle(doc.document as Acknowledgment, doc.envelope.envelope, ctx);
  return undefined;
}

function sendOurs({ document }: DecodedDocument<X12Meta>, marker: X12AckMarker, ctx: HookContext<X12Settings>): Promise<RouteResult> {
  return deliverOurAcknowledgment(document, profileFor(ctx.endpoint, marker.partner, document.tenant), ctx, ACK_FLOW, async (doc, profile, target) =>
    Buffer.from((await encodeForPartner(doc, profile, { tenant: doc.tenant, endpoint: target, store: ctx.store })).text, 'latin1'));
}

/**
 * A partner's 997/999 names the group it answers, not the order in it. Each delivery we send is an
 * interchange of its own, so the group carried one document; when that was an order (a 940) or its
 * cancel, the acknowledgment is completed with it, and the rules record it on that order: accepted
 * (the order is acknowledged, not overdue) or rejected (an alert). One read per acknowledgment.
 */
export async function resolveAcknowledgedOrders(documents: ReadonlyArray<DecodedDocument<X12Meta>>, ctx: HookContext<X12Settings>): Promise<NonNullable<ScreenResult['resolved']>> {
  const out: NonNullable<ScreenResult['resolved']> = [];
  for (const d of documents) {
    if (d.document.type !== 'acknowledgment' || d.envelope?.kind !== 'set') continue;
    const ack = d.document as Acknowledgment;
    const { partner } = d.envelope.envelope;
    const gcn = ack.acknowledges.groupControlNumber;
    if (!partner || !gcn || ack.kind !== 'functional' || !profileFor(ctx.endpoint, partner, ack.tenant)) continue;
    const sent = await ctx.store.sentGroupDocument(ack.tenant, partner, gcn);
    if (!sent?.orderNumber || (sent.documentType !== 'sales_order' && sent.documentType !== 'order_cancel')) continue;
    out.push({ index: d.index, document: { ...ack, acknowledges: { ...ack.acknowledges, documentType: sent.documentType, reference: sent.orderNumber } } });
  }
  return out;
}

/** A partner's 997/999 settles the group it acknowledges, then goes through flows like any document. */
function settle(ack: Acknowledgment, env: X12Envelope, ctx: HookContext<X12Settings>): RouteResult | undefined {
  const gcn = ack.acknowledges.groupControlNumber;
  if (!env.partner || !gcn || !profileFor(ctx.endpoint, env.partner, ack.tenant)) return undefined;
  return settleOurs(ack, { partner: env.partner, reference: gcn, interchange: env.interchange }, ctx, answerAlert);
}

function answerAlert(group: EdiGroup, ack: Acknowledgment, ackMessageId: number, at: number): NewAlert | undefined {
  if (ack.status === 'accepted') return undefined;
  const rejectedSets = ack.sets.filter((s) => s.status !== 'accepted').map((s) => `${s.transactionSetId} #${s.controlNumber} ${s.status}${s.errors.length ? ` (${s.errors.map((e) => e.code).join(', ')})` : ''}`);
  return {
    tenant: group.tenant, kind: `x12_${ack.status}`, subject: `partner ${group.partner} group ${group.groupControlNumber}`,
    message: `${group.partner} answered group ${group.groupControlNumber} (${group.functionalId}, interchange ${group.interchangeControlNumber}) with ${ack.status.replace(/_/g, ' ')}${rejectedSets.length ? `: ${rejectedSets.join('; ')}` : ''}`,
    dedupeKey: `x12:${group.partner}:${group.interchangeControlNumber}:${group.groupControlNumber}:${ack.status}`, createdAt: at,
    detail: { partner: group.partner, group: group.groupControlNumber, interchange: group.interchangeControlNumber, ackMessageId, sets: ack.sets, errors: ack.errors },
  };
}
