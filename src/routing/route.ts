import Big from 'big.js';
import type { FacilityConfig, RoutingConfig, RoutingPolicy } from '../config/routing.ts';
import { normaliseDecimal, type SalesOrder } from '../model/index.ts';
import { beforeCutoff } from './cutoff.ts';
import { distanceKm, shipToCoordinates } from './geo.ts';

/**
 * Which facility ships a sales order. Pure: the caller passes the config, the time, the
 * available-to-promise per (facility, SKU) and what orders routed but not yet confirmed hold.
 *
 * Rules come first (service area, the SKU's hazmat/cold-chain needs and the sites it is stocked at;
 * a site past its carrier cut-off still qualifies but ranks after those that ship today), then
 * stock (available less reserved), then distance to the ship-to. The split policy says what happens
 * when no one site has everything. Every facility considered is recorded with why it was or was not
 * chosen, so the decision can be shown on the order.
 */

export const stockKey = (facility: string, sku: string): string => `${facility}\u0000${sku}`;
const ZERO = new Big(0);
const dec = (b: Big) => normaliseDecimal(b.toFixed());

/** A facility value that asks for routing; an order with no facility asks for it too. */
export const AUTO_FACILITY = 'auto';
export const needsRouting = (order: Pick<SalesOrder, 'facility'>): boolean => !order.facility || order.facility.toLowerCase() === AUTO_FACILITY;

export interface RoutingContext {
  config: RoutingConfig;
  /** Epoch ms: the cut-offs are judged at this time. */
  now: number;
  tenant: string;
  /** The order's source endpoint: its channel for the split policy. */
  channel?: string;
  /** Available-to-promise by stockKey(facility, sku). A missing entry is nothing available. */
  available: ReadonlyMap<string, Big>;
  /** Held by orders already routed and not yet confirmed, by stockKey(facility, sku). */
  reserved: ReadonlyMap<string, Big>;
  /** Facilities not to use again (a re-route), for every SKU or one. */
  exclude?: readonly Exclusion[];
}

export interface Exclusion { facility: string; sku?: string; why: string }

export interface RoutedLine { lineNumber: string; sku: string; quantity: string; backordered: string }
export interface Assignment {
  facility: string;
  endpoint?: string;
  lines: RoutedLine[];
  /** The order number the site's part went out under, when a re-route of a split order's part chose it (see partNumberOf). */
  orderNumber?: string;
}

export interface Candidate {
  facility: string;
  chosen: boolean;
  /** Passed the rules for at least one line. */
  eligible: boolean;
  shipsToday: boolean;
  distanceKm?: number;
  /** Lines it could fill whole from stock now. */
  linesInStock: number;
  reasons: string[];
}

export type RoutingStatus = 'routed' | 'split' | 'backordered' | 'held' | 'unroutable';

export interface RoutingDecision {
  policy: RoutingPolicy;
  status: RoutingStatus;
  /** The site that ships it, or the first of a split. */
  facility?: string;
  assignments: Assignment[];
  candidates: Candidate[];
  reason: string;
  at: string;
}

export interface Reservation { facility: string; sku: string; quantity: Big }

export function policyFor(config: RoutingConfig, tenant: string, channel: string | undefined): RoutingPolicy {
  return (channel !== undefined ? config.policyByChannel[channel] : undefined) ?? config.policyByTenant[tenant] ?? config.policy;
}

interface Site {
  code: string;
  cfg: FacilityConfig;
  candidate: Candidate;
  /** Per line: may it go here at all (rules), and what is free for it. */
  allowed: boolean[];
  free: Big[];
  units: Big;
}

type Line = { lineNumber: string; sku: string; quantity: string };

export function routeOrder(order: Pick<SalesOrder, 'shipTo' | 'lines'>, ctx: RoutingContext): RoutingDecision {
  const { config } = ctx;
  const policy = policyFor(config, ctx.tenant, ctx.channel);
  const lines: Line[] = order.lines.map((l) => ({ lineNumber: String(l.lineNumber), sku: l.sku, quantity: l.quantity }));
  const qty = lines.map((l) => new Big(l.quantity));
  const to = shipToCoordinates(order.shipTo, config.postalCentroids);
  const sites: Site[] = [];
  for (const [code, cfg] of Object.entries(config.facilities)) {
    if (cfg.tenants && !cfg.tenants.includes(ctx.tenant)) continue;
    const reasons: string[] = [];
    const whole = ctx.exclude?.find((e) => e.facility === code && e.sku === undefined);
    if (whole) reasons.push(whole.why);
    const area = outsideArea(cfg, order.shipTo);
    if (area) reasons.push(area);
    const shipsToday = beforeCutoff(ctx.now, cfg.cutoff, cfg.timeZone);
    if (!shipsToday) reasons.push(`past its ${cfg.cutoff} ${cfg.timeZone} cut-off: ships the next day`);
    const dist = to && cfg.coordinates ? Math.round(distanceKm(to, cfg.coordinates)) : undefined;
    const allowed: boolean[] = [];
    const free: Big[] = [];
    let linesInStock = 0;
    let units = ZERO;
    for (const [i, line] of lines.entries()) {
      const why = whole || area ? 'skip' : skuRule(config, code, cfg, line.sku, ctx.exclude);
      if (why && why !== 'skip') reasons.push(why);
      allowed.push(!why);
      const key = stockKey(code, line.sku);
      const f = (ctx.available.get(key) ?? ZERO).minus(ctx.reserved.get(key) ?? ZERO);
      free.push(f);
      if (why) continue;
      if (f.gte(qty[i]!)) linesInStock++;
      else reasons.push(`${line.sku}: ${dec(f.gt(0) ? f : ZERO)} of ${line.quantity} available`);
      units = units.plus(f.gt(0) ? (f.lt(qty[i]!) ? f : qty[i]!) : ZERO);
    }
    const eligible = allowed.some(Boolean);
    sites.push({ code, cfg, allowed, free, units, candidate: { facility: code, chosen: false, eligible, shipsToday, distanceKm: dist, linesInStock, reasons } });
  }
  // Those that ship today first, then the nearest; a site whose distance is unknown last; then by code, so the same input always routes the same way.
  sites.sort((a, b) => Number(b.candidate.shipsToday) - Number(a.candidate.shipsToday)
    || (a.candidate.distanceKm ?? Infinity) - (b.candidate.distanceKm ?? Infinity) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const at = new Date(ctx.now).toISOString();
  const decide = (status: RoutingStatus, assignments: Assignment[], reason: string): RoutingDecision => {
    for (const a of assignments) sites.find((s) => s.code === a.facility)!.candidate.chosen = true;
    return { policy, status, facility: assignments[0]?.facility, assignments, candidates: sites.map((s) => s.candidate), reason, at };
  };
  const takesAll = sites.filter((s) => s.allowed.every(Boolean));
  const complete = takesAll.find((s) => s.candidate.linesInStock === lines.length);
  const whole = (s: Site): Assignment => ({
    facility: s.code, endpoint: s.cfg.endpoint,
    lines: lines.map((l, i) => ({ ...l, backordered: dec(shortOf(qty[i]!, s.free[i]!)) })),
  });
  const where = (s: Site) => `${s.code}${s.candidate.distanceKm !== undefined ? ` (${s.candidate.distanceKm} km)` : ''}`;
  if (complete) return decide('routed', [whole(complete)], `${where(complete)}: the best-ranked site with every line in stock`);
  if (!sites.some((s) => s.candidate.eligible)) return decide('unroutable', [], sites.length ? 'no facility passes the rules for this order' : 'no facility is configured for this tenant');

  if (policy === 'complete') return decide('held', [], 'no single site has every line in stock: the order waits (policy: complete)');
  if (policy === 'backorder') {
    if (!takesAll.length) return decide('unroutable', [], 'no single site may take every line (policy: backorder)');
    const best = takesAll.reduce((a, b) => (b.units.gt(a.units) ? b : a));
    return decide('backordered', [whole(best)], `${where(best)}: the site that can fill the most units now (${dec(best.units)}); the rest is backordered there`);
  }
  // split: each line from the best-ranked sites that have it, the remainder backordered at the best site allowed to hold it.
  const byFacility = new Map<string, Assignment>();
  const assign = (s: Site, line: Line, quantity: Big, backordered: Big) => {
    let a = byFacility.get(s.code);
    if (!a) byFacility.set(s.code, (a = { facility: s.code, endpoint: s.cfg.endpoint, lines: [] }));
    const existing = a.lines.find((l) => l.lineNumber === line.lineNumber);
    if (existing) {
      existing.quantity = dec(new Big(existing.quantity).plus(quantity));
      existing.backordered = dec(new Big(existing.backordered).plus(backordered));
    } else a.lines.push({ lineNumber: line.lineNumber, sku: line.sku, quantity: dec(quantity), backordered: dec(backordered) });
  };
  let backorders = false;
  const unplaced: string[] = [];
  for (const [i, line] of lines.entries()) {
    let left = qty[i]!;
    const usable = sites.filter((s) => s.allowed[i]);
    if (!usable.length) { unplaced.push(line.sku); continue; }
    for (const s of usable) {
      if (left.lte(0)) break;
      const take = s.free[i]!.gt(0) ? (s.free[i]!.lt(left) ? s.free[i]! : left) : ZERO;
      if (take.gt(0)) { assign(s, line, take, ZERO); left = left.minus(take); }
    }
    if (left.gt(0)) { assign(usable[0]!, line, left, left); backorders = true; }
  }
  const assignments = [...byFacility.values()];
  const status: RoutingStatus = backorders ? 'backordered' : assignments.length > 1 ? 'split' : 'routed';
  const note = unplaced.length ? `; no site may take ${unplaced.join(', ')}` : '';
  return decide(unplaced.length && !assignments.length ? 'unroutable' : status, assignments,
    `split across ${assignments.map((a) => a.facility).join(', ')} by rank${backorders ? ', the rest backordered at the best site for each line' : ''}${note}`);
}

function shortOf(quantity: Big, free: Big): Big {
  const have = free.gt(0) ? free : ZERO;
  return have.gte(quantity) ? ZERO : quantity.minus(have);
}

function outsideArea(cfg: FacilityConfig, to: SalesOrder['shipTo']): string | undefined {
  const a = cfg.serviceArea;
  if (!a) return undefined;
  if (a.countries.length && !(to.country && a.countries.includes(to.country))) return `outside its service area: country ${to.country ?? '(none)'}`;
  if (a.states.length && !(to.region && a.states.includes(to.region.toUpperCase()))) return `outside its service area: state ${to.region ?? '(none)'}`;
  const postal = to.postalCode?.replace(/\s+/g, '').toUpperCase();
  if (a.postalPrefixes.length && !(postal && a.postalPrefixes.some((p) => postal.startsWith(p.replace(/\s+/g, '').toUpperCase())))) return `outside its service area: postal code ${to.postalCode ?? '(none)'}`;
  return undefined;
}

function skuRule(config: RoutingConfig, code: string, cfg: FacilityConfig, sku: string, exclude: readonly Exclusion[] | undefined): string | undefined {
  const ex = exclude?.find((e) => e.facility === code && e.sku === sku);
  if (ex) return `${sku}: ${ex.why}`;
  const r = config.skus[sku];
  if (!r) return undefined;
  if (r.onlyAt && !r.onlyAt.includes(code)) return `${sku}: stocked only at ${r.onlyAt.join(', ')}`;
  if (r.hazmat && !cfg.hazmat) return `${sku}: hazardous, and the site may not hold hazmat`;
  if (r.coldChain && !cfg.coldChain) return `${sku}: needs cold chain, which the site lacks`;
  return undefined;
}

/** What a decision takes from stock until the warehouse confirms: the lines' quantities less what is backordered. */
export function reservationsOf(decision: RoutingDecision): Reservation[] {
  const out: Reservation[] = [];
  for (const a of decision.assignments) {
    for (const l of a.lines) {
      const q = new Big(l.quantity).minus(l.backordered);
      if (q.gt(0)) out.push({ facility: a.facility, sku: l.sku, quantity: q });
    }
  }
  return out;
}

/** One sales order per site the decision ships from, with the facility set and the decision in `extensions.routing`. */
export function ordersFor<T extends SalesOrder>(order: T, decision: RoutingDecision): T[] {
  const split = decision.assignments.length > 1;
  return decision.assignments.map((a) => {
    const lines = a.lines.map((l) => ({ ...order.lines.find((o) => String(o.lineNumber) === l.lineNumber)!, quantity: l.quantity }));
    return { ...order, facility: a.facility, lines, orderNumber: partNumberOf(order.orderNumber, decision, a), extensions: { ...order.extensions, routing: decision } };
  });
}

/** The order number a site's part goes out under: the order's own, or `<order>-<facility>` for each part of a split. */
export function partNumberOf(orderNumber: string, decision: Pick<RoutingDecision, 'assignments'>, a: Assignment): string {
  return a.orderNumber ?? (decision.assignments.length > 1 ? `${orderNumber}-${a.facility}` : orderNumber);
}
