import Big from 'big.js';
import { normaliseDecimal, type SalesOrder } from '../model/index.ts';
import type { FacilityOutcome } from './reroute.ts';
import { policyFor, stockKey, type Assignment, type RoutingContext, type RoutingDecision } from './route.ts';

/**
 * A new version of an order already sent to one or more sites goes to the same sites: routed
 * afresh, it could go to a second warehouse while the first still has the order, and both would
 * ship it. Each line stays at the site that has it (a line split across sites stays at the first);
 * a line the order did not have goes to its first site. What a site cannot fill from its free stock
 * (the order's own holding counts as free: the caller leaves it out of `reserved`) is backordered
 * there. A site that rejected the order is not kept: its lines were routed away when it did.
 *
 * Undefined when the previous decision sent the order nowhere (held, unroutable): the new version
 * is routed from scratch.
 */
export function keepSites(order: Pick<SalesOrder, 'lines'>, previous: RoutingDecision & { history?: Array<RoutingDecision & { outcome?: FacilityOutcome }> }, ctx: RoutingContext): RoutingDecision | undefined {
  const rejected = new Set((previous.history ?? []).flatMap((h) => (h.outcome?.kind === 'rejected' ? [h.outcome.facility] : [])));
  // Earlier decisions first: a re-route's decision holds only what it routed again, its other sites are in the history.
  const siteOfLine = new Map<string, Assignment>();
  for (const d of [...(previous.history ?? []), previous]) {
    for (const a of d.assignments) {
      if (rejected.has(a.facility)) continue;
      for (const l of a.lines) if (!siteOfLine.has(l.lineNumber) || d === previous) siteOfLine.set(l.lineNumber, a);
    }
  }
  const first = previous.assignments.find((a) => !rejected.has(a.facility)) ?? [...siteOfLine.values()][0];
  if (!first) return undefined;
  const taken = new Map<string, Big>();
  const byFacility = new Map<string, Assignment>();
  let backorders = false;
  for (const line of order.lines) {
    const lineNumber = String(line.lineNumber);
    const site = siteOfLine.get(lineNumber) ?? first;
    const key = stockKey(site.facility, line.sku);
    const free = (ctx.available.get(key) ?? new Big(0)).minus(ctx.reserved.get(key) ?? 0).minus(taken.get(key) ?? 0);
    const quantity = new Big(line.quantity);
    const fills = free.gt(0) ? (free.lt(quantity) ? free : quantity) : new Big(0);
    taken.set(key, (taken.get(key) ?? new Big(0)).plus(fills));
    if (fills.lt(quantity)) backorders = true;
    let a = byFacility.get(site.facility);
    if (!a) byFacility.set(site.facility, (a = { facility: site.facility, ...(site.endpoint ? { endpoint: site.endpoint } : {}), lines: [] }));
    a.lines.push({ lineNumber, sku: line.sku, quantity: normaliseDecimal(line.quantity), backordered: normaliseDecimal(quantity.minus(fills).toFixed()) });
  }
  const assignments = [...byFacility.values()];
  const sites = assignments.map((a) => a.facility);
  return {
    policy: policyFor(ctx.config, ctx.tenant, ctx.channel),
    status: backorders ? 'backordered' : assignments.length > 1 ? 'split' : 'routed',
    facility: sites[0],
    assignments,
    candidates: previous.candidates.map((c) => ({ ...c, chosen: sites.includes(c.facility) })),
    reason: `kept at ${sites.join(', ')}: a new version of an order already sent there (routing.onChange: keep)${backorders ? '; what it lacks is backordered there' : ''}`,
    at: new Date(ctx.now).toISOString(),
  };
}
