import { z } from 'zod';

const code = z.string().min(1).max(80);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM (24-hour)');
const policy = z.enum(['complete', 'split', 'backorder']);

/** A site orders can be routed to: where it serves, what it may hold, when the carrier leaves, where it is. */
export const facilitySchema = z.object({
  endpoint: z.string().min(1).optional().meta({ description: 'Endpoint (the warehouse) that receives the orders routed here; a flow to it by facility carries them' }),
  tenants: z.array(z.string().min(1)).optional().meta({ description: 'Only orders of these tenants (default: every tenant)' }),
  serviceArea: z.object({
    countries: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
    states: z.array(z.string().min(1)).default([]).meta({ description: 'State or province codes, as in shipTo.region' }),
    postalPrefixes: z.array(z.string().min(1)).default([]).meta({ description: 'Postal codes starting with one of these' }),
  }).strict().optional().meta({ description: 'Where it ships to; each list given must match (absent: everywhere)' }),
  hazmat: z.boolean().default(false).meta({ description: 'May store and ship hazardous goods' }),
  coldChain: z.boolean().default(false).meta({ description: 'Has temperature-controlled storage' }),
  cutoff: hhmm.optional().meta({ description: 'The carrier\'s last pick-up, local time: an order routed later ships the next day' }),
  timeZone: z.string().default('UTC').meta({ description: 'IANA time zone of the cut-off, e.g. America/Chicago' }),
  coordinates: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict().optional(),
}).strict();

/** The `routing` section: which facility a sales_order without one (or with `auto`) goes to (docs/routing.md). */
export const routingSchema = z.object({
  facilities: z.record(code, facilitySchema).default({}),
  skus: z.record(z.string().min(1), z.object({
    hazmat: z.boolean().default(false),
    coldChain: z.boolean().default(false),
    onlyAt: z.array(code).optional().meta({ description: 'Stocked only at these facilities' }),
  }).strict()).default({}).meta({ description: 'SKU restrictions' }),
  policy: policy.default('backorder').meta({ description: 'complete: one site that has every line; split: lines across sites; backorder: the best site takes the whole order' }),
  onChange: z.enum(['keep', 'reroute']).default('keep').meta({
    description: 'A new version of an order already sent to a site: keep: it goes to the same sites, what they lack backordered there; reroute: routed again from scratch (it may then go to a second site while the first still has the order)',
  }),
  policyByTenant: z.record(z.string().min(1), policy).default({}),
  policyByChannel: z.record(z.string().min(1), policy).default({}).meta({ description: 'By the order\'s source endpoint; wins over the tenant\'s' }),
  postalCentroids: z.record(z.string().regex(/^[A-Z]{2}:.+$/, 'expected COUNTRY:PREFIX, e.g. "DE:10"'), z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict())
    .default({}).meta({ description: 'Ship-to coordinates by postal-code prefix, longest prefix first, where the bundled US/Canada data has none' }),
}).strict();

export type RoutingConfig = z.infer<typeof routingSchema>;
export type FacilityConfig = z.infer<typeof facilitySchema>;
export type RoutingPolicy = z.infer<typeof policy>;
export const DEFAULT_ROUTING_CONFIG: RoutingConfig = { facilities: {}, skus: {}, policy: 'backorder', onChange: 'keep', policyByTenant: {}, policyByChannel: {}, postalCentroids: {} };
