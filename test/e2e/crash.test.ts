import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { seededRandom } from '../support/seed.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));

/**
 * The promise the whole product rests on: a worker killed with SIGKILL at random moments under
 * load, and restarted, loses nothing and applies nothing twice. The receiver plays a target that
 * honours idempotency keys: each key's effect counts once, however often it is redelivered.
 */
describe('crash safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-crash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loses and doubles nothing across repeated SIGKILLs', { timeout: 180_000 }, async (t) => {
    // Apart, so the load's shape replays whatever the answers drew in between.
    const answers = seededRandom(t, 'answers');
    const load = seededRandom(t, 'load');
    const receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, answers() * 4));
      return answers() < 0.05 ? 503 : 200;
    });
    const inbox = join(dir, 'erp-out');
    const staging = join(dir, 'staging');
    mkdirSync(inbox, { recursive: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(dir, 'causeway.yaml'), `
store: sqlite:hub.db
defaultTenant: acme
log: { level: warn }
worker: { batchSize: 50, leaseMs: 1500, idleMs: 20 }
retry: { maxAttempts: 50, initialDelayMs: 20, maxDelayMs: 200, multiplier: 2 }
circuitBreaker: { failureThreshold: 50, cooldownMs: 100 }
endpoints:
  erp-out: { type: folder, inbox: erp-out, minAgeMs: 0, batchSize: 40 }
  wms: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/orders, concurrency: 8 }
flows:
  - { name: orders, types: [sales_order], to: wms }
`);
    const total = 600;
    let child: ChildProcess | undefined;
    const start = () => {
      child = spawn(process.execPath, [BIN, 'worker', '-c', join(dir, 'causeway.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
    };
    const kill = async () => {
      const c = child!;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    };
    try {
      start();
      let written = 0;
      let kills = 0;
      // Files appear in bursts (written aside, renamed in whole) while the worker is killed at random.
      while (written < total || kills < 5) {
        const burst = Math.min(total - written, 60 + Math.floor(load() * 60));
        for (let i = 0; i < burst; i++, written++) {
          const name = `so-${String(written).padStart(5, '0')}.json`;
          writeFileSync(join(staging, name), JSON.stringify(salesOrder(`SO-${written}`, 3)));
          renameSync(join(staging, name), join(inbox, name));
        }
        await new Promise((r) => setTimeout(r, 150 + load() * 600));
        if (kills < 5) {
          await kill();
          kills++;
          start();
        }
      }
      await waitFor(() => readdirSync(inbox).filter((f) => f.endsWith('.json')).length === 0, 60_000, 'the inbox folder to empty');
      const orders = () => new Set(receiver.received.map((r) => JSON.parse(r.body.toString()).orderNumber as string));
      await waitFor(() => orders().size === total, 90_000, `all ${total} orders at the receiver`);
      // A delivery the receiver got may not be recorded yet (that is what redelivery is for): let the worker catch up.
      const watcher = new SqliteStore({ path: join(dir, 'hub.db') });
      try {
        await waitFor(async () => (await watcher.listDeliveries({ tenant: 'acme', status: 'delivered', limit: 1000 })).length === total, 30_000, 'every delivery recorded');
      } finally {
        await watcher.close();
      }
      await kill();

      const keys = new Set(receiver.received.map((r) => r.headers['idempotency-key'] as string));
      assert.equal(orders().size, total, 'every order arrived');
      assert.equal(keys.size, total, 'one idempotency key per order: no order was taken in twice');
      const store = new SqliteStore({ path: join(dir, 'hub.db') });
      try {
        const messages = await store.listMessages({ tenant: 'acme', limit: 1000 });
        assert.equal(messages.length, total, 'one inbox message per file');
        assert.ok(messages.every((m) => m.status === 'processed'));
        const delivered = await store.listDeliveries({ tenant: 'acme', status: 'delivered', limit: 1000 });
        assert.equal(delivered.length, total);
        assert.equal((await store.listDeadLetters('acme')).length, 0);
      } finally {
        await store.close();
      }
      const archived = readdirSync(join(inbox, 'archive'));
      assert.equal(archived.length, total, `every file archived once; left in the inbox folder: ${readdirSync(inbox).join(', ')}; odd names: ${archived.filter((f) => !/^so-\d{5}\.json$/.test(f)).join(', ')}`);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await receiver.close();
    }
  });
});
