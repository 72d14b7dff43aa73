import { z } from 'zod';
import { envelopeShape, measure, positiveDecimal, sku, uom } from '../common.ts';

export const item = z.strictObject({
  type: z.literal('item'),
  ...envelopeShape,
  sku,
  description: z.string().max(500).optional(),
  category: z.string().max(120).optional(),
  barcodes: z.array(z.strictObject({
    kind: z.enum(['GTIN', 'UPC', 'EAN', 'SKU', 'OTHER']).default('GTIN'),
    value: z.string().min(1).max(64),
    uom: uom.optional().meta({ description: 'The unit this barcode identifies (an each, a case)' }),
  })).default([]),
  baseUom: uom.meta({ description: 'Unit that stock is counted in; every conversion is to this unit' }),
  conversions: z.array(z.strictObject({
    uom,
    factor: positiveDecimal.meta({ description: 'How many base units one of this unit holds' }),
  })).default([]),
  dimensions: z.strictObject({ length: positiveDecimal, width: positiveDecimal, height: positiveDecimal, unit: z.string().min(1).max(8) }).optional()
    .meta({ description: 'One base unit\'s dimensions, unit mm, cm, dm, m, in or ft; a 3PL bills storage by cubic volume from them' }),
  weight: measure.optional(),
  unitsPerPallet: positiveDecimal.optional().meta({ description: 'Base units one pallet position holds; a 3PL bills storage by pallet from it' }),
  lotTracked: z.boolean().default(false),
  serialTracked: z.boolean().default(false),
  shelfLifeDays: z.number().int().nonnegative().optional(),
  active: z.boolean().default(true),
});
export type Item = z.infer<typeof item>;
