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

type OneOp<P extends z.ZodObject, T, B extends BodySpec | undefined> = Pick<Operation, 'method' | 'path' | 'operationId' | 'summary' | 'description'> & {
  body?: B;
  /** The 200's description. */
  ok: string;
  find: Parameters<typeof findOperation<P, T, B>>[0]['find'];
};

/**
 * Operations on one entry of a ledger the path names (an order, an expected inbound): a 404 when the
 * tenant has no such entry, else the entry as it now stands.
 */
function onLedgerEntry<P extends z.ZodObject, T>(params: P, schema: 'Order' | 'Inbound', what: string, key: (p: z.output<P>) => string, present: (t: T) => object) {
  return <B extends BodySpec | undefined = undefined>({ ok, ...op }: OneOp<P, T, B>): Operation => findOperation<P, T, B>({
    ...op, tag: 'Orders', params,
    ok: { 200: { description: ok, schema } },
    missing: { description: `No such ${what} for this tenant`, detail: (p) => `no ${what} ${key(p)} for this tenant` },
    respond: (c, t) => c.json(present(t)),
  });
}

const ofOrder = onLedgerEntry(orderParams, 'Order', 'order', (p) => p.orderNumber, presentOrder);
const ofInbound = onLedgerEntry(inboundParams, 'Inbound', 'inbound', (p) => p.reference, presentInboundView);

/** Orders and expected inbound as the rules' ledgers know them, and the operator's holds. */
export function orderOperations(engine: EngineFacade): Operation[] {
  return [
    keyedListOperation({
      path: '/v1/orders', operationId: 'listOrders', tag: 'Orders',
      summary: 'Sales orders by state across the ERP and the warehouse, by order number',
      description: 'from and to filter on when the order\'s ledger last changed. status=stuck lists orders not acknowledged in time or not shipped by their requested date.',
      query: listOrdersQuery, items: 'orders', schema: 'OrderList',
      list: (tenant, query) => engine.listOrders(tenant, timeWindow(query)),
      present: presentSummary,
      key: (o) => `order:${o.orderNumber}`,
    }),
    ofOrder({
      method: 'get', path: '/v1/orders/{orderNumber}', operationId: 'getOrder',
      summary: 'One order\'s ledger: its state, lines ordered, shipped and open, and every document decided against it',
      ok: 'The order',
      find: (c, { params }) => engine.order(c.get('tenant'), params.orderNumber),
    }),
    ofOrder({
      method: 'post', path: '/v1/orders/{orderNumber}/hold', operationId: 'holdOrder',
      summary: 'Hold an order: it is not sent to the warehouse (nor are its changes) until released',
      body: { kind: 'json', schema: holdRequest, component: 'HoldRequest' },
      ok: 'The order, held',
      find: (c, { params, body }) => engine.holdOrder(c.get('tenant'), params.orderNumber, { reason: body.reason, by: c.get('keyName') }),
    }),
    ofOrder({
      method: 'post', path: '/v1/orders/{orderNumber}/release', operationId: 'releaseOrder',
      summary: 'Release an order\'s holds (the warehouse\'s own excepted); what waited for the release is processed again, in arrival order',
      ok: 'The order, released',
      find: (c, { params }) => engine.releaseOrder(c.get('tenant'), params.orderNumber, c.get('keyName')),
    }),
    keyedListOperation({
      path: '/v1/inbound', operationId: 'listInbound', tag: 'Orders',
      summary: 'Expected inbound (purchase orders, ASNs) against receipts, by reference',
      query: listInboundQuery, items: 'inbound', schema: 'InboundList',
      list: (tenant, query) => engine.listInbound(tenant, timeWindow(query)),
      present: presentInbound,
      key: (i) => `inbound:${i.reference}`,
    }),
    ofInbound({
      method: 'get', path: '/v1/inbound/{reference}', operationId: 'getInbound',
      summary: 'One expected inbound: lines expected, received, damaged and open, and every document decided against it',
      ok: 'The inbound',
      find: (c, { params }) => engine.inbound(c.get('tenant'), params.reference),
    }),
    ofInbound({
      method: 'post', path: '/v1/inbound/{reference}/hold', operationId: 'holdInbound',
      summary: 'Hold expected inbound: no version of the purchase order is sent to the warehouse until released',
      description: 'It may be held before it arrives. One already sent stays at the warehouse; its later versions wait.',
      body: { kind: 'json', schema: holdRequest, component: 'HoldRequest' },
      ok: 'The inbound, held',
      find: (c, { params, body }) => engine.holdInbound(c.get('tenant'), params.reference, { reason: body.reason, by: c.get('keyName') }),
    }),
    ofInbound({
      method: 'post', path: '/v1/inbound/{reference}/release', operationId: 'releaseInbound',
      summary: 'Release expected inbound; the versions that waited are processed again, in arrival order, and only the newest goes',
      ok: 'The inbound, released',
      find: (c, { params }) => engine.releaseInbound(c.get('tenant'), params.reference, c.get('keyName')),
    }),
  ];
}
