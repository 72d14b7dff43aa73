import type { EngineFacade } from '../../engine/index.ts';
import type { InboundSummary, InboundView, OrderSummary, OrderView } from '../../engine/orders.ts';
import { operation, type Operation } from '../operation.ts';
import { notFound } from '../problems.ts';
import { holdRequest, inboundParams, listInboundQuery, listOrdersQuery, orderParams } from '../schemas.ts';

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const iso = (at: number) => new Date(at).toISOString();
const noOrder = (n: string) => notFound(`no order ${n} for this tenant`);

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

const noInbound = (reference: string) => notFound(`no inbound ${reference} for this tenant`);

const nextAfter = <T>(items: T[], limit: number | undefined, key: (t: T) => string) => (items.length >= (limit ?? 100) && items.length > 0 ? key(items[items.length - 1]!) : null);

/** Orders and expected inbound as the rules' ledgers know them, and the operator's holds. */
export function orderOperations(engine: EngineFacade): Operation[] {
  return [
    operation({
      method: 'get', path: '/v1/orders', operationId: 'listOrders', tag: 'Orders',
      summary: 'Sales orders by state across the ERP and the warehouse, by order number',
      description: 'from and to filter on when the order\'s ledger last changed. status=stuck lists orders not acknowledged in time or not shipped by their requested date.',
      query: listOrdersQuery,
      responses: { 200: { description: 'A page of orders', schema: 'OrderList' }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const items = await engine.listOrders(c.get('tenant'), { status: query.status, facility: query.facility, from: ms(query.from), to: ms(query.to), limit: query.limit, after: query.after });
        return c.json({ items: items.map(presentSummary), nextAfter: nextAfter(items, query.limit, (o) => `order:${o.orderNumber}`) });
      },
    }),
    operation({
      method: 'get', path: '/v1/orders/{orderNumber}', operationId: 'getOrder', tag: 'Orders',
      summary: 'One order\'s ledger: its state, lines ordered, shipped and open, and every document decided against it',
      params: orderParams,
      responses: { 200: { description: 'The order', schema: 'Order' }, 404: { description: 'No such order for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const o = await engine.order(c.get('tenant'), params.orderNumber);
        if (!o) throw noOrder(params.orderNumber);
        return c.json(presentOrder(o));
      },
    }),
    operation({
      method: 'post', path: '/v1/orders/{orderNumber}/hold', operationId: 'holdOrder', tag: 'Orders',
      summary: 'Hold an order: it is not sent to the warehouse (nor are its changes) until released',
      params: orderParams,
      body: { kind: 'json', schema: holdRequest, component: 'HoldRequest' },
      responses: { 200: { description: 'The order, held', schema: 'Order' }, 404: { description: 'No such order for this tenant', schema: 'Problem' } },
      async handle(c, { params, body }) {
        const o = await engine.holdOrder(c.get('tenant'), params.orderNumber, { reason: body.reason, by: c.get('keyName') });
        if (!o) throw noOrder(params.orderNumber);
        return c.json(presentOrder(o));
      },
    }),
    operation({
      method: 'post', path: '/v1/orders/{orderNumber}/release', operationId: 'releaseOrder', tag: 'Orders',
      summary: 'Release an order\'s holds (the warehouse\'s own excepted); what waited for the release is processed again, in arrival order',
      params: orderParams,
      responses: { 200: { description: 'The order, released', schema: 'Order' }, 404: { description: 'No such order for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const o = await engine.releaseOrder(c.get('tenant'), params.orderNumber, c.get('keyName'));
        if (!o) throw noOrder(params.orderNumber);
        return c.json(presentOrder(o));
      },
    }),
    operation({
      method: 'get', path: '/v1/inbound', operationId: 'listInbound', tag: 'Orders',
      summary: 'Expected inbound (purchase orders, ASNs) against receipts, by reference',
      query: listInboundQuery,
      responses: { 200: { description: 'A page of inbound', schema: 'InboundList' }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const items = await engine.listInbound(c.get('tenant'), { status: query.status, facility: query.facility, from: ms(query.from), to: ms(query.to), limit: query.limit, after: query.after });
        return c.json({ items: items.map(presentInbound), nextAfter: nextAfter(items, query.limit, (i) => `inbound:${i.reference}`) });
      },
    }),
    operation({
      method: 'get', path: '/v1/inbound/{reference}', operationId: 'getInbound', tag: 'Orders',
      summary: 'One expected inbound: lines expected, received, damaged and open, and every document decided against it',
      params: inboundParams,
      responses: { 200: { description: 'The inbound', schema: 'Inbound' }, 404: { description: 'No such inbound for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const i: InboundView | undefined = await engine.inbound(c.get('tenant'), params.reference);
        if (!i) throw noInbound(params.reference);
        return c.json(presentInboundView(i));
      },
    }),
    operation({
      method: 'post', path: '/v1/inbound/{reference}/hold', operationId: 'holdInbound', tag: 'Orders',
      summary: 'Hold expected inbound: no version of the purchase order is sent to the warehouse until released',
      description: 'It may be held before it arrives. One already sent stays at the warehouse; its later versions wait.',
      params: inboundParams,
      body: { kind: 'json', schema: holdRequest, component: 'HoldRequest' },
      responses: { 200: { description: 'The inbound, held', schema: 'Inbound' } },
      async handle(c, { params, body }) {
        const i = await engine.holdInbound(c.get('tenant'), params.reference, { reason: body.reason, by: c.get('keyName') });
        if (!i) throw noInbound(params.reference);
        return c.json(presentInboundView(i));
      },
    }),
    operation({
      method: 'post', path: '/v1/inbound/{reference}/release', operationId: 'releaseInbound', tag: 'Orders',
      summary: 'Release expected inbound; the versions that waited are processed again, in arrival order, and only the newest goes',
      params: inboundParams,
      responses: { 200: { description: 'The inbound, released', schema: 'Inbound' }, 404: { description: 'No such inbound for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const i = await engine.releaseInbound(c.get('tenant'), params.reference, c.get('keyName'));
        if (!i) throw noInbound(params.reference);
        return c.json(presentInboundView(i));
      },
    }),
  ];
}
