import { z } from 'zod';
import { address, carrier, envelopeShape, facility, lineNumber, lotQuantity, measure, nonNegativeDecimal, positiveDecimal, sku, timestamp, uom, valueAddedService, documentNumber, lotCode } from '../common.ts';

export const shipmentLine = z.strictObject({
  lineNumber,
  sku,
  quantity: nonNegativeDecimal.meta({ description: 'Shipped in this shipment' }),
  uom,
  orderedQuantity: nonNegativeDecimal.optional(),
  lots: z.array(lotQuantity).default([]),
  serials: z.array(documentNumber).default([]),
});

export const shipmentPackage = z.strictObject({
  sscc: z.string().regex(/^\d{18}$/, 'expected an 18-digit SSCC').optional(),
  trackingNumber: z.string().max(80).optional(),
  weight: measure.optional(),
  dimensions: z.strictObject({ length: positiveDecimal, width: positiveDecimal, height: positiveDecimal, unit: z.string().min(1).max(8) }).optional(),
  lines: z.array(z.strictObject({ lineNumber, sku, quantity: positiveDecimal, uom, lot: lotCode.optional() })).default([]),
});

/** Outbound shipment confirmation: partial (more to come) or complete. */
export const shipment = z.strictObject({
  type: z.literal('shipment'),
  ...envelopeShape,
  shipmentNumber: documentNumber,
  orderNumber: documentNumber,
  facility,
  depositor: z.string().max(80).optional(),
  shippedAt: timestamp,
  complete: z.boolean().default(true).meta({ description: 'False for a partial shipment: the rest is backordered or follows' }),
  carrier: carrier.optional(),
  shipTo: address.optional(),
  trackingNumbers: z.array(z.string().max(80)).default([]),
  billOfLading: z.string().max(80).optional(),
  proNumber: z.string().max(80).optional(),
  totalWeight: measure.optional(),
  packages: z.array(shipmentPackage).default([]),
  lines: z.array(shipmentLine).min(1),
  pallets: z.number().int().min(0).optional().meta({ description: 'Pallets (license plates) shipped' }),
  services: z.array(valueAddedService).optional().meta({ description: 'Value-added services the warehouse performed on this order (kitting, labelling, gift wrap)' }),
});
export type Shipment = z.infer<typeof shipment>;

/**
 * When a shipment left, in epoch ms, as precisely as its document tells: `shippedAt` when it
 * gives the time to the second, else `occurredAt`. A warehouse's own API stamps shippedAt to the
 * second or better; an X12 945 gives it to the minute (G62 HHMM) or only the day (W06), and then
 * the envelope's time (occurredAt), which follows the shipping, is the better of the two.
 */
export function shippedAtMs(shippedAt: string | null | undefined, occurredAtMs: number): number {
  const seconds = shippedAt ? /T\d\d:\d\d:(\d\d)(?:\.(\d+))?/.exec(shippedAt) : null;
  if (!seconds || (seconds[1] === '00' && !/[1-9]/.test(seconds[2] ?? ''))) return occurredAtMs;
  const ms = Date.parse(shippedAt!);
  return Number.isNaN(ms) ? occurredAtMs : ms;
}
