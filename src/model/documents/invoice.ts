import { z } from 'zod';
import { envelopeShape, nonNegativeDecimal } from '../common.ts';

/**
 * A 3PL's invoice to one client for one month, as the period close rated it: sent to the 3PL's
 * own ERP (config `billing.sendTo`), which bills the client. Each line names the usage events it
 * came from, so the ERP can show the client what was billed and why.
 */
export const invoice = z.strictObject({
  type: z.literal('invoice'),
  ...envelopeShape,
  client: z.string().min(1).max(63).meta({ description: 'The client tenant billed' }),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).meta({ description: 'The calendar month billed, UTC', examples: ['2026-11'] }),
  currency: z.string().regex(/^[A-Z]{3}$/).meta({ description: 'ISO 4217 currency code', examples: ['EUR'] }),
  total: nonNegativeDecimal,
  closedAt: z.iso.datetime({ offset: true }),
  lines: z.array(z.strictObject({
    line: z.number().int().positive(),
    kind: z.string().min(1).max(120).meta({ description: 'The usage kind (order, storage_pallet_day, service:<code>) or minimum' }),
    tier: z.number().int().nonnegative().meta({ description: '1-based band of the kind\'s tiers; 0 for the minimum' }),
    quantity: nonNegativeDecimal,
    rate: nonNegativeDecimal.meta({ description: 'Price per unit' }),
    amount: nonNegativeDecimal,
    usageKeys: z.array(z.string()).default([]).meta({ description: 'Keys of the usage events the line billed (shipment:<number>, storage:<facility>:<day>); none for the minimum' }),
  })),
});
export type Invoice = z.infer<typeof invoice>;
