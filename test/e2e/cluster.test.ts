import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';
import { startReceiver, waitFor, type Received } from '../support/receiver.ts';
import { seededRandom } from '../support/seed.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const skip = await postgresUnavailable();

const STATUSES = ['released', 'picked', 'shipped'] as const;

/** `causeway worker` child processes on one config, each killable with SIGKILL and restartable. */
class Workers {
  private readonly children: Array<ChildProcess | undefined>;
  constructor(private readonly config: string, count: number) {
    this.children = Array.from({ length: count }, () => undefined);
  }

  start(i: number): void {
    this.children[i] = spawn(process.execPath, [BIN, 'worker', '-c', this.config], { stdio: ['ignore', 'ignore', 'inherit'] });
  }

  pid(i: number): number {
    return this.children[i]!.pid!;
  }

  async kill(i: number): Promise<void> {
    const c = this.children[i];
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.children.map((_, i) => this.kill(i)));
  }
}

function orderStatus(orderNumber: string, step: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 10, 22, 9, 0, 0) + step * 60_000).toISOString().replace('Z', '+00:00');
  return { type: 'order_status', orderNumber, occurredAt: at, status: STATUSES[step] };
}

function config(dir: string, db: TestDatabase, receiverUrl: string, extra: { leaseMs: number; timeoutMs?: number }): string {
  const path = join(dir, 'causeway.yaml');
  writeFileSync(path, `
store: ${db.url}
defaultTenant: acme
log: { level: warn }
worker: { batchSize: 50, leaseMs: ${extra.leaseMs}, idleMs: 20 }
retry: { maxAttempts: 50, initialDelayMs: 20, maxDelayMs: 200, multiplier: 2 }
circuitBreaker: { failureThreshold: 50, cooldownMs: 100 }
endpoints:
  wms-out: { type: folder, inbox: wms-out, minAgeMs: 0, batchSize: 40 }
  erp: { type: webhook, allowPrivateNetworks: true, url: ${receiverUrl}/status, concurrency: 8, timeoutMs: ${extra.timeoutMs ?? 10_000} }
flows:
  - { name: order-status, types: [order_status], to: erp }
`);
  return path;
}

/**
 * Several workers on one PostgreSQL, as in production: they share the work through leases, take
 * over a dead worker's leases, keep each order's events in order at the receiver and apply each
 * effect once, while being killed with SIGKILL at random.
 */
describe('a cluster of workers on PostgreSQL', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-cluster-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loses, doubles and reorders nothing while three workers are killed at random and restarted', { timeout: 180_000 }, async (t) => {
    // Apart, so the load's shape replays whatever the answers drew in between.
    const answers = seededRandom(t, 'answers');
    const load = seededRandom(t, 'load');
    const work = mkdtempSync(join(dir, 'crash-'));
    const db = await createTestDatabase();
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, answers() * 4));
      return answers() < 0.05 ? 503 : 200;
    });
    const inbox = join(work, 'wms-out');
    const staging = join(work, 'staging');
    mkdirSync(inbox, { recursive: true });
    mkdirSync(staging, { recursive: true });
    const workers = new Workers(config(work, db, receiver.url, { leaseMs: 1500 }), 3);
    const orders = 200;
    const total = orders * STATUSES.length;
    try {
      for (let i = 0; i < 3; i++) workers.start(i);
      let written = 0;
      let kills = 0;
      // Each order's events are written in order, interleaved with other orders' events, in bursts.
      const shuffled = interleave(orders, load);
      while (written < total || kills < 8) {
        const burst = Math.min(total - written, 40 + Math.floor(load() * 60));
        for (let i = 0; i < burst; i++, written++) {
          const e = shuffled[written];
          const name = `ev-${String(written).padStart(6, '0')}.json`;
          writeFileSync(join(staging, name), JSON.stringify(orderStatus(e.order, e.step)));
          renameSync(join(staging, name), join(inbox, name));
        }
        await new Promise((r) => setTimeout(r, 150 + load() * 450));
        if (kills < 8) {
          const victim = Math.floor(load() * 3);
          await workers.kill(victim);
          kills++;
          workers.start(victim);
        }
      }
      const firstArrivals = () => firstByKey(receiver.received);
      await waitFor(() => firstArrivals().size === total, 120_000, `all ${total} events at the receiver`);
      const watcher = new PostgresStore({ url: db.url, pool: { max: 1 } });
      try {
        // The last acknowledgements may still be on their way into the store.
        await waitFor(async () => (await watcher.pool.query(`SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'`)).rows[0].n >= total, 30_000, 'every delivery recorded');
      } finally {
        await watcher.close();
      }
      await workers.killAll();

      const byOrder = new Map<string, string[]>();
      for (const r of firstArrivals().values()) {
        const doc = JSON.parse(r.body.toString()) as { orderNumber: string; status: string };
        byOrder.set(doc.orderNumber, [...(byOrder.get(doc.orderNumber) ?? []), doc.status]);
      }
      assert.equal(byOrder.size, orders, 'every order arrived');
      const outOfOrder = [...byOrder].filter(([, s]) => s.join('>') !== STATUSES.join('>'));
      assert.deepEqual(outOfOrder, [], 'each order\'s events arrive released, picked, shipped');

      const store = new PostgresStore({ url: db.url, pool: { max: 2 } });
      try {
        const messages = (await store.kpiSample('acme', 0, Date.now()));
        assert.equal(messages.messages, total, 'one inbox message per file');
        assert.equal(messages.quarantined, 0);
        const delivered = (await store.pool.query(`SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM deliveries WHERE status = 'delivered'`)).rows[0];
        assert.deepEqual([delivered.n, delivered.keys], [total, total], 'one delivery, one idempotency key per event');
        assert.equal((await store.pool.query(`SELECT count(*) AS n FROM deliveries WHERE status <> 'delivered'`)).rows[0].n, 0);
        assert.equal((await store.listDeadLetters('acme')).length, 0);
      } finally {
        await store.close();
      }
      assert.equal(readdirSync(join(inbox, 'archive')).length, total, 'every file archived once');
    } finally {
      await workers.killAll();
      await receiver.close();
      await db.drop();
    }
  });

  it('takes over the leases of a worker killed mid-delivery once they expire, and finishes its work', { timeout: 90_000 }, async () => {
    const work = mkdtempSync(join(dir, 'failover-'));
    const db = await createTestDatabase();
    // The receiver holds requests open until released: the first worker dies holding its leases.
    let hold = true;
    const held: Array<() => void> = [];
    const receiver = await startReceiver(async () => {
      if (hold) await new Promise<void>((r) => held.push(r));
      return 200;
    });
    const inbox = join(work, 'wms-out');
    mkdirSync(inbox, { recursive: true });
    const leaseMs = 4000;
    const workers = new Workers(config(work, db, receiver.url, { leaseMs, timeoutMs: 60_000 }), 2);
    const store = new PostgresStore({ url: db.url, pool: { max: 2 } });
    try {
      for (let o = 0; o < 30; o++) writeFileSync(join(inbox, `ev-${String(o).padStart(4, '0')}.json`), JSON.stringify(orderStatus(`SO-${o}`, 0)));
      workers.start(0);
      const victim = `${hostname()}:${workers.pid(0)}`;
      await waitFor(() => receiver.received.length >= 8, 30_000, 'the first worker to have deliveries in flight');
      const leased = (await store.pool.query(`SELECT id, idempotency_key, lease_until FROM deliveries WHERE status = 'pending' AND lease_owner = $1`, [victim])).rows;
      assert.ok(leased.length >= 8, `the first worker holds the leases of its deliveries in flight (${leased.length})`);
      await workers.kill(0);
      const killedAt = Date.now();
      hold = false;
      held.splice(0).forEach((r) => r());
      workers.start(1);
      await waitFor(async () => (await store.pool.query(`SELECT count(*) AS n FROM deliveries WHERE status = 'delivered'`)).rows[0].n === 30, 60_000, 'all 30 delivered');
      const retaken = new Map(leased.map((l) => [l.idempotency_key as string, l.lease_until as number]));
      for (const [key, leaseUntil] of retaken) {
        // In flight or claimed ahead by the dead worker: the second worker sends it only once the lease expired.
        const after = receiver.received.filter((r) => r.headers['idempotency-key'] === key && r.at >= killedAt);
        assert.ok(after.length >= 1, `${key} delivered by the second worker`);
        assert.ok(after[0].at >= leaseUntil, `${key} taken over ${leaseUntil - after[0].at} ms before its lease expired`);
      }
      const inFlightWhenKilled = receiver.received.filter((r) => r.at < killedAt).map((r) => r.headers['idempotency-key'] as string);
      assert.ok(inFlightWhenKilled.every((k) => retaken.has(k)), 'every delivery in flight was under the dead worker\'s lease');
      assert.ok(Date.now() - killedAt >= leaseMs - 1000);
      const attempts = (await store.pool.query(`SELECT count(*) AS n FROM deliveries WHERE status = 'delivered' AND lease_owner IS NULL`)).rows[0].n;
      assert.equal(attempts, 30);
    } finally {
      hold = false;
      held.splice(0).forEach((r) => r());
      await workers.killAll();
      await store.close();
      await receiver.close();
      await db.drop();
    }
  });
});

/** Each order's events in sequence, orders mixed: releases of new orders overlap picks and shipments of others. */
function interleave(orders: number, random: () => number): Array<{ order: string; step: number }> {
  const out: Array<{ order: string; step: number }> = [];
  const next = new Array<number>(orders).fill(0);
  const active: number[] = [];
  let opened = 0;
  while (out.length < orders * STATUSES.length) {
    if (opened < orders && (active.length === 0 || active.length < 20 || random() < 0.3)) active.push(opened++);
    const at = Math.floor(random() * active.length);
    const o = active[at];
    out.push({ order: `SO-${o}`, step: next[o]++ });
    if (next[o] === STATUSES.length) active.splice(at, 1);
  }
  return out;
}

/** The first request per idempotency key: later ones are redeliveries the receiver recognises. */
function firstByKey(received: Received[]): Map<string, Received> {
  const first = new Map<string, Received>();
  for (const r of received) {
    const key = r.headers['idempotency-key'] as string;
    if (!first.has(key)) first.set(key, r);
  }
  return first;
}
