import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import type { TrytonRpc } from '../../src/connectors/tryton/rpc.ts';
import { seededRandom } from '../support/seed.ts';
import { startTryton, trytonUnavailable, type TrytonDatabase, type TrytonServer } from '../support/tryton.ts';
import { waitFor } from '../support/receiver.ts';
import { confirmPurchase, confirmReturnSale, confirmSale, connect, dateInDays, hoursAgo, stockInWarehouse, trytonEndpointYaml } from '../connectors/tryton/fixtures.ts';

const skip = await trytonUnavailable();
const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));

/**
 * The whole loop against a real Tryton: Tryton is the ERP (a `tryton` endpoint, source and
 * target), the warehouse is a pair of folders (what it is sent lands in wms/in, what it reports is
 * dropped into wms/out). Nothing is faked on either side; the assertions read Tryton back.
 */
function configYaml(dir: string, db: TrytonDatabase, extra = ''): string {
  return `
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
log: { level: warn }
retry: { maxAttempts: 60, initialDelayMs: 150, maxDelayMs: 1000, multiplier: 2 }
circuitBreaker: { failureThreshold: 3, cooldownMs: 400 }
${extra}
endpoints:
${trytonEndpointYaml(db)}
    produce: [sales_order, order_cancel, purchase_order, return_authorization]
    pollIntervalMs: 150
    concurrency: 1
  wms: { type: folder, inbox: ${join(dir, 'wms/out')}, outbox: ${join(dir, 'wms/in')}, minAgeMs: 0 }
flows:
  - { name: erp-to-wms, from: [erp], types: [sales_order, order_cancel, purchase_order, return_authorization], to: wms }
  - { name: wms-to-erp, from: [wms], types: [shipment, receipt, inventory_adjustment, return_receipt], to: erp }
`;
}

/** What the warehouse was sent: the documents in its folder, by type. */
function sentToWarehouse(dir: string, type: string): Array<Record<string, any>> {
  const folder = join(dir, 'wms/in');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.startsWith(`${type}-`) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Record<string, any>);
}

/** The warehouse reports something (that happened just now, unless it says when): a JSON file written aside and renamed into its out folder. */
function warehouseReports(dir: string, name: string, document: Record<string, unknown>): void {
  mkdirSync(join(dir, 'staging'), { recursive: true });
  mkdirSync(join(dir, 'wms/out'), { recursive: true });
  writeFileSync(join(dir, 'staging', name), JSON.stringify({ facility: 'DC1', occurredAt: new Date().toISOString(), ...document }));
  renameSync(join(dir, 'staging', name), join(dir, 'wms/out', name));
}

async function saleShipments(rpc: TrytonRpc, saleId: number) {
  const [sale] = await rpc.read<{ shipments: number[]; shipment_state: string }>('sale.sale', [saleId], ['shipments', 'shipment_state']);
  const shipments = await rpc.read<{ id: number; number: string; state: string; reference: string | null; outgoing_moves: number[] }>(
    'stock.shipment.out', sale!.shipments, ['number', 'state', 'reference', 'outgoing_moves']);
  const moves = await rpc.read<{ id: number; quantity: number; state: string; 'lot.': { number: string } | null; 'product.': { code: string } }>(
    'stock.move', shipments.flatMap((s) => s.outgoing_moves), ['quantity', 'state', 'lot.number', 'product.code']);
  return {
    saleState: sale!.shipment_state,
    shipments: shipments.sort((a, b) => a.id - b.id).map((s) => ({
      number: s.number, state: s.state, reference: s.reference,
      moves: moves.filter((m) => s.outgoing_moves.includes(m.id) && m.state !== 'cancelled' && m.quantity > 0)
        .map((m) => `${m['product.'].code} ${m.quantity}${m['lot.'] ? ` ${m['lot.'].number}` : ''}`).sort(),
    })),
  };
}

describe('ERP (Tryton) <-> warehouse end to end', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  describe('one hub, one Tryton database, the flows in turn', () => {
    let dir: string;
    let db: TrytonDatabase;
    let rpc: TrytonRpc;
    let hub: Hub;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'causeway-tryton-e2e-'));
      db = await tryton.freshDatabase();
      rpc = connect(db);
      const loaded = parseConfig(configYaml(dir, db), dir, { TRYTON_PASSWORD: db.password });
      hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 30 });
    });
    /** Waits for Tryton to show an effect; on timeout, says where each delivery to Tryton stands. */
    const waitForTryton = async <T>(check: () => Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> => {
      try {
        return await waitFor(check, timeoutMs, what);
      } catch (error) {
        const deliveries = await hub.store.listDeliveries({ tenant: 'acme', limit: 100 });
        const messages = await hub.store.listMessages({ tenant: 'acme', limit: 100 });
        throw new Error(`${(error as Error).message}\ndeliveries:\n${deliveries.map((d) => `  ${d.id} ${d.endpoint} ${d.documentType} ${d.entityKey} ${d.status} x${d.attempts} ${d.lastError ?? ''}`).join('\n')}\nmessages:\n${messages.map((m) => `  ${m.id} ${m.endpoint} ${m.status} ${JSON.stringify(m.errors ?? '')}`).join('\n')}`);
      }
    };
    after(async () => {
      await hub?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a confirmed sale reaches the warehouse; a partial shipment and then the rest close it in Tryton with lots and a backorder between', async () => {
      const sale = await confirmSale(rpc, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
      const [order] = await waitFor(() => {
        const found = sentToWarehouse(dir, 'sales_order').filter((o) => o.orderNumber === sale.number);
        return found.length ? found : undefined;
      }, 15_000, 'the sales order in the warehouse folder');
      assert.equal(order!.facility, 'DC1');
      assert.equal(order!.shipTo.city, 'Columbus');
      assert.deepEqual(order!.lines.map((l: any) => [l.lineNumber, l.sku, l.quantity]), [['1', 'WIDGET-1', '10'], ['2', 'SERUM-LOT', '4']]);

      warehouseReports(dir, 'ship-1.json', {
        type: 'shipment', shipmentNumber: 'WMS-SH-1', orderNumber: sale.number, shippedAt: hoursAgo(3), complete: false,
        trackingNumbers: ['1Z001'], packages: [{ trackingNumber: '1Z001' }],
        lines: [
          { lineNumber: '1', sku: 'WIDGET-1', quantity: '6', uom: 'EA' },
          { lineNumber: '2', sku: 'SERUM-LOT', quantity: '4', uom: 'EA', lots: [{ lot: 'L-A', quantity: '3' }, { lot: 'L-B', quantity: '1' }] },
        ],
      });
      const partial = await waitForTryton(async () => {
        const s = await saleShipments(rpc, sale.id);
        return s.shipments[0]?.state === 'done' && s.shipments.length === 2 ? s : undefined;
      }, 'the first shipment done in Tryton');
      assert.equal(partial.shipments[0]!.reference, 'WMS-SH-1');
      assert.deepEqual(partial.shipments[0]!.moves, ['SERUM-LOT 1 L-B', 'SERUM-LOT 3 L-A', 'WIDGET-1 6']);
      assert.equal(partial.shipments[1]!.state, 'waiting', 'Tryton made the backorder');
      assert.deepEqual(partial.shipments[1]!.moves, ['WIDGET-1 4']);

      warehouseReports(dir, 'ship-2.json', {
        type: 'shipment', shipmentNumber: 'WMS-SH-2', orderNumber: sale.number, shippedAt: hoursAgo(1),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '4', uom: 'EA' }],
      });
      const closed = await waitForTryton(async () => {
        const s = await saleShipments(rpc, sale.id);
        return s.saleState === 'sent' ? s : undefined;
      }, 'the sale fully shipped in Tryton');
      assert.deepEqual(closed.shipments.map((s) => [s.state, s.reference, s.moves]), [
        ['done', 'WMS-SH-1', ['SERUM-LOT 1 L-B', 'SERUM-LOT 3 L-A', 'WIDGET-1 6']],
        ['done', 'WMS-SH-2', ['WIDGET-1 4']],
      ]);
      assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), -10);
      assert.equal(sentToWarehouse(dir, 'sales_order').filter((o) => o.orderNumber === sale.number).length, 1,
        'the order went to the warehouse once: neither its backorder nor the shipments being applied were sent again');
      const delivered = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', status: 'delivered' });
      assert.deepEqual(delivered.map((d) => d.partnerRef).sort(), closed.shipments.map((s) => s.number).sort(), 'each delivery records Tryton\'s shipment number');
    });

    test('a confirmed purchase is expected inbound; a short receipt with lots raises stock by exactly what was received', async () => {
      const purchase = await confirmPurchase(rpc, [['GADGET-2', 20], ['SERUM-LOT', 10]]);
      const [expected] = await waitFor(() => {
        const found = sentToWarehouse(dir, 'purchase_order').filter((o) => o.poNumber === purchase.number);
        return found.length ? found : undefined;
      }, 15_000, 'the expected inbound in the warehouse folder');
      assert.deepEqual(expected!.lines.map((l: any) => [l.sku, l.quantity]), [['GADGET-2', '20'], ['SERUM-LOT', '10']]);
      const before = { gadget: await stockInWarehouse(rpc, 'GADGET-2'), lot: await stockInWarehouse(rpc, 'SERUM-LOT', 'LOT-7') };

      warehouseReports(dir, 'rcpt-1.json', {
        type: 'receipt', receiptNumber: 'WMS-RC-1', poNumber: purchase.number, occurredAt: hoursAgo(2),
        lines: [
          { lineNumber: '1', sku: 'GADGET-2', quantity: '17', uom: 'EA' },
          { lineNumber: '2', sku: 'SERUM-LOT', quantity: '10', uom: 'EA', lot: 'LOT-7', expiryDate: dateInDays(200) },
        ],
      });
      await waitFor(async () => (await stockInWarehouse(rpc, 'GADGET-2')) !== before.gadget, 30_000, 'the receipt applied in Tryton');
      assert.equal(await stockInWarehouse(rpc, 'GADGET-2') - before.gadget, 17);
      assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'LOT-7') - before.lot, 10);
      const [row] = await rpc.read<{ moves: number[] }>('purchase.purchase', [purchase.id], ['moves']);
      const open = await rpc.read<{ quantity: number; state: string }>('stock.move', row!.moves, ['quantity', 'state']);
      assert.deepEqual(open.filter((m) => m.state === 'draft').map((m) => m.quantity), [3], 'the 3 short units stay expected in Tryton');
    });

    test('a cycle count from the warehouse, reported a day late, changes Tryton\'s stock by the delta', async () => {
      const before = await stockInWarehouse(rpc, 'GADGET-2');
      // Counted a day ago, before the receipt above came in: the delta holds all the same.
      warehouseReports(dir, 'adj-1.json', {
        type: 'inventory_adjustment', adjustmentNumber: 'WMS-CC-1', occurredAt: hoursAgo(26),
        lines: [{ sku: 'GADGET-2', quantity: '-3', uom: 'EA', reason: 'cycle_count', note: 'bin A-07' }],
      });
      // Read the stock once the delivery is recorded: no attempt of it can still be under way.
      await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', type: 'inventory_adjustment' }))
        .some((d) => d.status === 'delivered' && d.payload.toString().includes('WMS-CC-1')), 30_000, 'the adjustment recorded as delivered');
      assert.equal(await stockInWarehouse(rpc, 'GADGET-2') - before, -3);
    });

    test('a cancel in Tryton reaches the warehouse; a shipment confirmation after it is dead-lettered with the reason, not lost', async () => {
      const sale = await confirmSale(rpc, [['WIDGET-1', 2]], 'PO-CANCEL');
      await waitFor(() => sentToWarehouse(dir, 'sales_order').some((o) => o.orderNumber === sale.number), 15_000, 'the order in the warehouse');
      const { shipments } = await saleShipments(rpc, sale.id);
      const [shipmentId] = await rpc.search('stock.shipment.out', [['number', '=', shipments[0]!.number]]);
      await rpc.button('stock.shipment.out', 'cancel', [shipmentId!]);
      const [cancel] = await waitFor(() => {
        const found = sentToWarehouse(dir, 'order_cancel').filter((c) => c.orderNumber === sale.number);
        return found.length ? found : undefined;
      }, 15_000, 'the order cancel in the warehouse folder');
      assert.equal(cancel!.facility, 'DC1');
      const stockBefore = await stockInWarehouse(rpc, 'WIDGET-1');

      warehouseReports(dir, 'ship-late.json', {
        type: 'shipment', shipmentNumber: 'WMS-SH-LATE', orderNumber: sale.number, shippedAt: hoursAgo(1),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '2', uom: 'EA' }],
      });
      const dead = await waitFor(async () => (await hub.store.listDeadLetters('acme')).find((d) => d.reason.includes('WMS-SH-LATE')), 30_000, 'the dead letter');
      assert.match(dead.reason, new RegExp(`shipment confirmation for a cancelled order: sale ${sale.number} was cancelled in Tryton`));
      assert.equal(dead.endpoint, 'erp');
      assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), stockBefore, 'nothing shipped in Tryton');
    });

    test('the rules step refuses an over-shipment before Tryton sees it: a dead letter naming the rule, Tryton untouched', async () => {
      const sale = await confirmSale(rpc, [['WIDGET-1', 2]], 'PO-OVER');
      await waitFor(() => sentToWarehouse(dir, 'sales_order').some((o) => o.orderNumber === sale.number), 15_000, 'the order in the warehouse');
      const stockBefore = await stockInWarehouse(rpc, 'WIDGET-1');
      warehouseReports(dir, 'ship-over.json', {
        type: 'shipment', shipmentNumber: 'WMS-SH-OVER', orderNumber: sale.number, shippedAt: hoursAgo(1),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '5', uom: 'EA' }],
      });
      const dead = await waitFor(async () => (await hub.store.listDeadLetters('acme')).find((d) => d.kind === 'message' && d.reason.includes('WMS-SH-OVER')), 30_000, 'the dead letter');
      assert.match(dead.reason, /Over-shipment refused: order .* ordered 2 EA; shipment WMS-SH-OVER ships 5 EA.*\(rule OVER_SHIPMENT\)/);
      assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), stockBefore, 'nothing shipped in Tryton');
      assert.equal((await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', entityKey: `order:${sale.number}` })).length, 0, 'no delivery to Tryton was made');
    });

    test('a customer return reaches the warehouse as an authorisation; its return receipt puts the goods back in Tryton', async () => {
      const ret = await confirmReturnSale(rpc, [['GADGET-2', 2]]);
      await waitFor(() => sentToWarehouse(dir, 'return_authorization').some((r) => r.rmaNumber === ret.returnNumber), 15_000, 'the return authorisation');
      const before = await stockInWarehouse(rpc, 'GADGET-2');
      warehouseReports(dir, 'ret-1.json', {
        type: 'return_receipt', rmaNumber: ret.returnNumber,
        lines: [{ lineNumber: '1', sku: 'GADGET-2', quantity: '2', uom: 'EA', disposition: 'restock' }],
      });
      await waitFor(async () => (await stockInWarehouse(rpc, 'GADGET-2')) !== before, 30_000, 'the return received in Tryton');
      assert.equal(await stockInWarehouse(rpc, 'GADGET-2') - before, 2);
    });

    test('while Tryton is down deliveries wait and retry; once it is back they complete, nothing lost or doubled', async () => {
      const before = await stockInWarehouse(rpc, 'GADGET-2');
      await tryton.pause();
      try {
        warehouseReports(dir, 'adj-down.json', {
          type: 'inventory_adjustment', adjustmentNumber: 'WMS-FOUND-9',
          lines: [{ sku: 'GADGET-2', quantity: '5', uom: 'EA', reason: 'found' }],
        });
        const waiting = await waitFor(async () => {
          const [d] = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', type: 'inventory_adjustment', status: 'pending' });
          return d && d.attempts >= 2 && /WMS-FOUND-9/.test(d.lastError ?? '') ? d : undefined;
        }, 20_000, 'failed attempts while Tryton is down');
        assert.match(waiting.lastError!, /ECONNREFUSED|no answer/);
      } finally {
        await tryton.restart();
      }
      await waitForTryton(async () => (await stockInWarehouse(rpc, 'GADGET-2')) !== before, 'the adjustment applied after Tryton came back');
      const sale = await confirmSale(rpc, [['WIDGET-1', 1]], 'PO-AFTER');
      await waitFor(() => sentToWarehouse(dir, 'sales_order').some((o) => o.orderNumber === sale.number), 15_000, 'orders read again after the outage');
      assert.equal(await stockInWarehouse(rpc, 'GADGET-2') - before, 5);
      const adjustments = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp', type: 'inventory_adjustment' });
      assert.ok(adjustments.every((d) => d.status === 'delivered'), adjustments.map((d) => `${d.status}: ${d.lastError}`).join('; '));
      const dead = (await hub.store.listDeadLetters('acme')).filter((d) => !d.reason.includes('WMS-SH-OVER'));
      assert.equal(dead.length, 1, `besides the refused over-shipment, only the shipment for the cancelled order: ${dead.map((d) => d.reason).join(' | ')}`);
    });
  });

  test('killing the Causeway worker (SIGKILL) mid-flow and restarting it leaves every effect in Tryton exactly once', { timeout: 150_000 }, async (t) => {
    const random = seededRandom(t);
    const dir = mkdtempSync(join(tmpdir(), 'causeway-tryton-kill-'));
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    const sales = [];
    for (let i = 0; i < 4; i++) sales.push(await confirmSale(rpc, [['WIDGET-1', 2 + i], ['GADGET-2', 1]], `PO-K${i}`));
    const purchase = await confirmPurchase(rpc, [['WIDGET-1', 30]]);
    writeFileSync(join(dir, 'causeway.yaml'), configYaml(dir, db, 'worker: { batchSize: 20, leaseMs: 1000, idleMs: 30 }'));
    let child: ChildProcess | undefined;
    const start = () => {
      child = spawn(process.execPath, [BIN, 'worker', '-c', join(dir, 'causeway.yaml')], {
        stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TRYTON_PASSWORD: db.password },
      });
    };
    const kill = async () => {
      const c = child!;
      if (c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    };
    try {
      start();
      await waitFor(() => sentToWarehouse(dir, 'sales_order').length === 4 && sentToWarehouse(dir, 'purchase_order').length === 1, 30_000, 'orders and expected inbound in the warehouse');
      sales.forEach((sale, i) => warehouseReports(dir, `ship-${i}.json`, {
        type: 'shipment', shipmentNumber: `WMS-K-${i}`, orderNumber: sale.number, shippedAt: hoursAgo(2),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: String(2 + i), uom: 'EA' }, { lineNumber: '2', sku: 'GADGET-2', quantity: '1', uom: 'EA' }],
      }));
      warehouseReports(dir, 'rcpt-k.json', {
        type: 'receipt', receiptNumber: 'WMS-RC-K', poNumber: purchase.number, occurredAt: hoursAgo(1),
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '25', uom: 'EA' }],
      });
      for (const [i, delta] of [['1', '7'], ['2', '-4']] as const) {
        // Counts of a lot no shipment touches: both share the facility's entity key, so they apply in order.
        warehouseReports(dir, `adj-k${i}.json`, { type: 'inventory_adjustment', adjustmentNumber: `WMS-K-ADJ-${i}`, lines: [{ sku: 'SERUM-LOT', lot: 'K-1', quantity: delta, uom: 'EA', reason: 'cycle_count' }] });
      }
      // Killed at random points while the shipments, the receipt and the counts are being applied.
      for (let kills = 0; kills < 4; kills++) {
        await new Promise((r) => setTimeout(r, 700 + random() * 1500));
        await kill();
        start();
      }
      const allDone = async () => {
        const shipments = await rpc.searchRead<{ reference: string | null; state: string }>('stock.shipment.out', [['reference', 'like', 'WMS-K-%']], ['reference', 'state']);
        const receipts = await rpc.searchRead<{ state: string }>('stock.shipment.in', [['reference', '=', 'WMS-RC-K']], ['state']);
        const counts = await rpc.searchRead<{ message: string }>('ir.note', [['message', 'like', 'Causeway adjustment WMS-K-ADJ-%']], ['message']);
        const inventories = await rpc.searchRead<{ id: number }>('stock.inventory', [['state', '=', 'done']], ['id']);
        return shipments.filter((s) => s.state === 'done').length === 4 && receipts.some((r) => r.state === 'done') && counts.length === 2 && inventories.length >= 2
          ? { shipments, receipts, counts, inventories } : undefined;
      };
      const done = await waitFor(allDone, 90_000, 'every effect in Tryton');
      // Once every delivery to Tryton is recorded as settled, no attempt is left that could apply one twice.
      await waitFor(() => {
        const db = new Database(join(dir, 'hub.db'), { readonly: true });
        try {
          const { n, open } = db.prepare(`SELECT count(*) AS n, sum(status = 'pending') AS open FROM deliveries WHERE tenant = 'acme' AND endpoint = 'erp'`).get() as { n: number; open: number };
          return n > 0 && open === 0;
        } finally {
          db.close();
        }
      }, 60_000, 'every delivery to Tryton settled');
      await kill();

      const final = (await allDone())!;
      assert.equal(final.shipments.length, 4, 'one customer shipment per warehouse shipment');
      assert.equal(final.receipts.length, 1, 'one supplier shipment for the receipt');
      assert.equal(final.inventories.length, done.inventories.length);
      assert.equal(final.inventories.length, 2, 'one confirmed inventory per count');
      assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), 25 - (2 + 3 + 4 + 5), 'received once, each shipment once');
      assert.equal(await stockInWarehouse(rpc, 'GADGET-2'), -4, 'each shipment once');
      assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'K-1'), 7 - 4, 'each count once');
      for (const sale of sales) assert.equal((await saleShipments(rpc, sale.id)).saleState, 'sent');
      const orders = sentToWarehouse(dir, 'sales_order').map((o) => o.orderNumber).sort();
      assert.deepEqual(orders, sales.map((s) => s.number).sort(), 'each order sent to the warehouse once');

      const store = new SqliteStore({ path: join(dir, 'hub.db') });
      try {
        const deliveries = await store.listDeliveries({ tenant: 'acme', endpoint: 'erp', limit: 100 });
        assert.equal(deliveries.length, 7);
        assert.ok(deliveries.every((d) => d.status === 'delivered'), deliveries.map((d) => `${d.status} ${d.lastError}`).join('; '));
        assert.equal((await store.listDeadLetters('acme')).length, 0);
      } finally {
        await store.close();
      }
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
