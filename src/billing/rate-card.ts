import Big from 'big.js';
import { z } from 'zod';
import { USAGE_KINDS } from './usage.ts';

// The rate card of each client (config `billing.tenants.<tenant>`): a price per unit of each usage
// kind, optionally in volume bands within a period, and a monthly minimum.

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal as a string, e.g. "0.25"');
const decimalLike = z.union([decimal, z.number().nonnegative().transform((n) => String(n))]).pipe(decimal);

const tier = z.object({
  upTo: decimalLike.optional().meta({ description: 'This band covers the period\'s quantity up to here (inclusive); the last band has none' }),
  price: decimalLike.meta({ description: 'Price per unit within this band' }),
}).strict();

const rate = z.union([
  decimalLike.transform((price) => ({ tiers: [{ price }] })),
  z.object({ tiers: z.array(tier).min(1).meta({ description: 'Volume bands, graduated: each unit is priced at the band it falls in' }) }).strict(),
]).superRefine((r, ctx) => {
  const tiers = r.tiers as Array<{ upTo?: string; price: string }>;
  tiers.forEach((t, i) => {
    const last = i === tiers.length - 1;
    if (last && t.upTo !== undefined) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'the last band has no upper bound' });
    if (!last && t.upTo === undefined) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: 'every band but the last needs upTo' });
    const prev = tiers[i - 1]?.upTo;
    if (i > 0 && prev !== undefined && t.upTo !== undefined && !new Big(t.upTo).gt(prev)) {
      ctx.addIssue({ code: 'custom', path: ['tiers', i, 'upTo'], message: `bands must rise: ${t.upTo} is not above ${prev}` });
    }
  });
});

export const rateCardSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code, e.g. EUR').default('EUR'),
  decimals: z.number().int().min(0).max(6).default(2).meta({ description: 'Decimals each line\'s amount is rounded to (half up)' }),
  volumeUnit: z.enum(['m3', 'ft3']).default('m3').meta({ description: 'The unit storage_volume_day counts in: cubic metres or cubic feet (from the item master\'s dimensions)' }),
  minimum: decimalLike.optional().meta({ description: 'Monthly minimum: a period billed less gets a line that makes up the difference' }),
  rates: z.record(z.union([z.enum(USAGE_KINDS), z.string().regex(/^service:[A-Za-z0-9_.-]{1,40}$/, `expected a usage kind (${USAGE_KINDS.join(', ')}) or service:<code>`)]), rate).default({})
    .meta({ description: `Price per unit of each usage kind (${USAGE_KINDS.join(', ')}, and service:<code> for each value-added service the warehouse reports): a decimal, or { tiers: [{ upTo, price }, ...] }` }),
}).strict();

export type RateCard = z.infer<typeof rateCardSchema>;
export interface Tier { upTo?: string; price: string }

export const billingSchema = z.object({
  sweepEveryMs: z.number().int().min(0).default(60_000).meta({ description: 'How often applied documents are turned into usage events (0: only when a period is closed)' }),
  tenants: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id'), rateCardSchema).default({})
    .meta({ description: 'The rate card of each client tenant' }),
  sendTo: z.string().min(1).optional()
    .meta({ description: 'Endpoint that receives each closed month\'s invoice as an invoice document (the 3PL\'s own ERP, a webhook, a folder); absent: invoices are only exported', examples: ['erp-invoices'] }),
}).strict();
export type BillingConfig = z.infer<typeof billingSchema>;
/** Invoices the period close sends come from this source. */
export const BILLING_ENDPOINT = 'billing';
export const DEFAULT_BILLING_CONFIG: BillingConfig = { sweepEveryMs: 60_000, tenants: {} };
