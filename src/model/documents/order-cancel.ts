import { z } from 'zod';
import { envelopeShape, facility, lineNumber, positiveDecimal, sku, uom, documentNumber } from '../common.ts';

export const orderCancel = z.strictObject({
  type: z.literal('order_cancel'),
  ...envelopeShape,
  orderNumber: documentNumber,
  facility: facility.optional(),
  reason: z.string().max(500).optional(),
  lines: z.array(z.strictObject({ lineNumber, sku: sku.optional(), quantity: positiveDecimal.optional(), uom: uom.optional() }))
    .default([]).meta({ description: 'Lines to cancel; empty cancels the whole order' }),
  orderLines: z.array(z.strictObject({ lineNumber, sku, quantity: positiveDecimal, uom })).optional()
    .meta({ description: 'Set by the rules on a whole-order cancel they forward: the order\'s lines still open then, for formats that must name lines (an X12 940 cancel). `lines` stays empty: the whole order is cancelled' }),
});
export type OrderCancel = z.infer<typeof orderCancel>;
