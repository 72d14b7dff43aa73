import { z } from 'zod';
import { envelopeShape, facility, isoDate, lineNumber, positiveDecimal, sku, uom } from '../common.ts';

export const transferOrder = z.object({
  type: z.literal('transfer_order'),
  ...envelopeShape,
  transferNumber: z.string().min(1).max(80),
  fromFacility: facility,
  toFacility: facility,
  shipDate: isoDate.optional(),
  lines: z.array(z.object({ lineNumber, sku, quantity: positiveDecimal, uom, lot: z.string().max(80).optional() })).min(1),
});
export type TransferOrder = z.infer<typeof transferOrder>;
