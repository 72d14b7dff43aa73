import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inbox, sourceKey } from '../../src/engine/inbox.ts';
import { HubMetrics } from '../../src/engine/metrics.ts';
import { Wakeup } from '../../src/engine/wakeup.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { MAX_IDEMPOTENCY_KEY } from '../../src/transports/index.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';

const pgSkip = await postgresUnavailable();

/** A NATS publisher's Nats-Msg-Id of 5,000 characters: PostgreSQL refuses an index entry that large. */
const longKey = `order-export-${'x7Q'.repeat(1662)}`;

for (const [name, open, skip] of [
  ['SQLite', () => openStore('sqlite::memory:'), undefined],
  ['PostgreSQL', () => openTestPostgresStore(), pgSkip],
] as Array<[string, () => Promise<Store>, string | undefined]>) {
  describe(`a source's idempotency key of any length (${name})`, { skip }, () => {
    it('stores the message under the hash of a key too long to index, and knows it again by the same key', async () => {
      const store = await open();
      try {
        const inbox = new Inbox(store, new HubMetrics(false), new Wakeup());
        const first = await inbox.acceptFromSource('acme', 'nats-in', 'json', [{ body: Buffer.from('{"a":1}'), idempotencyKey: longKey }, { body: Buffer.from('{"b":1}'), idempotencyKey: 'short-1' }]);
        assert.deepEqual(first.map((a) => a.duplicate), [false, false], 'the message behind it is stored too');
        const again = await inbox.acceptFromSource('acme', 'nats-in', 'json', [{ body: Buffer.from('{"a":1}'), idempotencyKey: longKey }]);
        assert.deepEqual(again.map((a) => [a.messageId, a.duplicate]), [[first[0]!.messageId, true]]);
        const stored = await store.getMessage('acme', first[0]!.messageId);
        assert.match(stored!.idempotencyKey, /^key-sha256:[0-9a-f]{64}$/);
        assert.equal((await store.getMessage('acme', first[1]!.messageId))!.idempotencyKey, 'short-1');
      } finally {
        await store.close();
      }
    });
  });
}

describe('sourceKey', () => {
  it('keeps a key up to the limit as given, hashes a longer one, and uses the content hash without one', () => {
    const atLimit = 'k'.repeat(MAX_IDEMPOTENCY_KEY);
    assert.equal(sourceKey(atLimit, 'abc'), atLimit);
    assert.equal(sourceKey(`${atLimit}!`, 'abc'), sourceKey(`${atLimit}!`, 'def'), 'the key alone decides');
    assert.notEqual(sourceKey(`${atLimit}!`, 'abc'), sourceKey(`${atLimit}?`, 'abc'));
    assert.equal(sourceKey(undefined, 'abc'), 'sha256:abc');
  });
});
