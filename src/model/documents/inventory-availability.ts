import { z } from 'zod';
import { decimal, envelopeShape, facility, nonNegativeDecimal, sku, timestamp, uom } from '../common.ts';

/**
 * Available-to-promise of one SKU at one facility: what a shop or the ERP may still sell. It is a
 * different number from on hand, on purpose: the field is called `available`, and on hand travels
 * beside it only as context, so a mapping cannot send one where the other was meant without
 * naming it.
 */
export const inventoryAvailability = z.strictObject({
  type: z.literal('inventory_availability'),
  ...envelopeShape,
  facility,
  sku,
  uom,
  available: decimal.meta({ description: 'On hand less allocated, on hold, quarantined and the safety buffer; may be negative when oversold' }),
  onHand: nonNegativeDecimal.meta({ description: 'Context only: never publish this where available was meant' }),
  allocated: nonNegativeDecimal,
  onHold: nonNegativeDecimal.meta({ description: 'On hold and quarantined stock, which cannot be promised' }),
  safetyBuffer: nonNegativeDecimal.meta({ description: 'Held back per SKU or category by config' }),
  asOf: timestamp.meta({ description: 'The moment the warehouse position it was computed from holds for' }),
});
export type InventoryAvailability = z.infer<typeof inventoryAvailability>;
