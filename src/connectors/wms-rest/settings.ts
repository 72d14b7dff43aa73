import { z } from 'zod';
import type { DocumentType } from '../../model/index.ts';
import { authSchema } from './auth.ts';
import { backorderSuffixError, DEFAULT_BACKORDER_SUFFIX } from './backorders.ts';
import { compileError } from './expressions.ts';
import { profileSchema, READ_TYPES, signatureSchema, type Profile } from './profile.ts';
import { BUILT_IN_PROFILE_NAMES, builtInProfile } from './profiles/index.ts';
import { serviceUrl } from '../../transports/outbound/url.ts';

/** The settings of one `wms-rest` endpoint: one warehouse, spoken to through its profile. */
export const wmsRestSettings = z.object({
  url: serviceUrl.meta({ description: 'The warehouse API\'s root; the profile\'s paths hang below it', examples: ['https://secure-wms.com', 'https://api.shipbob.com'] }),
  profile: z.union([z.enum(BUILT_IN_PROFILE_NAMES), profileSchema]).meta({
    description: `How this WMS's API is spoken: a built-in profile (${BUILT_IN_PROFILE_NAMES.join(', ')}) or a profile written in the config (docs/connectors/wms-rest.md)`,
    examples: ['shipbob'],
  }),
  auth: authSchema.meta({ description: 'api-key, bearer, basic or oauth2 (client credentials, token cached and renewed before it expires)', examples: [{ kind: 'bearer', token: '${SHIPBOB_PAT}' }] }),
  vars: z.record(z.string(), z.string()).default({}).meta({ description: 'The profile\'s variables (customer id, channel id...)', examples: [{ customerId: '17' }] }),
  facilities: z.record(z.string().min(1), z.string().min(1))
    .refine((f) => Object.keys(f).length > 0, { message: 'map at least one facility to the warehouse\'s id of it' })
    .refine((f) => new Set(Object.values(f)).size === Object.values(f).length, { message: 'each warehouse facility may be mapped from one facility only' })
    .meta({ description: 'Facility code -> the warehouse\'s id of that facility (Extensiv FacilityIdentifier.Id, ShipBob fulfillment center id)', examples: [{ DC1: '2' }] }),
  produce: z.array(z.enum(READ_TYPES)).default([]).refine((p) => new Set(p).size === p.length, { message: 'list each document type once' })
    .meta({ description: `Document types read from the warehouse (${READ_TYPES.join(', ')}), each by its own cursor. Empty: the endpoint only takes documents`, examples: [['shipment', 'receipt', 'inventory_snapshot']] }),
  webhook: z.object({
    secret: z.string().min(16, 'a signing secret needs at least 16 characters').optional().meta({ description: 'Secret the warehouse signs its webhooks with; use ${ENV}' }),
    signature: signatureSchema.optional().meta({ description: 'Overrides the profile\'s signature scheme (standard-webhooks, hmac-sha256 in a named header, none)' }),
    toleranceSeconds: z.number().int().positive().max(3600).default(300).meta({ description: 'How far a Standard Webhooks timestamp may be from now' }),
  }).strict().optional().meta({ description: 'Set to take the warehouse\'s webhooks at POST /v1/endpoints/{name}/messages; the reconciliation read runs all the same' }),
  requestsPerMinute: z.number().positive().optional().meta({ description: 'The warehouse\'s request budget for this endpoint; default the profile\'s (ShipBob 150)' }),
  pageSize: z.number().int().min(1).max(1000).default(100).meta({ description: 'Resources per page read (capped at what the API allows)' }),
  pagesPerPoll: z.number().int().min(1).max(100).default(10).meta({ description: 'Pages read per document type in one poll; the rest follow at the next' }),
  overlapMs: z.number().int().min(0).default(300_000).meta({ description: 'Each reconciliation read starts this long before the last change seen, so a change stamped late at the boundary is not missed' }),
  initialLookbackHours: z.number().min(0).default(24).meta({ description: 'How far back the first read of a document type goes' }),
  reconcileEveryMs: z.number().int().min(0).default(60_000).meta({ description: 'How often each document type is read back from the warehouse, events or not' }),
  snapshotEveryMs: z.number().int().min(0).default(900_000).meta({ description: 'How often stock is read for inventory_snapshot' }),
  backorderSuffix: z.string().optional().meta({
    description: `The ERP's backorder of an order goes to the warehouse as an order of its own, its reference the order number and this suffix, {backorder} being the backorder's reference. Default the profile's, else "${DEFAULT_BACKORDER_SUFFIX}"`,
    examples: ['-BO{backorder}'],
  }),
  timeoutMs: z.number().int().positive().max(300_000).default(30_000).meta({ description: 'Time allowed for one call; a call that takes longer fails as retryable' }),
}).strict().superRefine((s, ctx) => {
  const profile = profileOf(s);
  for (const [i, type] of s.produce.entries()) {
    if (!profile.reads[type]) ctx.addIssue({ code: 'custom', path: ['produce', i], message: `profile ${profile.name} cannot read ${type}; it reads ${Object.keys(profile.reads).join(', ') || 'nothing'}` });
  }
  for (const [name, v] of Object.entries(profile.variables)) {
    if (v.default === undefined && s.vars[name] === undefined) ctx.addIssue({ code: 'custom', path: ['vars', name], message: `profile ${profile.name} needs ${name}: ${v.description}` });
  }
  if (s.webhook) {
    if (!profile.events) ctx.addIssue({ code: 'custom', path: ['webhook'], message: `profile ${profile.name} describes no webhooks` });
    const scheme = (s.webhook.signature ?? profile.events?.signature)?.scheme;
    if (scheme && scheme !== 'none' && !s.webhook.secret) ctx.addIssue({ code: 'custom', path: ['webhook', 'secret'], message: `${scheme} signatures need the secret the warehouse signs with` });
  }
  const suffix = s.backorderSuffix ?? profile.records.order?.reference?.backorderSuffix;
  const wrongSuffix = suffix === undefined ? undefined : backorderSuffixError(suffix);
  if (wrongSuffix) ctx.addIssue({ code: 'custom', path: s.backorderSuffix === undefined ? ['profile', 'records', 'order', 'reference', 'backorderSuffix'] : ['backorderSuffix'], message: wrongSuffix });
  if (typeof s.profile === 'object') {
    for (const [path, expression] of expressionsOf(s.profile)) {
      const wrong = compileError(expression);
      if (wrong) ctx.addIssue({ code: 'custom', path: ['profile', ...path], message: `JSONata ${wrong}` });
    }
  }
});

export type WmsRestSettings = z.infer<typeof wmsRestSettings>;

export function profileOf(s: Pick<WmsRestSettings, 'profile'>): Profile {
  return typeof s.profile === 'string' ? builtInProfile(s.profile)! : s.profile;
}

/** The document types the profile's operations apply, as the spec declares them. */
export function writtenTypes(profile: Profile): DocumentType[] {
  const { order, inbound, item } = profile.records;
  const types: DocumentType[] = [];
  if (order?.create) types.push('sales_order');
  if (order?.cancel || inbound?.cancel) types.push('order_cancel');
  if (inbound?.create) types.push('purchase_order');
  if (item?.create) types.push('item');
  if (order?.hold || order?.release) types.push('order_status');
  return types;
}

/** Keys of a profile whose values are JSONata, with where they sit. */
const EXPRESSION_KEYS = new Set(['body', 'items', 'id', 'reference', 'modified', 'documents', 'positions', 'next', 'done', 'resource', 'url', 'field']);

function expressionsOf(value: unknown, path: Array<string | number> = []): Array<[Array<string | number>, string]> {
  if (value === null || typeof value !== 'object') return [];
  const found: Array<[Array<string | number>, string]> = [];
  for (const [key, v] of Object.entries(value)) {
    // A request's query and headers are templates, not expressions, whatever their keys are called.
    if (key === 'query' || key === 'headers') continue;
    if (typeof v === 'string' && EXPRESSION_KEYS.has(key)) found.push([[...path, key], v]);
    else found.push(...expressionsOf(v, [...path, Array.isArray(value) ? Number(key) : key]));
  }
  return found;
}
