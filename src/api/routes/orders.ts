import type { z } from 'zod';
import type { EngineFacade } from '../../engine/index.ts';
import type { InboundSummary, InboundView, OrderSummary, OrderView } from '../../engine/orders.ts';
import { findOperation } from '../find-operation.ts';
import { keyedListOperation, timeWindow } from '../list-operation.ts';
import type { BodySpec, Operation } from '../operation.ts';
import { holdRequest, inboundParams, listInboundQuery, listOrdersQuery, orderParams } from '../schemas.ts';

const iso = (at: number) => new Date(at).toISOString();

function presentSummary(o: OrderSummary) {
  return { orderNumber: o.orderNumber, status: o.status, facility: o.facility, updatedAt: iso(o.updatedAt), stuck: o.stuck.map((s) => ({ rule: s.rule, since: s.since, reason: s.reason })) };
}

function presentOrder(o: OrderView) {
  const sent: Record<string, string> = { state: o.sent.state };
  for (const k of ['routedAt', 'sentAt', 'endpoint'] as const) if (o.sent[k] !== undefined) sent[k] = o.sent[k]!;
  return {
    ...presentSummary(o), lines: o.lines, sent, holds: o.holds, held: o.held,
    events: o.events.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

function presentInbound(i: InboundSummary) {
  return { reference: i.reference, status: i.status, facility: i.facility, updatedAt: iso(i.updatedAt) };
}

function presentInboundView(i: InboundView) {
  return { ...presentInbound(i), lines: i.lines, holds: i.holds, held: i.held, events: i.events.map((e) => ({ ...e, at: iso(e.at) })) };
}

/**
 * One ledger's operations (orders, expected inbound): its list by key, one entry with everything decided
 * against it, and the operator's hold and release of it. A 404 when the tenant has no such entry.
 */
function ledgerOperations<P extends z.ZodObject, Q extends z.ZodObject, S, V>(l: {
  /** The list's path; an entry's is this and its key, `{orderNumber}`. */
  path: string; key: string; params: P; ref(p: z.output<P>): string;
  /** operationIds: listOrders, getOrder...; the response components: Order, OrderList. */
  many: string; one: 'Order' | 'Inbound'; what: string; items: string;
  summaries: { list: string; get: string; hold: string; release: string };
  descriptions?: { list?: string; hold?: string };
  query: Q; list(tenant: string, query: z.output<Q>): Promise<S[]>; presentSummary(s: S): object; listKey(s: S): string;
  get(tenant: string, ref: string): Promise<V | undefined>;
  hold(tenant: string, ref: string, hold: { reason: string; by: string }): Promise<V | undefined>;
  release(tenant: string, ref: string, by: string): Promise<V | undefined>;
  present(v: V): object;
}): Operation[] {
  const entry = `${l.path}/{${l.key}}`;
  const onEntry = <B extends BodySpec | undefined = undefined>(op: Pick<Operation, 'method' | 'path' | 'operationId' | 'summary' | 'description'> & {
    body?: B; ok: string; find: Parameters<typeof findOperation<P, V, B>>[0]['find'];
  }): Operation => {
    const { ok, ...rest } = op;
    return findOperation<P, V, B>({
      ...rest, tag: 'Orders', params: l.params,
      ok: { 200: { description: ok, schema: l.one } },
      missing: { description: `No such ${l.what} for this tenant`, detail: (p) => `no ${l.what} ${l.ref(p)} for this tenant` },
      respond: (c, v) => c.json(l.present(v)),
    });
  };
  return [
    keyedListOperation({
      path: l.path, operationId: `list${l.many}`, tag: 'Orders', summary: l.summaries.list,
      ...(l.descriptions?.list ? { description: l.descriptions.list } : {}),
      query: l.query, items: l.items, schema: `${l.one}List`,
      list: (tenant, query) => l.list(tenant, query), present: l.presentSummary, key: l.listKey,
    }),
    onEntry({
      method: 'get', path: entry, operationId: `get${l.one}`, summary: l.summaries.get,
      ok: `The ${l.what}`,
      find: (c, { params }) => l.get(c.get('tenant'), l.ref(params)),
    }),
    onEntry({
      method: 'post', path: `${entry}/hold`, operationId: `hold${l.one}`, summary: l.summaries.hold,
      ...(l.descriptions?.hold ? { description: l.descriptions.hold } : {}),
      body: { kind: 'json', schema: holdRequest, component: 'HoldRequest' },
      ok: `The ${l.what}, held`,
      find: (c, { params, body }) => l.hold(c.get('tenant'), l.ref(params), { reason: body.reason, by: c.get('keyName') }),
    }),
    onEntry({
      method: 'post', path: `${entry}/release`, operationId: `release${l.one}`, summary: l.summaries.release,
      ok: `The ${l.what}, released`,
      find: (c, { params }) => l.release(c.get('tenant'), l.ref(params), c.get('keyName')),
    }),
  ];
}

/** Orders and expected inbound as the rules' ledgers know them, and the operator's holds. */
export function orderOperations(engine: EngineFacade): Operation[] {
  return [
    ...ledgerOperations({
      path: '/v1/orders', key: 'orderNumber', params: orderParams, ref: (p) => p.orderNumber, many: 'Orders', one: 'Order', what: 'order', items: 'orders',
      summaries: {
        list: 'Sales orders by state across the ERP and the warehouse, by order number',
        get: 'One order\'s ledger: its state, lines ordered, shipped and open, and every document decided against it',
        hold: 'Hold an order: it is not sent to the warehouse (nor are its changes) until released',
        release: 'Release an order\'s holds (the warehouse\'s own excepted); what waited for the release is processed again, in arrival order',
      },
      descriptions: { list: 'from and to filter on when the order\'s ledger last changed. status=stuck lists orders not acknowledged in time or not shipped by their requested date.' },
      query: listOrdersQuery, list: (tenant, query) => engine.listOrders(tenant, timeWindow(query)), presentSummary, listKey: (o) => `order:${o.orderNumber}`,
      get: (tenant, ref) => engine.order(tenant, ref),
      hold: (tenant, ref, hold) => engine.holdOrder(tenant, ref, hold),
      release: (tenant, ref, by) => engine.releaseOrder(tenant, ref, by),
      present: presentOrder,
    }),
    ...ledgerOperations({
      path: '/v1/inbound', key: 'reference', params: inboundParams, ref: (p) => p.reference, many: 'Inbound', one: 'Inbound', what: 'inbound', items: 'inbound',
      summaries: {
        list: 'Expected inbound (purchase orders, ASNs) against receipts, by reference',
        get: 'One expected inbound: lines expected, received, damaged and open, and every document decided against it',
        hold: 'Hold expected inbound: no version of the purchase order is sent to the warehouse until released',
        release: 'Release expected inbound; the versions that waited are processed again, in arrival order, and only the newest goes',
      },
      descriptions: { hold: 'It may be held before it arrives. One already sent stays at the warehouse; its later versions wait.' },
      query: listInboundQuery, list: (tenant, query) => engine.listInbound(tenant, timeWindow(query)), presentSummary: presentInbound, listKey: (i) => `inbound:${i.reference}`,
      get: (tenant, ref) => engine.inbound(tenant, ref),
      hold: (tenant, ref, hold) => engine.holdInbound(tenant, ref, hold),
      release: (tenant, ref, by) => engine.releaseInbound(tenant, ref, by),
      present: presentInboundView,
    }),
  ];
}
