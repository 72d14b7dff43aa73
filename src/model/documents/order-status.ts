import { z } from 'zod';
import { envelopeShape, facility, lineNumber, nonNegativeDecimal, sku, uom, documentNumber } from '../common.ts';

export const ORDER_STATUSES = ['received', 'released', 'allocated', 'picked', 'packed', 'shipped', 'backordered', 'cancelled', 'on_hold'] as const;

export const orderStatus = z.strictObject({
  type: z.literal('order_status'),
  ...envelopeShape,
  orderNumber: documentNumber,
  facility: facility.optional(),
  status: z.enum(ORDER_STATUSES),
  reason: z.string().max(500).optional(),
  lines: z.array(z.strictObject({ lineNumber, sku: sku.optional(), status: z.enum(ORDER_STATUSES), quantity: nonNegativeDecimal.optional(), uom: uom.optional() })).default([]),
});
export type OrderStatus = z.infer<typeof orderStatus>;
