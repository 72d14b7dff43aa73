import type { CausewayError } from '../../model/index.ts';
import { MAX_IDEMPOTENCY_KEY, type InboundMessage, type PushReceiver } from '../contract.ts';
import { createHash } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../webhook/index.ts';

/**
 * A partner's push to an inbound http endpoint (POST /v1/endpoints/{name}/messages): which
 * endpoint takes it, whether its Standard Webhooks signature holds, and the key it is stored
 * under. The API server listens and has already told the caller's tenant; storing is the engine's,
 * through `store`. Every refusal is a value naming the header at fault.
 */

/** Standard Webhooks' default tolerance: a signature older than this may be a replayed request. */
export const SIGNATURE_TOLERANCE_S = 300;

/**
 * Records a signed request (its webhook-id and a fingerprint of what was signed: id, timestamp,
 * body) for the endpoint; false when the same one was recorded before. The engine keeps them in the store, per tenant and endpoint, so a
 * replay is recognised by every worker and after a restart.
 */
export type RecordSignedRequest = (id: string, fingerprint: string, toleranceSeconds: number) => Promise<boolean>;

/** An endpoint of the caller's tenant, as the engine knows it; another tenant's is never given. */
export interface PushTarget {
  name: string;
  type: string;
  settings: unknown;
  /** The connector's own receiver, when its type takes pushes (a wms-rest endpoint's webhooks). */
  receiver?: PushReceiver;
}

/** What the engine answers for a stored push. */
export interface PushStored {
  kind: 'stored' | 'duplicate' | 'key-reused';
  messageId: number;
  idempotencyKey: string;
}

export type PushOutcome =
  | { kind: 'stored' | 'duplicate'; messageId: number }
  /** The key came before with other bytes: nothing is stored; messageId is the key's message, keyPath where the key came from. */
  | { kind: 'key-reused'; messageId: number; idempotencyKey: string; keyPath: string }
  /** Taken without storing anything now: fetched by the endpoint's source later, or nothing it reads. */
  | { kind: 'queued' | 'ignored'; detail: string }
  | { kind: 'not-found'; error: CausewayError }
  /** The signature is missing, wrong or out of tolerance (401). */
  | { kind: 'unsigned'; error: CausewayError }
  /** The same signed request (webhook-id and timestamp) came before: a replay, nothing stored (409). */
  | { kind: 'replayed'; error: CausewayError }
  | { kind: 'bad-request'; error: CausewayError };

/**
 * The sender's idempotency key and the header it came in (for errors): Idempotency-Key, else the
 * fallback header's value; undefined when neither is given and the content hash stands in.
 */
export function readIdempotencyKey(headers: Headers, fallback?: { header: string; value: string | null }): { key: string; path: string } | { error: CausewayError } | undefined {
  const given = headers.get('idempotency-key') ?? undefined;
  const key = given ?? fallback?.value ?? undefined;
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY)) {
    return { error: { code: 'IDEMPOTENCY_KEY_INVALID', path: 'header.Idempotency-Key', message: `expected 1 to ${MAX_IDEMPOTENCY_KEY} characters` } };
  }
  return key === undefined ? undefined : { key, path: given !== undefined ? 'header.Idempotency-Key' : `header.${fallback!.header}` };
}

/**
 * Takes one push: only an http endpoint receives pushes; when it has a secret the request must be
 * signed with it, and webhook-id is then the idempotency key unless Idempotency-Key is given (a
 * partner retrying a webhook sends the same id).
 *
 * Replays: a signed request is good for the tolerance only, and within it the same signed request
 * (webhook-id, timestamp and body) is refused the second time (`record`). A sender's own retry signs
 * afresh with a new timestamp and is answered by the idempotency key as a duplicate; a captured
 * request cannot be re-signed, and an Idempotency-Key header changed on it does not help, since
 * the replay is refused before the key is read.
 */
export async function receivePush(
  request: Request,
  target: { tenant: string; name: string; endpoint: PushTarget | undefined },
  store: (message: InboundMessage) => Promise<PushStored>,
  nowSeconds = Math.floor(Date.now() / 1000),
  record?: RecordSignedRequest,
): Promise<PushOutcome> {
  const { endpoint } = target;
  if (!endpoint || (endpoint.type !== 'http' && !endpoint.receiver)) {
    return { kind: 'not-found', error: { code: 'ENDPOINT_UNKNOWN', path: 'path.name', message: `no endpoint named "${target.name}" that takes pushes for tenant "${target.tenant}"` } };
  }
  const body = Buffer.from(await request.arrayBuffer());
  if (endpoint.receiver) return receiveByConnector(endpoint.receiver, request.headers, body, store, nowSeconds);
  const settings = endpoint.settings as { secret?: string; toleranceSeconds?: number } | undefined;
  const secret = settings?.secret;
  const tolerance = settings?.toleranceSeconds ?? SIGNATURE_TOLERANCE_S;
  const webhookId = request.headers.get('webhook-id');
  // Kept as the partner reference and, signed, as a replay record: bounded as idempotency keys are, so
  // an id thousands of characters long is refused here and not by the store's index with a 500.
  if (webhookId !== null && (webhookId.length === 0 || webhookId.length > MAX_IDEMPOTENCY_KEY)) {
    return { kind: 'bad-request', error: { code: 'WEBHOOK_ID_INVALID', path: 'header.webhook-id', message: `expected 1 to ${MAX_IDEMPOTENCY_KEY} characters` } };
  }
  if (secret) {
    const timestamp = request.headers.get('webhook-timestamp');
    const refused = checkSignature(secret, { id: webhookId, timestamp, signature: request.headers.get('webhook-signature') }, body, nowSeconds, tolerance);
    if (refused) return { kind: 'unsigned', error: refused };
    // Only a request whose signature holds is recorded: an unsigned one cannot use up a sender's ids.
    if (record && !(await record(webhookId!, signatureFingerprint(secret, webhookId!, Number(timestamp), body), tolerance))) {
      return {
        kind: 'replayed',
        error: { code: 'SIGNATURE_REPLAYED', path: 'header.webhook-id', message: `this signed request (webhook-id "${webhookId}", webhook-timestamp ${timestamp}) was received before; a retry must be signed afresh with a new timestamp` },
      };
    }
  }
  const key = readIdempotencyKey(request.headers, secret ? { header: 'webhook-id', value: webhookId } : undefined);
  if (key && 'error' in key) return { kind: 'bad-request', error: key.error };
  const stored = await store({ body, contentType: request.headers.get('content-type') ?? undefined, idempotencyKey: key?.key, partnerRef: webhookId ?? undefined });
  if (stored.kind === 'key-reused') return { kind: 'key-reused', messageId: stored.messageId, idempotencyKey: stored.idempotencyKey, keyPath: key?.path ?? 'header.Idempotency-Key' };
  return { kind: stored.kind, messageId: stored.messageId };
}

/**
 * A push the endpoint's connector checks itself (its own signature scheme, its topics). What it
 * says to store goes in under its key; a key that names a resource version (the same key a poll
 * of that version uses) met again with other bytes is that version again, answered as a duplicate.
 */
async function receiveByConnector(receiver: PushReceiver, headers: Headers, body: Buffer, store: (message: InboundMessage) => Promise<PushStored>, nowSeconds: number): Promise<PushOutcome> {
  const verdict = await receiver.receive({ headers, body }, nowSeconds);
  switch (verdict.kind) {
    case 'refused':
      return verdict.status === 401 ? { kind: 'unsigned', error: verdict.error } : { kind: 'bad-request', error: verdict.error };
    case 'queued':
    case 'ignored':
      return { kind: verdict.kind, detail: verdict.detail };
    case 'store': {
      const stored = await store(verdict.message);
      if (stored.kind === 'key-reused' && !verdict.versionKey) {
        return { kind: 'key-reused', messageId: stored.messageId, idempotencyKey: stored.idempotencyKey, keyPath: 'body' };
      }
      return { kind: stored.kind === 'stored' ? 'stored' : 'duplicate', messageId: stored.messageId };
    }
  }
}

/** Undefined when the signature holds; else what is wrong with it. */
function checkSignature(secret: string, headers: { id: string | null; timestamp: string | null; signature: string | null }, body: Buffer, nowSeconds: number, tolerance: number): CausewayError | undefined {
  if (!headers.id) return { code: 'SIGNATURE_MISSING', path: 'header.webhook-id', message: 'required on a signed endpoint' };
  if (!headers.signature) return { code: 'SIGNATURE_MISSING', path: 'header.webhook-signature', message: 'required on a signed endpoint' };
  if (!headers.timestamp || !/^\d+$/.test(headers.timestamp)) return { code: 'SIGNATURE_MISSING', path: 'header.webhook-timestamp', message: 'expected Unix seconds' };
  if (Math.abs(nowSeconds - Number(headers.timestamp)) > tolerance) {
    return { code: 'SIGNATURE_EXPIRED', path: 'header.webhook-timestamp', message: `more than ${tolerance} s away from now` };
  }
  if (!verifyWebhook(secret, headers, body, nowSeconds, tolerance)) return { code: 'SIGNATURE_INVALID', path: 'header.webhook-signature', message: 'does not match the body' };
  return undefined;
}

/** The same for the same id, timestamp and body: what tells a replayed request from a sender's fresh retry. */
function signatureFingerprint(secret: string, id: string, timestamp: number, body: Buffer): string {
  return createHash('sha256').update(signWebhook(secret, id, timestamp, body)).digest('hex');
}
