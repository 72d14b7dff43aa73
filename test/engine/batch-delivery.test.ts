import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createRegistry, parseConfig } from '../../src/config/index.ts';
import { builtIns } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { webhookEndpoint, type DeliveryOutcome, type OutboundMessage, type SinkRuntime } from '../../src/transports/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor, type Received } from '../support/receiver.ts';
import { seededRandom } from '../support/seed.ts';

/**
 * The outbox's batch path, through a sink that takes whole batches: a webhook whose batch sends
 * every request at once. Each batch is noted, and `fault` may replace the partner's answers.
 */
const batches: OutboundMessage[][] = [];
let fault: ((messages: OutboundMessage[]) => Promise<DeliveryOutcome[]>) | undefined;
const registry = createRegistry({ endpoints: [{
  ...webhookEndpoint,
  type: 'batch-webhook',
  createSink: (c, ctx): SinkRuntime => {
    const real = webhookEndpoint.createSink!(c, ctx) as SinkRuntime;
    return {
      deliver: async (m, signal) => (fault ? (await fault([m]))[0]! : real.deliver(m, signal)),
      deliverBatch: (messages, signal) => {
        batches.push(messages);
        return fault ? fault(messages) : Promise.all(messages.map((m) => real.deliver(m, signal)));
      },
      close: () => real.close?.() ?? Promise.resolve(),
    };
  },
}] }, builtIns);

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function batchHub(url: string, extra = ''): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-batch-'));
  dirs.push(dir);
  batches.length = 0;
  fault = undefined;
  return Hub.start(parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2 }
circuitBreaker: { failureThreshold: 3, cooldownMs: 300 }
rules: { enabled: false }
endpoints:
  wms: { type: batch-webhook, allowPrivateNetworks: true, url: ${url}, concurrency: 16 }
flows:
  - { name: all-to-wms, types: [sales_order, order_status], to: wms }
${extra}`, dir, registry), { logger: pino({ level: 'silent' }), idleMs: 10 });
}

async function ingestAll(hub: Hub, docs: Record<string, unknown>[]): Promise<number[]> {
  const now = Date.now();
  const accepted = await hub.inbox.acceptBatch(docs.map((d) => hub.inbox.toNewMessage('acme', 'api', 'json', { body: Buffer.from(JSON.stringify(d)) }, now)));
  return accepted.map((a) => a.messageId);
}

const orderOf = (r: Received) => (JSON.parse(r.body.toString()) as { orderNumber: string }).orderNumber;

describe('outbox, sink that takes batches', () => {
  it('hands over many deliveries per call and still keeps each order\'s events in order', async (t) => {
    const random = seededRandom(t);
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, random() * 10));
      return 200;
    });
    const hub = await batchHub(`${receiver.url}/orders`);
    try {
      const events = ['released', 'allocated', 'picked', 'packed', 'shipped'];
      const docs = Array.from({ length: 30 }, (_, o) => [salesOrder(`SO-${o}`, 1), ...events.map((status) => ({ type: 'order_status', orderNumber: `SO-${o}`, status }))]);
      await ingestAll(hub, docs.flat());
      await waitFor(() => receiver.received.length >= 30 * 6, 20_000, 'all deliveries');
      const seen = new Map<string, string[]>();
      for (const r of receiver.received) {
        const b = JSON.parse(r.body.toString()) as { type: string; orderNumber: string; status?: string };
        seen.set(b.orderNumber, [...(seen.get(b.orderNumber) ?? []), b.type === 'sales_order' ? 'order' : b.status!]);
      }
      for (const [order, list] of seen) assert.deepEqual(list, ['order', ...events], `order ${order}`);
      assert.ok(batches.some((b) => b.length > 1), 'several deliveries went out in one call');
      for (const b of batches) assert.equal(new Set(b.map((m) => m.entityKey)).size, b.length, 'never two events of one order in a batch');
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('retries only the delivery that failed in a batch, and records each attempt on its own delivery', async () => {
    let refused = 0;
    const receiver = await startReceiver((r) => (orderOf(r) === 'SO-FLAKY' && refused++ < 2 ? 503 : 200));
    const hub = await batchHub(`${receiver.url}/orders`);
    try {
      const ids = await ingestAll(hub, [salesOrder('SO-FLAKY', 1), ...Array.from({ length: 9 }, (_, i) => salesOrder(`SO-OK${i}`, 1))]);
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 10, 10_000, 'every delivery');
      const counts = new Map<string, number>();
      for (const r of receiver.received) counts.set(orderOf(r), (counts.get(orderOf(r)) ?? 0) + 1);
      assert.equal(counts.get('SO-FLAKY'), 3);
      for (let i = 0; i < 9; i++) assert.equal(counts.get(`SO-OK${i}`), 1, `SO-OK${i} sent once`);
      const flaky = (await hub.store.lineage('acme', ids[0]!))!.deliveries[0]!;
      assert.deepEqual(flaky.attemptLog.map((a) => a.outcome), ['retryable', 'retryable', 'delivered']);
      for (const id of ids.slice(1)) assert.deepEqual((await hub.store.lineage('acme', id))!.deliveries[0]!.attemptLog.map((a) => a.outcome), ['delivered']);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('opens the circuit for a partner that is down, then tries one delivery alone', async () => {
    const receiver = await startReceiver();
    const hub = await batchHub(`${receiver.url}/orders`);
    try {
      // The partner is down: every batch fails. Once three keys failed (the threshold) and the
      // worker has seen those answers, the circuit is open and only lone trials may go out.
      const failedKeys = new Set<string>();
      let opened = false;
      const whileOpen: number[] = [];
      fault = async (messages) => {
        if (opened) whileOpen.push(messages.length);
        for (const m of messages) failedKeys.add(m.entityKey);
        if (failedKeys.size >= 3) setImmediate(() => { opened = true; });
        return messages.map(() => ({ kind: 'retryable', error: 'HTTP 503' }));
      };
      await ingestAll(hub, Array.from({ length: 40 }, (_, i) => salesOrder(`SO-C${i}`, 1)));
      await waitFor(() => whileOpen.length >= 2, 10_000, 'two trials after cooldowns');
      assert.ok(whileOpen.every((n) => n === 1), `trials of a half-open circuit go alone: ${whileOpen.join(', ')}`);
      assert.equal((await hub.store.listDeadLetters('acme')).length, 0, 'nothing dead-lettered while the circuit protected it');
      fault = undefined;
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 40, 15_000, 'recovery');
      assert.equal(receiver.received.length, 40);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('retries each delivery of a batch whose sink threw or answered the wrong number of outcomes', async () => {
    const receiver = await startReceiver();
    const hub = await batchHub(`${receiver.url}/orders`);
    try {
      let calls = 0;
      fault = async (messages) => {
        calls++;
        if (calls === 1) throw new Error('connection reset');
        if (calls === 2) return [{ kind: 'delivered' }];
        fault = undefined;
        return Promise.all(messages.map(() => ({ kind: 'retryable', error: 'not yet' }) as const));
      };
      const ids = await ingestAll(hub, Array.from({ length: 3 }, (_, i) => salesOrder(`SO-T${i}`, 1)));
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 3, 10_000, 'every delivery');
      for (const id of ids) {
        const log = (await hub.store.lineage('acme', id))!.deliveries[0]!.attemptLog;
        assert.equal(log.at(-1)!.outcome, 'delivered');
        assert.ok(log.slice(0, -1).every((a) => a.outcome === 'retryable'), 'what failed was retried, not dead-lettered');
        assert.ok(log.slice(0, -1).some((a) => /connection reset|answered 1 outcomes for a batch of 3/.test(a.error ?? '')));
      }
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });
});
