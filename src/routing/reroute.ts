import Big from 'big.js';
import { normaliseDecimal, type SalesOrder } from '../model/index.ts';
import { routeOrder, type Exclusion, type Reservation, type RoutingContext, type RoutingDecision } from './route.ts';

/** What a warehouse told us about an order routed to it. */
export type FacilityOutcome = (
  | { facility: string; kind: 'rejected'; why?: string }
  | { facility: string; kind: 'short'; lines: { lineNumber: string; sku: string; quantity: string }[] }
) & {
  /** The part of a split order it was about (`SO-1-CHI`); absent for an order sent whole. */
  part?: string;
};

/**
 * Route again what a warehouse will not ship: the whole of its part when it rejected the order, or
 * the quantities it shipped short. That facility is left out (for every SKU on a rejection, for
 * the short SKUs on a short shipment), and the rest is routed per the same policy. Returns the new
 * decision and the reservations the failed facility no longer holds; the caller releases those.
 */
export function reroute(order: SalesOrder, previous: RoutingDecision, outcome: FacilityOutcome, ctx: RoutingContext): { decision: RoutingDecision; release: Reservation[] } {
  const part = previous.assignments.find((a) => a.facility === outcome.facility);
  const remaining = outcome.kind === 'rejected'
    ? (part?.lines ?? []).map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity }))
    : outcome.lines.filter((l) => new Big(l.quantity).gt(0));
  const release: Reservation[] = [];
  for (const l of remaining) {
    const held = part?.lines.find((p) => p.lineNumber === l.lineNumber);
    if (!held) continue;
    const reserved = new Big(held.quantity).minus(held.backordered);
    const q = new Big(l.quantity).lt(reserved) ? new Big(l.quantity) : reserved;
    if (q.gt(0)) release.push({ facility: outcome.facility, sku: l.sku, quantity: q });
  }
  const exclude: Exclusion[] = [...(ctx.exclude ?? [])];
  if (outcome.kind === 'rejected') exclude.push({ facility: outcome.facility, why: `rejected the order${outcome.why ? `: ${outcome.why}` : ''}` });
  else for (const l of remaining) exclude.push({ facility: outcome.facility, sku: l.sku, why: `shipped short` });
  const uom = (n: string) => order.lines.find((o) => String(o.lineNumber) === n)!;
  const lines = remaining.map((l) => ({ ...uom(l.lineNumber), quantity: normaliseDecimal(l.quantity) }));
  if (!lines.length) return { decision: { ...previous, assignments: [], candidates: [], status: 'routed', reason: 'nothing left to route', at: new Date(ctx.now).toISOString() }, release };
  return { decision: routeOrder({ shipTo: order.shipTo, lines }, { ...ctx, exclude }), release };
}
