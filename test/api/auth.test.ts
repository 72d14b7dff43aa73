import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { salesOrder } from '../support/documents.ts';
import { KEYS, problemOf, startTestApi, type TestApi } from './harness.ts';

describe('API authentication and tenancy', () => {
  let api: TestApi;
  let acmeMessage: number;
  let globexMessage: number;
  const logged: string[] = [];

  before(async () => {
    // Every log line at the most talkative level, to prove no key ever reaches one.
    const sink = new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } });
    api = await startTestApi('', { logger: pino({ level: 'trace' }, sink) });
    acmeMessage = (await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-A1') })).json()).messageId;
    globexMessage = (await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-G1'), key: KEYS.globex })).json()).messageId;
  });
  after(() => api.close());

  it('answers 401 without a key or with an unknown one, with WWW-Authenticate', async () => {
    for (const key of [null, 'not-a-key-of-this-hub-at-all-000']) {
      const res = await api.call('/v1/messages', { key });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      const p = await problemOf(res);
      assert.equal(p.type, 'https://causeway.dev/problems/unauthorized');
    }
    const malformed = await api.call('/v1/messages', { key: null, headers: { authorization: `Basic ${KEYS.acme}` } });
    assert.equal(malformed.status, 401);
  });

  it('takes the key as X-API-Key too, and keys kept in the store', async () => {
    const viaHeader = await api.call('/v1/messages', { key: null, headers: { 'x-api-key': KEYS.acme } });
    assert.equal(viaHeader.status, 200);
    const stored = await api.call(`/v1/messages/${globexMessage}`, { key: KEYS.globex });
    assert.equal(stored.status, 200);
    assert.equal((await stored.json()).tenant, 'globex');
  });

  it('scopes every read and replay to the key\'s tenant: another tenant\'s message is not found', async () => {
    for (const path of [`/v1/messages/${acmeMessage}`, `/v1/messages/${acmeMessage}/raw`, `/v1/messages/${acmeMessage}/lineage`]) {
      const res = await api.call(path, { key: KEYS.globex });
      assert.equal(res.status, 404, path);
      await problemOf(res);
    }
    const replay = await api.call(`/v1/messages/${acmeMessage}/replay`, { method: 'POST', key: KEYS.globex });
    assert.equal(replay.status, 404);
    const listed = (await (await api.call('/v1/messages', { key: KEYS.globex })).json()).items.map((m: { id: number }) => m.id);
    assert.deepEqual(listed, [globexMessage]);
    const own = (await (await api.call('/v1/messages')).json()).items.map((m: { id: number }) => m.id);
    assert.deepEqual(own, [acmeMessage]);
  });

  it('documents sent with a key belong to its tenant', async () => {
    const m = await (await api.call(`/v1/messages/${globexMessage}/lineage`, { key: KEYS.globex })).json();
    assert.equal(m.message.tenant, 'globex');
  });

  it('makes an operator key name the tenant, and a tenant key stay in its own', async () => {
    const unnamed = await api.call('/v1/messages', { key: KEYS.operator });
    assert.equal(unnamed.status, 400);
    assert.equal((await problemOf(unnamed)).errors![0].path, 'query.tenant');
    const named = await api.call(`/v1/messages/${globexMessage}?tenant=globex`, { key: KEYS.operator });
    assert.equal(named.status, 200);
    const elsewhere = await api.call('/v1/messages?tenant=globex');
    assert.equal(elsewhere.status, 403);
    assert.equal((await api.call('/v1/messages?tenant=acme')).status, 200);
  });

  it('leaves /health, /openapi.json and /metrics open', async () => {
    for (const path of ['/health', '/openapi.json', '/metrics']) assert.equal((await api.call(path, { key: null })).status, 200, path);
  });

  it('never writes a key to the log', async () => {
    assert.ok(logged.some((l) => l.includes('"path":"/v1/messages"')), 'requests are logged');
    for (const key of Object.values(KEYS)) assert.ok(!logged.some((l) => l.includes(key)), 'a key reached the log');
  });
});
