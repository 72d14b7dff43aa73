import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfigFile } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-cli-orders-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'causeway.yaml');

function causeway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '-c', config], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('causeway orders', () => {
  it('shows an order\'s ledger and lists stuck orders, from the store while no hub runs', async () => {
    writeFileSync(config, `store: sqlite:hub.db
defaultTenant: acme
endpoints:
  wms: { type: webhook, url: http://127.0.0.1:9/wms }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
flows:
  - { name: to-wms, types: [sales_order], to: wms }
  - { name: to-erp, types: [shipment], to: erp }
`);
    const hub = await Hub.start(loadConfigFile(config), { logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    try {
      const docs = [salesOrder('SO-C1', 2, { requestedShipDate: '2026-01-02' }), shipment('SO-C1')];
      const accepted = await hub.store.acceptMessages(docs.map((d, i) => ({
        tenant: 'acme', endpoint: 'api', codec: 'json', idempotencyKey: `c${i}`, contentHash: `c${i}`, body: Buffer.from(JSON.stringify(d)), receivedAt: Date.now(),
      })));
      const claimed = await hub.store.claimPendingMessages('cli-test', 10, 60_000, Date.now());
      await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
      assert.equal(accepted.length, 2);
    } finally {
      await hub.stop();
    }
    const shown = causeway('orders', 'show', 'SO-C1');
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^order SO-C1: partially shipped; to the warehouse: pending/);
    assert.match(shown.stdout, /STUCK SHIP_DATE_MISSED: Order SO-C1 was to ship by 2026-01-02/);
    assert.match(shown.stdout, /  1 +SKU-1 +1 EA +1 +0\n  2 +SKU-2 +2 EA +0 +2/);
    assert.match(shown.stdout, /shipment \(message 2\) apply SHIPMENT_APPLIED/);
    const stuck = causeway('orders', 'list', '--stuck');
    assert.equal(stuck.status, 0, stuck.stderr);
    assert.match(stuck.stdout, /^SO-C1 +partially_shipped/);
    assert.equal(causeway('orders', 'show', 'SO-NONE').status, 1);
    assert.equal(causeway('orders', 'frobnicate').status, 2);
  });
});
