import { z } from 'zod';
import { DOCUMENT_TYPES, documentJsonSchema, type DocumentType } from '../model/index.ts';
import type { Operation } from './operation.ts';
import { PROBLEM_CONTENT_TYPE } from './problems.ts';
import * as s from './schemas.ts';

type Json = Record<string, unknown>;

/** Named response shapes; operations refer to them by name. */
const RESPONSE_COMPONENTS = {
  Problem: s.problem, ApiError: s.apiError, Payload: s.payload, Message: s.message, MessagePage: s.messagePage, Delivery: s.delivery,
  DeliveryPage: s.deliveryPage, Attempt: s.attempt, Lineage: s.lineage, LineageDocument: s.lineageDocument, DeadLetter: s.deadLetter,
  DeadLetterPage: s.deadLetterPage, DocumentsAccepted: s.documentsAccepted, MessageAccepted: s.messageAccepted, Requeued: s.requeued,
  Health: s.health, Kpis: s.kpis, Order: s.orderView, OrderList: s.orderList, Inbound: s.inboundView, InboundList: s.inboundList,
} satisfies Record<string, z.ZodType>;

export function documentComponentName(type: DocumentType): string {
  return type.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('') + 'Document';
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** $schema and fragment $ids belong to stand-alone JSON Schema files, not to schemas inside an OpenAPI document. */
function embed(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  return embed(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json);
}

function components(operations: Operation[]): Json {
  // One registry, so a component used inside another (Message in MessagePage) is a $ref, not a copy.
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(RESPONSE_COMPONENTS)) registry.add(schema, { id: name });
  const generated = z.toJSONSchema(registry, { io: 'output', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(generated.schemas)) schemas[name] = embed(schema);
  for (const op of operations) {
    if (op.body?.kind === 'json' && op.body.component) schemas[op.body.component] = jsonSchema(op.body.schema, 'input');
  }
  for (const type of DOCUMENT_TYPES) schemas[documentComponentName(type)] = embed(documentJsonSchema(type));
  schemas.CanonicalDocument = {
    description: 'A canonical document; `type` says which. The envelope fields Causeway owns (id, tenant, source, receivedAt) may be left out.',
    oneOf: DOCUMENT_TYPES.map((t) => ref(documentComponentName(t))),
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, `#/components/schemas/${documentComponentName(t)}`])) },
  };
  return schemas;
}

function parameters(op: Operation): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', shape: z.ZodObject | undefined) => {
    for (const [name, field] of Object.entries(shape?.shape ?? {}) as Array<[string, z.ZodType]>) {
      const schema = jsonSchema(field, 'input');
      const { description, ...rest } = schema;
      out.push({ name, in: where, required: where === 'path' || !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: rest });
    }
  };
  add('path', op.params);
  add('query', op.query);
  if (!op.open && !op.allTenants) out.push({ $ref: '#/components/parameters/tenant' });
  for (const h of op.headers ?? []) out.push({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } });
  return out;
}

function requestBody(op: Operation): Json | undefined {
  if (!op.body) return undefined;
  if (op.body.kind === 'json') {
    return { required: true, ...(op.body.description ? { description: op.body.description } : {}), content: { 'application/json': { schema: op.body.component ? ref(op.body.component) : jsonSchema(op.body.schema, 'input') } } };
  }
  const content: Json = {};
  for (const [type, c] of Object.entries(op.body.content)) content[type] = c.schema ? { schema: typeof c.schema === 'string' ? ref(c.schema) : c.schema } : {};
  return { required: true, description: op.body.description, content };
}

/** What the key check itself can answer, on every route that needs a key. */
const KEYED_RESPONSES = {
  400: { description: 'An operator key without ?tenant=, or a request that is not valid', schema: 'Problem' },
  401: { description: 'No or unknown API key', schema: 'Problem' },
  403: { description: 'A tenant key asking for another tenant', schema: 'Problem' },
};

function responses(op: Operation): Json {
  const out: Json = {};
  const all = op.open ? op.responses : { ...KEYED_RESPONSES, ...op.responses };
  for (const [status, r] of Object.entries(all)) {
    const contentType = r.contentType ?? (r.schema === 'Problem' ? PROBLEM_CONTENT_TYPE : 'application/json');
    const schema = r.schema === undefined ? undefined : typeof r.schema === 'string' ? ref(r.schema) : jsonSchema(r.schema, 'output');
    out[status] = { description: r.description, ...(schema || r.contentType ? { content: { [contentType]: schema ? { schema } : {} } } : {}) };
  }
  return out;
}

/** The OpenAPI 3.1 document of the given operations, generated from the same schemas that parse requests. */
export function buildOpenApi(operations: Operation[], info: { version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const body = requestBody(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.open ? { security: [] } : {}),
      parameters: parameters(op),
      ...(body ? { requestBody: body } : {}),
      responses: responses(op),
    };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Causeway API',
      version: info.version,
      description: 'Keeps an ERP and a warehouse in sync: send documents and raw messages, follow each message through the pipeline, replay, and read the KPIs. Errors are RFC 9457 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    tags: [
      { name: 'Ingest', description: 'Documents and raw messages in' },
      { name: 'Messages', description: 'What came in and what became of it' },
      { name: 'Deliveries', description: 'What goes out, and what was given up on' },
      { name: 'Replay', description: 'Run messages or deliveries again' },
      { name: 'Operations', description: 'Health, metrics, KPIs, this document' },
    ],
    paths,
    components: {
      schemas: components(operations),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      parameters: {
        tenant: { name: 'tenant', in: 'query', required: false, description: 'The tenant to act for: required with an operator key ("*"), and must be the key\'s own otherwise', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' } },
      },
    },
  };
}
