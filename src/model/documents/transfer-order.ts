import { z } from 'zod';
import { envelopeShape, facility, isoDate, lineNumber, positiveDecimal, sku, uom, documentNumber, lotCode } from '../common.ts';

export const transferOrder = z.strictObject({
  type: z.literal('transfer_order'),
  ...envelopeShape,
  transferNumber: documentNumber,
  fromFacility: facility,
  toFacility: facility,
  shipDate: isoDate.optional(),
  lines: z.array(z.strictObject({ lineNumber, sku, quantity: positiveDecimal, uom, lot: lotCode.optional() })).min(1),
});
export type TransferOrder = z.infer<typeof transferOrder>;
