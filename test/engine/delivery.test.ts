import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { errors as undiciErrors } from 'undici';
import { createRegistry, parseConfig } from '../../src/config/index.ts';
import { builtIns } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { webhookEndpoint, type SinkRuntime } from '../../src/transports/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor, type Received } from '../support/receiver.ts';
import { seededRandom } from '../support/seed.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function hubFor(url: string, extra = '', options: Parameters<typeof Hub.start>[1] = {}, endpoints = '', wmsType = 'webhook', cooldownMs = 300): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-delivery-'));
  dirs.push(dir);
  const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2 }
circuitBreaker: { failureThreshold: 3, cooldownMs: ${cooldownMs} }
endpoints:
  wms: { type: ${wmsType}, allowPrivateNetworks: true, url: ${url}, concurrency: 8 }
${endpoints}
flows:
  - { name: all-to-wms, types: [sales_order, order_cancel, order_status], to: wms }
${extra}`, dir, withUnformable);
  return Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 10, ...options });
}

async function ingest(hub: Hub, docs: Record<string, unknown>[], key?: string): Promise<{ messageId: number; duplicate: boolean }> {
  const body = Buffer.from(JSON.stringify(docs.length === 1 ? docs[0] : docs));
  return hub.inbox.acceptOne(hub.inbox.toNewMessage('acme', 'api', 'json', { body, idempotencyKey: key }));
}

const bodyOf = (r: Received) => JSON.parse(r.body.toString()) as Record<string, unknown>;

/** What a receiver does with our headers: those named in x-causeway-encoded-headers are percent-decoded (UTF-8). */
function decodedHeader(r: Received, name: string): string | undefined {
  const value = r.headers[name] as string | undefined;
  const encoded = String(r.headers['x-causeway-encoded-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase());
  return value !== undefined && encoded.includes(name) ? decodeURIComponent(value) : value;
}

/** A logger whose lines the test can read: the worker says when a circuit opens. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

/**
 * A webhook whose request for some orders cannot be formed: undici throws for them before anything
 * is sent, as it did for header values outside Latin-1. The rest go to the real receiver.
 */
const withUnformable = createRegistry({ endpoints: [{
  ...webhookEndpoint,
  type: 'unformable-webhook',
  createSink: (c, ctx): SinkRuntime => {
    const real = webhookEndpoint.createSink!(c, ctx) as SinkRuntime;
    return {
      deliver: async (m, signal) => {
        if (m.entityKey.includes('BAD')) throw new undiciErrors.InvalidArgumentError('invalid x-causeway-entity-key header');
        return real.deliver(m, signal);
      },
      close: () => real.close?.() ?? Promise.resolve(),
    };
  },
}] }, builtIns);

describe('outbox', () => {
  it('keeps each order\'s events in order while orders go in parallel', async (t) => {
    // Random answer times make any reordering show up.
    const random = seededRandom(t);
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, random() * 15));
      return 200;
    });
    // Every event is to arrive, in order: the business rules would (rightly) withdraw a status a newer one superseded.
    const hub = await hubFor(`${receiver.url}/orders`, 'rules: { enabled: false }');
    try {
      const orders = 40;
      const events = ['released', 'allocated', 'picked', 'packed', 'shipped'] as const;
      await Promise.all(Array.from({ length: orders }, async (_, o) => {
        await ingest(hub, [salesOrder(`SO-${o}`, 1)]);
        for (const status of events) await ingest(hub, [{ type: 'order_status', orderNumber: `SO-${o}`, status }]);
      }));
      await waitFor(() => receiver.received.length >= orders * 6, 20_000, 'all deliveries');
      const seen = new Map<string, string[]>();
      for (const r of receiver.received) {
        const b = bodyOf(r);
        const list = seen.get(b.orderNumber as string) ?? [];
        list.push(b.type === 'sales_order' ? 'order' : (b.status as string));
        seen.set(b.orderNumber as string, list);
      }
      assert.equal(seen.size, orders);
      for (const [order, list] of seen) assert.deepEqual(list, ['order', ...events], `order ${order}`);
      const maxInFlight = concurrentPeak(receiver.received);
      assert.ok(maxInFlight > 1, 'different orders were delivered in parallel');
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('retries a failing receiver with backoff, then delivers once', async () => {
    const receiver = await startReceiver((_r, n) => (n <= 2 ? 503 : 200));
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      const { messageId } = await ingest(hub, [salesOrder('SO-R', 1)]);
      const lineage = await waitFor(async () => {
        const l = await hub.store.lineage('acme', messageId);
        return l?.deliveries[0]?.status === 'delivered' ? l : undefined;
      }, 10_000);
      const log = lineage.deliveries[0].attemptLog;
      assert.deepEqual(log.map((a) => a.outcome), ['retryable', 'retryable', 'delivered']);
      assert.deepEqual(log.map((a) => a.statusCode), [503, 503, 200]);
      const gap1 = log[1].startedAt - log[0].finishedAt;
      assert.ok(gap1 >= 10, `backoff waited ${gap1} ms`);
      assert.equal(new Set(receiver.received.map((r) => r.headers['idempotency-key'])).size, 1, 'the same idempotency key every time');
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('dead-letters a permanent refusal at once, and replays it with the same key once fixed', async () => {
    let refuse = true;
    const receiver = await startReceiver(() => (refuse ? 422 : 200));
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      await ingest(hub, [salesOrder('SO-P', 1)]);
      const [dl] = await waitFor(async () => hub.store.listDeadLetters('acme').then((l) => (l.length ? l : undefined)), 5000);
      assert.equal(dl.kind, 'delivery');
      assert.match(dl.reason, /HTTP 422/);
      assert.equal(receiver.received.length, 1, 'a 422 is not retried');
      refuse = false;
      assert.equal(await hub.store.requeueDeadDeliveries('acme', 'all', Date.now()), 1);
      hub.delivery.wakeup.notify();
      await waitFor(() => receiver.received.length === 2, 5000);
      assert.equal(receiver.received[0].headers['idempotency-key'], receiver.received[1].headers['idempotency-key']);
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 1, 5000);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('gives up after the maximum attempts and says so', async () => {
    const receiver = await startReceiver(() => 500);
    const hub = await hubFor(`${receiver.url}/orders`, '', {});
    try {
      await ingest(hub, [salesOrder('SO-X', 1)]);
      const [dl] = await waitFor(async () => hub.store.listDeadLetters('acme').then((l) => (l.length ? l : undefined)), 15_000);
      assert.match(dl.reason, /gave up after 4 attempts: receiver answered HTTP 500/);
      assert.equal(receiver.received.length, 4);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('opens the circuit for a partner that is down instead of burning every delivery\'s attempts', async () => {
    let down = true;
    const receiver = await startReceiver(() => (down ? 503 : 200));
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => ingest(hub, [salesOrder(`SO-C${i}`, 1)])));
      // Down through two cooldowns of 300 ms: the circuit opened, let one trial through, and opened
      // again. Without a breaker every attempt would have been spent (and dead-lettered) by then.
      const firstAt = (await waitFor(() => receiver.received[0], 5000, 'the first attempt')).at;
      await waitFor(() => receiver.received.some((r) => r.at >= firstAt + 2 * 300), 10_000, 'a second trial after two cooldowns');
      const duringOutage = receiver.received.length;
      assert.ok(duringOutage < 20 * 4, `only ${duringOutage} attempts reached a partner that was down (not 80)`);
      assert.equal((await hub.store.listDeadLetters('acme')).length, 0, 'nothing dead-lettered while the circuit protected it');
      down = false;
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 20, 15_000, 'recovery');
      assert.equal((await hub.store.listDeadLetters('acme')).length, 0);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('delivers orders whose keys are outside Latin-1: the headers carry them percent-encoded and the receiver decodes them', async () => {
    const receiver = await startReceiver();
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      const keys = [1, 2, 3, 4, 5].map((i) => `SO-Ł-${i}`);
      for (const k of keys) await ingest(hub, [salesOrder(k, 1)]);
      await ingest(hub, [salesOrder('SO-PLAIN', 1)]);
      await waitFor(() => receiver.received.length >= 6, 10_000, 'six deliveries');
      const got = receiver.received.map((r) => decodedHeader(r, 'x-causeway-entity-key')).sort();
      assert.deepEqual(got, [...keys.map((k) => `order:${k}`), 'order:SO-PLAIN'].sort());
      const plain = receiver.received.find((r) => bodyOf(r).orderNumber === 'SO-PLAIN')!;
      assert.equal(plain.headers['x-causeway-entity-key'], 'order:SO-PLAIN', 'a visible-ASCII key is sent as it is');
      assert.equal(plain.headers['x-causeway-encoded-headers'], undefined, 'and nothing is said to be encoded');
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 6, 5000, 'six recorded as delivered');
      assert.equal((await hub.store.listDeadLetters('acme')).length, 0);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('dead-letters a delivery whose request cannot be formed at its first attempt, without opening the circuit', async () => {
    const receiver = await startReceiver();
    const { logger, lines } = capturingLogger();
    const hub = await hubFor(`${receiver.url}/orders`, '', { logger }, '', 'unformable-webhook');
    try {
      for (let i = 1; i <= 5; i++) await ingest(hub, [salesOrder(`SO-BAD-${i}`, 1)]);
      await waitFor(async () => (await hub.store.listDeadLetters('acme')).length === 5, 10_000, 'five dead letters');
      await ingest(hub, [salesOrder('SO-PLAIN', 1)]);
      await waitFor(() => receiver.received.length === 1, 10_000, 'the plain order');
      assert.equal(bodyOf(receiver.received[0]).orderNumber, 'SO-PLAIN');
      const dead = await hub.store.listDeliveries({ tenant: 'acme', status: 'dead' });
      assert.deepEqual(dead.map((d) => d.attempts), [1, 1, 1, 1, 1], 'never tried again: it cannot succeed');
      const [dl] = await hub.store.listDeadLetters('acme');
      assert.match(dl.reason, /invalid x-causeway-entity-key header/);
      assert.doesNotMatch(dl.reason, /gave up after/);
      assert.equal(lines.filter((l) => l.msg === 'circuit opened').length, 0, 'a delivery that can never go says nothing about the endpoint');
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('after an open circuit cools down, the trial is an order that has not just failed', async () => {
    // The receiver refuses these five orders in particular (a bug on its side), not everything.
    const receiver = await startReceiver((r) => (String(bodyOf(r).orderNumber).startsWith('SO-FAIL') ? 500 : 200));
    const { logger, lines } = capturingLogger();
    // A cooldown long enough for the plain order to be queued while the circuit is still open, even
    // on a loaded machine: with 300 ms the trial could come before the plain order existed.
    const hub = await hubFor(`${receiver.url}/orders`, '', { logger }, '', 'webhook', 3000);
    try {
      // In one message, so their deliveries are claimed and sent together: each has failed once when
      // the circuit opens. One still unsent then would count as not known to fail, like the plain order.
      await ingest(hub, [1, 2, 3, 4, 5].map((i) => salesOrder(`SO-FAIL-${i}`, 1)));
      await waitFor(() => lines.find((l) => l.msg === 'circuit opened'), 10_000, 'the circuit to open');
      await waitFor(() => new Set(receiver.received.map((r) => bodyOf(r).orderNumber)).size === 5, 10_000, 'each failing order tried once');
      await ingest(hub, [salesOrder('SO-PLAIN', 1)]);
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-PLAIN' })).length === 1, 5000, 'the plain order queued');
      const before = receiver.received.length;
      await waitFor(() => receiver.received.find((r) => bodyOf(r).orderNumber === 'SO-PLAIN'), 20_000, 'the plain order delivered');
      const next = receiver.received.slice(before).map((r) => bodyOf(r).orderNumber);
      assert.equal(next[0], 'SO-PLAIN', `the half-open trial went to an order not known to fail (then: ${next.join(', ')})`);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('recognises a duplicate by idempotency key or content and processes it once', async () => {
    const receiver = await startReceiver();
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      const a = await ingest(hub, [salesOrder('SO-D', 1)], 'erp-123');
      const b = await ingest(hub, [salesOrder('SO-D', 1, { priority: 'high' })], 'erp-123');
      const c = await ingest(hub, [salesOrder('SO-E', 1)]);
      const d = await ingest(hub, [salesOrder('SO-E', 1)]);
      assert.deepEqual([a.duplicate, b.duplicate, c.duplicate, d.duplicate], [false, true, false, true]);
      assert.equal(b.messageId, a.messageId);
      assert.equal(d.messageId, c.messageId);
      assert.equal((await settled(hub)).length, 2, 'one delivery per distinct message');
      assert.equal(receiver.received.length, 2);
      assert.equal((await hub.store.getMessage('acme', a.messageId))!.duplicates, 1);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });

  it('publishes an outcome event for each settled delivery to the outcome endpoint, none for retries', async () => {
    const receiver = await startReceiver((r) => (JSON.parse(r.body.toString()).orderNumber === 'SO-BAD' ? 422 : 200));
    const bus = await startReceiver();
    const hub = await hubFor(`${receiver.url}/orders`, 'outcomes:\n  - { to: bus, from: [wms] }\n', {}, `  bus: { type: webhook, allowPrivateNetworks: true, url: ${bus.url}/events }`);
    try {
      await ingest(hub, [salesOrder('SO-OK', 1)]);
      await ingest(hub, [salesOrder('SO-BAD', 1)]);
      const deliveries = await settled(hub);
      assert.deepEqual(deliveries.map((d) => d.endpoint).sort(), ['bus', 'bus', 'wms', 'wms'], 'one outcome event per settled delivery');
      assert.equal(bus.received.length, 2);
      const events = bus.received.map(bodyOf);
      const byOrder = new Map(events.map((e) => [e.entityKey, e]));
      assert.equal(byOrder.get('order:SO-OK')!.outcome, 'delivered');
      assert.equal(byOrder.get('order:SO-OK')!.partnerRef, 'R-1');
      assert.equal(byOrder.get('order:SO-BAD')!.outcome, 'dead');
      assert.match(byOrder.get('order:SO-BAD')!.error as string, /HTTP 422/);
      assert.ok(bus.received.every((r) => r.headers['x-causeway-document-type'] === 'delivery_outcome'));
    } finally {
      await hub.stop();
      await receiver.close();
      await bus.close();
    }
  });

  it('replays a message with the current config as a new generation, same idempotency key', async () => {
    const receiver = await startReceiver();
    const hub = await hubFor(`${receiver.url}/orders`);
    try {
      const { messageId } = await ingest(hub, [salesOrder('SO-G', 1)]);
      await waitFor(() => receiver.received.length === 1, 5000);
      assert.equal(await hub.store.requeueMessages('acme', [messageId], Date.now()), 1);
      hub.processorWakeup.notify();
      await waitFor(() => receiver.received.length === 2, 5000);
      assert.equal(receiver.received[0].headers['idempotency-key'], receiver.received[1].headers['idempotency-key']);
      const l = await hub.store.lineage('acme', messageId);
      assert.deepEqual(l!.documents.map((d) => d.generation), [1, 2]);
    } finally {
      await hub.stop();
      await receiver.close();
    }
  });
});

/** Most requests that overlapped in time at the receiver (arrival vs. the next arrival per order). */
function concurrentPeak(received: Received[]): number {
  let peak = 0;
  for (let i = 0; i < received.length; i++) {
    let n = 1;
    for (let j = i + 1; j < received.length && received[j].at - received[i].at < 5; j++) n++;
    peak = Math.max(peak, n);
  }
  return peak;
}

/** Waits until every message is processed and every delivery settled: after that nothing more goes out. */
async function settled(hub: Hub) {
  return waitFor(async () => {
    if ((await hub.store.listMessages({ tenant: 'acme', status: 'pending', limit: 1 })).length) return undefined;
    const deliveries = await hub.store.listDeliveries({ tenant: 'acme' });
    return deliveries.some((d) => d.status === 'pending') ? undefined : deliveries;
  }, 10_000, 'every message processed and every delivery delivered or dead');
}
