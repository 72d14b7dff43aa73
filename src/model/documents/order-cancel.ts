import { z } from 'zod';
import { envelopeShape, facility, lineNumber, positiveDecimal, sku, uom } from '../common.ts';

export const orderCancel = z.object({
  type: z.literal('order_cancel'),
  ...envelopeShape,
  orderNumber: z.string().min(1).max(80),
  facility: facility.optional(),
  reason: z.string().max(500).optional(),
  lines: z.array(z.object({ lineNumber, sku: sku.optional(), quantity: positiveDecimal.optional(), uom: uom.optional() }))
    .default([]).meta({ description: 'Lines to cancel; empty cancels the whole order' }),
});
export type OrderCancel = z.infer<typeof orderCancel>;
