import { z } from 'zod';
import { carrier, envelopeShape, facility, isoDate, lineNumber, lotQuantity, measure, party, positiveDecimal, sku, timestamp, uom, documentNumber, lotCode } from '../common.ts';

export const purchaseOrderLine = z.strictObject({
  lineNumber,
  sku,
  description: z.string().max(500).optional(),
  quantity: positiveDecimal,
  uom,
  lots: z.array(lotQuantity).default([]),
  serials: z.array(documentNumber).default([]),
  vendorSku: z.string().max(128).optional(),
});

/** Expected inbound: a purchase order, a transfer on its way, or an ASN with what is on the truck. */
export const purchaseOrder = z.strictObject({
  type: z.literal('purchase_order'),
  ...envelopeShape,
  poNumber: documentNumber,
  kind: z.enum(['purchase', 'transfer', 'asn']).default('purchase'),
  facility,
  depositor: z.string().max(80).optional(),
  supplier: party.optional(),
  expectedDate: isoDate.optional(),
  asn: z.strictObject({
    asnNumber: documentNumber,
    shippedAt: timestamp.optional(),
    carrier: carrier.optional(),
    trackingNumbers: z.array(z.string().max(80)).default([]),
    billOfLading: z.string().max(80).optional(),
    proNumber: z.string().max(80).optional().meta({ description: 'The carrier\'s own shipment reference (PRO number; X12 N9/REF CN)' }),
    containers: z.array(z.strictObject({
      sscc: z.string().regex(/^\d{18}$/, 'expected an 18-digit SSCC').optional(),
      trackingNumber: z.string().max(80).optional(),
      weight: measure.optional(),
      lines: z.array(z.strictObject({ lineNumber, sku, quantity: positiveDecimal, uom, lot: lotCode.optional() })).default([]),
    })).default([]),
  }).optional(),
  lines: z.array(purchaseOrderLine).min(1, 'expected inbound needs at least one line'),
});
export type PurchaseOrder = z.infer<typeof purchaseOrder>;
