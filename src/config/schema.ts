import { z } from 'zod';
import { BILLING_ENDPOINT, billingSchema, DEFAULT_BILLING_CONFIG } from '../billing/rate-card.ts';
import { DOCUMENT_TYPES } from '../model/index.ts';
import { partnerProfileSchema } from '../edi/x12/profile.ts';
import { edifactPartnerSchema } from '../codecs/edifact/settings.ts';
import { DEFAULT_MAX_JSON_DEPTH } from '../codecs/depth.ts';
import { DEFAULT_INVENTORY_CONFIG, inventorySchema } from './inventory.ts';
import { DEFAULT_RETENTION_CONFIG, retentionSchema } from './retention.ts';
import { rulesSettingsSchema } from '../engine/rules/policies.ts';
import { parseCidr } from '../transports/outbound/address.ts';
import { DEFAULT_ROUTING_CONFIG, routingSchema } from './routing.ts';
import { serviceUrl } from '../transports/outbound/url.ts';

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'expected a name of lower-case letters, digits, ".", "-" and "_"');
const tenant = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id: lower-case letters, digits, - and _');

/** One field of a field map: a source path, or an object saying how the value is made. */
export const fieldSpec: z.ZodType<FieldSpec> = z.lazy(() => z.union([
  z.string().min(1).meta({ description: 'Source path to copy, e.g. "shipTo.postalCode" or "lines[0].sku"' }),
  z.object({
    from: z.string().min(1).optional().meta({ description: 'Source path' }),
    const: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().meta({ description: 'A constant value' }),
    table: z.string().optional().meta({ description: 'Code table to translate the value through' }),
    onMissing: z.enum(['error', 'keep', 'default', 'omit']).optional().meta({ description: 'What a value absent from the table does (default: error)' }),
    default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().meta({ description: 'Used when the source is empty' }),
    format: z.enum(['upper', 'lower', 'trim', 'string', 'number', 'date-compact', 'date', 'time-compact']).optional(),
    convert: z.object({ uomFrom: z.string().min(1), to: z.string().min(1), sku: z.string().min(1).default('sku') }).optional()
      .meta({ description: 'Unit conversion through the item master: source unit path, target unit, SKU path' }),
    each: z.string().min(1).optional().meta({ description: 'Source array to map element by element' }),
    fields: z.record(z.string(), fieldSpec).optional(),
    required: z.boolean().optional(),
  }).strict(),
]));

export type FieldSpec = string | {
  from?: string; const?: string | number | boolean | null; table?: string; onMissing?: 'error' | 'keep' | 'default' | 'omit';
  default?: string | number | boolean | null; format?: 'upper' | 'lower' | 'trim' | 'string' | 'number' | 'date-compact' | 'date' | 'time-compact';
  convert?: { uomFrom: string; to: string; sku: string }; each?: string; fields?: Record<string, FieldSpec>; required?: boolean;
};

export const mappingSchema = z.union([
  z.object({ fields: z.record(z.string(), fieldSpec) }).strict().meta({ description: 'Declarative field map, compiled once to a plain function' }),
  z.object({ jsonata: z.string().min(1) }).strict().meta({ description: 'JSONata expression for what a field map cannot say' }),
]);
export type MappingConfig = z.infer<typeof mappingSchema>;

export const retrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(1000).default(12),
  initialDelayMs: z.number().int().positive().default(1000),
  maxDelayMs: z.number().int().positive().default(15 * 60_000),
  multiplier: z.number().min(1).max(10).default(2),
}).strict();

export const circuitSchema = z.object({
  failureThreshold: z.number().int().positive().default(5).meta({ description: 'Retryable failures of this many different entity keys in a row open an endpoint\'s circuit' }),
  cooldownMs: z.number().int().positive().default(30_000).meta({ description: 'How long an open circuit waits before one trial delivery' }),
}).strict();

export const endpointSchema = z.object({
  type: z.string().min(1).meta({ description: 'Transport or connector: folder, webhook, http, sftp, tryton, nats...' }),
  tenant: tenant.optional().meta({ description: 'Tenant this endpoint belongs to (default: defaultTenant)' }),
  codec: z.string().optional().meta({ description: 'How its bytes are read and written: json, x12, edifact, csv or fixed-width' }),
  codecOptions: z.record(z.string(), z.unknown()).optional().meta({ description: 'Codec settings: an X12 or EDIFACT partner profile name, a CSV or fixed-width layout (docs/flat-files.md)' }),
  concurrency: z.number().int().min(1).max(256).default(16).meta({ description: 'Deliveries in flight at once to this endpoint' }),
  retry: retrySchema.partial().optional().meta({ description: 'Overrides of the global retry policy for deliveries to this endpoint' }),
  pollIntervalMs: z.number().int().positive().optional().meta({ description: 'How often a polled source is read (default: the type\'s own)' }),
  side: z.enum(['erp', 'warehouse', 'partner']).optional().meta({
    description: 'Which side this endpoint speaks for, for the business rules (docs/rules.md): by default a document\'s side comes from its type (orders and items from the ERP, shipments, receipts and stock from the warehouse). erp or warehouse: what comes in through it is that system\'s. partner: a trading partner outside the ERP and warehouse pair (a retailer sending orders into the ERP): what comes from it, or goes only to such endpoints, keeps no ledger',
  }),
  allowPrivateNetworks: z.boolean().default(false).meta({
    description: 'Let this endpoint\'s outbound requests reach loopback, link-local, private and other non-public addresses (a WMS on the LAN, a receiver on the same host); refused by default (docs/security.md)',
  }),
}).passthrough();

export const flowSchema = z.object({
  name,
  tenant: tenant.optional().meta({ description: 'Only documents of this tenant' }),
  from: z.array(z.string()).optional().meta({ description: 'Only documents that came in through these endpoints' }),
  types: z.array(z.enum(DOCUMENT_TYPES as [string, ...string[]])).min(1),
  to: z.string().min(1).meta({ description: 'Target endpoint' }),
  facilities: z.array(z.string().min(1)).optional().meta({ description: 'Only documents for these facilities, e.g. the sales orders routing sent there' }),
  mapping: z.string().optional().meta({ description: 'Name of a mapping; absent: the canonical document as it is' }),
  rules: z.record(z.string(), z.unknown()).optional().meta({ description: 'Business rules policy for the documents this flow routes, over the top-level rules (docs/rules.md)' }),
}).strict();

/** What an API key may do; admin covers read, ingest and operate. */
export const API_SCOPES = ['read', 'ingest', 'operate', 'admin', 'metrics'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A role is a named set of scopes: one model for the API and the console (docs/security.md). */
export const ROLE_SCOPES = {
  viewer: ['read'],
  operator: ['read', 'ingest', 'operate'],
} as const satisfies Record<string, readonly ApiScope[]>;
export const KEY_ROLES = ['viewer', 'operator'] as const satisfies readonly (keyof typeof ROLE_SCOPES)[];
export type KeyRole = (typeof KEY_ROLES)[number];

/** What a key may do: its own scopes, else its role's; a key given neither is an operator's. */
export function scopesOfKey(k: { role?: KeyRole; scopes?: readonly ApiScope[] }): readonly ApiScope[] {
  return k.scopes ?? ROLE_SCOPES[k.role ?? 'operator'];
}

export const apiKeySchema = z.object({
  name,
  tenant: z.union([tenant, z.literal('*')]).meta({ description: 'Tenant the key may see; "*" for an operator key over all tenants' }),
  key: z.string().min(24, 'an API key needs at least 24 characters').optional().meta({ description: 'The key itself, from ${ENV}; stored only as its hash' }),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional().meta({ description: 'Or only its SHA-256, as printed by `causeway apikey hash`' }),
  role: z.enum(KEY_ROLES).optional().meta({ description: 'A named set of scopes: viewer = read; operator = read, ingest, operate (the default when neither role nor scopes is given)' }),
  scopes: z.array(z.enum(API_SCOPES)).min(1).optional().meta({
    description: 'Or exactly what the key may do: read (GET routes, the console), ingest (send documents and pushes), operate (replays, corrections, '
      + 'resolving dead letters and alerts, in the API and the console), admin (all of these); metrics reads GET /metrics when metrics.requireKey is set '
      + '(the whole hub\'s figures: a key for the scraper)',
    examples: [['ingest'], ['read', 'operate'], ['metrics']],
  }),
  expires: z.iso.datetime({ offset: true }).optional().meta({ description: 'When the key stops working (ISO 8601 with offset); list the next key beside it before then to rotate without downtime', examples: ['2027-06-30T00:00:00Z'] }),
}).strict().refine((k) => !!k.key !== !!k.hash, { message: 'give either key or hash' })
  .refine((k) => !(k.role && k.scopes), { message: 'give either role or scopes', path: ['scopes'] });

const minutes = (what: string) => z.number().positive().meta({ description: what });
const ruleCommon = { name: name.optional().meta({ description: 'Names the alert (default: the rule type)' }), tenant: tenant.optional().meta({ description: 'Only this tenant (default: every tenant)' }) };

export const alertRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dead_letters'), over: z.number().int().min(0).meta({ description: 'Alert when more than this many dead letters' }), withinMinutes: minutes('arrive within this many minutes'), endpoint: z.string().optional(), ...ruleCommon }).strict(),
  z.object({ type: z.literal('quarantined'), ...ruleCommon }).strict().meta({ description: 'Any quarantined message not yet replayed, corrected or resolved' }),
  z.object({ type: z.literal('circuit_open'), longerThanMinutes: minutes('A circuit open (or half open) longer than this'), endpoint: z.string().optional(), ...ruleCommon }).strict(),
  z.object({
    type: z.literal('source_down'),
    longerThanMinutes: minutes('A source (an inbox folder or SFTP inbox, an ERP\'s API, a NATS subscription) failing longer than this (15 without a rule)'),
    endpoint: z.string().optional(), ...ruleCommon,
  }).strict().meta({ description: 'A source whose polling keeps failing, and a file a source had to leave (larger than maxFileBytes, unreadable)' }),
  z.object({ type: z.literal('edi_ack'), ...ruleCommon }).strict().meta({ description: 'Tell the channels of every 997 that rejected a group or accepted it with errors, and of every group whose 997 is overdue' }),
  z.object({ type: z.literal('backlog_age'), olderThanMinutes: minutes('The oldest delivery waiting for an endpoint is older than this'), endpoint: z.string().optional(), ...ruleCommon }).strict(),
  z.object({ type: z.literal('stuck_order'), facility: z.string().optional().meta({ description: 'Only orders of this facility' }), ...ruleCommon }).strict()
    .meta({ description: 'An order the rules find stuck: not acknowledged by the warehouse in time, or not shipped by its requested date (one alert per order)' }),
  z.object({
    type: z.literal('variance'),
    over: z.number().min(0).meta({ description: 'Alert when a position\'s variance (warehouse less ERP, after documents in flight), in its unit, is larger than this either way' }),
    facility: z.string().optional(), ...ruleCommon,
  }).strict().meta({ description: 'A variance of the newest whole reconciliation run not yet approved or rejected (one alert per facility, SKU and lot)' }),
  z.object({
    type: z.literal('accuracy_below'),
    targetPercent: z.number().min(0).max(100).meta({ description: 'Alert when the newest whole reconciliation run\'s accuracy (overall, or of the facility) is below this' }),
    facility: z.string().optional(), ...ruleCommon,
  }).strict(),
]);

export const alertChannelSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('webhook'), name,
    url: serviceUrl.meta({ description: 'Receives a Slack-compatible JSON payload ({"text": ...} plus the alert)' }),
    secret: z.string().min(16).meta({ description: 'Signs each payload: X-Causeway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">' }),
    allowPrivateNetworks: z.boolean().default(false).meta({ description: 'The URL may be a loopback, private or link-local address (a receiver on the LAN); otherwise only public addresses or outbound.allow (docs/security.md)' }),
    tenant: tenant.optional(),
  }).strict(),
  z.object({
    type: z.literal('email'), name,
    host: z.string().min(1), port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).meta({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it' }),
    requireTLS: z.boolean().default(true).meta({ description: 'Refuse to send unless the connection is upgraded to TLS' }),
    rejectUnauthorized: z.boolean().default(true).meta({ description: 'Check the server\'s certificate' }),
    auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).strict().optional(),
    from: z.string().min(3), to: z.array(z.string().min(3)).min(1),
    tenant: tenant.optional(),
  }).strict(),
]);

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const alertsSchema = z.object({
  rules: z.array(alertRuleSchema).default([]),
  channels: z.array(alertChannelSchema).default([]),
  quietHours: z.object({
    from: clock, to: clock, timeZone: z.string().default('UTC').meta({ description: 'IANA time zone the hours are in' }),
  }).strict().optional().meta({ description: 'Notifications wait until the quiet hours end; an alert raised and resolved within them is not sent at all' }),
  evaluateEveryMs: z.number().int().min(1000).default(30_000).meta({ description: 'How often the rules are checked and the channels told' }),
}).strict();

const tenantLimits = {
  requestsPerSecond: z.number().positive().optional().meta({ description: 'Requests per second a tenant\'s keys may make (a token bucket per tenant and process; unset: no limit)' }),
  burst: z.number().int().positive().optional().meta({ description: 'Requests at once above the rate (default: the rate, at least 1)' }),
  maxStoredMb: z.number().positive().optional().meta({ description: 'Raw message megabytes a tenant may keep; over it, ingest answers 429 until retention or an operator makes room (unset: no quota)' }),
};

/** Per-tenant limits on the API, answered with 429 and Retry-After (docs/3pl.md). */
const apiLimitsSchema = z.object({
  ...tenantLimits,
  storageCheckEveryMs: z.number().int().min(1000).default(60_000).meta({ description: 'How often a tenant\'s stored bytes are read again for its quota' }),
  tenants: z.record(tenant, z.object(tenantLimits).strict()).default({}).meta({ description: 'Per tenant: overrides the limits above, field by field' }),
}).strict();
const DEFAULT_API_LIMITS = { storageCheckEveryMs: 60_000, tenants: {} };

export const configSchema = z.object({
  store: z.string().min(1).default('sqlite:causeway.db').meta({ description: 'sqlite:<file> or postgres://user@host/db' }),
  defaultTenant: tenant.default('default'),
  maxJsonDepth: z.number().int().min(16).max(1000).default(DEFAULT_MAX_JSON_DEPTH).meta({
    description: 'Deepest nesting of JSON arrays and objects accepted from any endpoint (the API, folders, SFTP, NATS, http) and in any decoded document; '
      + 'deeper input is stored and quarantined with JSON_TOO_DEEP, and the API answers 422',
  }),
  api: z.object({
    listen: z.string().regex(/^[^:]+:\d+$/, 'expected host:port').default('127.0.0.1:8080'),
    maxBodyBytes: z.number().int().positive().max(512 * 1024 * 1024).default(10 * 1024 * 1024),
    keys: z.array(apiKeySchema).default([]),
    limits: apiLimitsSchema.default(DEFAULT_API_LIMITS),
  }).strict().default({ listen: '127.0.0.1:8080', maxBodyBytes: 10 * 1024 * 1024, keys: [], limits: DEFAULT_API_LIMITS }),
  console: z.object({
    enabled: z.boolean().default(true).meta({ description: 'Serve the operations console at / on the API\'s port' }),
    sessionHours: z.number().positive().max(24 * 30).default(8).meta({ description: 'How long a console session lasts after sign-in' }),
    trustProxy: z.boolean().default(false).meta({ description: 'Believe X-Forwarded-Proto from a TLS-terminating proxy (marks the session cookie Secure), and X-Forwarded-For for the sign-in limit' }),
    signIn: z.object({
      maxFailuresPerIp: z.number().int().min(1).default(20).meta({ description: 'Failed sign-ins from one client address within the window before sign-in answers 429' }),
      maxFailuresPerKeyPrefix: z.number().int().min(1).default(10).meta({ description: 'Failed sign-ins with keys starting with the same 8 characters within the window before sign-in answers 429' }),
      windowMinutes: z.number().positive().max(24 * 60).default(15).meta({ description: 'The sliding window failed sign-ins are counted over' }),
    }).strict().default({ maxFailuresPerIp: 20, maxFailuresPerKeyPrefix: 10, windowMinutes: 15 }),
  }).strict().default({ enabled: true, sessionHours: 8, trustProxy: false, signIn: { maxFailuresPerIp: 20, maxFailuresPerKeyPrefix: 10, windowMinutes: 15 } }),
  alerts: alertsSchema.default({ rules: [], channels: [], evaluateEveryMs: 30_000 }),
  outbound: z.object({
    allow: z.array(z.string().refine((c) => parseCidr(c) !== undefined, 'expected a network in CIDR form, e.g. 10.20.0.0/16 or fd12:3456::/48')).default([])
      .meta({ description: 'Non-public networks every endpoint\'s outbound requests may reach (CIDRs); any other loopback, link-local or private address is refused unless the endpoint sets allowPrivateNetworks', examples: [['10.20.0.0/16']] }),
  }).strict().default({ allow: [] }).meta({ description: 'Where webhooks and connectors may connect to (docs/security.md)' }),
  metrics: z.object({
    requireKey: z.boolean().default(false).meta({ description: 'GET /metrics asks for an API key: an operator key (tenant "*") or one with the metrics scope' }),
    tenantLabels: z.boolean().default(true).meta({ description: 'Label series with tenant ids; false sums every series over tenants, so the scrape names no client' }),
  }).strict().default({ requireKey: false, tenantLabels: true }).meta({ description: 'What the Prometheus endpoint shows, and to whom (docs/security.md)' }),
  clients: z.object({
    folder: z.string().min(1).meta({ description: 'Folder of per-client configs: <tenant>.yaml, or a folder <tenant>/ of YAML files, each holding that client\'s endpoints, flows, mappings, codeTables, partners and edifactPartners (docs/3pl.md)', examples: ['clients'] }),
    watch: z.boolean().default(true).meta({ description: 'Reload a client\'s config when its file changes; SIGHUP and POST /v1/config/reload reload too' }),
  }).strict().optional().meta({ description: 'One config per client tenant, each reloaded without a restart and without touching the others (docs/3pl.md)' }),
  endpoints: z.record(name, endpointSchema).default({}),
  flows: z.array(flowSchema).default([]),
  outcomes: z.array(z.object({
    to: z.string().min(1).meta({ description: 'Endpoint (a NATS bus, a webhook) that receives a delivery_outcome event when a delivery is delivered or given up on' }),
    from: z.array(z.string()).optional().meta({ description: 'Only outcomes of deliveries to these endpoints (default: all)' }),
  }).strict()).default([]).meta({ description: 'Delivery outcome events, recorded in the same transaction as the outcome itself' }),
  mappings: z.record(name, mappingSchema).default({}),
  codeTables: z.record(name, z.record(z.string(), z.union([z.string(), z.number()]).transform(String))).default({}),
  retry: retrySchema.default({ maxAttempts: 12, initialDelayMs: 1000, maxDelayMs: 900_000, multiplier: 2 }),
  circuitBreaker: circuitSchema.default({ failureThreshold: 5, cooldownMs: 30_000 }),
  worker: z.object({
    batchSize: z.number().int().min(1).max(5000).default(500).meta({ description: 'Messages or deliveries claimed at a time' }),
    leaseMs: z.number().int().min(500).default(120_000).meta({ description: 'How long claimed work stays with a worker before another may take it over (a dead worker\'s work waits this long)' }),
    idleMs: z.number().int().min(1).default(200).meta({ description: 'How often an idle loop looks for new work (new work in the same process wakes it at once)' }),
    documentsPerCommit: z.number().int().min(1).max(100_000).default(1000)
      .meta({ description: 'A large message (a file over 1 MB read in parts) is committed in checkpoints of about this many documents, each renewing its lease' }),
  }).strict().default({ batchSize: 500, leaseMs: 120_000, idleMs: 200, documentsPerCommit: 1000 }),
  log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info') }).default({ level: 'info' }),
  /** X12 trading partner profiles (docs/x12.md); an endpoint picks one with codecOptions.partner. */
  partners: z.record(name, partnerProfileSchema).default({}),
  /** UN/EDIFACT trading partner profiles (docs/edifact.md); an edifact endpoint picks one with codecOptions.partner. Names are shared with `partners`. */
  edifactPartners: z.record(name, edifactPartnerSchema).default({}),
  /** Reconciliation, accuracy, available-to-promise and the go-live audit (docs/inventory.md). */
  inventory: inventorySchema.default(DEFAULT_INVENTORY_CONFIG),
  rules: rulesSettingsSchema.default({ enabled: true, partners: {} }),
  /** Order routing across facilities (docs/routing.md). */
  routing: routingSchema.default(DEFAULT_ROUTING_CONFIG),
  /** How long raw messages, documents, attempts, ledgers and reconciliations are kept (docs/operations.md). */
  retention: retentionSchema.default(DEFAULT_RETENTION_CONFIG),
  /** Usage, rate cards and period close for a 3PL's clients (docs/3pl.md). */
  billing: billingSchema.default(DEFAULT_BILLING_CONFIG),
}).strict();

export type CausewayConfig = z.infer<typeof configSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type FlowConfig = z.infer<typeof flowSchema>;

/** The flows the hub routes by: the config's, and the invoices of `billing.sendTo`. */
export function routedFlows(config: Pick<CausewayConfig, 'flows' | 'billing'>): FlowConfig[] {
  const to = config.billing.sendTo;
  return to ? [...config.flows, { name: 'billing-invoices', from: [BILLING_ENDPOINT], types: ['invoice'], to }] : config.flows;
}
export type RetryPolicy = z.infer<typeof retrySchema>;
