import { z } from 'zod';
import { decimal, envelopeShape, facility, sku, uom, documentNumber, lotCode } from '../common.ts';

export const ADJUSTMENT_REASONS = ['cycle_count', 'damage', 'found', 'lost', 'status_change', 'receipt_correction', 'shrinkage', 'expired', 'quality_hold', 'reconciliation', 'other'] as const;

export const inventoryAdjustment = z.strictObject({
  type: z.literal('inventory_adjustment'),
  ...envelopeShape,
  adjustmentNumber: documentNumber,
  facility,
  depositor: z.string().max(80).optional(),
  lines: z.array(z.strictObject({
    sku,
    lot: lotCode.optional(),
    quantity: decimal.meta({ description: 'Signed change: negative takes stock away' }),
    uom,
    reason: z.enum(ADJUSTMENT_REASONS),
    fromStatus: z.string().max(40).optional(),
    toStatus: z.string().max(40).optional(),
    serials: z.array(documentNumber).default([]),
    note: z.string().max(500).optional(),
  })).min(1),
});
export type InventoryAdjustment = z.infer<typeof inventoryAdjustment>;
