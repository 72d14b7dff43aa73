// causeway billing close and invoice over a store: the month rated once, printed and written as CSV.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-cli-billing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function causeway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('causeway billing', () => {
  before(async () => {
    writeFileSync(join(dir, 'causeway.yaml'), `store: sqlite:hub.db
defaultTenant: acme
billing:
  tenants:
    acme: { currency: EUR, rates: { receipt: "4.00", receipt_unit: "0.05" } }
`);
    const store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    const [m] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'wms', codec: 'json', idempotencyKey: 'k1', contentHash: 'h1', body: Buffer.from('{}'), receivedAt: 1000 }]);
    const receipt = {
      type: 'receipt', schemaVersion: 1, tenant: 'acme', id: 'doc-r1', entityKey: 'inbound:PO-1', occurredAt: '2022-05-04T08:00:00Z', receivedAt: '2022-05-04T08:00:01Z', source: { endpoint: 'wms' },
      receiptNumber: 'RC-1', facility: 'DC1', complete: true, lines: [{ sku: 'A', quantity: '10', uom: 'EA', damagedQuantity: '0', serials: [] }, { sku: 'B', quantity: '2.5', uom: 'KG', damagedQuantity: '0.5', serials: [] }],
    };
    await store.completeMessages([{
      messageId: m!.messageId, status: 'processed', deliveries: [],
      documents: [{ id: 'doc-r1', tenant: 'acme', messageId: m!.messageId, type: 'receipt', entityKey: 'inbound:PO-1', occurredAt: Date.parse('2022-05-04T08:00:00Z'), receivedAt: 1000, body: receipt }],
    }], 2000);
    await store.close();
  });

  it('closes a month once and writes the invoice as CSV', () => {
    const missing = causeway('billing', 'close');
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /--period YYYY-MM is required/);
    const closed = causeway('billing', 'close', '--tenant', 'acme', '--period', '2022-05');
    assert.equal(closed.status, 0, closed.stderr);
    assert.match(closed.stdout, /acme 2022-05 \(closed now .*\): 2 line\(s\), total 4.65 EUR/);
    assert.match(closed.stdout, /receipt_unit: 13 × 0.05 = 0.65/);
    const again = causeway('billing', 'close', '--tenant', 'acme', '--period', '2022-05', '--format', 'csv', '--out', 'inv.csv');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /closed before/);
    assert.equal(readFileSync(join(dir, 'inv.csv'), 'utf8'),
      'tenant,period,line,kind,tier,quantity,unit_price,amount,currency\r\nacme,2022-05,1,receipt,1,1,4,4.00,EUR\r\nacme,2022-05,2,receipt_unit,1,13,0.05,0.65,EUR\r\n');
    const open = causeway('billing', 'invoice', '--tenant', 'acme', '--period', '2022-06');
    assert.equal(open.status, 1);
    assert.match(open.stderr, /not closed/);
    const noCard = causeway('billing', 'close', '--tenant', 'globex', '--period', '2022-05');
    assert.notEqual(noCard.status, 0);
    assert.match(noCard.stderr, /no rate card for tenant globex: add billing.tenants.globex/);
  });
});
