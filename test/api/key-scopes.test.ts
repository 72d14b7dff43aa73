import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { salesOrder } from '../support/documents.ts';
import { problemOf, startTestApi, type TestApi } from './harness.ts';

const KEY = {
  ingestOnly: 'ingest-only-key-0123456789abcdef',
  reader: 'read-only-key-0123456789abcdef01',
  admin: 'admin-key-0123456789abcdef012345',
  expired: 'expired-key-0123456789abcdef0123',
  next: 'next-rotation-key-0123456789abcd',
};

describe('API keys: scopes, expiry and rotation', () => {
  let api: TestApi;
  let messageId: number;
  const past = new Date(Date.now() - 60_000).toISOString();
  const future = new Date(Date.now() + 86_400_000).toISOString();

  before(async () => {
    api = await startTestApi('', {
      keys: [
        `{ name: erp-push, tenant: acme, key: ${KEY.ingestOnly}, scopes: [ingest] }`,
        `{ name: dashboard, tenant: acme, key: ${KEY.reader}, scopes: [read] }`,
        `{ name: acme-admin, tenant: acme, key: ${KEY.admin}, scopes: [admin] }`,
        // Rotation: the old key until it expires, the new one beside it.
        `{ name: erp-old, tenant: acme, key: ${KEY.expired}, expires: "${past}" }`,
        `{ name: erp-new, tenant: acme, key: ${KEY.next}, expires: "${future}" }`,
      ],
    });
  });
  after(() => api.close());

  it('lets an ingest key send documents and nothing else', async () => {
    const sent = await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-K1'), key: KEY.ingestOnly });
    assert.equal(sent.status, 202);
    messageId = (await sent.json()).messageId;
    const read = await api.call('/v1/messages', { key: KEY.ingestOnly });
    assert.equal(read.status, 403);
    const p = await problemOf(read);
    assert.deepEqual(p.errors!.map((e) => [e.code, e.message]), [['SCOPE_REQUIRED', 'needs the read scope']]);
    assert.equal((await api.call(`/v1/messages/${messageId}/replay`, { method: 'POST', key: KEY.ingestOnly })).status, 403);
  });

  it('lets a read key read but not send or replay', async () => {
    assert.equal((await api.call(`/v1/messages/${messageId}`, { key: KEY.reader })).status, 200);
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-K2'), key: KEY.reader })).status, 403);
    assert.equal((await api.call(`/v1/messages/${messageId}/replay`, { method: 'POST', key: KEY.reader })).status, 403);
  });

  it('lets an admin key do all of it', async () => {
    assert.equal((await api.call(`/v1/messages/${messageId}`, { key: KEY.admin })).status, 200);
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-K3'), key: KEY.admin })).status, 202);
    assert.notEqual((await api.call(`/v1/messages/${messageId}/replay`, { method: 'POST', key: KEY.admin })).status, 403);
  });

  it('refuses an expired key with 401 saying when it expired, while the next key works', async () => {
    const old = await api.call('/v1/messages', { key: KEY.expired });
    assert.equal(old.status, 401);
    assert.match((await problemOf(old)).detail, /"erp-old" expired at/);
    assert.equal((await api.call('/v1/messages', { key: KEY.next })).status, 200);
  });
});
