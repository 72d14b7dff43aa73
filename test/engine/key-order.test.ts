import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore, type NewMessage } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor, type Received } from '../support/receiver.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const apiMessage = (key: string, body: unknown): NewMessage => ({
  tenant: 'acme', endpoint: 'api', codec: 'json', idempotencyKey: key, contentHash: key,
  body: Buffer.from(JSON.stringify(body)), receivedAt: Date.now(),
});
const kindOf = (r: Received) => {
  const b = JSON.parse(r.body.toString()) as { type: string; orderNumber: string };
  return `${b.type} ${b.orderNumber}`;
};

describe('order per entity key after a crash', () => {
  it('sends an order before its cancel when a dead worker still holds the large message with the order', async () => {
    const receiver = await startReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'causeway-key-order-'));
    dirs.push(dir);
    const store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    let hub: Hub | undefined;
    try {
      // A worker took the large message and was killed before completing it: its lease runs on.
      const orders = Array.from({ length: 500 }, (_, i) => salesOrder(`SO-${i}`, 1));
      const [large] = await store.acceptMessages([apiMessage('orders', orders)]);
      const [held] = await store.claimPendingMessages('killed-worker', 10, 1000, Date.now());
      assert.equal(held.id, large.messageId);
      await store.acceptMessages([apiMessage('cancel', { type: 'order_cancel', orderNumber: 'SO-0', reason: 'customer request' })]);

      // The restarted worker decodes the small cancel at once, and the large message once the lease lapses.
      hub = await Hub.start(parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/orders, concurrency: 8 }
flows:
  - { name: orders-to-wms, types: [sales_order, order_cancel], to: wms }
`, dir), { store, logger: pino({ level: 'silent' }), idleMs: 10 });
      await waitFor(() => receiver.received.some((r) => kindOf(r) === 'order_cancel SO-0'), 20_000, 'the cancel at the receiver');
      const ofOrder = receiver.received.map(kindOf).filter((k) => k.endsWith(' SO-0'));
      assert.deepEqual(ofOrder, ['sales_order SO-0', 'order_cancel SO-0'], 'the order reaches the warehouse before its cancel');
    } finally {
      await hub?.stop();
      await store.close();
      await receiver.close();
    }
  });
});
