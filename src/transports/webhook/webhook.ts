import { type Agent, request } from 'undici';
import { z } from 'zod';
import { defineEndpoint, type DeliveryOutcome, type OutboundMessage, type SinkRuntime } from '../contract.ts';
import { encodeHeaderValues, UnencodableHeaderValue } from '../header-values.ts';
import { OutboundGuard, outboundRefusal } from '../outbound/index.ts';
import { cannotBeFormed } from '../unformable.ts';
import { signWebhook } from './signature.ts';
import { serviceUrl } from '../outbound/url.ts';

/** Lists our headers whose values were percent-encoded (UTF-8); docs/transports/webhook.md. */
const ENCODED_HEADERS = 'x-causeway-encoded-headers';

/** Headers Causeway sets on every request; a configured header may not stand in for one of them. */
const OURS = /^(content-type|idempotency-key|webhook-(id|timestamp|signature)|x-causeway-.*)$/i;

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs: what every receiver reads unchanged. */
const headerValue = z.string().regex(/^[\t\x20-\x7e]*$/, 'a header value must be visible ASCII (percent-encode anything else as the receiver expects it)');

const config = z.object({
  url: serviceUrl.meta({ description: 'Where documents are POSTed', examples: ['https://wms.example.com/hooks/causeway'] }),
  secret: z.string().min(16, 'a signing secret needs at least 16 characters').optional()
    .meta({ description: 'Signing secret (Standard Webhooks); use ${ENV} so it never sits in the file', examples: ['${WMS_WEBHOOK_SECRET}'] }),
  timeoutMs: z.number().int().positive().max(300_000).default(10_000).meta({ description: 'Time allowed for the receiver to answer' }),
  headers: z.record(z.string(), headerValue).superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'expected a header name: letters, digits and !#$%&\'*+.^_`|~-' });
      else if (OURS.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'Causeway sets this header itself' });
    }
  }).default({}).meta({ description: 'Extra headers, e.g. an Authorization the receiver needs; visible ASCII, sent as written' }),
  maxResponseBytes: z.number().int().positive().default(4096).meta({ description: 'How much of the answer is kept with the attempt' }),
}).strict();

export type WebhookConfig = z.infer<typeof config>;

/** HTTP statuses worth trying again: the receiver is busy, down or timed out, not refusing the content. */
const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

export const webhookEndpoint = defineEndpoint({
  type: 'webhook',
  description: 'Delivers each document by HTTP POST, signed in the Standard Webhooks style (webhook-id, webhook-timestamp, webhook-signature). '
    + 'Header values outside visible ASCII (an entity key with "Ł") are percent-encoded and named in x-causeway-encoded-headers; see docs/transports/webhook.md.',
  config,
  produces: [],
  accepts: 'codec',
  createSink: (c: WebhookConfig, ctx): SinkRuntime => {
    // undici's request API on a keep-alive agent: fetch's per-call overhead capped a sink at
    // ~1,000 deliveries/s on this hardware; this path is several times faster. It follows no
    // redirect, and every connection it opens passes the outbound guard.
    const agent = new OutboundGuard(ctx.name, ctx.outbound)
      .agent({ keepAliveTimeout: 10_000, headersTimeout: c.timeoutMs, bodyTimeout: c.timeoutMs, connect: { timeout: c.timeoutMs } });
    return { deliver: (m, signal) => postWebhook(c, agent, m, signal), close: () => agent.close() };
  },
});

async function postWebhook(c: WebhookConfig, agent: Agent, m: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
  const host = new URL(c.url).host;
  const timestamp = Math.floor(Date.now() / 1000);
  let ours: Record<string, string>;
  try {
    ours = encodeHeaderValues({
      'content-type': m.contentType,
      'idempotency-key': m.idempotencyKey,
      'webhook-id': m.idempotencyKey,
      'webhook-timestamp': String(timestamp),
      'x-causeway-document-type': m.documentType,
      'x-causeway-entity-key': m.entityKey,
      'x-causeway-attempt': String(m.attempt),
    }, ENCODED_HEADERS).headers;
  } catch (e) {
    if (e instanceof UnencodableHeaderValue) return { kind: 'permanent', error: `building the request to ${host}: ${e.message}` };
    throw e;
  }
  const headers: Record<string, string> = { ...c.headers, ...ours };
  // Signed over webhook-id as sent, so a receiver verifies with the header it got.
  if (c.secret) headers['webhook-signature'] = signWebhook(c.secret, ours['webhook-id']!, timestamp, m.payload);
  let status: number;
  let responseHeaders: Record<string, string | string[] | undefined>;
  let response: string;
  try {
    const res = await request(c.url, { method: 'POST', headers, body: m.payload, dispatcher: agent, signal });
    status = res.statusCode;
    responseHeaders = res.headers;
    response = await readBounded(res.body, c.maxResponseBytes);
  } catch (e) {
    const refused = outboundRefusal(e);
    if (refused) return { kind: 'permanent', error: refused.message };
    // Refused before anything was sent: the same request would be refused on every attempt.
    if (cannotBeFormed(e)) return { kind: 'permanent', error: `building the request to ${host}: ${(e as Error).message}` };
    const err = e as Error & { code?: string; cause?: { code?: string } };
    const why = /Timeout/.test(err.name) || err.code?.includes('TIMEOUT') ? `no answer within ${c.timeoutMs} ms` : err.cause?.code ?? err.code ?? err.message;
    return { kind: 'retryable', error: `posting to ${host}: ${why}` };
  }
  if (status >= 200 && status < 300) return { kind: 'delivered', statusCode: status, response, partnerRef: partnerReference(responseHeaders, response) };
  const error = `receiver answered HTTP ${status}${response ? `: ${response.slice(0, 200)}` : ''}`;
  if (RETRYABLE.has(status)) return { kind: 'retryable', error, statusCode: status, response, retryAfterMs: retryAfter(header(responseHeaders, 'retry-after')) };
  return { kind: 'permanent', error, statusCode: status, response };
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** The receiver's own id for what it created: a Location-style header or an id in its JSON answer. */
function partnerReference(h: Record<string, string | string[] | undefined>, body: string): string | undefined {
  const ref = header(h, 'x-reference') ?? header(h, 'location');
  if (ref) return ref.slice(0, 256);
  if (!body.startsWith('{')) return undefined;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const ref = j.reference ?? j.id;
    return typeof ref === 'string' || typeof ref === 'number' ? String(ref).slice(0, 256) : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
