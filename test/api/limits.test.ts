// Per-tenant limits and the audit log, through the API: a tenant over its request rate or its
// storage quota gets 429 with a Retry-After and no other tenant notices; every operator action,
// refused ones too, is in the audit log with who, what, when and from where, for its tenant only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { salesOrder } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';
import { KEYS, problemOf, startTestApi, type TestApi } from './harness.ts';

describe('API: per-tenant limits and the audit log', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi('', { limits: `
    tenants:
      acme: { requestsPerSecond: 0.5, burst: 3 }
      globex: { maxStoredMb: 0.0005 }
    storageCheckEveryMs: 1000` });
  });
  after(async () => { await api.close(); });

  it('answers 429 with Retry-After once a tenant is over its rate, and only that tenant', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.call('/v1/messages')).status);
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200], 'the burst');
    assert.equal(statuses[3], 429);
    const refused = await api.call('/v1/messages');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const problem = await problemOf(refused);
    assert.equal(problem.type, 'https://causeway.dev/problems/rate-limited');
    assert.match(problem.detail, /tenant "acme" is over its request rate of 0.5 per second/);
    assert.equal((await api.call('/v1/messages', { key: KEYS.globex })).status, 200, 'another tenant is not held back');
    assert.equal((await api.call('/v1/messages?tenant=acme', { key: KEYS.operator })).status, 200, 'nor the 3PL\'s operator key');
  });

  it('refuses ingest over the storage quota with 429 until room is made, and still answers reads', async () => {
    const post = (n: number) => api.call('/v1/documents', { method: 'POST', key: KEYS.globex, json: salesOrder(`SO-Q${n}`) });
    assert.equal((await post(0)).status, 202);
    let n = 1;
    const refused = await waitFor(async () => {
      const r = await post(n++);
      return r.status === 429 ? r : undefined;
    }, 15_000, 'the quota to be read as used up');
    assert.equal(refused.headers.get('retry-after'), '1');
    const problem = await problemOf(refused);
    assert.equal(problem.type, 'https://causeway.dev/problems/storage-quota');
    assert.match(problem.detail, /quota is 0.0005 MB/);
    assert.equal((await api.call('/v1/messages', { key: KEYS.globex })).status, 200);
  });

  it('writes every operator action to its tenant\'s audit log, refused ones too', async () => {
    const { messageId } = await (await api.call('/v1/documents?tenant=acme', { method: 'POST', key: KEYS.operator, json: salesOrder('SO-AUDIT') })).json();
    await api.call(`/v1/messages/${messageId}/replay?tenant=acme`, { method: 'POST', key: KEYS.operator });
    await api.call('/v1/messages/999999/replay?tenant=acme', { method: 'POST', key: KEYS.operator });
    const log = await waitFor(async () => {
      const r = await api.call('/v1/audit-log?tenant=acme', { key: KEYS.operator });
      const page = await r.json() as { items: Array<{ actor: string; action: string; subject: string; at: string; detail: { status: number; from: string | null } }> };
      return page.items.length >= 2 ? page.items : undefined;
    }, 10_000, 'the audit entries');
    const [refused, done] = log;
    assert.deepEqual([done!.actor, done!.action, done!.subject, done!.detail.status], ['ops', 'replayMessage', `POST /v1/messages/${messageId}/replay`, 202]);
    assert.equal(done!.detail.from, '127.0.0.1');
    assert.ok(Date.parse(done!.at) > 0);
    assert.deepEqual([refused!.action, refused!.detail.status], ['replayMessage', 404]);
    assert.ok(!log.some((e) => e.action === 'ingestDocuments'), 'data coming in is not an operator action');
    const globex = await (await api.call('/v1/audit-log', { key: KEYS.globex })).json() as { items: unknown[] };
    assert.deepEqual(globex.items, [], 'another tenant sees none of it');
  });
});
