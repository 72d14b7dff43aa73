import { z } from 'zod';
import { envelopeShape, facility, isoDate, lineNumber, nonNegativeDecimal, sku, uom, valueAddedService, documentNumber, lotCode } from '../common.ts';

export const receiptLine = z.strictObject({
  lineNumber: lineNumber.optional(),
  sku,
  quantity: nonNegativeDecimal.meta({ description: 'Received in good condition' }),
  uom,
  expectedQuantity: nonNegativeDecimal.optional(),
  damagedQuantity: nonNegativeDecimal.default('0'),
  lot: lotCode.optional(),
  expiryDate: isoDate.optional(),
  serials: z.array(documentNumber).default([]),
  status: z.string().max(40).optional().meta({ description: 'Inventory status the stock was put in (available, hold, ...)' }),
});

export const receipt = z.strictObject({
  type: z.literal('receipt'),
  ...envelopeShape,
  receiptNumber: documentNumber,
  poNumber: z.string().max(80).optional().meta({ description: 'The expected inbound this receipt closes against' }),
  asnNumber: z.string().max(80).optional(),
  facility,
  depositor: z.string().max(80).optional(),
  complete: z.boolean().default(true).meta({ description: 'False while more of the same inbound is still to be received' }),
  lines: z.array(receiptLine).min(1),
  pallets: z.number().int().min(0).optional().meta({ description: 'Pallets (license plates) received' }),
  services: z.array(valueAddedService).optional().meta({ description: 'Value-added services the warehouse performed on this receipt' }),
});
export type Receipt = z.infer<typeof receipt>;
