// The invoice sent to the 3PL's ERP is put into the outbox once per client and month, even when
// the close that wrote the lines died before it could send it: the next close sends it, and no
// later close sends a second.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rateCardSchema, type BillingConfig } from '../../src/billing/index.ts';
import { BillingService } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'causeway-invoice-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the invoice to the ERP', () => {
  it('goes into the outbox once, also when the close that wrote the lines did not send it', async () => {
    const store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    try {
      const config: BillingConfig = { sweepEveryMs: 0, sendTo: 'erp', tenants: { acme: rateCardSchema.parse({ rates: { order: '2' } }) } };
      const event = (n: number) => ({ tenant: 'acme', key: `shipment:SH-${n}`, kind: 'order', quantity: '1', facility: 'DC1', occurredAt: Date.UTC(2021, 2, n), documentId: `d${n}`, messageId: n });
      await store.recordUsage('acme', [event(1), event(2)], null, 1);
      // A close that stopped after writing its lines: the same service without its outbox.
      const crashed = await new BillingService(store, config, 'w1').close('acme', '2021-03');
      assert.equal(crashed.closedNow, true);
      const sent = () => store.listMessages({ tenant: 'hub', endpoint: 'billing' });
      assert.equal((await sent()).length, 0);
      const service = new BillingService(store, config, 'w2', undefined, undefined, { tenant: 'hub' });
      for (let i = 0; i < 3; i++) assert.equal((await service.close('acme', '2021-03')).closedNow, false);
      const [message, ...more] = await sent();
      assert.equal(more.length, 0, 'three closes, one invoice');
      const doc = JSON.parse(message!.body.toString());
      assert.deepEqual([doc.type, doc.client, doc.period, doc.total], ['invoice', 'acme', '2021-03', '4.00']);
      assert.deepEqual(doc.lines[0].usageKeys, ['shipment:SH-1', 'shipment:SH-2']);
    } finally {
      await store.close();
    }
  });
});
