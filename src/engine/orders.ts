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
 * An operator holds an order: it is not sent to the warehouse until released (one already sent
 * stays there; its later changes wait). Undefined when the tenant has no such order.
 */
export async function holdOrder(store: Store, tenant: string, orderNumber: string, hold: { reason: string; by: string }, policy: RulesPolicy, now: number): Promise<OrderView | undefined> {
  return moveOrder(store, tenant, orderNumber, policy, now, true, async (ledger) => ({
    ledger: holdLedger(ledger, { entityKey: entityKeys.order(orderNumber), orderNumber }, { by: 'operator', reason: `${hold.reason} (${hold.by})`, at: new Date(now).toISOString() }),
    released: [],
  }));
}

/**
 * An operator releases an order's holds (all but the warehouse's own); the documents that waited
 * for the release are processed again, in their arrival order, through their messages.
 */
export async function releaseOrder(store: Store, tenant: string, orderNumber: string, by: string, policy: RulesPolicy, now: number): Promise<OrderView | undefined> {
  return moveOrder(store, tenant, orderNumber, policy, now, false, async (ledger) => {
    if (!ledger) return { ledger, released: [] };
    const r = releaseLedger(ledger, { by, at: new Date(now).toISOString() });
    return { ledger: r.ledger, released: await messagesOf(store, tenant, r.effects) };
  });
}

function moveOrder(
  store: Store, tenant: string, orderNumber: string, policy: RulesPolicy, now: number, beforeItComes: boolean,
  move: (ledger: OrderLedger | undefined) => Promise<{ ledger: OrderLedger | undefined; released: number[] }>,
): Promise<OrderView | undefined> {
  return moveLedger(store, tenant, entityKeys.order(orderNumber), 'order', policy, now, beforeItComes, move,
    () => getOrder(store, tenant, orderNumber, policy, now), `order ${orderNumber}`);
}

/**
 * An operator holds expected inbound: no version of the purchase order goes to the warehouse until
 * released (one already sent stays there; its later versions wait). It may be held before it arrives.
 */
export async function holdInbound(store: Store, tenant: string, reference: string, hold: { reason: string; by: string }, policy: RulesPolicy, now: number): Promise<InboundView | undefined> {
  return moveInbound(store, tenant, reference, policy, now, true, async (ledger) => ({
    ledger: holdInboundLedger(ledger, { entityKey: entityKeys.inbound(reference), reference }, { reason: `${hold.reason} (${hold.by})`, at: new Date(now).toISOString() }),
    released: [],
  }));
}

/** An operator releases expected inbound; the versions that waited are processed again, in arrival order, through their messages. */
export async function releaseInbound(store: Store, tenant: string, reference: string, by: string, policy: RulesPolicy, now: number): Promise<InboundView | undefined> {
  return moveInbound(store, tenant, reference, policy, now, false, async (ledger) => {
    if (!ledger) return { ledger, released: [] };
    const r = releaseInboundLedger(ledger, { by, at: new Date(now).toISOString() });
    return { ledger: r.ledger, released: await messagesOf(store, tenant, r.effects) };
  });
}

function moveInbound(
  store: Store, tenant: string, reference: string, policy: RulesPolicy, now: number, beforeItComes: boolean,
  move: (ledger: InboundLedger | undefined) => Promise<{ ledger: InboundLedger | undefined; released: number[] }>,
): Promise<InboundView | undefined> {
  return moveLedger(store, tenant, entityKeys.inbound(reference), 'inbound', policy, now, beforeItComes, move,
    () => getInbound(store, tenant, reference), `inbound ${reference}`);
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
