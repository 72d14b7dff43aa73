import { z } from 'zod';

/**
 * A warehouse profile: how one WMS's REST API is spoken, as data. Paths and query values are
 * templates (`/orders/{id}`, `referenceNum=={reference}`) filled from the endpoint's variables and
 * the call's own values; bodies and every reading of an answer are JSONata expressions, so mapping
 * a canonical document to the vendor's JSON and back needs no code. docs/connectors/wms-rest.md
 * says how to write one; profiles/ holds the built-in ones.
 *
 * What an expression sees:
 * - a request body: { doc, current, id, vars }: the canonical document, the record as the
 *   warehouse has it now (when `current` is read first), its warehouse id, the variables;
 * - find: the answer's body (items), then each item (id, reference);
 * - an operation's `id`: { body, headers } of the answer;
 * - a read's id, modified and documents: the resource (with its `expand`ed parts);
 * - a snapshot's positions: each item of the list, with $facilityId when read per facility;
 * - an event's topic, resource, id and url: the event's body, with $headers.
 * Everywhere: $vars, $facility(code) (our facility code to the warehouse's id), $facilityCode(id)
 * (back), $decimal(n) (an exact decimal string), $decimalSum(list) and $decimalDiff(a, b) (exact,
 * where JSONata's own arithmetic is binary floating point), $iso(t) (a time with its offset; a time without
 * one is taken as UTC), $date(t) (its calendar date), $link(header, rel) (a URL of a Link header).
 */

const expression = z.string().min(1).meta({ description: 'JSONata expression' });
const template = z.string().meta({ description: 'Template: {name} is replaced by a variable or a value of the call' });
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const requestSchema = z.object({
  method: z.enum(HTTP_METHODS).default('GET'),
  path: template,
  query: z.record(z.string(), template).default({}),
  headers: z.record(z.string(), template).default({}),
  body: expression.optional().meta({ description: 'JSONata building the request body' }),
}).strict();
export type RequestSpec = z.infer<typeof requestSchema>;

export const pagingSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('page'),
    page: z.string().meta({ description: 'Query parameter of the page number (Extensiv pgnum, ShipBob Page)' }),
    size: z.string().meta({ description: 'Query parameter of the page size (pgsiz, Limit)' }),
    first: z.number().int().min(0).default(1),
    max: z.number().int().positive().meta({ description: 'Largest page the API allows' }),
  }).strict(),
  z.object({
    kind: z.literal('token'),
    param: z.string().meta({ description: 'Query parameter that carries the cursor token' }),
    size: z.string().optional(),
    max: z.number().int().positive().default(100),
    next: expression.meta({ description: 'The next token, from { body, headers }; empty on the last page' }),
  }).strict(),
  z.object({
    kind: z.literal('link'),
    size: z.string().optional(),
    max: z.number().int().positive().default(100),
    next: expression.meta({ description: 'The next page\'s URL, from { body, headers } (a Link header, HAL _links.next.href, a next-page header); empty on the last page' }),
  }).strict(),
]);
export type Paging = z.infer<typeof pagingSchema>;

const writeSchema = requestSchema.extend({
  current: z.boolean().default(false).meta({ description: 'Read the record first (its state, and its ETag)' }),
  ifMatch: z.boolean().default(false).meta({ description: 'Send the record\'s ETag as If-Match; a 412 means it changed meanwhile' }),
  idempotencyHeader: z.string().optional().meta({ description: 'Header that carries the delivery\'s idempotency key, when the API takes one' }),
  id: expression.optional().meta({ description: 'The warehouse\'s id of the record in the answer, from { body, headers }' }),
  done: expression.optional().meta({ description: 'True when the current record already shows the effect (an order already cancelled): nothing is sent' }),
  duplicate: z.array(z.number().int()).default([]).meta({ description: 'Statuses that mean "a record with this reference exists": it is looked up again' }),
}).strict();
export type WriteSpec = z.infer<typeof writeSchema>;

const recordSchema = z.object({
  find: requestSchema.extend({
    items: expression.meta({ description: 'The records in the answer' }),
    id: expression.meta({ description: 'A record\'s warehouse id' }),
    reference: expression.meta({ description: 'A record\'s reference (ours), checked against the one looked for' }),
  }).strict().meta({ description: 'Looks a record up by our reference: {reference}' }),
  get: requestSchema.optional().meta({ description: 'Reads one record by its warehouse id: {id}' }),
  create: writeSchema,
  update: writeSchema.optional(),
  cancel: writeSchema.optional(),
  hold: writeSchema.optional(),
  release: writeSchema.optional(),
}).strict();
export type RecordSpec = z.infer<typeof recordSchema>;

const orderRecordSchema = recordSchema.extend({
  reference: z.object({
    name: z.string().min(1).meta({ description: 'The warehouse\'s name of the order\'s reference field, named in errors', examples: ['referenceNum', 'reference_id'] }),
    maxLength: z.number().int().positive().optional().meta({ description: 'The longest reference the warehouse takes; a longer one is refused before it is sent' }),
    backorderSuffix: z.string().optional().meta({ description: 'After the order number, the reference of the ERP\'s backorder of it: {backorder} is the backorder\'s reference. Default "-BO-{backorder}"' }),
  }).strict().optional().meta({ description: 'Our order reference as the warehouse keeps it' }),
}).strict();

export const RECORD_KINDS = ['order', 'inbound', 'item'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const listSchema = requestSchema.extend({
  items: expression.meta({ description: 'The resources in an answer\'s body' }),
  paging: pagingSchema.optional().meta({ description: 'Default: the profile\'s paging' }),
}).strict();

const changeReadSchema = z.object({
  list: listSchema.meta({ description: 'Lists resources changed since {since}' }),
  ascending: z.boolean().default(false).meta({ description: 'The list comes oldest change first: each page then continues from the last stamp read' }),
  fetch: requestSchema.optional().meta({ description: 'Reads one resource by {id} (a thin event)' }),
  expand: z.record(z.string(), requestSchema.extend({ items: expression.optional() }).strict()).default({})
    .meta({ description: 'More reads per resource ({id}), their answers put under these names' }),
  id: expression,
  modified: expression.meta({ description: 'When the resource last changed: with its id, the version the inbox dedupes on' }),
  documents: expression.meta({ description: 'Canonical documents made of the resource; none while there is nothing to report' }),
}).strict();
export type ChangeRead = z.infer<typeof changeReadSchema>;

const snapshotReadSchema = z.object({
  lists: z.array(listSchema.extend({
    perFacility: z.boolean().default(false).meta({ description: 'Read once per mapped facility, with {facilityId}' }),
    positions: expression.meta({ description: 'Positions of one item: { facility, sku, lot, status, uom, onHand, allocated, available, expiryDate }' }),
  }).strict()).min(1),
}).strict();
export type SnapshotRead = z.infer<typeof snapshotReadSchema>;

export const CHANGE_READS = ['shipment', 'receipt', 'inventory_adjustment', 'return_receipt'] as const;
export type ChangeReadType = (typeof CHANGE_READS)[number];
export const READ_TYPES = [...CHANGE_READS, 'inventory_snapshot'] as const;
export type ReadType = (typeof READ_TYPES)[number];

export const signatureSchema = z.discriminatedUnion('scheme', [
  z.object({ scheme: z.literal('standard-webhooks') }).strict(),
  z.object({
    scheme: z.literal('hmac-sha256'),
    header: z.string().min(1).meta({ description: 'Header that carries the HMAC of the raw body' }),
    encoding: z.enum(['base64', 'hex']).default('base64'),
    prefix: z.string().default('').meta({ description: 'Text before the digest in the header, e.g. "sha256="' }),
  }).strict(),
  z.object({ scheme: z.literal('none') }).strict(),
]);
export type SignatureSpec = z.infer<typeof signatureSchema>;

const eventsSchema = z.object({
  signature: signatureSchema,
  topic: z.object({
    header: z.string().optional().meta({ description: 'Header that names the topic' }),
    field: expression.optional().meta({ description: 'Or where in the body it is, for a WMS that sends no topic header' }),
  }).strict().refine((t) => t.header !== undefined || t.field !== undefined, { message: 'say where the topic is: a header or a field' }),
  topics: z.record(z.string(), z.object({
    read: z.enum(CHANGE_READS).meta({ description: 'What the event is about, read as that read type would' }),
    resource: expression.optional().meta({ description: 'A fat event: the whole resource in the body' }),
    id: expression.optional().meta({ description: 'A thin event: the resource\'s id, fetched with the read\'s fetch' }),
    url: expression.optional().meta({ description: 'A thin event: where to fetch the resource' }),
  }).strict().refine((t) => t.resource !== undefined || t.id !== undefined || t.url !== undefined, { message: 'say where the resource is, or its id or url' })),
}).strict();
export type EventsSpec = z.infer<typeof eventsSchema>;

export const profileSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  variables: z.record(z.string(), z.object({
    description: z.string(),
    default: z.string().optional(),
  }).strict()).default({}).meta({ description: 'Values the endpoint gives (customer id, channel id...), used as {name} and $vars.name' }),
  headers: z.record(z.string(), template).default({}).meta({ description: 'Sent with every request' }),
  auth: z.object({
    apiKeyHeader: z.string().optional(),
    tokenPath: z.string().optional(),
    clientAuth: z.enum(['basic', 'body']).optional(),
    bodyFormat: z.enum(['form', 'json']).optional(),
    params: z.record(z.string(), z.string()).optional(),
  }).strict().default({}),
  rateLimit: z.object({
    requestsPerMinute: z.number().positive(),
    burst: z.number().int().positive().optional(),
    retryAfterHeaders: z.array(z.string()).default(['retry-after']),
  }).strict(),
  timeFormat: z.enum(['iso', 'naive-utc']).default('iso').meta({ description: 'How {since} is written: ISO with Z, or without an offset (in UTC)' }),
  paging: pagingSchema,
  records: z.object({ order: orderRecordSchema.optional(), inbound: recordSchema.optional(), item: recordSchema.optional() }).strict().default({}),
  reads: z.object({
    shipment: changeReadSchema.optional(),
    receipt: changeReadSchema.optional(),
    inventory_adjustment: changeReadSchema.optional(),
    return_receipt: changeReadSchema.optional(),
    inventory_snapshot: snapshotReadSchema.optional(),
  }).strict().default({}),
  events: eventsSchema.optional(),
}).strict();

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
