import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CausewayError } from '../../model/index.ts';
import { verifyWebhook } from '../../transports/index.ts';
import type { SignatureSpec } from './profile.ts';

/**
 * Whether a webhook is what the warehouse signed: Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature over "id.timestamp.body", with a replay tolerance), an HMAC-SHA256 of the raw
 * body in a named header (base64 or hex, after an optional prefix such as "sha256="), or nothing.
 * Digests are compared in constant time. Undefined when the signature holds, else what is wrong,
 * naming the header.
 */
export function checkSignature(spec: SignatureSpec, secret: string | undefined, headers: Headers, body: Buffer, nowSeconds: number, toleranceSeconds: number): CausewayError | undefined {
  switch (spec.scheme) {
    case 'none':
      return undefined;
    case 'standard-webhooks': {
      const id = headers.get('webhook-id');
      const timestamp = headers.get('webhook-timestamp');
      const signature = headers.get('webhook-signature');
      if (!id) return missing('webhook-id');
      if (!signature) return missing('webhook-signature');
      if (!timestamp || !/^\d+$/.test(timestamp)) return { code: 'SIGNATURE_MISSING', path: 'header.webhook-timestamp', message: 'expected Unix seconds' };
      if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
        return { code: 'SIGNATURE_EXPIRED', path: 'header.webhook-timestamp', message: `more than ${toleranceSeconds} s away from now` };
      }
      if (!secret || !verifyWebhook(secret, { id, timestamp, signature }, body, nowSeconds, toleranceSeconds)) return invalid('webhook-signature');
      return undefined;
    }
    case 'hmac-sha256': {
      const header = spec.header.toLowerCase();
      const value = headers.get(header);
      if (!value) return missing(header);
      if (!value.startsWith(spec.prefix)) return { code: 'SIGNATURE_INVALID', path: `header.${header}`, message: `expected "${spec.prefix}" before the digest` };
      const given = Buffer.from(value.slice(spec.prefix.length).trim(), spec.encoding);
      const expected = createHmac('sha256', secret ?? '').update(body).digest();
      if (!secret || given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid(header);
      return undefined;
    }
  }
}

/** The header value a sender would put, for tests and for partners who want to check their side. */
export function signHmac(secret: string, body: Buffer, encoding: 'base64' | 'hex', prefix = ''): string {
  return prefix + createHmac('sha256', secret).update(body).digest(encoding);
}

function missing(header: string): CausewayError {
  return { code: 'SIGNATURE_MISSING', path: `header.${header}`, message: 'required: the endpoint takes signed webhooks only' };
}

function invalid(header: string): CausewayError {
  return { code: 'SIGNATURE_INVALID', path: `header.${header}`, message: 'does not match the body' };
}
