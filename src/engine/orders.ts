import { entityKeys } from '../model/index.ts';
import { LedgerConflict, type LedgerRow, type LedgerStore, type PipelineStore, type VerdictRow } from '../store/index.ts';
import {
  holdInbound as holdInboundLedger, holdOrder as holdLedger, inboundLineStates, releaseInbound as releaseInboundLedger, orderLineStates, releaseOrder as releaseLedger,
  type Effect, type InboundLedger, type InboundLineState, type Ledger, type OrderLedger, type OrderLineState, type RulesPolicy, type StuckOrder,
} from './rules/index.ts';
import { ledgerWriteOf, stuckOf, syncSent } from './rules-step.ts';

/**
 * The order and inbound ledgers as the API and the command line read them, and the operator's
 * holds. The ledgers are written by the rules step; here they are only read, or moved on through
 * the rules' own functions (holdOrder, releaseOrder) with the same version check.
 */

type Store = LedgerStore & Pick<PipelineStore, 'listDeliveries' | 'requeueMessages' | 'deliveriesOfDocument'>;

export type OrderListStatus = 'open' | 'partially_shipped' | 'shipped' | 'cancelled' | 'held' | 'closed' | 'stuck';

export interface LedgerFilterOf {
  status?: OrderListStatus;
  facility?: string;
  /** Updated at or after / before, epoch ms. */
  from?: number;
  to?: number;
  limit?: number;
  after?: string;
}

export interface OrderSummary {
  orderNumber: string;
  status: string;
  facility: string | null;
  updatedAt: number;
  stuck: StuckOrder[];
}

export interface LedgerEvent {
  at: number;
  documentType: string;
  documentId: string;
  messageId: number;
  verdict: string;
  rule: string;
  reason: string;
}

export interface OrderView extends OrderSummary {
  lines: OrderLineState[];
  sent: OrderLedger['send'];
  holds: OrderLedger['holds'];
  held: Array<{ documentId: string; documentType: string; waitingFor: string; reason: string; heldAt: string }>;
  events: LedgerEvent[];
}

export interface InboundSummary {
  reference: string;
  status: string;
  facility: string | null;
  updatedAt: number;
}

export interface InboundView extends InboundSummary {
  lines: InboundLineState[];
  holds: NonNullable<InboundLedger['holds']>;
  held: OrderView['held'];
  events: LedgerEvent[];
}

/** Live ledgers read per statement while looking for stuck orders. */
const STUCK_SCAN = 1000;

/** States of an order that can still get stuck. */
const LIVE = ['open', 'partially_shipped', 'held'];

export async function listOrders(store: Store, tenant: string, filter: LedgerFilterOf, policy: RulesPolicy, now: number): Promise<OrderSummary[]> {
  const stuckOnly = filter.status === 'stuck';
  const limit = filter.limit ?? 100;
  const out: OrderSummary[] = [];
  let after = filter.after;
  // Stuck is decided on read (it depends on the time): live orders are read page by page until the page is full.
  for (;;) {
    const rows = await store.listLedgers({
      tenant, kind: 'order', status: stuckOnly ? LIVE : filter.status ? [filter.status] : undefined,
      // Only those whose stuck time has come (the row keeps it), read a thousand at a time; the rules confirm each.
      facility: filter.facility, from: filter.from, to: filter.to, after, limit: stuckOnly ? STUCK_SCAN : limit, stuckBy: stuckOnly ? now : undefined,
    });
    for (const row of rows) {
      const summary = summaryOf(row, policy, now);
      if (summary && (!stuckOnly || summary.stuck.length > 0)) out.push(summary);
      if (out.length >= limit) return out;
    }
    if (!stuckOnly || rows.length < STUCK_SCAN) return out;
    after = rows[rows.length - 1]!.entityKey;
  }
}

function summaryOf(row: LedgerRow, policy: RulesPolicy, now: number): OrderSummary | undefined {
  const ledger = row.body as Ledger;
  if (ledger.kind !== 'order' || !ledger.known) return undefined;
  return { orderNumber: ledger.orderNumber, status: row.status, facility: row.facility, updatedAt: row.updatedAt, stuck: stuckOf([row], policy, now) };
}

export async function getOrder(store: Store, tenant: string, orderNumber: string, policy: RulesPolicy, now: number): Promise<OrderView | undefined> {
  const key = entityKeys.order(orderNumber);
  const [row] = await store.getLedgers(tenant, [key]);
  if (!row || (row.body as Ledger).kind !== 'order') return undefined;
  const ledger = await syncSent(store, tenant, row.body as OrderLedger);
  return {
    orderNumber: ledger.orderNumber, status: row.status, facility: row.facility, updatedAt: row.updatedAt, stuck: stuckOf([{ ...row, body: ledger }], policy, now),
    lines: orderLineStates(ledger), sent: ledger.send, holds: ledger.holds, held: heldOf(ledger),
    events: eventsOf(await store.listVerdicts(tenant, { entityKey: key })),
  };
}

export async function listInbound(store: Store, tenant: string, filter: Omit<LedgerFilterOf, 'status'> & { status?: string }): Promise<InboundSummary[]> {
  const rows = await store.listLedgers({ tenant, kind: 'inbound', status: filter.status ? [filter.status] : undefined, facility: filter.facility, from: filter.from, to: filter.to, after: filter.after, limit: filter.limit });
  return rows.filter((r) => (r.body as InboundLedger).known).map((r) => ({ reference: r.reference, status: r.status, facility: r.facility, updatedAt: r.updatedAt }));
}

export async function getInbound(store: Store, tenant: string, reference: string): Promise<InboundView | undefined> {
  const [row] = await store.getLedgers(tenant, [entityKeys.inbound(reference)]);
  if (!row || (row.body as Ledger).kind !== 'inbound') return undefined;
  const ledger = row.body as InboundLedger;
  return {
    reference: ledger.reference, status: row.status, facility: row.facility, updatedAt: row.updatedAt, lines: inboundLineStates(ledger), holds: ledger.holds ?? [], held: heldOf(ledger),
    events: eventsOf(await store.listVerdicts(tenant, { entityKey: row.entityKey })),
  };
}

/**
 * What an operator's hold and release need of one kind of ledger: its entity key, the rules' own
 * hold and release, and the view answered after the move.
 */
interface Holdable<L extends OrderLedger | InboundLedger, V> {
  kind: L['kind'];
  key(ref: string): string;
  hold(ledger: L | undefined, entity: { entityKey: string; ref: string }, hold: { reason: string; at: string }): L;
  release(ledger: L, release: { by: string; at: string }): { ledger: L; effects: Effect[] };
  view(store: Store, tenant: string, ref: string, policy: RulesPolicy, now: number): Promise<V | undefined>;
}

const ORDERS: Holdable<OrderLedger, OrderView> = {
  kind: 'order',
  key: entityKeys.order,
  hold: (ledger, { entityKey, ref }, hold) => holdLedger(ledger, { entityKey, orderNumber: ref }, { by: 'operator', ...hold }),
  release: releaseLedger,
  view: getOrder,
};

const INBOUND: Holdable<InboundLedger, InboundView> = {
  kind: 'inbound',
  key: entityKeys.inbound,
  hold: (ledger, { entityKey, ref }, hold) => holdInboundLedger(ledger, { entityKey, reference: ref }, hold),
  release: releaseInboundLedger,
  view: (store, tenant, ref) => getInbound(store, tenant, ref),
};

/**
 * An operator holds an order: it is not sent to the warehouse until released (one already sent
 * stays there; its later changes wait). Undefined when the tenant has no such order.
 */
export function holdOrder(store: Store, tenant: string, orderNumber: string, hold: { reason: string; by: string }, policy: RulesPolicy, now: number): Promise<OrderView | undefined> {
  return holdEntry(ORDERS, store, tenant, orderNumber, hold, policy, now);
}

/**
 * An operator releases an order's holds (all but the warehouse's own); the documents that waited
 * for the release are processed again, in their arrival order, through their messages.
 */
export function releaseOrder(store: Store, tenant: string, orderNumber: string, by: string, policy: RulesPolicy, now: number): Promise<OrderView | undefined> {
  return releaseEntry(ORDERS, store, tenant, orderNumber, by, policy, now);
}

/**
 * An operator holds expected inbound: no version of the purchase order goes to the warehouse until
 * released (one already sent stays there; its later versions wait). It may be held before it arrives.
 */
export function holdInbound(store: Store, tenant: string, reference: string, hold: { reason: string; by: string }, policy: RulesPolicy, now: number): Promise<InboundView | undefined> {
  return holdEntry(INBOUND, store, tenant, reference, hold, policy, now);
}

/** An operator releases expected inbound; the versions that waited are processed again, in arrival order, through their messages. */
export function releaseInbound(store: Store, tenant: string, reference: string, by: string, policy: RulesPolicy, now: number): Promise<InboundView | undefined> {
  return releaseEntry(INBOUND, store, tenant, reference, by, policy, now);
}

/** A hold names who asked for it in its reason; it may come before the entity does. */
function holdEntry<L extends OrderLedger | InboundLedger, V>(
  k: Holdable<L, V>, store: Store, tenant: string, ref: string, hold: { reason: string; by: string }, policy: RulesPolicy, now: number,
): Promise<V | undefined> {
  const entityKey = k.key(ref);
  return moveLedger<L, V>(store, tenant, entityKey, k.kind, policy, now, true, async (ledger) => ({
    ledger: k.hold(ledger, { entityKey, ref }, { reason: `${hold.reason} (${hold.by})`, at: new Date(now).toISOString() }),
    released: [],
  }), () => k.view(store, tenant, ref, policy, now), `${k.kind} ${ref}`);
}

function releaseEntry<L extends OrderLedger | InboundLedger, V>(
  k: Holdable<L, V>, store: Store, tenant: string, ref: string, by: string, policy: RulesPolicy, now: number,
): Promise<V | undefined> {
  return moveLedger<L, V>(store, tenant, k.key(ref), k.kind, policy, now, false, async (ledger) => {
    if (!ledger) return { ledger, released: [] };
    const r = k.release(ledger, { by, at: new Date(now).toISOString() });
    return { ledger: r.ledger, released: await messagesOf(store, tenant, r.effects) };
  }, () => k.view(store, tenant, ref, policy, now), `${k.kind} ${ref}`);
}

/**
 * An operator's hold or release on one order or inbound: the move is decided on the ledger as
 * stored and written on its version, taken again when another worker moved the ledger meanwhile;
 * what the release lets go is processed again through its messages. Undefined when the tenant has
 * no such entity (a hold may come before it; a release needs something to release).
 */
async function moveLedger<L extends OrderLedger | InboundLedger, V>(
  store: Store, tenant: string, entityKey: string, kind: L['kind'], policy: RulesPolicy, now: number, beforeItComes: boolean,
  move: (ledger: L | undefined) => Promise<{ ledger: L | undefined; released: number[] }>, view: () => Promise<V | undefined>, what: string,
): Promise<V | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [row] = await store.getLedgers(tenant, [entityKey]);
    if (row && (row.body as Ledger).kind !== kind) return undefined;
    if (!beforeItComes && !row) return undefined;
    const { ledger, released } = await move(row?.body as L | undefined);
    try {
      if (ledger && ledger !== row?.body) await store.writeRules({ ledgers: [ledgerWriteOf(tenant, ledger, row?.version ?? 0, policy, 0)] }, now);
    } catch (e) {
      if (e instanceof LedgerConflict) continue;
      throw e;
    }
    if (released.length) await store.requeueMessages(tenant, released, now);
    return view();
  }
  throw new Error(`${what} kept changing while it was being held or released; try again`);
}

/** The messages of the documents a release lets go, once each. */
async function messagesOf(store: Store, tenant: string, effects: Effect[]): Promise<number[]> {
  const ids = effects.flatMap((e) => (e.kind === 'release_held' ? e.documentIds : []));
  const docs = await store.getDocuments(tenant, ids);
  return [...new Set(ids.map((id) => docs.find((d) => d.id === id)?.messageId).filter((m): m is number => m !== undefined))];
}

function heldOf(ledger: OrderLedger | InboundLedger): OrderView['held'] {
  return ledger.parked.map((p) => ({ documentId: p.documentId, documentType: p.documentType, waitingFor: p.waitingFor, reason: p.reason, heldAt: p.heldAt }));
}

function eventsOf(verdicts: VerdictRow[]): LedgerEvent[] {
  return verdicts.map((v) => ({ at: v.createdAt, documentType: v.documentType, documentId: v.documentId, messageId: v.messageId, verdict: v.verdict, rule: v.rule, reason: v.reason }));
}
