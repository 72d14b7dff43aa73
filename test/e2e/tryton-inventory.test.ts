// Inventory truth against a real Tryton: Tryton's stock (read by its connector) against the
// warehouse's snapshot while a shipment has not reached Tryton yet: the rules hold it, since its
// order (entered in Tryton) has not passed through Causeway yet. The held shipment explains its
// difference; the one real variance is found, approved, and moves Tryton's stock by exactly it;
// once the order is read from Tryton the shipment is released and reaches Tryton too.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { applyInventoryAdjustment } from '../../src/connectors/tryton/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { EngineFacade, Hub } from '../../src/engine/index.ts';
import { inventoryAdjustment } from '../../src/model/index.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../support/tryton.ts';
import { waitFor } from '../support/receiver.ts';
import { confirmSale, connect, envelopeOf, options, stockInWarehouse, trytonEndpointYaml } from '../connectors/tryton/fixtures.ts';

const skip = await trytonUnavailable();

describe('reconciliation against a real Tryton', { skip }, () => {
  let tryton: TrytonServer;
  let dir: string;
  before(async () => {
    tryton = await startTryton();
    dir = mkdtempSync(join(tmpdir(), 'causeway-inventory-e2e-'));
  });
  after(async () => {
    await tryton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('in-flight shipments are explained, the one real variance is found, and approving it moves Tryton by exactly the variance', async () => {
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    // Tryton's book: what an opening count put there.
    await applyInventoryAdjustment(rpc, inventoryAdjustment.parse({
      type: 'inventory_adjustment', ...envelopeOf('opening'), adjustmentNumber: 'OPENING', facility: 'DC1',
      lines: [
        { sku: 'WIDGET-1', quantity: '40', uom: 'EA', reason: 'found' },
        { sku: 'GADGET-2', quantity: '25', uom: 'EA', reason: 'found' },
        { sku: 'SERUM-LOT', lot: 'L-1', quantity: '10', uom: 'EA', reason: 'found' },
      ],
    }), options);
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]], 'PO-INV-1');

    const yaml = (produce: string) => `
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
log: { level: warn }
retry: { maxAttempts: 30, initialDelayMs: 150, maxDelayMs: 1000 }
endpoints:
${trytonEndpointYaml(db)}
    produce: [${produce}]
    snapshotEveryMs: 600000
    pollIntervalMs: 200
    concurrency: 1
  wms: { type: folder, inbox: ${join(dir, 'wms/out')}, outbox: ${join(dir, 'wms/in')}, minAgeMs: 0 }
flows:
  - { name: wms-to-erp, from: [wms], types: [shipment, inventory_adjustment], to: erp }
  - { name: corrections, from: [inventory], types: [inventory_adjustment], to: erp }
inventory:
  timingToleranceMs: 3600000
`;
    const loaded = parseConfig(yaml('inventory_snapshot'), dir, { TRYTON_PASSWORD: db.password });
    const report = (name: string, document: Record<string, unknown>) => {
      mkdirSync(join(dir, 'staging'), { recursive: true });
      mkdirSync(join(dir, 'wms/out'), { recursive: true });
      writeFileSync(join(dir, 'staging', name), JSON.stringify(document));
      renameSync(join(dir, 'staging', name), join(dir, 'wms/out', name));
    };
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

    // The warehouse shipped 5 WIDGET-1 two minutes ago and counted a minute ago: 35 widgets, and 22
    // gadgets where Tryton books 25. Causeway has not seen the sale, so the rules hold the shipment:
    // it stays in flight.
    let hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 30, delivery: false });
    try {
      report('ship.json', {
        type: 'shipment', shipmentNumber: 'WMS-SH-INV', orderNumber: sale.number, facility: 'DC1', shippedAt: at(120_000), occurredAt: at(120_000),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '5', uom: 'EA' }],
      });
      report('count.json', {
        type: 'inventory_snapshot', facility: 'DC1', asOf: at(60_000), occurredAt: at(60_000),
        positions: [{ sku: 'WIDGET-1', onHand: '35', uom: 'EA' }, { sku: 'GADGET-2', onHand: '22', uom: 'EA' }, { sku: 'SERUM-LOT', lot: 'L-1', onHand: '10', uom: 'EA' }],
      });
      await waitFor(async () => {
        const snapshots = await hub.store.stockDocuments('acme', { since: 0, until: Date.now() });
        return snapshots.filter((d) => d.type === 'inventory_snapshot').length === 2 && snapshots.some((d) => d.type === 'shipment') ? true : undefined;
      }, 60_000, 'Tryton\'s snapshot, the warehouse\'s count and its shipment stored');

      const engine = await EngineFacade.open(loaded);
      try {
        const { run, variances } = await engine.inventory.reconcile('acme', { trigger: 'test' });
        const results = await engine.inventory.allResults('acme', run.id);
        const by = Object.fromEntries(results.map((r) => [`${r.sku}/${r.lot}`, r]));
        assert.deepEqual(Object.fromEntries(results.map((r) => [`${r.sku}/${r.lot}`, r.status])), { 'GADGET-2/': 'variance', 'SERUM-LOT/L-1': 'match', 'WIDGET-1/': 'in_flight' });
        const widget = by['WIDGET-1/']!.detail as { documents: Array<{ reference: string; delivery: string; quantity: string; reason?: string }>; erp: { onHand: string } };
        assert.equal(widget.erp.onHand, '40');
        assert.deepEqual(widget.documents.map((d) => [d.reference, d.delivery, d.quantity]), [['WMS-SH-INV', 'held', '-5']]);
        assert.match(widget.documents[0]!.reason ?? '', new RegExp(sale.number));
        assert.deepEqual(variances.map((v) => [v.sku, v.correctedDifference]), [['GADGET-2', '-3']]);
        assert.equal((run.accuracy as { overall: { rate: number } }).overall.rate, 0.6667);

        const gadgetsBefore = await stockInWarehouse(rpc, 'GADGET-2');
        const decided = await engine.inventory.decide('acme', run.id, [variances[0]!.position], 'approved', 'stock controller');
        assert.equal(decided.messages.length, 1);
        // Approved again (a second click, a retried request): nothing more is sent.
        assert.equal((await engine.inventory.decide('acme', run.id, [variances[0]!.position], 'approved', 'stock controller')).messages[0]!.duplicate, true);
        await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', type: 'inventory_adjustment' })).length === 1, 30_000, 'the correction routed to Tryton');

        // Deliveries run now, and the connector reads Tryton's customer shipments as orders: the
        // order arrives, the held shipment is released, and it reaches Tryton with the correction.
        await hub.stop();
        const withOrders = parseConfig(yaml('inventory_snapshot, sales_order'), dir, { TRYTON_PASSWORD: db.password });
        hub = await Hub.start(withOrders, { logger: pino({ level: 'silent' }), idleMs: 30 });
        await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).length === 2, 60_000, 'the shipment and the correction delivered');
        assert.equal(await stockInWarehouse(rpc, 'GADGET-2'), gadgetsBefore - 3, 'Tryton moved by exactly the variance');
        assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 35);
        assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'L-1'), 10);
        const [log] = await engine.inventory.decisions('acme');
        assert.deepEqual([log!.sku, log!.action, log!.decidedBy, log!.quantity], ['GADGET-2', 'approved', 'stock controller', '-3']);
      } finally {
        await engine.close();
      }
    } finally {
      await hub.stop();
    }
  });

  test('the go-live audit reads Tryton\'s item master through the connector and finds what the warehouse\'s feed gets wrong', async () => {
    const db = await tryton.freshDatabase();
    const auditDir = mkdtempSync(join(tmpdir(), 'causeway-audit-e2e-'));
    try {
      const loaded = parseConfig(`
store: sqlite:${join(auditDir, 'hub.db')}
defaultTenant: acme
log: { level: warn }
endpoints:
${trytonEndpointYaml(db)}
    produce: [item]
    pollIntervalMs: 200
`, auditDir, { TRYTON_PASSWORD: db.password });
      const hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 30, delivery: false });
      try {
        await waitFor(async () => ((await hub.store.latestDocumentsOfType('acme', 'item')).length === 3 ? true : undefined), 60_000, 'Tryton\'s three goods stored as items');
      } finally {
        await hub.stop();
      }
      const engine = await EngineFacade.open(loaded);
      try {
        const erpItems = (await engine.inventory.audit('acme', { warehouse: [] })).items.erp;
        assert.equal(erpItems, 3);
        const report = await engine.inventory.audit('acme', {
          warehouse: [
            { sku: 'widget-1', baseUom: 'EA' },
            { sku: 'GADGET-2', baseUom: 'EA', lotTracked: true },
            { sku: 'WMS-ONLY', baseUom: 'EA' },
          ],
        });
        const found = report.findings.map((f) => `${f.kind} ${f.sku} ${f.field}`);
        for (const expected of ['sku_variant WIDGET-1 sku', 'tracking_mismatch GADGET-2 lotTracked', 'missing_in_warehouse SERUM-LOT sku', 'missing_in_erp WMS-ONLY sku']) {
          assert.ok(found.includes(expected), `${expected} among ${found.join('; ')}`);
        }
      } finally {
        await engine.close();
      }
    } finally {
      rmSync(auditDir, { recursive: true, force: true });
    }
  });
});
