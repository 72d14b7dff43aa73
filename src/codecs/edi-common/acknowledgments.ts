// Acknowledgments both ways, in any EDI standard: ours go to the partner's acknowledgment endpoint and
// nowhere else; theirs settle the exchange of ours they answer (and alert unless it was accepted);
// what we send is tracked until the answer comes.
import type { Acknowledgment, CanonicalDocument } from '../../model/index.ts';
import type { EdiGroup, EdiGroupSent, NewAlert } from '../../store/index.ts';
import type { HookContext, RouteResult } from '../contract.ts';

/** What the hooks read of a partner profile, in either standard. */
export interface AckProfile {
  name?: string;
  tenant?: string;
  acknowledgments: { endpoint?: string };
}

/**
 * Our acknowledgment of a partner's exchange goes to the partner's acknowledgment endpoint, written for
 * the partner it acknowledges (whatever partner that endpoint names itself), and to nothing else: without
 * a profile or an endpoint of the document's tenant, nowhere.
 */
export async function deliverOurAcknowledgment<P extends AckProfile, S>(
  document: CanonicalDocument, profile: P | undefined, ctx: HookContext<S>, flow: string,
  write: (document: CanonicalDocument, profile: P, target: string) => Promise<Buffer>,
): Promise<RouteResult> {
  const target = profile?.acknowledgments.endpoint ? ctx.endpointNamed(profile.acknowledgments.endpoint) : undefined;
  if (!profile || !target || target.tenant !== document.tenant) return { deliverInstead: [] };
  return { deliverInstead: [{ endpoint: target.name, flow, payload: await write(document, profile, target.name) }] };
}

/**
 * A partner's acknowledgment settles the exchange of ours it answers (by `reference`: the group's or
 * interchange's control number), then goes through flows like any document.
 */
export function settleOurs<S>(
  ack: Acknowledgment, answered: { partner: string; reference: string; interchange: string }, ctx: HookContext<S>,
  alertFor: (group: EdiGroup, ack: Acknowledgment, ackMessageId: number, at: number) => NewAlert | undefined,
): RouteResult {
  const at = ctx.now;
  const messageId = ctx.messageId;
  return {
    writes: {
      reconciliations: [{
        tenant: ack.tenant, partner: answered.partner, groupControlNumber: answered.reference,
        ack: { status: ack.status, messageId, at, detail: { status: ack.status, sets: ack.sets, errors: ack.errors, interchange: answered.interchange } },
        alertFor: (group) => alertFor(group, ack, messageId, at),
      }],
    },
  };
}

/** One exchange we sent (an X12 group, an EDIFACT interchange), tracked until the partner answers it, from `deadlineMs` on when one is expected. */
export function sentExchange<S>(
  ctx: HookContext<S>, partner: string, deliveryKey: string,
  exchange: { interchangeControlNumber: string; groupControlNumber: string; functionalId: string },
  deadlineMs: number | null,
): EdiGroupSent {
  const { endpoint, now } = ctx;
  return {
    tenant: endpoint.tenant, partner, ...exchange, sets: [], deliveryKey, messageId: ctx.messageId, endpoint: endpoint.name, sentAt: now,
    deadlineAt: deadlineMs === null ? null : now + deadlineMs,
  };
}
