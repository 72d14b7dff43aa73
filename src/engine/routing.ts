import Big from 'big.js';
import type { RoutingConfig } from '../config/routing.ts';
import type { Availability } from '../inventory/index.ts';
import { entityKeyFor, type CanonicalDocument, type SalesOrder } from '../model/index.ts';
import { keepSites, needsRouting, ordersFor, partNumberOf, reroute, reservationsOf, routeOrder, stockKey, type Assignment, type Exclusion, type FacilityOutcome, type RoutingDecision } from '../routing/index.ts';
import type { RoutingRecord, RoutingStore, RoutingWrites, StockReservation } from '../store/index.ts';
import type { DecodedMessage } from './messages.ts';

type Entry = DecodedMessage['documents'][number];

/**
 * A sales_order delivery a warehouse's endpoint refused for good, said as that warehouse's
 * rejection of the order: stored as a message from the endpoint, it is routed again like any
 * rejection (OrderRouter.apply). Only for an endpoint of a routing facility: a refusal by any other
 * target says nothing about where the order can ship. Its key is the delivery's, so a refusal
 * answered twice (a crash before the attempt was recorded) is one rejection.
 */
export function refusalAsRejection(config: RoutingConfig, d: { id: number; tenant: string; endpoint: string; documentType: string; entityKey: string }, error: string, now = Date.now()): { tenant: string; endpoint: string; body: Buffer; idempotencyKey: string } | undefined {
  if (d.documentType !== 'sales_order' || !d.entityKey.startsWith('order:')) return undefined;
  if (!Object.values(config.facilities).some((f) => f.endpoint === d.endpoint)) return undefined;
  const rejection = {
    type: 'acknowledgment', status: 'rejected', occurredAt: new Date(now).toISOString(),
    acknowledges: { documentType: 'sales_order', reference: d.entityKey.slice('order:'.length) },
    errors: [{ code: 'DELIVERY_REFUSED', message: `the warehouse refused the order's delivery: ${error}`.slice(0, 500) }],
  };
  return { tenant: d.tenant, endpoint: d.endpoint, body: Buffer.from(JSON.stringify(rejection)), idempotencyKey: `refused-delivery-${d.id}` };
}

/** A document's verdict, as the rules step hands it to the pipeline. */
export interface RuledDocument {
  document: CanonicalDocument;
  decision: { verdict: 'apply' | 'hold' | 'refuse' | 'stale'; rule: string };
  released: boolean;
}

/** How long a tenant's available-to-promise is reused between orders: folding the stock documents is the costly part. */
const AVAILABILITY_TTL_MS = 5_000;

/**
 * The pipeline's routing step: a sales_order with no facility (or `auto`) gets one before flows
 * route it. The decision is kept on the order (`extensions.routing`) and in the store with the
 * stock it holds, which later orders count against; a shipment of the order at a facility
 * releases what it held there. A split order becomes one order per facility.
 *
 * Nothing is written to the store here: the decisions and reservations of a message are its
 * routing writes, committed with its outcome in one transaction (`put` first, then what the
 * rules' verdicts make of them: afterRules), so a message quarantined, retried or decided again
 * holds nothing it did not commit. Until the batch commits, the orders routed by it are kept in
 * `staged`, so the next order of the batch counts their stock. Another worker's commit in between
 * is caught at ours: the store refuses a put whose stock other orders took meanwhile
 * (LedgerConflict), and the message is routed again on what is stored then.
 */
export class OrderRouter {
  private readonly atp = new Map<string, { at: number; available: Map<string, Big> }>();
  /** The orders routed for the message being processed, by document id: their key, and the routing they replaced. */
  private routed = new Map<string, { tenant: string; orderKey: string; before: { record: RoutingRecord; reservations: StockReservation[] } | null }>();
  /** Routing of the batch not yet committed, by tenant and order key, with what the order held in the store before it. */
  private readonly staged = new Map<string, Staged>();
  /** Stock a released held order takes again in this batch, by tenant. */
  private readonly retaken = new Map<string, StockReservation[]>();
  /** The message's own routing writes, and how to take its staged routing back if it fails. */
  private writes: RoutingWrites = {};
  private undo: Array<() => void> = [];

  constructor(
    private readonly store: RoutingStore,
    private readonly config: RoutingConfig,
    private readonly availability: (tenant: string, now: number) => Promise<Availability[]>,
  ) {}

  get enabled(): boolean {
    return Object.keys(this.config.facilities).length > 0;
  }

  /** A new batch: what the last one routed is committed (or was not), and is read from the store. */
  beginBatch(): void {
    this.staged.clear();
    this.retaken.clear();
  }

  /** The message being processed failed: what it staged is taken back. */
  discardMessage(): void {
    for (const step of this.undo.reverse()) step();
    this.undo = [];
    this.writes = {};
  }

  /** The routing writes of the message apply() was last called for, to commit with its outcome. */
  messageWrites(): RoutingWrites {
    return this.writes;
  }

  async apply(entries: Entry[], channel: string, decoded: DecodedMessage, now = Date.now()): Promise<Entry[]> {
    this.routed = new Map();
    this.writes = {};
    this.undo = [];
    if (!this.enabled) return entries;
    // Places past every document of the message, and past every one that failed, so a split part's delivery key is its own.
    let nextIndex = decoded.documents.reduce((n, d) => Math.max(n, d.index + 1), 0) + decoded.errors.length;
    const out: Entry[] = [];
    for (const entry of entries) {
      const doc = entry.document;
      if (doc.type === 'shipment' && doc.orderNumber && doc.facility) {
        out.push(entry);
        const target = await this.routedOrderOf(doc.tenant, doc.orderNumber);
        const rest = target && await this.afterOutcome(doc.tenant, target, now, (d, part) => shortOf(part ?? d.assignments.find((a) => a.facility === doc.facility), doc.facility, doc));
        if (!rest) await this.releaseAt(doc.tenant, target?.orderKey ?? `order:${doc.orderNumber}`, doc.facility);
        for (const part of rest?.parts ?? []) out.push({ ...entry, index: nextIndex++, document: this.remainder(doc, part, rest!) });
        continue;
      }
      if (doc.type === 'acknowledgment' && doc.status === 'rejected' && doc.acknowledges.documentType === 'sales_order' && doc.acknowledges.reference) {
        out.push(entry);
        const facilityOf = (d: RoutingDecision) => (d.assignments.find((a) => a.endpoint === channel) ?? (d.assignments.length === 1 ? d.assignments[0] : undefined))?.facility;
        const target = await this.routedOrderOf(doc.tenant, doc.acknowledges.reference);
        const rest = target && await this.afterOutcome(doc.tenant, target, now, (d, part) => {
          const facility = part?.facility ?? facilityOf(d);
          return facility ? { facility, kind: 'rejected', why: doc.errors[0]?.message } : undefined;
        });
        for (const part of rest?.parts ?? []) out.push({ ...entry, index: nextIndex++, document: this.remainder(doc, part, rest!) });
        continue;
      }
      if (doc.type !== 'sales_order' || !needsRouting(doc)) { out.push(entry); continue; }
      const order = doc as SalesOrder & CanonicalDocument;
      const before = await this.routingOf(doc.tenant, doc.entityKey);
      const previous = before?.record.decision as (RoutingDecision & { order?: SalesOrder; history?: Array<RoutingDecision & { outcome?: FacilityOutcome }> }) | undefined;
      const ctx = {
        config: this.config, now, tenant: doc.tenant, channel,
        // The order's own holding is free for its new version.
        available: await this.available(doc.tenant, now), reserved: await this.reserved(doc.tenant, before?.reservations ?? []),
      };
      // A new version of an order already sent stays where it was sent: routed afresh, it could go to a second warehouse.
      const kept = previous && this.config.onChange === 'keep' ? keepSites(order, previous, ctx) : undefined;
      const decision = kept ?? routeOrder(order, ctx);
      const reservations = reservationsOf(decision).map((r) => ({ facility: r.facility, sku: r.sku, quantity: r.quantity.toFixed() }));
      const history = kept && previous?.history ? { history: previous.history } : {};
      await this.put(doc.tenant, { orderKey: doc.entityKey, status: decision.status, facility: decision.facility ?? null, decision: { ...decision, order, ...history }, decidedAt: now }, reservations, ctx.reserved, before);
      const parts = ordersFor(order, decision);
      if (!parts.length) {
        // Held or unroutable: the order is kept with its decision and goes nowhere until it is routed.
        out.push({ ...entry, document: { ...order, extensions: { ...order.extensions, routing: decision } } as CanonicalDocument });
        continue;
      }
      for (const [i, part] of parts.entries()) {
        const split = parts.length > 1;
        const document = { ...part, id: split ? `${doc.id}-${part.facility}` : doc.id, entityKey: split ? entityKeyFor(part) ?? doc.entityKey : doc.entityKey } as CanonicalDocument;
        this.routed.set(document.id, { tenant: doc.tenant, orderKey: doc.entityKey, before });
        // The first part keeps the order's place in the message; the others take places after the message's own.
        out.push({ ...entry, index: i === 0 ? entry.index : nextIndex++, document });
      }
    }
    return out;
  }

  /**
   * What the rules' verdicts make of the stock routing reserved, for the message's outcome. An
   * order routed by this message that does not go out (held, refused, stale) gives back what its
   * routing took: a first version lets go of its part's stock; a change or a copy of an order
   * routed before puts that order's decision and reservations back as they were, since the order
   * the warehouse has stands. A held order released and sent holds its part's lines again.
   */
  afterRules(decided: readonly RuledDocument[]): RoutingWrites | undefined {
    if (!this.enabled) return undefined;
    const w: RoutingWrites = {};
    for (const { document: doc, decision, released } of decided) {
      if (doc.type !== 'sales_order' || !doc.facility) continue;
      if (released) {
        const routing = (doc.extensions as { routing?: RoutingDecision } | undefined)?.routing;
        if (decision.verdict !== 'apply' || !routing?.assignments) continue;
        const part = routing.assignments.find((a) => a.facility === doc.facility);
        if (!part) continue;
        const base = routing.assignments.length > 1 ? doc.orderNumber.slice(0, -(doc.facility.length + 1)) : doc.orderNumber;
        const reservations = reservationsOf({ ...routing, assignments: [part] }).map((r) => ({ facility: r.facility, sku: r.sku, quantity: r.quantity.toFixed() }));
        (w.reserve ??= []).push({ tenant: doc.tenant, orderKey: `order:${base}`, facility: doc.facility, reservations });
        this.retake(doc.tenant, reservations);
        continue;
      }
      const routed = this.routed.get(doc.id);
      if (!routed || decision.verdict === 'apply') continue;
      if (!routed.before) {
        (w.release ??= []).push({ tenant: routed.tenant, orderKey: routed.orderKey, facility: doc.facility });
        this.restage(routed.tenant, routed.orderKey, (s) => ({ ...s, reservations: s.reservations.filter((r) => r.facility !== doc.facility) }));
      } else if (!w.restore?.some((r) => r.tenant === routed.tenant && r.orderKey === routed.orderKey)) {
        (w.restore ??= []).push({ tenant: routed.tenant, orderKey: routed.orderKey, record: routed.before.record, reservations: routed.before.reservations });
        this.restage(routed.tenant, routed.orderKey, (s) => ({ ...s, record: routed.before!.record, reservations: routed.before!.reservations }));
      }
    }
    return w.release || w.restore || w.reserve ? w : undefined;
  }

  /**
   * The routed order an order number names: the order itself, or one part of a split order
   * (`SO-1-CHI`, or the number a re-routed part kept), found on the order it was split from.
   */
  private async routedOrderOf(tenant: string, orderNumber: string): Promise<RoutedOrder | undefined> {
    const own = await this.routingOf(tenant, `order:${orderNumber}`);
    if (own) return { orderKey: `order:${orderNumber}`, before: own };
    // A part's number ends in the facility it was first sent to: only those orders are read.
    for (const facility of Object.keys(this.config.facilities)) {
      if (!orderNumber.endsWith(`-${facility}`)) continue;
      const base = orderNumber.slice(0, -(facility.length + 1));
      const before = await this.routingOf(tenant, `order:${base}`);
      const decision = before?.record.decision as RoutingDecision | undefined;
      const part = decision?.assignments.find((a) => partNumberOf(base, decision, a) === orderNumber);
      if (before && part) return { orderKey: `order:${base}`, before, part };
    }
    return undefined;
  }

  /**
   * A warehouse rejected its part of a routed order, or closed it short: route what remains again,
   * away from it, and keep the new decision with what the order now holds. A split order's other
   * parts stay where they are: the decision kept holds them as they were, with the part's
   * remainder routed again under the part's own number. Undefined when nothing remains.
   */
  private async afterOutcome(tenant: string, target: RoutedOrder, now: number, outcomeOf: (d: RoutingDecision, part: Assignment | undefined) => FacilityOutcome | undefined): Promise<Rerouted | undefined> {
    const { orderKey, before } = target;
    const record = before.record;
    const { order, ...previous } = record.decision as RoutingDecision & { order: SalesOrder };
    const found = outcomeOf(previous, target.part);
    if (!found || (found.kind === 'short' && !found.lines.length)) return undefined;
    const part = target.part ?? (previous.assignments.length > 1 ? previous.assignments.find((a) => a.facility === found.facility) : undefined);
    const partNumber = part && partNumberOf(order.orderNumber, previous, part);
    const outcome: FacilityOutcome = partNumber ? { ...found, part: partNumber } : found;
    const earlier = ((record.decision as { history?: Array<{ outcome: FacilityOutcome }> }).history ?? []).map((h) => h.outcome);
    // A site that rejected the order, or shipped a SKU of it short, is not asked again.
    const exclude = earlier.flatMap((o): Exclusion[] => (o.kind === 'rejected'
      ? [{ facility: o.facility, why: `rejected the order${o.why ? `: ${o.why}` : ''}` }]
      : o.lines.map((l) => ({ facility: o.facility, sku: l.sku, why: 'shipped short' }))));
    const ctx = { config: this.config, now, tenant, channel: order.source?.endpoint, available: await this.available(tenant, now), reserved: await this.reserved(tenant, before.reservations), exclude };
    const { decision } = reroute(order, part ? { ...previous, assignments: [part] } : previous, outcome, ctx);
    // What the order still holds: its other parts as they were, and the new decision's.
    const others = previous.assignments.filter((a) => (part ? a !== part : a.facility !== outcome.facility));
    const kept = reservationsOf({ ...previous, assignments: others });
    const reservations = [...kept, ...reservationsOf(decision)].map((r) => ({ facility: r.facility, sku: r.sku, quantity: r.quantity.toFixed() }));
    const stored = partNumber ? withOtherParts(order.orderNumber, previous, others, partNumber, decision) : decision;
    const history = [...((record.decision as { history?: unknown[] }).history ?? []), { ...previous, outcome }];
    await this.put(tenant, { orderKey, status: stored.status, facility: stored.facility ?? null, decision: { ...stored, order, history }, decidedAt: now }, reservations, ctx.reserved, before);
    // The part's remainder keeps the part's number and ledger: the order's other parts are not touched.
    const sent = partNumber ? { ...order, orderNumber: partNumber, entityKey: `order:${partNumber}` } : order;
    return { tenant, orderKey, outcome, parts: ordersFor(sent, decision) };
  }

  /** A part of what was routed again, as the document that goes on: marked as the open rest of the order, and settled by the rules' verdict like any routed order. */
  private remainder(cause: CanonicalDocument, part: SalesOrder, rest: Rerouted): CanonicalDocument {
    const routing = { ...(part.extensions?.routing as RoutingDecision), remainderOf: { facility: rest.outcome.facility, outcome: rest.outcome.kind, ...(rest.outcome.part ? { part: rest.outcome.part } : {}) } };
    const document = { ...part, id: `${cause.id}-reroute-${part.facility}`, extensions: { ...part.extensions, routing } } as CanonicalDocument;
    // Not passed on, it lets go of what it took at its new site; the site it left is done with it either way.
    this.routed.set(document.id, { tenant: rest.tenant, orderKey: rest.orderKey, before: null });
    return document;
  }

  /** The order's routing as this batch sees it: staged, else stored. */
  private async routingOf(tenant: string, orderKey: string): Promise<Routing | null> {
    const staged = this.staged.get(stagedKey(tenant, orderKey));
    if (staged) return staged.record ? { record: staged.record, reservations: staged.reservations } : null;
    const record = await this.store.getRouting(tenant, orderKey);
    return record ? { record, reservations: await this.store.orderReservations(tenant, orderKey) } : null;
  }

  /**
   * Stages the order's decision and what it holds, and writes it into the message's routing writes
   * with what other orders held where it takes more than it held, for the store's check at commit.
   */
  private async put(tenant: string, record: RoutingRecord, reservations: StockReservation[], held: ReadonlyMap<string, Big>, before: Routing | null): Promise<void> {
    const own = totals(before?.reservations ?? []);
    const othersHeld = [...totals(reservations)].filter(([key, q]) => q.gt(own.get(key) ?? 0)).map(([key]) => {
      const [facility, sku] = key.split('\u0000') as [string, string];
      return { facility, sku, quantity: (held.get(key) ?? new Big(0)).toFixed() };
    });
    (this.writes.put ??= []).push({ tenant, record, reservations, othersHeld });
    await this.stage(tenant, record.orderKey, () => ({ record, reservations }), before);
  }

  /** A shipment at the facility: the order holds nothing there any more. */
  private async releaseAt(tenant: string, orderKey: string, facility: string): Promise<void> {
    (this.writes.release ??= []).push({ tenant, orderKey, facility });
    await this.stage(tenant, orderKey, (s) => ({ ...s, reservations: s.reservations.filter((r) => r.facility !== facility) }));
  }

  /** known: the order's routing as routingOf just read it. */
  private async stage(tenant: string, orderKey: string, next: (s: Pick<Staged, 'record' | 'reservations'>) => Pick<Staged, 'record' | 'reservations'>, known?: Routing | null): Promise<void> {
    const key = stagedKey(tenant, orderKey);
    if (!this.staged.has(key)) {
      const stored = known !== undefined ? known : await this.routingOf(tenant, orderKey);
      const reservations = stored?.reservations ?? [];
      this.staged.set(key, { tenant, record: stored?.record ?? null, reservations, stored: reservations });
      this.undo.push(() => this.staged.delete(key));
    }
    this.restage(tenant, orderKey, next);
  }

  /** Changes what an order staged in this batch holds (a no-op for one not staged). */
  private restage(tenant: string, orderKey: string, next: (s: Pick<Staged, 'record' | 'reservations'>) => Pick<Staged, 'record' | 'reservations'>): void {
    const key = stagedKey(tenant, orderKey);
    const was = this.staged.get(key);
    if (!was) return;
    this.staged.set(key, { ...was, ...next(was) });
    this.undo.push(() => this.staged.set(key, was));
  }

  private retake(tenant: string, reservations: StockReservation[]): void {
    const list = this.retaken.get(tenant) ?? [];
    this.retaken.set(tenant, [...list, ...reservations]);
    this.undo.push(() => this.retaken.set(tenant, list));
  }

  private async available(tenant: string, now: number): Promise<Map<string, Big>> {
    const hit = this.atp.get(tenant);
    if (hit && now - hit.at < AVAILABILITY_TTL_MS && now >= hit.at) return hit.available;
    const available = new Map((await this.availability(tenant, now)).map((a) => [stockKey(a.facility, a.sku), new Big(a.available)]));
    this.atp.set(tenant, { at: now, available });
    return available;
  }

  /**
   * What orders hold, by facility and SKU, less `holds` (what the order being routed holds, as
   * routingOf read it): the store's, with the batch's staged routing in place of what those orders
   * hold there.
   */
  private async reserved(tenant: string, holds: readonly StockReservation[]): Promise<Map<string, Big>> {
    const out = new Map<string, Big>();
    const add = (rows: readonly StockReservation[], sign: 1 | -1) => {
      for (const r of rows) {
        const key = stockKey(r.facility, r.sku);
        out.set(key, (out.get(key) ?? new Big(0)).plus(sign === 1 ? r.quantity : new Big(r.quantity).neg()));
      }
    };
    add(await this.store.reservations(tenant), 1);
    add(this.retaken.get(tenant) ?? [], 1);
    for (const s of this.staged.values()) {
      if (s.tenant !== tenant) continue;
      add(s.stored, -1);
      add(s.reservations, 1);
    }
    add(holds, -1);
    return out;
  }
}

type Routing = { record: RoutingRecord; reservations: StockReservation[] };

/** An order number's routed order: its key and routing, and the part it names when it names one part of a split order. */
interface RoutedOrder {
  orderKey: string;
  before: Routing;
  part?: Assignment;
}

/**
 * A split order's decision once one part was routed again: the other parts as they were, and what
 * the part's remainder went to, each under the number it went out under. When the remainder went
 * nowhere (unroutable, held), the order says so, with the reason naming the part.
 */
function withOtherParts(orderNumber: string, previous: RoutingDecision, others: Assignment[], partNumber: string, rerouted: RoutingDecision): RoutingDecision {
  const numbered = (d: RoutingDecision, n: string) => (a: Assignment): Assignment => ({ ...a, orderNumber: partNumberOf(n, d, a) });
  const assignments = [...others.map(numbered(previous, orderNumber)), ...rerouted.assignments.map(numbered(rerouted, partNumber))];
  const backordered = assignments.some((a) => a.lines.some((l) => new Big(l.backordered).gt(0)));
  const status = !rerouted.assignments.length ? rerouted.status : backordered ? 'backordered' : assignments.length > 1 ? 'split' : 'routed';
  return { ...rerouted, status, facility: assignments[0]?.facility, assignments, reason: `part ${partNumber}: ${rerouted.reason}` };
}

/** An order's routing staged by the batch: as it stands now, and what it held in the store. */
interface Staged {
  tenant: string;
  record: RoutingRecord | null;
  reservations: StockReservation[];
  stored: StockReservation[];
}

const stagedKey = (tenant: string, orderKey: string) => `${tenant}\u0000${orderKey}`;

function totals(rows: readonly StockReservation[]): Map<string, Big> {
  const out = new Map<string, Big>();
  for (const r of rows) {
    const key = stockKey(r.facility, r.sku);
    out.set(key, (out.get(key) ?? new Big(0)).plus(r.quantity));
  }
  return out;
}

/** What afterOutcome routed again: the parts that go on, and the routing they replaced. */
interface Rerouted {
  tenant: string;
  orderKey: string;
  outcome: FacilityOutcome;
  parts: SalesOrder[];
}

/** A closing shipment that shipped less than its site's part of the routed order: the shortfall, per line. */
function shortOf(part: Assignment | undefined, facility: string, shipment: Extract<CanonicalDocument, { type: 'shipment' }>): FacilityOutcome | undefined {
  if (!shipment.complete || !part || part.facility !== facility) return undefined;
  const lines = part.lines.flatMap((l) => {
    const shipped = shipment.lines.filter((s) => String(s.lineNumber) === l.lineNumber || (s.lineNumber === undefined && s.sku === l.sku))
      .reduce((n, s) => n.plus(s.quantity), new Big(0));
    const short = new Big(l.quantity).minus(l.backordered).minus(shipped);
    return short.gt(0) ? [{ lineNumber: l.lineNumber, sku: l.sku, quantity: short.toFixed() }] : [];
  });
  return { facility, kind: 'short', lines };
}
