import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deadLetterPage, deliveryPage, lineage as lineageSchema, requeued } from '../../src/api/schemas.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { problemOf, startTestApi, type TestApi } from './harness.ts';

describe('API: lineage, deliveries, dead letters and replay against a real receiver', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // The warehouse refuses SO-REFUSED until it has been told about it (answer 422, permanent), then takes it.
  let refuse = true;

  before(async () => {
    receiver = await startReceiver((r) => (refuse && r.body.toString().includes('SO-REFUSED') ? 422 : 200));
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/orders" }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
`);
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  const lineageOf = async (id: number) => lineageSchema.parse(await (await api.call(`/v1/messages/${id}/lineage`)).json());

  it('shows a delivered message\'s whole path: raw, document, delivery and attempt', async () => {
    const order = salesOrder('SO-300');
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: order })).json();
    const l = await waitFor(async () => {
      const x = await lineageOf(messageId);
      return x.deliveries[0]?.status === 'delivered' ? x : undefined;
    }, 10_000, 'delivery');
    assert.equal(l.message.raw.encoding, 'utf8');
    assert.deepEqual(JSON.parse(l.message.raw.data), order);
    assert.equal(l.documents.length, 1);
    assert.equal(l.documents[0].type, 'sales_order');
    assert.equal(l.documents[0].entityKey, 'order:SO-300');
    assert.equal((l.documents[0].body as { orderNumber: string }).orderNumber, 'SO-300');
    const [d] = l.deliveries;
    assert.equal(d.endpoint, 'wms');
    assert.equal(d.flow, 'orders-to-wms');
    assert.equal(d.partnerRef, 'R-1');
    assert.equal(JSON.parse(d.payload.data).orderNumber, 'SO-300');
    assert.equal(d.attemptLog.length, 1);
    assert.equal(d.attemptLog[0].outcome, 'delivered');
    assert.equal(d.attemptLog[0].statusCode, 200);
    assert.ok(Date.parse(d.deliveredAt!) >= Date.parse(l.message.receivedAt));
    assert.equal(receiver.received[0].headers['idempotency-key'], d.idempotencyKey);
  });

  it('filters deliveries by status, entity key, type and endpoint', async () => {
    const q = async (query: string) => deliveryPage.parse(await (await api.call(`/v1/deliveries?${query}`)).json()).items;
    assert.equal((await q('status=delivered&entityKey=order:SO-300')).length, 1);
    assert.equal((await q('type=sales_order&endpoint=wms')).length, 1);
    assert.equal((await q('type=shipment')).length, 0);
    assert.equal((await q('status=dead')).length, 0);
    const bad = await api.call('/v1/deliveries?status=lost');
    assert.equal(bad.status, 400);
    assert.equal((await problemOf(bad)).errors![0].path, 'query.status');
  });

  it('lists a refused delivery as a dead letter and delivers it once replayed', async () => {
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-REFUSED') })).json();
    const dead = await waitFor(async () => {
      const page = deadLetterPage.parse(await (await api.call('/v1/dead-letters')).json());
      return page.items.find((x) => x.kind === 'delivery');
    }, 10_000, 'dead letter');
    assert.match(dead.reason, /422/);
    assert.equal(dead.endpoint, 'wms');
    refuse = false;
    const res = await api.call('/v1/dead-letters/replay', { method: 'POST', json: { deliveryIds: [dead.refId] } });
    assert.equal(res.status, 202);
    assert.deepEqual(requeued.parse(await res.json()), { requeued: 1 });
    const l = await waitFor(async () => {
      const x = await lineageOf(messageId);
      return x.deliveries[0]?.status === 'delivered' ? x : undefined;
    }, 10_000, 'replayed delivery');
    assert.deepEqual(l.deliveries[0].attemptLog.map((a) => [a.outcome, a.statusCode]), [['permanent', 422], ['delivered', 200]]);
    // Same idempotency key on both tries: the warehouse can tell it is the same order.
    const tries = receiver.received.filter((r) => r.body.toString().includes('SO-REFUSED'));
    assert.equal(tries.length, 2);
    assert.equal(tries[0].headers['idempotency-key'], tries[1].headers['idempotency-key']);
    assert.equal(deadLetterPage.parse(await (await api.call('/v1/dead-letters')).json()).items.length, 0);
    const all = deadLetterPage.parse(await (await api.call('/v1/dead-letters?includeReplayed=true')).json()).items;
    assert.ok(all.find((x) => x.id === dead.id)?.replayedAt);
  });

  it('refuses a dead-letter replay that names neither deliveries nor all', async () => {
    for (const json of [{}, { all: true, deliveryIds: [1] }, { deliveryIds: ['x'] }]) {
      const res = await api.call('/v1/dead-letters/replay', { method: 'POST', json });
      assert.equal(res.status, 400, JSON.stringify(json));
      await problemOf(res);
    }
    const malformed = await api.call('/v1/dead-letters/replay', { method: 'POST', body: '{all:', headers: { 'content-type': 'application/json' } });
    assert.equal((await problemOf(malformed)).errors![0].code, 'BODY_MALFORMED');
  });

  it('replays one message: processed again, delivered again with the same idempotency key', async () => {
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-301') })).json();
    await waitFor(async () => (await lineageOf(messageId)).deliveries[0]?.status === 'delivered', 10_000, 'first delivery');
    const res = await api.call(`/v1/messages/${messageId}/replay`, { method: 'POST' });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { requeued: 1 });
    await waitFor(async () => {
      const l = await lineageOf(messageId);
      return l.message.generation === 2 && l.message.status === 'processed' && l.deliveries.length === 2 && l.deliveries.every((d) => d.status === 'delivered');
    }, 10_000, 'replayed message');
    const tries = receiver.received.filter((r) => r.body.toString().includes('SO-301'));
    assert.equal(tries.length, 2);
    assert.equal(tries[0].headers['idempotency-key'], tries[1].headers['idempotency-key']);
    assert.equal((await api.call('/v1/messages/999999/replay', { method: 'POST' })).status, 404);
  });

  it('replays a window of messages, and refuses a window that ends before it starts', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const res = await api.call('/v1/replay', { method: 'POST', json: { from, to, endpoint: 'api' } });
    assert.equal(res.status, 202);
    const { requeued: n } = await res.json();
    const total = (await (await api.call('/v1/messages?endpoint=api')).json()).items.length;
    assert.ok(n >= 1 && n <= total, `requeued ${n} of ${total}`);
    const backwards = await problemOf(await api.call('/v1/replay', { method: 'POST', json: { from: to, to: from } }));
    assert.equal(backwards.errors![0].path, '$.to');
    const missing = await problemOf(await api.call('/v1/replay', { method: 'POST', json: { to } }));
    assert.equal(missing.errors![0].path, '$.from');
    const notIso = await problemOf(await api.call('/v1/replay', { method: 'POST', json: { from: 'yesterday', to } }));
    assert.equal(notIso.errors![0].path, '$.from');
  });

  it('filters messages by status, endpoint and time, and pages with before', async () => {
    const all = (await (await api.call('/v1/messages')).json()).items as Array<{ id: number; receivedAt: string }>;
    assert.ok(all.length >= 3);
    const first = await (await api.call('/v1/messages?limit=1')).json();
    assert.equal(first.items.length, 1);
    assert.equal(first.nextBefore, all[0].id);
    const second = await (await api.call(`/v1/messages?limit=1&before=${first.nextBefore}`)).json();
    assert.equal(second.items[0].id, all[1].id);
    const future = await (await api.call(`/v1/messages?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json();
    assert.equal(future.items.length, 0);
    assert.equal((await (await api.call('/v1/messages?endpoint=elsewhere')).json()).items.length, 0);
    assert.equal((await api.call('/v1/messages?from=last-week')).status, 400);
  });

  it('refuses a query parameter the operation does not take, rather than answer another question', async () => {
    // Ignored, "stauts" would list every message as if they were the quarantined ones.
    const typo = await api.call('/v1/messages?stauts=quarantined&limit=5');
    assert.equal(typo.status, 400);
    const p = await typo.json();
    assert.deepEqual(p.errors.map((e: { code: string; path: string }) => [e.code, e.path]), [['QUERY_UNKNOWN_PARAMETER', 'query.stauts']]);
    assert.match(p.errors[0].message, /did you mean "status"\?/);
    const none = await (await api.call('/v1/messages/1?verbose=1')).json();
    assert.match(none.errors[0].message, /no query parameter "verbose"; it takes only tenant/);
    assert.equal((await api.call('/v1/messages?status=quarantined&limit=5')).status, 200);
    // Which of two values would count cannot be guessed: neither does.
    const twice = await (await api.call('/v1/messages?status=quarantined&status=processed')).json();
    assert.deepEqual(twice.errors.map((e: { code: string; path: string }) => [e.code, e.path]), [['QUERY_PARAMETER_REPEATED', 'query.status']]);
    assert.match(twice.errors[0].message, /"status" is given 2 times \("quarantined", "processed"\); it takes one value/);
  });
});
