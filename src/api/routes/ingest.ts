import type { Context } from 'hono';
import type { HubFacade } from '../../engine/index.ts';
import type { CausewayError } from '../../model/index.ts';
import { readIdempotencyKey, receivePush, SIGNATURE_TOLERANCE_S, type PushOutcome } from '../../transports/index.ts';
import type { ApiEnv } from '../context.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem, badRequest, idempotencyKeyConflict, notFound } from '../problems.ts';
import { endpointParams } from '../schemas.ts';

const problemResponses = {
  400: { description: 'Bad request', schema: 'Problem' },
  401: { description: 'No or unknown API key', schema: 'Problem' },
  413: { description: 'Body larger than api.maxBodyBytes', schema: 'Problem' },
} as const;

const idempotencyKeyInvalid = (error: CausewayError) => badRequest('Idempotency-Key must have 1 to 256 characters', [error]);

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

export function ingestOperations(engine: HubFacade): Operation[] {
  return [
    operation({
      method: 'post', path: '/v1/documents', operationId: 'ingestDocuments', tag: 'Ingest', scope: 'ingest',
      summary: 'Send canonical documents',
      description: 'One canonical document, an array of them, or JSON lines, for the tenant of the key. The raw body is stored first; '
        + 'then it is decoded and validated as processing will: 202 when every document is valid, 422 with positioned errors otherwise '
        + '(the raw message is kept, quarantined, and can be replayed); JSON nested deeper than maxJsonDepth is such an error (JSON_TOO_DEEP), and so are bytes that are not UTF-8 (JSON_ENCODING), an object that gives a key twice (JSON_DUPLICATE_KEY) and a number no 64-bit float holds exactly (JSON_NUMBER_INEXACT). '
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
        const key = readIdempotencyKey(c.req.raw.headers);
        if (key && 'error' in key) throw idempotencyKeyInvalid(key.error);
        const receipt = await engine.ingestDocuments(tenant, { body, contentType: contentType ?? 'application/json', idempotencyKey: key?.key });
        if (receipt.kind === 'key-reused') throw idempotencyKeyConflict(receipt.idempotencyKey, key?.path ?? 'header.Idempotency-Key', receipt.messageId);
        if (receipt.kind === 'duplicate') return c.json({ messageId: receipt.messageId, duplicate: true, status: receipt.status }, 200);
        const { messageId, documents: valid } = receipt;
        if (receipt.errors.length === 0 && valid > 0) return c.json({ messageId, duplicate: false, documents: valid }, 202);
        const errors = receipt.errors.length ? receipt.errors : [{ code: 'NO_DOCUMENTS', path: '$', message: 'the message holds no documents' }];
        const detail = valid
          ? `${errors.length} error(s); the ${valid} valid document(s) go on, the others are kept with message ${messageId}`
          : `no valid document; the message is kept as ${messageId} and can be replayed`;
        throw new ApiProblem(422, 'invalid-documents', detail, errors, { messageId, documents: valid || undefined });
      },
    }),

    operation({
      method: 'post', path: '/v1/endpoints/{name}/messages', operationId: 'ingestRawMessage', tag: 'Ingest', scope: 'ingest',
      summary: 'Push a raw message to an http endpoint, or a webhook to a connector that takes them',
      description: 'The body is stored verbatim for an endpoint of type http of the key\'s tenant and decoded with the endpoint\'s codec '
        + '(JSON, X12). When the endpoint has a secret, the request must carry a Standard Webhooks signature '
        + '(webhook-id, webhook-timestamp, webhook-signature) made with it; webhook-id then serves as the idempotency key unless '
        + 'Idempotency-Key is given; the same signed request (webhook-id and webhook-timestamp) sent again is refused as a replay (409). A key sent again with the same bytes answers 200 with the original message; with other bytes, '
        + '422 idempotency-key-conflict, and nothing is stored. '
        + 'A connector endpoint that takes webhooks (wms-rest with `webhook` set) checks the signature its profile names and reads the topic: '
        + 'a fat event is stored under its resource version\'s key (the poll\'s key, so the two are one message); a thin event answers 202 '
        + 'with queued: true and is fetched at the endpoint\'s next poll; a topic it does not read answers 202 with ignored: true.',
      params: endpointParams,
      headers: [
        { name: 'Idempotency-Key', description: 'The sender\'s key for this message; default the webhook-id, else the content hash' },
        { name: 'webhook-id', description: 'Standard Webhooks message id (signed endpoints)' },
        { name: 'webhook-timestamp', description: `Unix seconds; refused when further from now than the endpoint's toleranceSeconds (default ${SIGNATURE_TOLERANCE_S})` },
        { name: 'webhook-signature', description: 'v1,<base64 HMAC-SHA256 of id.timestamp.body>' },
      ],
      body: { kind: 'raw', description: 'The partner\'s payload, any content type', content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
      responses: {
        200: { description: 'A duplicate: the original message', schema: 'MessageAccepted' },
        202: { description: 'Stored; it will be decoded and processed (or, for a connector\'s webhook, queued or ignored)', schema: 'MessageAccepted' },
        ...problemResponses,
        401: { description: 'No or unknown API key, or a missing, wrong or expired signature', schema: 'Problem' },
        404: { description: 'No endpoint of that name that takes pushes for this tenant', schema: 'Problem' },
        409: { description: 'The same signed request (webhook-id and webhook-timestamp) was received before: a replay, refused (replayed)', schema: 'Problem' },
        422: keyConflictResponse,
      },
      async handle(c, { params }) {
        const tenant = c.get('tenant');
        const outcome = await receivePush(c.req.raw, { tenant, name: params.name, endpoint: engine.inboundEndpoint(tenant, params.name) },
          (message) => engine.ingestMessage(tenant, params.name, message), undefined,
          (id, fingerprint, tolerance) => engine.recordSignedRequest(tenant, params.name, id, fingerprint, tolerance));
        return pushResponse(c, outcome);
      },
    }),
  ];
}

/** The transport's verdict on a push, as an answer to the partner. */
function pushResponse(c: Context<ApiEnv>, outcome: PushOutcome): Response {
  switch (outcome.kind) {
    case 'stored':
    case 'duplicate':
      return c.json({ messageId: outcome.messageId, duplicate: outcome.kind === 'duplicate' }, outcome.kind === 'duplicate' ? 200 : 202);
    case 'key-reused':
      throw idempotencyKeyConflict(outcome.idempotencyKey, outcome.keyPath, outcome.messageId);
    case 'not-found':
      throw notFound(outcome.error.message);
    case 'unsigned':
      throw new ApiProblem(401, 'unauthorized', `the webhook signature was refused: ${outcome.error.message}`, [outcome.error]);
    case 'replayed':
      throw new ApiProblem(409, 'replayed', `the signed request was refused as a replay: ${outcome.error.message}`, [outcome.error]);
    case 'queued':
    case 'ignored':
      return c.json({ duplicate: false, [outcome.kind]: true, detail: outcome.detail }, 202);
    case 'bad-request':
      throw outcome.error.code === 'IDEMPOTENCY_KEY_INVALID' ? idempotencyKeyInvalid(outcome.error) : badRequest(`the push cannot be read: ${outcome.error.message}`, [outcome.error]);
  }
}
