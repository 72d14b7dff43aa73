import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Hub } from '../../src/engine/index.ts';
import { verifyWebhook } from '../../src/transports/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import pino from 'pino';

describe('pipeline: folder in, mapped, webhook and folder out', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secret = 'whsec_' + Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-pipeline-'));
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  erp-out: { type: folder, inbox: ${join(dir, 'erp-out')}, minAgeMs: 0 }
  wms-in: { type: folder, inbox: ${join(dir, 'wms-out')}, outbox: ${join(dir, 'wms-in')}, minAgeMs: 0 }
  erp-hook: { type: webhook, url: ${receiver.url}/shipments, secret: "${secret}" }
flows:
  - { name: orders-to-wms, from: [erp-out], types: [sales_order], to: wms-in, mapping: order-to-wms }
  - { name: shipments-to-erp, from: [wms-in], types: [shipment], to: erp-hook }
codeTables:
  carriers: { UPSN: UPS-GROUND }
mappings:
  order-to-wms:
    fields:
      order_no: orderNumber
      ship_via: { from: carrier.scac, table: carriers }
      ship_to.zip: shipTo.postalCode
      ship_to.country: shipTo.country
      wanted: { from: occurredAt, format: date-compact }
      lines: { each: lines, fields: { sku: sku, qty: { from: quantity, format: number } } }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps a sales order dropped by the ERP into the warehouse folder and archives the file', async () => {
    writeFileSync(join(dir, 'erp-out', 'so-1001.json'), JSON.stringify(salesOrder('SO-1001', 2)));
    const out = await waitFor(() => existsSync(join(dir, 'wms-in')) && readdirSync(join(dir, 'wms-in')).find((f) => f.endsWith('.json')), 10_000, 'mapped order') as string;
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'wms-in', out), 'utf8')), {
      order_no: 'SO-1001', ship_via: 'UPS-GROUND', ship_to: { zip: '3011', country: 'NL' }, wanted: '20261122',
      lines: [{ sku: 'SKU-1', qty: 1 }, { sku: 'SKU-2', qty: 2 }],
    });
    await waitFor(() => readdirSync(join(dir, 'erp-out', 'archive')).includes('so-1001.json'), 5000, 'archived file');
    assert.ok(!existsSync(join(dir, 'erp-out', 'so-1001.json')));
  });

  it('delivers the warehouse shipment confirmation to the ERP webhook, signed', async () => {
    writeFileSync(join(dir, 'wms-out', 'ship-1001.json'), JSON.stringify(shipment('SO-1001')));
    const r = await waitFor(() => receiver.received.find((x) => x.path === '/shipments'), 10_000, 'webhook');
    const body = JSON.parse(r.body.toString());
    assert.equal(body.type, 'shipment');
    assert.equal(body.tenant, 'acme');
    assert.equal(body.entityKey, 'order:SO-1001');
    assert.equal(body.lines[0].lots[0].lot, 'L24-07');
    assert.ok(verifyWebhook(secret, { id: r.headers['webhook-id'] as string, timestamp: r.headers['webhook-timestamp'] as string, signature: r.headers['webhook-signature'] as string }, r.body));
    assert.equal(r.headers['idempotency-key'], r.headers['webhook-id']);
    const [msg] = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-in' });
    const lineage = await waitFor(async () => {
      const l = await hub.store.lineage('acme', msg.id);
      return l?.deliveries[0]?.status === 'delivered' ? l : undefined;
    });
    assert.equal(lineage.deliveries[0].partnerRef, 'R-1');
    assert.equal(lineage.deliveries[0].attemptLog[0].statusCode, 200);
  });

  it('quarantines a malformed file with a positioned error, keeping the raw bytes', async () => {
    writeFileSync(join(dir, 'erp-out', 'broken.json'), '{"type": "sales_order", "orderNumber": "SO-9",\n "lines": [}');
    const m = await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', status: 'quarantined' }))[0]);
    assert.equal(m.errors[0].code, 'JSON_SYNTAX');
    assert.match(m.errors[0].message, /line 2/);
    assert.equal(Buffer.from(m.body).toString(), '{"type": "sales_order", "orderNumber": "SO-9",\n "lines": [}');
  });
});
