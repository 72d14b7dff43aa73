import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { documentsAccepted, message as messageSchema, messageAccepted } from '../../src/api/schemas.ts';
import { signWebhook } from '../../src/transports/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';
import { problemOf, SIGNING_SECRET, startTestApi, type TestApi } from './harness.ts';

describe('API ingest: POST /v1/documents', () => {
  let api: TestApi;
  before(async () => { api = await startTestApi('', { maxBodyBytes: 16 * 1024 }); });
  after(() => api.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    api.call('/v1/documents', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('accepts a valid sales order with 202, and the processor takes it on', async () => {
    const res = await post(JSON.stringify(salesOrder('SO-100')));
    assert.equal(res.status, 202);
    const body = documentsAccepted.parse(await res.json());
    assert.equal(body.duplicate, false);
    assert.equal(body.documents, 1);
    const m = await waitFor(async () => {
      const r = messageSchema.parse(await (await api.call(`/v1/messages/${body.messageId}`)).json());
      return r.status === 'processed' ? r : undefined;
    }, 5000, 'processed message');
    assert.equal(m.endpoint, 'api');
    assert.equal(m.tenant, 'acme');
    assert.match(m.receivedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('counts the documents of an array and of JSON lines', async () => {
    const arr = await post(JSON.stringify([salesOrder('SO-101'), shipment('SO-101')]));
    assert.equal(arr.status, 202);
    assert.equal((await arr.json()).documents, 2);
    const lines = await post(`${JSON.stringify(salesOrder('SO-102'))}\n${JSON.stringify(salesOrder('SO-103'))}\n`, { 'content-type': 'application/x-ndjson' });
    assert.equal(lines.status, 202);
    assert.equal((await lines.json()).documents, 2);
  });

  it('answers 422 naming the field at fault, and keeps the message quarantined', async () => {
    const bad = salesOrder('SO-104', 2);
    (bad.lines as Array<Record<string, unknown>>)[1].quantity = 'ten';
    delete bad.shipTo;
    const res = await post(JSON.stringify(bad));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.type, 'https://causeway.dev/problems/invalid-documents');
    assert.equal(p.status, 422);
    const paths = p.errors!.map((e) => e.path).sort();
    assert.deepEqual(paths, ['$.lines[1].quantity', '$.shipTo']);
    assert.ok(p.errors!.every((e) => e.code === 'DOC_INVALID' && e.message.length > 0));
    assert.ok(p.messageId);
    const m = await waitFor(async () => {
      const r = await (await api.call(`/v1/messages/${p.messageId}`)).json();
      return r.status === 'quarantined' ? r : undefined;
    }, 5000, 'quarantined message');
    assert.deepEqual(m.errors.map((e: { path: string }) => e.path).sort(), paths);
  });

  it('keeps the valid documents of a mixed array and says which one failed', async () => {
    const res = await post(JSON.stringify([salesOrder('SO-105'), { ...salesOrder('SO-106'), priority: 'asap' }]));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.documents, 1);
    assert.deepEqual(p.errors!.map((e) => e.path), ['$[1].priority']);
  });

  it('answers malformed JSON with its line and column, and stores the bytes verbatim', async () => {
    const text = '{"type": "sales_order", "orderNumber": "SO-9",\n "lines": [}';
    const res = await post(text);
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.errors![0].code, 'JSON_SYNTAX');
    assert.match(p.errors![0].message, /line 2/);
    const raw = await api.call(`/v1/messages/${p.messageId}/raw`);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('content-type'), 'application/json');
    assert.equal(await raw.text(), text);
  });

  it('refuses an unknown document type at $.type', async () => {
    const p = await problemOf(await post(JSON.stringify({ type: 'credit_note', number: 'CN-1' })));
    assert.equal(p.status, 422);
    assert.equal(p.errors![0].code, 'DOC_UNKNOWN_TYPE');
    assert.equal(p.errors![0].path, '$.type');
  });

  it('names the field the sender sent when its number is too long, not the key Causeway makes of it', async () => {
    const p = await problemOf(await post(JSON.stringify(salesOrder('SO-'.padEnd(500, '9')))));
    assert.deepEqual(p.errors!.map((e) => e.path), ['$.orderNumber']);
  });

  it('refuses a document that names another tenant', async () => {
    const p = await problemOf(await post(JSON.stringify(salesOrder('SO-107', 1, { tenant: 'globex' }))));
    assert.equal(p.errors![0].code, 'DOC_TENANT_MISMATCH');
    assert.equal(p.errors![0].path, '$.tenant');
  });

  it('refuses a body over api.maxBodyBytes with 413, declared or streamed, and stores nothing', async () => {
    const before = (await (await api.call('/v1/messages?limit=1000')).json()).items.length;
    const huge = JSON.stringify(salesOrder('SO-108', 400));
    assert.ok(huge.length > 16 * 1024);
    const declared = await post(huge);
    assert.equal(declared.status, 413);
    assert.equal((await problemOf(declared)).errors![0].code, 'BODY_TOO_LARGE');
    const streamed = await api.call('/v1/documents', {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(huge.slice(i * 8000, (i + 1) * 8000))); c.close(); } }),
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal((await (await api.call('/v1/messages?limit=1000')).json()).items.length, before);
  });

  it('reads a body compressed with gzip, deflate or br, and refuses one it cannot undo or that decompresses past the limit', async () => {
    const send = (body: Buffer, encoding: string) => api.call('/v1/documents', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
    const order = (n: string) => Buffer.from(JSON.stringify(salesOrder(n)));
    const compressed: Array<[string, Buffer]> = [
      ['gzip', gzipSync(order('SO-Z1'))], ['x-gzip', gzipSync(order('SO-Z2'))], ['br', brotliCompressSync(order('SO-Z3'))],
      ['deflate', deflateSync(order('SO-Z4'))], ['deflate', deflateRawSync(order('SO-Z5'))], ['identity', order('SO-Z6')],
    ];
    for (const [encoding, body] of compressed) {
      const res = await send(body, encoding);
      assert.equal(res.status, 202, `${encoding}: ${await res.clone().text()}`);
      const { messageId } = await res.json();
      const stored = await api.hub.store.getMessage('acme', messageId);
      assert.equal(JSON.parse(stored!.body.toString('utf8')).orderNumber.startsWith('SO-Z'), true, `${encoding}: the message is kept as the JSON it carried`);
    }
    const before = (await (await api.call('/v1/messages?limit=1000')).json()).items.length;
    // 200 kB of compressed spaces are 100 MB of JSON: refused at 16 kB, before the rest is inflated.
    const bomb = await send(gzipSync(Buffer.alloc(100_000_000, 0x20)), 'gzip');
    assert.equal(bomb.status, 413);
    assert.equal((await problemOf(bomb)).errors![0].code, 'BODY_TOO_LARGE');
    const garbled = await send(order('SO-Z7'), 'gzip');
    assert.equal(garbled.status, 400);
    assert.deepEqual((await problemOf(garbled)).errors![0], { code: 'CONTENT_ENCODING_INVALID', path: 'header.Content-Encoding', message: 'the body does not decompress as gzip' });
    for (const encoding of ['compress', 'gzip, br', 'zstd']) {
      const res = await send(gzipSync(order('SO-Z8')), encoding);
      assert.equal(res.status, 415, encoding);
      assert.equal((await problemOf(res)).errors![0].code, 'CONTENT_ENCODING_UNSUPPORTED');
    }
    assert.equal((await (await api.call('/v1/messages?limit=1000')).json()).items.length, before, 'nothing refused is stored');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await post('<order/>', { 'content-type': 'application/xml' });
    assert.equal(res.status, 415);
    await problemOf(res);
  });

  it('answers a repeated Idempotency-Key with 200 and the original message, processing it once', async () => {
    const first = await post(JSON.stringify(salesOrder('SO-110')), { 'idempotency-key': 'erp-batch-110' });
    assert.equal(first.status, 202);
    const { messageId } = await first.json();
    const again = await post(JSON.stringify(salesOrder('SO-110')), { 'idempotency-key': 'erp-batch-110' });
    assert.equal(again.status, 200);
    const body = documentsAccepted.parse(await again.json());
    assert.deepEqual({ messageId: body.messageId, duplicate: body.duplicate }, { messageId, duplicate: true });
    const m = await (await api.call(`/v1/messages/${messageId}`)).json();
    assert.equal(m.idempotencyKey, 'erp-batch-110');
    assert.equal(m.duplicates, 1);
    const same = (await (await api.call('/v1/messages?limit=1000')).json()).items.filter((x: { idempotencyKey: string }) => x.idempotencyKey === 'erp-batch-110');
    assert.equal(same.length, 1);
  });

  it('refuses an Idempotency-Key reused with a different body with 422 naming the original message, and drops nothing', async () => {
    const first = await post(JSON.stringify(salesOrder('SO-113')), { 'idempotency-key': 'erp-batch-113' });
    assert.equal(first.status, 202);
    const { messageId } = await first.json();
    const other = await post(JSON.stringify(salesOrder('SO-113', 3)), { 'idempotency-key': 'erp-batch-113' });
    assert.equal(other.status, 422);
    const p = await problemOf(other);
    assert.equal(p.type, 'https://causeway.dev/problems/idempotency-key-conflict');
    assert.equal(p.messageId, messageId);
    assert.equal(p.errors![0].code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(p.errors![0].path, 'header.Idempotency-Key');
    // The original keeps its own bytes; the other body is not stored under the key.
    assert.equal(JSON.parse(await (await api.call(`/v1/messages/${messageId}/raw`)).text()).lines.length, 2);
    // The same key with the first bytes is still a plain duplicate.
    const same = await post(JSON.stringify(salesOrder('SO-113')), { 'idempotency-key': 'erp-batch-113' });
    assert.equal(same.status, 200);
    assert.equal((await same.json()).messageId, messageId);
    const keyed = (await (await api.call('/v1/messages?limit=1000')).json()).items.filter((x: { idempotencyKey: string }) => x.idempotencyKey === 'erp-batch-113');
    assert.equal(keyed.length, 1);
  });

  it('dedupes by content when no Idempotency-Key is given', async () => {
    const text = JSON.stringify(salesOrder('SO-111'));
    const a = await (await post(text)).json();
    const b = await post(text);
    assert.equal(b.status, 200);
    assert.equal((await b.json()).messageId, a.messageId);
  });

  it('refuses an Idempotency-Key longer than 256 characters', async () => {
    const p = await problemOf(await post(JSON.stringify(salesOrder('SO-112')), { 'idempotency-key': 'k'.repeat(257) }));
    assert.equal(p.status, 400);
    assert.equal(p.errors![0].path, 'header.Idempotency-Key');
  });
});

describe('API ingest: JSON nested too deep', () => {
  // The default body limit: the payloads an outside test sent are 10 to 50 KB.
  let api: TestApi;
  before(async () => { api = await startTestApi(); });
  after(() => api.close());

  const post = (body: string) => api.call('/v1/documents', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it('refuses JSON nested deeper than maxJsonDepth with 422 saying where, and keeps the message to replay', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['unclosed arrays', '['.repeat(10_000), /^\$(\[0\]){64}$/],
      ['nested objects', '{"a":'.repeat(5000), /^\$(\.a){64}$/],
      ['a deep tenant', `{"type":"sales_order","orderNumber":"SO-114","tenant":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, /^\$\.tenant(\.a){63}$/],
      ['a deep type', JSON.stringify({ ...salesOrder('SO-115'), type: 0 }).replace('"type":0', `"type":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`), /^\$\.type(\.a){63}$/],
    ];
    for (const [what, body, path] of cases) {
      const res = await post(body);
      assert.equal(res.status, 422, what);
      const p = await problemOf(res);
      assert.equal(p.type, 'https://causeway.dev/problems/invalid-documents', what);
      assert.equal(p.errors![0].code, 'JSON_TOO_DEEP', what);
      assert.match(p.errors![0].message, /deeper than 64 levels/, what);
      assert.match(p.errors![0].path!, path, what);
      assert.ok(p.messageId, what);
      const m = await waitFor(async () => {
        const r = await (await api.call(`/v1/messages/${p.messageId}`)).json();
        return r.status === 'quarantined' ? r : undefined;
      }, 5000, `${what} quarantined`);
      assert.equal(m.errors[0].code, 'JSON_TOO_DEEP', what);
      assert.equal(await (await api.call(`/v1/messages/${p.messageId}/raw`)).text(), body, what);
      const replay = await api.call(`/v1/messages/${p.messageId}/replay`, { method: 'POST' });
      assert.equal(replay.status, 202, what);
      await waitFor(async () => {
        const r = await (await api.call(`/v1/messages/${p.messageId}`)).json();
        return r.status === 'quarantined' && r.generation === 2 ? r : undefined;
      }, 5000, `${what} quarantined again on replay`);
    }
  });

  it('refuses an order with a misspelt field with 422 naming it and the field meant, rather than dropping it', async () => {
    const order = { ...salesOrder('SO-117', 1), requestedShipdate: '2026-12-24' };
    const res = await post(JSON.stringify(order));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.deepEqual(p.errors!.map((e) => [e.code, e.path]), [['DOC_UNKNOWN_FIELD', '$.requestedShipdate']]);
    assert.match(p.errors![0].message, /did you mean "requestedShipDate"/);
    const m = await waitFor(async () => {
      const r = await (await api.call(`/v1/messages/${p.messageId}`)).json();
      return r.status === 'quarantined' ? r : undefined;
    }, 5000, 'quarantined');
    assert.equal(m.errors[0].code, 'DOC_UNKNOWN_FIELD');
    const lineage = await (await api.call(`/v1/messages/${p.messageId}/lineage`)).json();
    assert.deepEqual(lineage.documents, []);
  });

  it('refuses an order that gives a key twice with 422 naming it, applies nothing, and keeps the message', async () => {
    const order = JSON.stringify(salesOrder('SO-116', 1));
    const body = order.replace('"quantity":"1"', '"quantity":"1","quantity":"100"');
    assert.notEqual(body, order);
    const res = await post(body);
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.errors![0].code, 'JSON_DUPLICATE_KEY');
    assert.equal(p.errors![0].path, '$.lines[0].quantity');
    const m = await waitFor(async () => {
      const r = await (await api.call(`/v1/messages/${p.messageId}`)).json();
      return r.status === 'quarantined' ? r : undefined;
    }, 5000, 'quarantined');
    assert.equal(m.errors[0].code, 'JSON_DUPLICATE_KEY');
    assert.equal(await (await api.call(`/v1/messages/${p.messageId}/raw`)).text(), body);
    const lineage = await (await api.call(`/v1/messages/${p.messageId}/lineage`)).json();
    assert.deepEqual(lineage.documents, []);
  });

});

describe('API ingest: POST /v1/endpoints/{name}/messages', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(`
endpoints:
  partner-in: { type: http, secret: "${SIGNING_SECRET}" }
  open-in: { type: http }
  globex-in: { type: http, tenant: globex }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: "http://127.0.0.1:9/none" }
`);
  });
  after(() => api.close());

  const signed = (body: Buffer, id: string, at = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) => ({
    'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(secret, id, at, body),
  });

  it('refuses a webhook-id longer than 256 characters with 400, signed or not, and stores nothing', async () => {
    const before = (await (await api.call('/v1/messages?limit=1000')).json()).items.length;
    const body = Buffer.from(JSON.stringify(shipment('SO-202')));
    const id = `msg_${'q'.repeat(5000)}`;
    for (const [endpoint, headers] of [['open-in', { 'content-type': 'application/json', 'webhook-id': id }], ['partner-in', signed(body, id)]] as const) {
      const res = await api.call(`/v1/endpoints/${endpoint}/messages`, { method: 'POST', body: new Uint8Array(body), headers });
      assert.equal(res.status, 400, endpoint);
      assert.deepEqual((await problemOf(res)).errors, [{ code: 'WEBHOOK_ID_INVALID', path: 'header.webhook-id', message: 'expected 1 to 256 characters' }]);
    }
    assert.equal((await (await api.call('/v1/messages?limit=1000')).json()).items.length, before);
  });

  it('checks a gzip-compressed push against the signature of the payload it carries', async () => {
    const body = Buffer.from(JSON.stringify(shipment('SO-201')));
    const res = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body: gzipSync(body), headers: { ...signed(body, 'msg_gz1'), 'content-encoding': 'gzip' } });
    assert.equal(res.status, 202, await res.clone().text());
    const { messageId } = messageAccepted.parse(await res.json());
    assert.deepEqual((await api.hub.store.getMessage('acme', messageId!))!.body, body);
  });

  it('stores a correctly signed payload, with webhook-id as its idempotency key', async () => {
    const body = Buffer.from(JSON.stringify(shipment('SO-200')));
    const res = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers: signed(body, 'msg_2Lx1') });
    assert.equal(res.status, 202);
    const { messageId, duplicate } = messageAccepted.parse(await res.json());
    assert.equal(duplicate, false);
    const m = await (await api.call(`/v1/messages/${messageId}`)).json();
    assert.equal(m.endpoint, 'partner-in');
    assert.equal(m.idempotencyKey, 'msg_2Lx1');
    assert.equal(m.partnerRef, 'msg_2Lx1');
    assert.deepEqual(Buffer.from(await (await api.call(`/v1/messages/${messageId}/raw`)).arrayBuffer()), body);
    // The sender's retry: the same id, signed afresh with a later timestamp.
    const again = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers: signed(body, 'msg_2Lx1', Math.floor(Date.now() / 1000) + 1) });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { messageId, duplicate: true });
  });

  it('refuses a wrong, missing or expired signature with 401 and stores nothing', async () => {
    const body = Buffer.from(JSON.stringify(shipment('SO-201')));
    const count = async () => (await (await api.call('/v1/messages?endpoint=partner-in&limit=1000')).json()).items.length;
    const stored = await count();
    const cases: Array<[Record<string, string>, string]> = [
      [signed(body, 'msg_a', undefined, 'whsec_' + Buffer.from('some-other-secret-of-32-bytes!!!').toString('base64')), 'SIGNATURE_INVALID'],
      [{ ...signed(Buffer.from('{"tampered":true}'), 'msg_b') }, 'SIGNATURE_INVALID'],
      [signed(body, 'msg_c', Math.floor(Date.now() / 1000) - 3600), 'SIGNATURE_EXPIRED'],
      [{ 'content-type': 'application/json' }, 'SIGNATURE_MISSING'],
    ];
    for (const [headers, code] of cases) {
      const res = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers });
      assert.equal(res.status, 401, code);
      assert.equal((await problemOf(res)).errors![0].code, code);
    }
    assert.equal(await count(), stored);
  });

  it('refuses the same signed request sent again with 409 replayed, a changed Idempotency-Key notwithstanding, and stores it once', async () => {
    const body = Buffer.from(JSON.stringify(shipment('SO-204')));
    const captured = signed(body, 'msg_5Rp2');
    const first = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers: captured });
    assert.equal(first.status, 202);
    const { messageId } = await first.json();
    for (const headers of [captured, { ...captured, 'idempotency-key': 'a-key-of-my-own' }]) {
      const replay = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers });
      assert.equal(replay.status, 409);
      const p = await problemOf(replay);
      assert.equal(p.type, 'https://causeway.dev/problems/replayed');
      assert.deepEqual(p.errors!.map((e) => [e.code, e.path]), [['SIGNATURE_REPLAYED', 'header.webhook-id']]);
      assert.match(p.detail, /msg_5Rp2.*received before/);
    }
    const items = (await (await api.call('/v1/messages?endpoint=partner-in&limit=1000')).json()).items as Array<{ id: number; partnerRef: string }>;
    assert.deepEqual(items.filter((m) => m.partnerRef === 'msg_5Rp2').map((m) => m.id), [messageId]);
  });

  it('keeps binary bytes of an unsigned endpoint verbatim and shows them as base64 in the lineage', async () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x49, 0x53, 0x41]);
    const res = await api.call('/v1/endpoints/open-in/messages', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 202);
    const { messageId } = await res.json();
    const raw = await api.call(`/v1/messages/${messageId}/raw`);
    assert.equal(raw.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await raw.arrayBuffer()), body);
    const lineage = await (await api.call(`/v1/messages/${messageId}/lineage`)).json();
    assert.deepEqual(lineage.message.raw, { encoding: 'base64', data: body.toString('base64') });
  });

  it('refuses a webhook-id reused with a different body with 422, and keeps the first', async () => {
    const first = Buffer.from(JSON.stringify(shipment('SO-202')));
    const res = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body: first, headers: signed(first, 'msg_3Kz9') });
    assert.equal(res.status, 202);
    const { messageId } = await res.json();
    const second = Buffer.from(JSON.stringify(shipment('SO-203')));
    const again = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body: second, headers: signed(second, 'msg_3Kz9') });
    assert.equal(again.status, 422);
    const p = await problemOf(again);
    assert.equal(p.type, 'https://causeway.dev/problems/idempotency-key-conflict');
    assert.equal(p.messageId, messageId);
    assert.equal(p.errors![0].path, 'header.webhook-id');
    assert.deepEqual(Buffer.from(await (await api.call(`/v1/messages/${messageId}/raw`)).arrayBuffer()), first);
  });

  it('answers 404 for an unknown endpoint, another tenant\'s endpoint and a non-http endpoint', async () => {
    for (const name of ['nowhere', 'globex-in', 'erp-hook']) {
      const res = await api.call(`/v1/endpoints/${name}/messages`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 404, name);
      await problemOf(res);
    }
  });
});
