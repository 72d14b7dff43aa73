import { z } from 'zod';
import { defineEndpoint, type DeliveryOutcome, type OutboundMessage, type SinkRuntime } from '../contract.ts';
import { signWebhook } from './signature.ts';

const config = z.object({
  url: z.url().meta({ description: 'Where documents are POSTed', examples: ['https://wms.example.com/hooks/causeway'] }),
  secret: z.string().min(16, 'a signing secret needs at least 16 characters').optional()
    .meta({ description: 'Signing secret (Standard Webhooks); use ${ENV} so it never sits in the file', examples: ['${WMS_WEBHOOK_SECRET}'] }),
  timeoutMs: z.number().int().positive().max(300_000).default(10_000).meta({ description: 'Time allowed for the receiver to answer' }),
  headers: z.record(z.string(), z.string()).default({}).meta({ description: 'Extra headers, e.g. an Authorization the receiver needs' }),
  maxResponseBytes: z.number().int().positive().default(4096).meta({ description: 'How much of the answer is kept with the attempt' }),
}).strict();

export type WebhookConfig = z.infer<typeof config>;

/** HTTP statuses worth trying again: the receiver is busy, down or timed out, not refusing the content. */
const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

export const webhookEndpoint = defineEndpoint({
  type: 'webhook',
  description: 'Delivers each document by HTTP POST, signed in the Standard Webhooks style (webhook-id, webhook-timestamp, webhook-signature).',
  config,
  defaultCodec: 'json',
  createSink: (c: WebhookConfig): SinkRuntime => ({ deliver: (m, signal) => postWebhook(c, m, signal) }),
});

async function postWebhook(c: WebhookConfig, m: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    ...c.headers,
    'content-type': m.contentType,
    'idempotency-key': m.idempotencyKey,
    'webhook-id': m.idempotencyKey,
    'webhook-timestamp': String(timestamp),
    'x-causeway-document-type': m.documentType,
    'x-causeway-entity-key': m.entityKey,
    'x-causeway-attempt': String(m.attempt),
  };
  if (c.secret) headers['webhook-signature'] = signWebhook(c.secret, m.idempotencyKey, timestamp, m.payload);
  let res: Response;
  try {
    res = await fetch(c.url, { method: 'POST', headers, body: new Uint8Array(m.payload), signal: AbortSignal.any([signal, AbortSignal.timeout(c.timeoutMs)]) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${c.timeoutMs} ms` : err.cause?.code ?? err.message;
    return { kind: 'retryable', error: `posting to ${new URL(c.url).host}: ${why}` };
  }
  const response = await readBounded(res, c.maxResponseBytes);
  if (res.ok) return { kind: 'delivered', statusCode: res.status, response, partnerRef: partnerReference(res, response) };
  const error = `receiver answered HTTP ${res.status}${response ? `: ${response.slice(0, 200)}` : ''}`;
  if (RETRYABLE.has(res.status)) return { kind: 'retryable', error, statusCode: res.status, response, retryAfterMs: retryAfter(res) };
  return { kind: 'permanent', error, statusCode: res.status, response };
}

async function readBounded(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** The receiver's own id for what it created: a Location-style header or an id in its JSON answer. */
function partnerReference(res: Response, body: string): string | undefined {
  const header = res.headers.get('x-reference') ?? res.headers.get('location');
  if (header) return header.slice(0, 256);
  if (!body.startsWith('{')) return undefined;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const ref = j.reference ?? j.id;
    return typeof ref === 'string' || typeof ref === 'number' ? String(ref).slice(0, 256) : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
