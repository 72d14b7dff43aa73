import type { Context } from 'hono';
import { decodeMessage, type Hub } from '../../engine/index.ts';
import { verifyWebhook } from '../../transports/index.ts';
import type { ApiEnv } from '../context.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem, badRequest, idempotencyKeyConflict, notFound } from '../problems.ts';
import { endpointParams } from '../schemas.ts';

/** Standard Webhooks' default tolerance: a signature older than this may be a replayed request. */
const SIGNATURE_TOLERANCE_S = 300;

const problemResponses = {
  400: { description: 'Bad request', schema: 'Problem' },
  401: { description: 'No or unknown API key', schema: 'Problem' },
  413: { description: 'Body larger than api.maxBodyBytes', schema: 'Problem' },
} as const;

/** The sender's key and the header it came in (for errors), or undefined when the content hash stands in. */
function idempotencyKey(c: Context<ApiEnv>, fallback?: { header: string; value: string | null }): { key: string; path: string } | undefined {
  const given = c.req.header('idempotency-key');
  const key = given ?? fallback?.value ?? undefined;
  if (key !== undefined && (key.length === 0 || key.length > 256)) {
    throw badRequest('Idempotency-Key must have 1 to 256 characters', [{ code: 'IDEMPOTENCY_KEY_INVALID', path: 'header.Idempotency-Key', message: 'expected 1 to 256 characters' }]);
  }
  return key === undefined ? undefined : { key, path: given !== undefined ? 'header.Idempotency-Key' : `header.${fallback!.header}` };
}

const keyConflictResponse = {
  description: 'The Idempotency-Key (or webhook-id) was already used for a message with other content (idempotency-key-conflict): '
    + 'nothing is stored, messageId names the message the key belongs to',
  schema: 'Problem',
} as const;

/** JSON, an array of it, or JSON lines: anything else is refused before it is stored. */
function isJsonLike(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const t = contentType.split(';')[0].trim().toLowerCase();
  return t === 'text/plain' || t === 'application/octet-stream' || t.includes('json');
}

export function ingestOperations(hub: Hub): Operation[] {
  return [
    operation({
      method: 'post', path: '/v1/documents', operationId: 'ingestDocuments', tag: 'Ingest',
      summary: 'Send canonical documents',
      description: 'One canonical document, an array of them, or JSON lines, for the tenant of the key. The raw body is stored first; '
        + 'then it is decoded and validated as processing will: 202 when every document is valid, 422 with positioned errors otherwise '
        + '(the raw message is kept, quarantined, and can be replayed); JSON nested deeper than maxJsonDepth is such an error (JSON_TOO_DEEP). '
        + 'The same Idempotency-Key with the same bytes (or, without a key, the same bytes) answers 200 with the original message; '
        + 'the same key with other bytes answers 422 idempotency-key-conflict and stores nothing.',
      headers: [{ name: 'Idempotency-Key', description: 'The sender\'s key for this message: a repeat is recognised and not processed again' }],
      body: {
        kind: 'raw', description: 'Canonical documents',
        content: {
          'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/CanonicalDocument' }, { type: 'array', items: { $ref: '#/components/schemas/CanonicalDocument' } }] } },
          'application/x-ndjson': { schema: { type: 'string', description: 'One canonical document per line' } },
        },
      },
      responses: {
        200: { description: 'A duplicate: the original message', schema: 'DocumentsAccepted' },
        202: { description: 'Stored; every document is valid and goes on', schema: 'DocumentsAccepted' },
        ...problemResponses,
        415: { description: 'Not JSON', schema: 'Problem' },
        422: {
          description: 'Either stored but not valid (invalid-documents): the errors name each field at fault, or where JSON is malformed or nested '
            + 'too deep, and messageId is the quarantined message; or ' + keyConflictResponse.description,
          schema: 'Problem',
        },
      },
      async handle(c) {
        const tenant = c.get('tenant');
        const contentType = c.req.header('content-type');
        if (!isJsonLike(contentType)) {
          throw new ApiProblem(415, 'unsupported-media-type', `expected JSON or JSON lines, got ${contentType}; raw payloads of other formats go to POST /v1/endpoints/{name}/messages`);
        }
        const body = Buffer.from(await c.req.arrayBuffer());
        const endpoint = hub.endpoints.get('api')!;
        const key = idempotencyKey(c);
        const message = hub.inbox.toNewMessage(tenant, 'api', 'json', { body, contentType: contentType ?? 'application/json', idempotencyKey: key?.key });
        const accepted = await hub.inbox.acceptOne(message);
        if (accepted.keyReused) throw idempotencyKeyConflict(message.idempotencyKey, key?.path ?? 'header.Idempotency-Key', accepted.messageId);
        if (accepted.duplicate) return c.json({ messageId: accepted.messageId, duplicate: true, status: accepted.original?.status }, 200);
        const decoded = (await decodeMessage({ ...message, id: accepted.messageId, partnerRef: null, generation: 1 }, endpoint, { maxJsonDepth: hub.loaded.config.maxJsonDepth }))!;
        const valid = decoded.documents.length;
        if (decoded.errors.length === 0 && valid > 0) return c.json({ messageId: accepted.messageId, duplicate: false, documents: valid }, 202);
        const errors = decoded.errors.length ? decoded.errors : [{ code: 'NO_DOCUMENTS', path: '$', message: 'the message holds no documents' }];
        const detail = valid
          ? `${errors.length} error(s); the ${valid} valid document(s) go on, the others are kept with message ${accepted.messageId}`
          : `no valid document; the message is kept as ${accepted.messageId} and can be replayed`;
        throw new ApiProblem(422, 'invalid-documents', detail, errors, { messageId: accepted.messageId, documents: valid || undefined });
      },
    }),

    operation({
      method: 'post', path: '/v1/endpoints/{name}/messages', operationId: 'ingestRawMessage', tag: 'Ingest',
      summary: 'Push a raw message to an http endpoint',
      description: 'The body is stored verbatim for an endpoint of type http of the key\'s tenant and decoded with the endpoint\'s codec '
        + '(JSON, X12). When the endpoint has a secret, the request must carry a Standard Webhooks signature '
        + '(webhook-id, webhook-timestamp, webhook-signature) made with it; webhook-id then serves as the idempotency key unless '
        + 'Idempotency-Key is given. A key sent again with the same bytes answers 200 with the original message; with other bytes, '
        + '422 idempotency-key-conflict, and nothing is stored.',
      params: endpointParams,
      headers: [
        { name: 'Idempotency-Key', description: 'The sender\'s key for this message; default the webhook-id, else the content hash' },
        { name: 'webhook-id', description: 'Standard Webhooks message id (signed endpoints)' },
        { name: 'webhook-timestamp', description: 'Unix seconds; refused when more than 5 minutes off' },
        { name: 'webhook-signature', description: 'v1,<base64 HMAC-SHA256 of id.timestamp.body>' },
      ],
      body: { kind: 'raw', description: 'The partner\'s payload, any content type', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
      responses: {
        200: { description: 'A duplicate: the original message', schema: 'MessageAccepted' },
        202: { description: 'Stored; it will be decoded and processed', schema: 'MessageAccepted' },
        ...problemResponses,
        401: { description: 'No or unknown API key, or a missing, wrong or expired signature', schema: 'Problem' },
        404: { description: 'No http endpoint of that name for this tenant', schema: 'Problem' },
        422: keyConflictResponse,
      },
      async handle(c, { params }) {
        const tenant = c.get('tenant');
        const config = hub.loaded.config.endpoints[params.name];
        const info = hub.endpoints.get(params.name);
        // Another tenant's endpoint is answered like a missing one: its existence is not for this key to know.
        if (!config || config.type !== 'http' || !info || info.tenant !== tenant) throw notFound(`no http endpoint named "${params.name}" for tenant "${tenant}"`);
        const body = Buffer.from(await c.req.arrayBuffer());
        const secret = (hub.loaded.endpointSettings[params.name] as { secret?: string } | undefined)?.secret;
        const webhookId = c.req.header('webhook-id') ?? null;
        if (secret) checkSignature(secret, { id: webhookId, timestamp: c.req.header('webhook-timestamp') ?? null, signature: c.req.header('webhook-signature') ?? null }, body);
        const key = idempotencyKey(c, secret ? { header: 'webhook-id', value: webhookId } : undefined);
        const message = hub.inbox.toNewMessage(tenant, params.name, info.codec, {
          body, contentType: c.req.header('content-type'), idempotencyKey: key?.key, partnerRef: webhookId ?? undefined,
        });
        const accepted = await hub.inbox.acceptOne(message);
        if (accepted.keyReused) throw idempotencyKeyConflict(message.idempotencyKey, key?.path ?? 'header.Idempotency-Key', accepted.messageId);
        return c.json({ messageId: accepted.messageId, duplicate: accepted.duplicate }, accepted.duplicate ? 200 : 202);
      },
    }),
  ];
}

function checkSignature(secret: string, headers: { id: string | null; timestamp: string | null; signature: string | null }, body: Buffer): void {
  const refuse = (code: string, path: string, message: string) => new ApiProblem(401, 'unauthorized', `the webhook signature was refused: ${message}`, [{ code, path, message }]);
  if (!headers.id) throw refuse('SIGNATURE_MISSING', 'header.webhook-id', 'required on a signed endpoint');
  if (!headers.signature) throw refuse('SIGNATURE_MISSING', 'header.webhook-signature', 'required on a signed endpoint');
  if (!headers.timestamp || !/^\d+$/.test(headers.timestamp)) throw refuse('SIGNATURE_MISSING', 'header.webhook-timestamp', 'expected Unix seconds');
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(headers.timestamp)) > SIGNATURE_TOLERANCE_S) {
    throw refuse('SIGNATURE_EXPIRED', 'header.webhook-timestamp', `more than ${SIGNATURE_TOLERANCE_S} s away from now`);
  }
  if (!verifyWebhook(secret, headers, body, undefined, SIGNATURE_TOLERANCE_S)) throw refuse('SIGNATURE_INVALID', 'header.webhook-signature', 'does not match the body');
}
