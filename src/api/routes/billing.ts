import { z } from 'zod';
import { invoiceCsv, PERIOD } from '../../billing/index.ts';
import { BillingError, type EngineFacade, type Invoice } from '../../engine/index.ts';
import type { UsageEventRow } from '../../store/index.ts';
import { operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { before, limit } from '../schemas.ts';

/** A page of items, newest first, with the id the next page starts below (null on the last page). */
const pageOf = <T>(items: T[], size: number | undefined, next: (last: T) => number) =>
  ({ items, nextBefore: items.length === (size ?? 100) && items.length ? next(items.at(-1)!) : null });

// Billing a 3PL's client: close a month, read its invoice as JSON or CSV, and trace each invoice
// line back to the usage events and the documents that caused it (docs/3pl.md, "Billing").

const period = z.string().regex(PERIOD, 'expected a month, YYYY-MM').meta({ description: 'The billing period: a calendar month (UTC), YYYY-MM', examples: ['2026-11'] });
const periodParams = z.object({ period });
const lineParams = z.object({ period, line: z.coerce.number().int().positive().meta({ description: 'The invoice line\'s number, from 1' }) });

const invoiceLine = z.object({
  line: z.number().int(),
  kind: z.string().meta({ description: 'The usage kind billed (order, order_line, order_unit, package, receipt, receipt_line, receipt_unit, return, return_line, return_unit), or minimum' }),
  tier: z.number().int().meta({ description: 'The volume band of the kind\'s rate, from 1; 0 for the minimum' }),
  quantity: z.string().meta({ description: 'Exact decimal' }),
  unitPrice: z.string(),
  amount: z.string().meta({ description: 'Quantity × unit price, rounded half up to the card\'s decimals' }),
});
const invoiceSchema = z.object({
  tenant: z.string(), period: z.string(), currency: z.string(), total: z.string(), closedAt: z.string(), lines: z.array(invoiceLine),
});
const usageEvent = z.object({
  id: z.number().int(), key: z.string().meta({ description: 'The source record, e.g. shipment:SH-1; one event per key and kind' }), kind: z.string(), quantity: z.string(),
  facility: z.string(), occurredAt: z.string(), documentId: z.string(), messageId: z.number().int(), recordedAt: z.string(),
});

const presentInvoice = (i: Invoice) => ({ tenant: i.tenant, period: i.period, currency: i.currency, total: i.total, closedAt: new Date(i.closedAt).toISOString(), lines: i.lines });
const presentEvent = (e: UsageEventRow) => ({
  id: e.id, key: e.key, kind: e.kind, quantity: e.quantity, facility: e.facility, occurredAt: new Date(e.occurredAt).toISOString(),
  documentId: e.documentId, messageId: e.messageId, recordedAt: new Date(e.recordedAt).toISOString(),
});

function problemOf(e: unknown): never {
  if (e instanceof BillingError) {
    if (e.code === 'busy') throw new ApiProblem(503, 'busy', e.message, undefined, { headers: { 'retry-after': '5' } });
    throw new ApiProblem(422, e.code, e.message, [{ code: e.code.toUpperCase().replace(/-/g, '_'), path: e.code === 'no-rate-card' ? '$.billing.tenants' : 'path.period', message: e.message }]);
  }
  throw e;
}

export function billingOperations(engine: EngineFacade) {
  const notClosed = (p: string) => new ApiProblem(404, 'not-found', `period ${p} is not closed`);
  return [
    operation({
      method: 'post', path: '/v1/billing/periods/{period}/close', operationId: 'closeBillingPeriod', tag: 'Billing', scope: 'operate',
      summary: 'Close a month: rate the client\'s usage and keep the invoice lines',
      description: 'Usage recorded so far is swept first; every unbilled event before the month\'s end is rated with the client\'s rate card (config billing.tenants). '
        + 'A closed period never changes: closing it again answers the same lines. Usage of the month that arrives after the close is billed by the next close.',
      params: periodParams,
      responses: {
        200: { description: 'The invoice (closedNow says whether this call closed it)', schema: invoiceSchema.extend({ closedNow: z.boolean(), unpriced: z.array(z.string()), unmeasured: z.array(z.string()).meta({ description: 'SKUs in storage the item master gives no dimensions or units per pallet for: not billed by volume or pallet' }) }) },
        422: { description: 'The month has not ended, or the client has no rate card', schema: 'Problem' },
      },
      async handle(c, { params }) {
        const closed = await engine.billing.close(c.get('tenant'), params.period).catch(problemOf);
        return c.json({ ...presentInvoice(closed), closedNow: closed.closedNow, unpriced: closed.unpriced, unmeasured: closed.unmeasured });
      },
    }),
    operation({
      method: 'get', path: '/v1/billing/periods/{period}/invoice', operationId: 'getInvoice', tag: 'Billing',
      summary: 'A closed period\'s invoice lines, as JSON or CSV',
      params: periodParams,
      query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      responses: { 200: { description: 'The invoice', schema: invoiceSchema }, 404: { description: 'The period is not closed', schema: 'Problem' } },
      async handle(c, { params, query }) {
        const invoice = await engine.billing.invoice(c.get('tenant'), params.period);
        if (!invoice) throw notClosed(params.period);
        if (query.format === 'csv') {
          return new Response(invoiceCsv(invoice), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="invoice-${invoice.tenant}-${invoice.period}.csv"` } });
        }
        return c.json(presentInvoice(invoice));
      },
    }),
    operation({
      method: 'get', path: '/v1/billing/periods/{period}/lines/{line}/events', operationId: 'listInvoiceLineEvents', tag: 'Billing',
      summary: 'The usage events an invoice line billed, each with the document and message it came from',
      description: 'Every event of the line\'s kind the close billed (all of a kind\'s bands together), newest first; none for the minimum.',
      params: lineParams,
      query: z.object({ limit, before }),
      responses: { 200: { description: 'The line and a page of its events', schema: z.object({ line: invoiceLine, items: z.array(usageEvent), nextBefore: z.number().nullable() }) }, 404: { description: 'No such line', schema: 'Problem' } },
      async handle(c, { params, query }) {
        const found = await engine.billing.lineEvents(c.get('tenant'), params.period, params.line, query);
        if (!found) throw new ApiProblem(404, 'not-found', `period ${params.period} has no line ${params.line}`);
        return c.json({ line: found.line, ...pageOf(found.events.map(presentEvent), query.limit, (e) => e.id) });
      },
    }),
  ];
}
