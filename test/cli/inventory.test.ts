// The inventory commands on a store: reconcile (exit 3 on a variance), variances approve and log,
// status with accuracy, and the audit of an item feed file as CSV.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-cli-inventory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function causeway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('inventory commands', () => {
  before(async () => {
    writeFileSync(join(dir, 'causeway.yaml'), `store: sqlite:hub.db
endpoints:
  erp-in: { type: http }
  wms-in: { type: http }
inventory:
  erpEndpoints: [erp-in]
`);
    const store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    const asOf = new Date(Date.now() - 60_000).toISOString();
    let n = 0;
    for (const [endpoint, counts] of [['erp-in', [['A', '10'], ['B', '5']]], ['wms-in', [['A', '10'], ['B', '4']]]] as const) {
      const [{ messageId }] = await store.acceptMessages([{ tenant: 'default', endpoint, codec: 'json', idempotencyKey: `k${++n}`, contentHash: `h${n}`, body: Buffer.from('{}'), receivedAt: Date.parse(asOf) }]);
      await store.completeMessages([{ messageId, status: 'processed', deliveries: [], documents: [{
        id: `${messageId}-1-0`, tenant: 'default', messageId, type: 'inventory_snapshot', entityKey: 'stock:DC1', occurredAt: Date.parse(asOf), receivedAt: Date.parse(asOf),
        body: { type: 'inventory_snapshot', facility: 'DC1', asOf, scope: 'full', positions: counts.map(([sku, onHand]) => ({ sku, onHand, uom: 'EA', allocated: '0', status: 'available' })) },
      }] }], Date.now());
    }
    await store.close();
  });

  it('reconciles, approves the variance once, logs who did, and shows accuracy in status', () => {
    const run = causeway('reconcile', '--tenant', 'default');
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stdout, /match 1, in_flight 0, timing 0, variance 1/);
    assert.match(run.stdout, /accuracy 50\.00% \(1 of 2 compared positions agree\)/);
    assert.match(run.stdout, /#2 DC1 B: warehouse 4, ERP 5 EA/);
    const runId = /reconciliation run (\d+)/.exec(run.stdout)![1]!;
    const approve = causeway('variances', 'approve', '--tenant', 'default', '--run', runId, '--position', '2', '--by', 'j.smit', '--note', 'recounted');
    assert.equal(approve.status, 0, approve.stderr);
    assert.match(approve.stdout, new RegExp(`#2 B: approved by j\\.smit .*; adjustment REC-${runId}-2 queued as message \\d+`));
    assert.match(causeway('variances', 'approve', '--tenant', 'default', '--run', runId, '--position', '2', '--by', 'other').stdout, /approved by j\.smit .*\(decided before; kept\); adjustment REC-\d+-2 already queued/);
    assert.match(causeway('variances', 'approve', '--tenant', 'default', '--run', runId, '--position', '1').stdout, /#1: not a variance of run/);
    assert.match(causeway('variances', 'log', '--tenant', 'default').stdout, /j\.smit approved run \d+ #2 DC1 B -1 EA: recounted/);
    assert.match(causeway('status', '--tenant', 'default').stdout, /inventory accuracy: 50\.00% \(1 of 2 positions, run \d+/);
    assert.equal(causeway('reconcile', '--tenant', 'default', '--facility', 'NOPE').status, 1);
  });

  it('audits an item feed file against the ERP\'s, writing CSV', () => {
    writeFileSync(join(dir, 'erp.json'), JSON.stringify([{ sku: 'A', baseUom: 'EA', weight: { value: '1', unit: 'KG' }, dimensions: { length: '1', width: '1', height: '1', unit: 'CM' } }]));
    writeFileSync(join(dir, 'wms.csv'), 'sku,uom,gtin,weight,length,width,height\nA,EA,4006381333932,1,1,1,1\n');
    const r = causeway('audit', '--tenant', 'default', '--erp', 'erp.json', '--warehouse', 'wms.csv', '--format', 'csv', '--out', 'report.csv');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /1 ERP items, 1 warehouse items, 2 finding\(s\)/);
    const csv = readFileSync(join(dir, 'report.csv'), 'utf8');
    assert.match(csv, /barcode_check_digit,warehouse,A,/);
    assert.match(csv, /stock_difference,both,B,/);
  });
});
