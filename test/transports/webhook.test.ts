import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { CausewayFault } from '../../src/model/index.ts';
import { verifyWebhook, webhookEndpoint, type EndpointContext, type OutboundMessage, type SinkRuntime } from '../../src/transports/index.ts';
import { startReceiver, type Received } from '../support/receiver.ts';

const SECRET = 'whsec_' + Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64');
// The receiver listens on loopback, which the outbound guard refuses unless the endpoint allows it.
const ctx = { name: 'wms', tenant: 'acme', logger: pino({ level: 'silent' }), store: undefined as never, baseDir: '/tmp', outbound: { allowPrivateNetworks: true, allow: [] } } satisfies EndpointContext;

const outbound = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  deliveryId: 1, tenant: 'acme', endpoint: 'wms', documentType: 'sales_order', documentId: '1-1-0', entityKey: 'order:SO-1',
  idempotencyKey: 'cw-1-0-orders', contentType: 'application/json', payload: Buffer.from('{"type":"sales_order"}'), attempt: 1, ...over,
});

/** The receiver's side of the rule: headers named in x-causeway-encoded-headers are percent-decoded. */
function decoded(r: Received, name: string): string {
  const listed = String(r.headers['x-causeway-encoded-headers'] ?? '').split(',').map((h) => h.trim());
  const value = String(r.headers[name]);
  return listed.includes(name) ? decodeURIComponent(value) : value;
}

async function withSink<T>(settings: Record<string, unknown>, run: (sink: SinkRuntime, received: Received[]) => Promise<T>): Promise<T> {
  const receiver = await startReceiver();
  const sink = webhookEndpoint.createSink!({ timeoutMs: 5000, headers: {}, maxResponseBytes: 4096, url: `${receiver.url}/hook`, ...settings }, ctx) as SinkRuntime;
  try {
    return await run(sink, receiver.received);
  } finally {
    await sink.close?.();
    await receiver.close();
  }
}

describe('webhook transport', () => {
  it('percent-encodes header values outside visible ASCII, names them, and signs webhook-id as sent', async () => {
    await withSink({ secret: SECRET }, async (sink, received) => {
      const key = 'order:SO-Ł-1 ';
      const idem = 'cw-1-0-zamówienia';
      const outcome = await sink.deliver(outbound({ entityKey: key, idempotencyKey: idem }), AbortSignal.timeout(5000));
      assert.equal(outcome.kind, 'delivered');
      const [r] = received;
      assert.equal(r.headers['x-causeway-entity-key'], 'order%3ASO-%C5%81-1%20');
      assert.equal(r.headers['x-causeway-encoded-headers'], 'idempotency-key, webhook-id, x-causeway-entity-key');
      assert.equal(decoded(r, 'x-causeway-entity-key'), key, 'the receiver gets the key back exactly, trailing space and all');
      assert.equal(decoded(r, 'idempotency-key'), idem);
      assert.equal(decoded(r, 'webhook-id'), idem);
      assert.equal(decoded(r, 'x-causeway-document-type'), 'sales_order');
      const ok = verifyWebhook(SECRET, { id: String(r.headers['webhook-id']), timestamp: String(r.headers['webhook-timestamp']), signature: String(r.headers['webhook-signature']) }, r.body);
      assert.ok(ok, 'the signature verifies with the headers as received');
    });
  });

  it('sends keys of visible ASCII as they are, a "%" included, with no companion header', async () => {
    await withSink({}, async (sink, received) => {
      await sink.deliver(outbound({ entityKey: 'order:SO-100%/A' }), AbortSignal.timeout(5000));
      assert.equal(received[0].headers['x-causeway-entity-key'], 'order:SO-100%/A');
      assert.equal(received[0].headers['x-causeway-encoded-headers'], undefined);
    });
  });

  it('control characters and line breaks in a key cannot split or add a header', async () => {
    await withSink({}, async (sink, received) => {
      const key = 'order:SO-1\r\nx-injected: yes\u0000';
      assert.equal((await sink.deliver(outbound({ entityKey: key }), AbortSignal.timeout(5000))).kind, 'delivered');
      assert.equal(received[0].headers['x-injected'], undefined);
      assert.equal(decoded(received[0], 'x-causeway-entity-key'), key);
    });
  });

  it('a request that cannot be formed is a permanent failure that says why, and nothing is sent', async () => {
    await withSink({ headers: { 'x-depositor': 'Łódź' } }, async (sink, received) => {
      const outcome = await sink.deliver(outbound(), AbortSignal.timeout(5000));
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /^building the request to 127\.0\.0\.1:\d+: invalid x-depositor header/);
      assert.equal(received.length, 0);
    });
  });

  it('a key no encoding can carry (a lone surrogate) is a permanent failure', async () => {
    await withSink({}, async (sink, received) => {
      const outcome = await sink.deliver(outbound({ entityKey: 'order:SO-\ud800' }), AbortSignal.timeout(5000));
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /x-causeway-entity-key holds a lone UTF-16 surrogate/);
      assert.equal(received.length, 0);
    });
  });

  it('refuses configured headers a receiver could not read or that Causeway sets itself', () => {
    const config = (headers: string) => () => parseConfig(`endpoints:\n  wms: { type: webhook, allowPrivateNetworks: true, url: "http://127.0.0.1:1/h", headers: ${headers} }\n`, '/tmp');
    assert.doesNotThrow(config('{ authorization: "Bearer abc def" }'));
    for (const [headers, path, message] of [
      ['{ x-depositor: "Łódź" }', '$.endpoints.wms.headers.x-depositor', /visible ASCII/],
      ['{ "x depositor": "a" }', '$.endpoints.wms.headers.x depositor', /header name/],
      ['{ Idempotency-Key: "fixed" }', '$.endpoints.wms.headers.Idempotency-Key', /Causeway sets this header/],
      ['{ x-causeway-encoded-headers: "" }', '$.endpoints.wms.headers.x-causeway-encoded-headers', /Causeway sets this header/],
    ] as const) {
      assert.throws(config(headers), (e: unknown) => {
        const errors = (e as CausewayFault).errors;
        assert.ok(errors.some((x) => x.path?.startsWith(path) && message.test(x.message)), JSON.stringify(errors));
        return true;
      });
    }
  });
});
