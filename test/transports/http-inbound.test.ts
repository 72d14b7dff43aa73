import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { receivePush, signWebhook, type InboundMessage, type PushStored, type PushTarget, type PushVerdict } from '../../src/transports/index.ts';

// The clock is given to the handler, so the tolerance is tested without waiting or meeting "now".
const NOW = 1_900_000_000;
const SECRET = 'whsec_' + Buffer.from('partner-signing-secret-32-bytes!').toString('base64');
const signed: PushTarget = { name: 'partner-in', type: 'http', settings: { secret: SECRET } };
const unsigned: PushTarget = { name: 'open-in', type: 'http', settings: {} };

function push(body: string, headers: Record<string, string> = {}): Request {
  return new Request('http://hub/v1/endpoints/x/messages', { method: 'POST', body, headers });
}

function signedHeaders(body: string, id = 'msg_1', at = NOW): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(SECRET, id, at, Buffer.from(body)), 'content-type': 'application/json' };
}

/** Stores into a list; the engine's answer is given by `answer`. */
function storeInto(kept: InboundMessage[], answer: PushStored['kind'] = 'stored') {
  return async (m: InboundMessage): Promise<PushStored> => {
    kept.push(m);
    return { kind: answer, messageId: 7, idempotencyKey: m.idempotencyKey ?? 'sha256:x' };
  };
}

const at = (endpoint: PushTarget | undefined) => ({ tenant: 'acme', name: endpoint?.name ?? 'nowhere', endpoint });

describe('inbound http endpoint: a partner\'s push', () => {
  it('stores a signed push under its webhook-id, with the id as the partner\'s reference', async () => {
    const kept: InboundMessage[] = [];
    const body = '{"type":"sales_order"}';
    const outcome = await receivePush(push(body, signedHeaders(body)), at(signed), storeInto(kept), NOW);
    assert.deepEqual(outcome, { kind: 'stored', messageId: 7 });
    assert.equal(kept[0].idempotencyKey, 'msg_1');
    assert.equal(kept[0].partnerRef, 'msg_1');
    assert.equal(kept[0].contentType, 'application/json');
    assert.equal(kept[0].body.toString(), body);
  });

  it('lets Idempotency-Key win over webhook-id, and names where a reused key came from', async () => {
    const body = '{}';
    const own = await receivePush(push(body, { ...signedHeaders(body), 'idempotency-key': 'order-9' }), at(signed), storeInto([], 'key-reused'), NOW);
    assert.deepEqual(own, { kind: 'key-reused', messageId: 7, idempotencyKey: 'order-9', keyPath: 'header.Idempotency-Key' });
    const byId = await receivePush(push(body, signedHeaders(body)), at(signed), storeInto([], 'key-reused'), NOW);
    assert.equal(byId.kind === 'key-reused' && byId.keyPath, 'header.webhook-id');
  });

  it('refuses a missing, expired or wrong signature and stores nothing', async () => {
    const kept: InboundMessage[] = [];
    const body = '{}';
    const cases: Array<[Record<string, string>, string, string]> = [
      [{}, 'SIGNATURE_MISSING', 'header.webhook-id'],
      [{ ...signedHeaders(body), 'webhook-signature': '' }, 'SIGNATURE_MISSING', 'header.webhook-signature'],
      [signedHeaders(body, 'msg_2', NOW - 301), 'SIGNATURE_EXPIRED', 'header.webhook-timestamp'],
      [signedHeaders('{"other":1}'), 'SIGNATURE_INVALID', 'header.webhook-signature'],
    ];
    for (const [headers, code, path] of cases) {
      const outcome = await receivePush(push(body, headers), at(signed), storeInto(kept), NOW);
      assert.equal(outcome.kind, 'unsigned', code);
      assert.deepEqual(outcome.kind === 'unsigned' && [outcome.error.code, outcome.error.path], [code, path]);
    }
    assert.equal((await receivePush(push(body, signedHeaders(body, 'msg_3', NOW - 300)), at(signed), storeInto(kept), NOW)).kind, 'stored', 'at the tolerance');
    assert.equal(kept.length, 1);
  });

  it('holds a timestamp to the endpoint\'s toleranceSeconds', async () => {
    const strict: PushTarget = { name: 'partner-in', type: 'http', settings: { secret: SECRET, toleranceSeconds: 60 } };
    const body = '{"a":1}';
    const late = await receivePush(push(body, signedHeaders(body, 'msg_9', NOW - 61)), at(strict), storeInto([]), NOW);
    assert.deepEqual(late.kind === 'unsigned' && [late.error.code, late.error.message], ['SIGNATURE_EXPIRED', 'more than 60 s away from now']);
    assert.equal((await receivePush(push(body, signedHeaders(body, 'msg_9', NOW - 60)), at(strict), storeInto([]), NOW)).kind, 'stored');
  });

  it('refuses a signed request recorded before as a replay, and records only requests whose signature holds', async () => {
    const recorded: string[] = [];
    const record = async (id: string, fingerprint: string) => !recorded.includes(`${id} ${fingerprint}`) && recorded.push(`${id} ${fingerprint}`) > 0;
    const body = '{"a":2}';
    const kept: InboundMessage[] = [];
    assert.equal((await receivePush(push(body, signedHeaders(body, 'msg_r')), at(signed), storeInto(kept), NOW, record)).kind, 'stored');
    const replay = await receivePush(push(body, signedHeaders(body, 'msg_r')), at(signed), storeInto(kept), NOW, record);
    assert.deepEqual(replay.kind === 'replayed' && [replay.error.code, replay.error.path], ['SIGNATURE_REPLAYED', 'header.webhook-id']);
    assert.equal((await receivePush(push(body, signedHeaders(body, 'msg_r', NOW + 1)), at(signed), storeInto(kept), NOW, record)).kind, 'stored', 'a retry signed afresh');
    assert.equal((await receivePush(push(body, { ...signedHeaders(body, 'msg_x'), 'webhook-signature': 'v1,AAAA' }), at(signed), storeInto(kept), NOW, record)).kind, 'unsigned');
    assert.equal(recorded.length, 2, 'the forged request was not recorded');
    assert.equal(kept.length, 2);
  });

  it('takes an unsigned endpoint\'s push without a key (the content hash stands in)', async () => {
    const kept: InboundMessage[] = [];
    assert.equal((await receivePush(push('ISA*00~'), at(unsigned), storeInto(kept), NOW)).kind, 'stored');
    assert.equal(kept[0].idempotencyKey, undefined);
    assert.equal(kept[0].partnerRef, undefined);
  });

  it('answers not-found for a missing endpoint and one of another type, and refuses a key out of bounds', async () => {
    const kept: InboundMessage[] = [];
    assert.equal((await receivePush(push('{}'), at(undefined), storeInto(kept), NOW)).kind, 'not-found');
    assert.equal((await receivePush(push('{}'), at({ name: 'wms', type: 'webhook', settings: {} }), storeInto(kept), NOW)).kind, 'not-found');
    const long = await receivePush(push('{}', { 'idempotency-key': 'k'.repeat(257) }), at(unsigned), storeInto(kept), NOW);
    assert.deepEqual(long.kind === 'bad-request' && long.error.code, 'IDEMPOTENCY_KEY_INVALID');
    assert.equal(kept.length, 0);
  });
});

describe('inbound push to a connector that takes pushes itself (a wms-rest endpoint)', () => {
  const verdicts = (verdict: PushVerdict): PushTarget => ({ name: 'wms', type: 'wms-rest', settings: {}, receiver: { receive: async () => verdict } });
  const message = { body: Buffer.from('{"type":"shipment"}'), idempotencyKey: 'shipment:12:2026-05-01T10:00:00.000Z', partnerRef: '12' };

  it('stores what the receiver says, under the key it gives', async () => {
    const kept: InboundMessage[] = [];
    assert.deepEqual(await receivePush(push('{}'), at(verdicts({ kind: 'store', message, versionKey: true })), storeInto(kept), NOW), { kind: 'stored', messageId: 7 });
    assert.equal(kept[0].idempotencyKey, message.idempotencyKey);
  });

  it('takes a resource version key met again with other bytes as that version again: a duplicate, not a conflict', async () => {
    const again = await receivePush(push('{}'), at(verdicts({ kind: 'store', message, versionKey: true })), storeInto([], 'key-reused'), NOW);
    assert.deepEqual(again, { kind: 'duplicate', messageId: 7 });
    const reused = await receivePush(push('{}'), at(verdicts({ kind: 'store', message, versionKey: false })), storeInto([], 'key-reused'), NOW);
    assert.equal(reused.kind, 'key-reused');
  });

  it('answers a queued or ignored push without storing, and passes refusals on with their status', async () => {
    const kept: InboundMessage[] = [];
    assert.deepEqual(await receivePush(push('{}'), at(verdicts({ kind: 'queued', detail: 'order 12 is fetched at the next poll' })), storeInto(kept), NOW),
      { kind: 'queued', detail: 'order 12 is fetched at the next poll' });
    assert.equal((await receivePush(push('{}'), at(verdicts({ kind: 'ignored', detail: 'topic x' })), storeInto(kept), NOW)).kind, 'ignored');
    const error = { code: 'SIGNATURE_INVALID', path: 'header.webhook-signature', message: 'does not match the body' };
    assert.deepEqual(await receivePush(push('{}'), at(verdicts({ kind: 'refused', status: 401, error })), storeInto(kept), NOW), { kind: 'unsigned', error });
    assert.deepEqual(await receivePush(push('{}'), at(verdicts({ kind: 'refused', status: 400, error })), storeInto(kept), NOW), { kind: 'bad-request', error });
    assert.equal(kept.length, 0);
  });

  it('still answers not-found for an endpoint of another type that takes no pushes', async () => {
    assert.equal((await receivePush(push('{}'), at({ name: 'wms', type: 'wms-rest', settings: {} }), storeInto([]), NOW)).kind, 'not-found');
  });
});
