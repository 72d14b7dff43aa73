import { z } from 'zod';
import { envelopeShape, facility, isoDate, lineNumber, nonNegativeDecimal, party, positiveDecimal, sku, uom, documentNumber, lotCode } from '../common.ts';

export const returnAuthorization = z.strictObject({
  type: z.literal('return_authorization'),
  ...envelopeShape,
  rmaNumber: documentNumber,
  orderNumber: z.string().max(80).optional(),
  facility: facility.optional(),
  customer: party.optional(),
  expectedDate: isoDate.optional(),
  lines: z.array(z.strictObject({ lineNumber, sku, quantity: positiveDecimal, uom, reason: z.string().max(200).optional(), serials: z.array(z.string().max(80)).default([]) })).min(1),
});
export type ReturnAuthorization = z.infer<typeof returnAuthorization>;

export const DISPOSITIONS = ['restock', 'refurbish', 'scrap', 'return_to_vendor', 'quarantine'] as const;

export const returnReceipt = z.strictObject({
  type: z.literal('return_receipt'),
  ...envelopeShape,
  rmaNumber: documentNumber,
  facility,
  lines: z.array(z.strictObject({
    lineNumber: lineNumber.optional(),
    sku,
    quantity: nonNegativeDecimal,
    uom,
    disposition: z.enum(DISPOSITIONS),
    condition: z.string().max(200).optional(),
    lot: lotCode.optional(),
    serials: z.array(z.string().max(80)).default([]),
  })).min(1),
});
export type ReturnReceipt = z.infer<typeof returnReceipt>;
