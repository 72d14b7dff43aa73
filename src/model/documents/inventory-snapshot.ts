import { z } from 'zod';
import { envelopeShape, facility, isoDate, nonNegativeDecimal, decimal, sku, timestamp, uom, lotCode } from '../common.ts';

export const inventoryPosition = z.strictObject({
  sku,
  lot: lotCode.optional(),
  status: z.string().min(1).max(40).default('available').meta({ description: 'Inventory status: available, hold, damaged, quarantine, ...' }),
  uom,
  onHand: nonNegativeDecimal,
  allocated: nonNegativeDecimal.default('0'),
  available: decimal.optional().meta({ description: 'On hand less allocated; computed when absent' }),
  expiryDate: isoDate.optional(),
});

export const inventorySnapshot = z.strictObject({
  type: z.literal('inventory_snapshot'),
  ...envelopeShape,
  facility,
  depositor: z.string().max(80).optional(),
  reportNumber: z.string().max(80).optional().meta({ description: 'The sender\'s number for this report (X12 BIA-03)' }),
  asOf: timestamp.meta({ description: 'The moment the counts are true for' }),
  scope: z.enum(['full', 'partial']).default('full').meta({ description: 'A full snapshot implies zero for every position it does not list' }),
  positions: z.array(inventoryPosition),
});
export type InventorySnapshot = z.infer<typeof inventorySnapshot>;
