import { z } from 'zod';
import { address, carrier, decimal, facility, isoDate, lineNumber, party, positiveDecimal, sku, uom, documentNumber, lotCode } from '../common.ts';
import { envelopeShape } from '../common.ts';

export const salesOrderLine = z.strictObject({
  lineNumber,
  sku,
  description: z.string().max(500).optional(),
  gtin: z.string().max(64).optional(),
  quantity: positiveDecimal,
  uom,
  lot: lotCode.optional().meta({ description: 'A specific lot the customer asked for' }),
  unitPrice: decimal.optional(),
  customerSku: z.string().max(128).optional(),
});

export const salesOrder = z.strictObject({
  type: z.literal('sales_order'),
  ...envelopeShape,
  orderNumber: documentNumber,
  purpose: z.enum(['original', 'replace']).default('original').meta({ description: 'A replace supersedes an order the warehouse already has' }),
  customerOrderNumber: z.string().max(80).optional().meta({ description: 'The customer\'s own PO number' }),
  facility: facility.optional().meta({ description: 'Shipping facility; routing rules pick one when absent' }),
  depositor: z.string().max(80).optional().meta({ description: 'The 3PL\'s client whose stock this is' }),
  customer: party.optional(),
  shipTo: address,
  billTo: address.optional(),
  carrier: carrier.optional(),
  requestedShipDate: isoDate.optional(),
  requestedDeliveryDate: isoDate.optional(),
  cancelAfter: isoDate.optional(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  dropShip: z.boolean().default(false),
  notes: z.array(z.string().max(500)).default([]),
  lines: z.array(salesOrderLine).min(1, 'an order needs at least one line'),
});
export type SalesOrder = z.infer<typeof salesOrder>;

/**
 * The ERP's reference of the backorder a sales order is, if it is one: the open rest of an order
 * after a partial shipment, which the ERP opened as a record of its own (Tryton's backorder
 * shipment) and sends under the same order number, marked `extensions.backorder.reference`. Its
 * lines are what is left to ship, not a new version of the order. A cancel or a status of that
 * backorder is marked the same way.
 */
export function backorderReference(order: Pick<SalesOrder, 'extensions'>): string | undefined {
  const reference = (order.extensions as { backorder?: { reference?: unknown } } | undefined)?.backorder?.reference;
  return typeof reference === 'string' && reference !== '' ? reference : undefined;
}
