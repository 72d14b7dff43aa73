// Scheduled reconciliation on two workers sharing one store: the lease row gives each turn to one
// worker, so runs never overlap and are not doubled.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { waitFor } from '../support/receiver.ts';

const dir = mkdtempSync(join(tmpdir(), 'causeway-inventory-schedule-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('runs a scheduled reconciliation on one worker at a time', async () => {
  const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  wms-in: { type: http }
inventory:
  reconcileEveryMs: 300
`, dir);
  const stores = [new SqliteStore({ path: join(dir, 'hub.db') }), new SqliteStore({ path: join(dir, 'hub.db') })];
  for (const s of stores) await s.migrate();
  const at = new Date().toISOString();
  const [{ messageId }] = await stores[0]!.acceptMessages([{ tenant: 'acme', endpoint: 'wms-in', codec: 'json', idempotencyKey: 'k', contentHash: 'h', body: Buffer.from('{}'), receivedAt: Date.now() }]);
  await stores[0]!.completeMessages([{ messageId, status: 'processed', deliveries: [], documents: [{
    id: `${messageId}-1-0`, tenant: 'acme', messageId, type: 'inventory_snapshot', entityKey: 'stock:DC1', occurredAt: Date.parse(at), receivedAt: Date.parse(at),
    body: { type: 'inventory_snapshot', facility: 'DC1', asOf: at, scope: 'full', positions: [{ sku: 'A', onHand: '1', uom: 'EA', allocated: '0', status: 'available' }] },
  }] }], Date.now());
  const hubs = await Promise.all(stores.map((store, i) => Hub.start(loaded, { store, logger: pino({ level: 'silent' }), workerId: `w${i}`, idleMs: 20 })));
  try {
    const runs = await waitFor(async () => {
      const list = await stores[0]!.listReconciliations('acme');
      return list.length >= 4 ? list : undefined;
    }, 20_000, 'four scheduled runs');
    const ordered = [...runs].sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < ordered.length; i++) {
      assert.ok(ordered[i]!.startedAt >= ordered[i - 1]!.finishedAt, `run ${ordered[i]!.id} started before run ${ordered[i - 1]!.id} finished`);
      // One worker holds the turn: runs come about one interval apart, not two at once.
      assert.ok(ordered[i]!.startedAt - ordered[i - 1]!.startedAt >= 250, `runs ${ordered[i - 1]!.id} and ${ordered[i]!.id} came ${ordered[i]!.startedAt - ordered[i - 1]!.startedAt} ms apart`);
    }
    assert.ok(runs.every((r) => r.trigger === 'schedule'));
  } finally {
    await Promise.all(hubs.map((h) => h.stop()));
    for (const s of stores) await s.close();
  }
});
