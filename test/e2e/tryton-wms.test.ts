/**
 * Both sides real: Tryton as the ERP and Tryton's stock engine as the warehouse (a second database,
 * stock modules only, on the same trytond), with Causeway between them on loopback. The tests
 * below play the operator in the warehouse (receive, assign, pick with lots, pack, tracking, done,
 * count) and the user in the ERP (sell, buy, cancel), and read both Trytons back. They run in
 * order: each step starts from the stock the previous ones left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { TrytonRpc } from '../../src/connectors/tryton/rpc.ts';
import { TrytonDate } from '../../src/connectors/tryton/values.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { EngineFacade, Hub, HubFacade } from '../../src/engine/index.ts';
import { startTryton, trytonUnavailable, type TrytonDatabase, type TrytonServer } from '../support/tryton.ts';
import { waitFor } from '../support/receiver.ts';
import { confirmPurchase, confirmSale, connect, dateInDays, stockInWarehouse } from '../connectors/tryton/fixtures.ts';
import { cycleCount, loseStock, pickAndShip, receive, warehouseStock } from '../connectors/tryton/warehouse-operator.ts';

const skip = await trytonUnavailable();

function endpointsYaml(erp: TrytonDatabase, wms: TrytonDatabase, erpProduce: string, wmsProduce: string): string {
  return `
endpoints:
  erp:
    type: tryton
    url: ${erp.url}
    allowPrivateNetworks: true
    database: ${erp.database}
    user: ${erp.user}
    password: \${TRYTON_PASSWORD}
    warehouses: { WH: DC1 }
    produce: [${erpProduce}]
    snapshotEveryMs: 0
    pollIntervalMs: 150
    concurrency: 1
  wms:
    type: tryton-wms
    url: ${wms.url}
    allowPrivateNetworks: true
    database: ${wms.database}
    user: ${wms.user}
    password: \${TRYTON_PASSWORD}
    warehouses: { WH: DC1 }
    produce: [${wmsProduce}]
    snapshotEveryMs: 0
    pollIntervalMs: 150
    concurrency: 1`;
}

function configYaml(dir: string, endpoints: string): string {
  return `
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
log: { level: warn }
retry: { maxAttempts: 40, initialDelayMs: 150, maxDelayMs: 1000, multiplier: 2 }
circuitBreaker: { failureThreshold: 5, cooldownMs: 400 }
inventory: { timingToleranceMs: 3600000 }
${endpoints}
flows:
  - { name: erp-to-wms, from: [erp], types: [item, sales_order, order_cancel, purchase_order], to: wms }
  - { name: wms-to-erp, from: [wms], types: [shipment, receipt, inventory_adjustment], to: erp }
  - { name: order-status, types: [order_status], to: erp }
`;
}

async function erpSale(rpc: TrytonRpc, saleId: number) {
  const [sale] = await rpc.read<{ shipments: number[]; shipment_state: string }>('sale.sale', [saleId], ['shipments', 'shipment_state']);
  const shipments = await rpc.read<{ id: number; number: string; state: string; reference: string | null; outgoing_moves: number[]; packages: number[] }>(
    'stock.shipment.out', sale!.shipments, ['number', 'state', 'reference', 'outgoing_moves', 'packages']);
  const moves = await rpc.read<{ id: number; quantity: number; state: string; 'lot.': { number: string } | null; 'product.': { code: string } }>(
    'stock.move', shipments.flatMap((s) => s.outgoing_moves), ['quantity', 'state', 'lot.number', 'product.code']);
  const packages = await rpc.read<{ id: number; shipping_reference: string | null }>('stock.package', shipments.flatMap((s) => s.packages), ['shipping_reference']);
  return shipments.sort((a, b) => a.id - b.id).map((s) => ({
    state: s.state, reference: s.reference,
    tracking: packages.filter((p) => s.packages.includes(p.id)).map((p) => p.shipping_reference),
    moves: moves.filter((m) => s.outgoing_moves.includes(m.id) && m.state !== 'cancelled' && m.quantity > 0)
      .map((m) => `${m['product.'].code} ${m.quantity}${m['lot.'] ? ` ${m['lot.'].number}` : ''}`).sort(),
  }));
}

/** What a Tryton user does with a sale whose shipment was cancelled: "Handle Shipment Exception", recreating every cancelled move. */
async function recreateCancelledShipment(rpc: TrytonRpc, saleId: number): Promise<void> {
  const [sale] = await rpc.read<{ lines: number[] }>('sale.sale', [saleId], ['lines']);
  const lines = await rpc.read<{ moves: number[] }>('sale.line', sale!.lines, ['moves']);
  const moves = await rpc.read<{ id: number; state: string }>('stock.move', lines.flatMap((l) => l.moves), ['state']);
  const cancelled = moves.filter((m) => m.state === 'cancelled').map((m) => m.id);
  const active = { active_model: 'sale.sale', active_id: saleId, active_ids: [saleId] };
  const [session] = await rpc.call<[number, string, string]>('wizard.sale.handle.shipment.exception.create', []);
  await rpc.call('wizard.sale.handle.shipment.exception.execute', [session, { ask: { recreate_moves: cancelled, domain_moves: cancelled } }, 'handle'], active);
  await rpc.call('wizard.sale.handle.shipment.exception.delete', [session]);
}

async function warehouseOrder(wms: TrytonRpc, orderNumber: string) {
  return wms.searchRead<{ id: number; number: string; state: string }>('stock.shipment.out', [['reference', '=', orderNumber]], ['number', 'state'], { order: [['id', 'ASC']] });
}

describe('Tryton ERP <-> Causeway <-> Tryton stock engine as the warehouse', { skip }, () => {
  let tryton: TrytonServer;
  let dir: string;
  let erpDb: TrytonDatabase;
  let wmsDb: TrytonDatabase;
  let erp: TrytonRpc;
  let wms: TrytonRpc;
  let hub: Hub | undefined;
  const flowYaml = () => configYaml(dir, endpointsYaml(erpDb, wmsDb, 'item, sales_order, order_cancel, purchase_order', 'shipment, receipt, inventory_adjustment'));
  const load = (yaml: string) => parseConfig(yaml, dir, { TRYTON_PASSWORD: erpDb.password });

  before(async () => {
    tryton = await startTryton();
    dir = mkdtempSync(join(tmpdir(), 'causeway-tryton-wms-'));
    erpDb = await tryton.freshDatabase();
    wmsDb = await tryton.freshWarehouseDatabase();
    erp = connect(erpDb);
    wms = connect(wmsDb);
    hub = await Hub.start(load(flowYaml()), { logger: pino({ level: 'silent' }), idleMs: 30 });
  });
  after(async () => {
    await hub?.stop();
    await tryton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The rules' verdicts on an order, oldest first. */
  const ruled = async (orderNumber: string) => (await hub!.store.listVerdicts('acme', { entityKey: `order:${orderNumber}` }));

  /** Waits for a condition; on timeout, says where every delivery and message stands. */
  const settle = async <T>(check: () => Promise<T>, what: string, timeoutMs = 45_000): Promise<NonNullable<T>> => {
    try {
      // Every check is a few calls to the trytond both sides share: ask a few times a second, not fifty.
      return await waitFor(async () => {
        const found = await check();
        if (!found) await new Promise((r) => setTimeout(r, 200));
        return found;
      }, timeoutMs, what);
    } catch (error) {
      const deliveries = await hub!.store.listDeliveries({ tenant: 'acme', limit: 200 });
      const messages = await hub!.store.listMessages({ tenant: 'acme', limit: 200 });
      throw new Error(`${(error as Error).message}\ndeliveries:\n${deliveries.map((d) => `  ${d.id} ${d.endpoint} ${d.documentType} ${d.entityKey} ${d.status} x${d.attempts} ${d.lastError ?? ''}`).join('\n')}\nmessages:\n${messages.map((m) => `  ${m.id} ${m.endpoint} ${m.status} ${JSON.stringify(m.errors ?? '')}`).join('\n')}`);
    }
  };

  test('the ERP\'s items become the warehouse\'s products, lot tracking included', async () => {
    const products = await settle(async () => {
      const rows = await wms.searchRead<{ code: string; 'template.': { lot_required: string[] } }>('product.product', [], ['code', 'template.lot_required'], { order: [['code', 'ASC']] });
      return rows.length === 3 ? rows : undefined;
    }, 'the three goods of the ERP as warehouse products');
    assert.deepEqual(products.map((p) => [p.code, p['template.'].lot_required.length > 0]), [['GADGET-2', false], ['SERUM-LOT', true], ['WIDGET-1', false]]);
  });

  let purchase: { id: number; number: string };
  test('a purchase becomes an expected receipt, is received short with lots and expiry, and the ERP\'s stock rises by exactly that', async () => {
    purchase = await confirmPurchase(erp, [['WIDGET-1', 20], ['SERUM-LOT', 10]]);
    const [expected] = await settle(async () => {
      const rows = await wms.searchRead<{ id: number; state: string; incoming_moves: number[] }>('stock.shipment.in', [['reference', '=', purchase.number]], ['state', 'incoming_moves']);
      return rows.length ? rows : undefined;
    }, 'the expected receipt in the warehouse');
    assert.equal(expected!.state, 'draft');
    const moves = await wms.read<{ quantity: number; 'product.': { code: string } }>('stock.move', expected!.incoming_moves, ['quantity', 'product.code']);
    assert.deepEqual(moves.map((m) => `${m['product.'].code} ${m.quantity}`).sort(), ['SERUM-LOT 10', 'WIDGET-1 20']);

    const before = { widget: await stockInWarehouse(erp, 'WIDGET-1'), serum: await stockInWarehouse(erp, 'SERUM-LOT') };
    const l1Expiry = dateInDays(200);
    await receive(wms, purchase.number, [
      { sku: 'WIDGET-1', quantity: 18 },
      { sku: 'SERUM-LOT', quantity: 5, lot: 'L-1', expiry: l1Expiry },
      { sku: 'SERUM-LOT', quantity: 3, lot: 'L-2', expiry: dateInDays(100) },
    ]);
    await settle(async () => (await stockInWarehouse(erp, 'SERUM-LOT', 'L-2')) === 3 || undefined, 'the receipt applied in the ERP');
    assert.equal(await stockInWarehouse(erp, 'WIDGET-1'), before.widget + 18);
    assert.equal(await stockInWarehouse(erp, 'SERUM-LOT'), before.serum + 8);
    assert.equal(await stockInWarehouse(erp, 'SERUM-LOT', 'L-1'), 5);
    const [lot] = await erp.searchRead<{ expiration_date: { iso: string } | null }>('stock.lot', [['number', '=', 'L-1']], ['expiration_date']);
    assert.equal(lot!.expiration_date?.iso, l1Expiry, 'the lot\'s expiry came with the receipt');
    // The short part stays expected in the ERP: Tryton's backorder move on the purchase.
    const [after] = await erp.read<{ moves: number[] }>('purchase.purchase', [purchase.id], ['moves']);
    const open = await erp.read<{ quantity: number; state: string; 'product.': { code: string } }>('stock.move', after!.moves, ['quantity', 'state', 'product.code']);
    assert.deepEqual(open.filter((m) => m.state === 'draft').map((m) => `${m['product.'].code} ${m.quantity}`).sort(), ['SERUM-LOT 2', 'WIDGET-1 2']);
  });

  let sale: { id: number; number: string };
  test('a sale becomes a pick; a partial pick with lots ships, the rest is a backorder, and the ERP shows the shipments, the tracking and its backorder', async () => {
    sale = await confirmSale(erp, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
    await settle(async () => (await warehouseOrder(wms, sale.number))[0]?.state === 'waiting' || undefined, 'the pick waiting in the warehouse');
    const notes = await wms.searchRead<{ message: string }>('ir.note', [['resource', 'like', 'stock.shipment.out,%']], ['message']);
    assert.ok(notes.some((n) => n.message === `Causeway order ${sale.number}\nline 1: 10 EA of WIDGET-1\nline 2: 4 EA of SERUM-LOT`), 'the order\'s lines kept with the pick');

    const shipped = await pickAndShip(wms, sale.number, [
      { sku: 'WIDGET-1', quantity: 6 },
      { sku: 'SERUM-LOT', quantity: 3, lot: 'L-1' },
      { sku: 'SERUM-LOT', quantity: 1, lot: 'L-2' },
    ], { tracking: ['1Z999AA10123456784'], backorder: true });
    assert.ok(shipped.backorder, 'the warehouse keeps the rest open as a backorder');
    assert.deepEqual((await warehouseOrder(wms, sale.number)).map((s) => s.state), ['done', 'waiting']);

    const shipments = await settle(async () => {
      const s = await erpSale(erp, sale.id);
      return s[0]?.state === 'done' && s.length === 2 ? s : undefined;
    }, 'the partial shipment done in the ERP, with its backorder');
    assert.equal(shipments[0]!.reference, shipped.number);
    assert.deepEqual(shipments[0]!.moves, ['SERUM-LOT 1 L-2', 'SERUM-LOT 3 L-1', 'WIDGET-1 6']);
    assert.deepEqual(shipments[0]!.tracking, ['1Z999AA10123456784']);
    assert.equal(shipments[1]!.state, 'waiting', 'the ERP\'s own backorder');
    assert.deepEqual(shipments[1]!.moves, ['WIDGET-1 4']);
    // The ERP's backorder is the rest the warehouse already holds open: read, it is kept back, and says why.
    const kept = await settle(async () => (await ruled(sale.number)).find((v) => v.rule === 'BACKORDER_AT_WAREHOUSE'), 'the ERP\'s backorder read and kept back');
    assert.equal(kept.verdict, 'stale');
    assert.match(kept.reason, new RegExp(`the warehouse keeps the rest of the order open itself \\(its shipment ${shipped.number} was partial`));
    assert.equal((await warehouseOrder(wms, sale.number)).length, 2, 'no new pick for it');
    const order = await HubFacade.of(hub!).order('acme', sale.number);
    assert.equal(order?.status, 'partially_shipped', 'the ledger keeps the rest open as a backorder');
    assert.deepEqual(order!.lines.map((l) => [l.sku, l.shipped]), [['WIDGET-1', '6'], ['SERUM-LOT', '4']]);
  });

  test('a cycle count in the warehouse reaches the ERP', async () => {
    const before = await stockInWarehouse(erp, 'WIDGET-1');
    assert.equal(await warehouseStock(wms, 'WIDGET-1'), 12);
    assert.equal(before, 12);
    await cycleCount(wms, 'WIDGET-1', 11);
    await settle(async () => (await stockInWarehouse(erp, 'WIDGET-1')) === 11 || undefined, 'the count applied in the ERP');
  });

  test('a partial pick the warehouse marks complete: the ERP\'s backorder goes to the warehouse as a pick of its own, and its shipment completes the sale', async () => {
    const rest = await confirmSale(erp, [['WIDGET-1', 5]]);
    await settle(async () => (await warehouseOrder(wms, rest.number))[0]?.state === 'waiting' || undefined, 'the pick waiting in the warehouse');
    // The warehouse ships 3 and keeps nothing open: its shipment reads back as complete, and under
    // the default under-shipment policy (backorder) the rest stays open in the ERP.
    const first = await pickAndShip(wms, rest.number, [{ sku: 'WIDGET-1', quantity: 3 }]);
    const picks = await settle(async () => {
      const rows = await warehouseOrder(wms, rest.number);
      return rows.length === 2 && rows[1]!.state === 'waiting' ? rows : undefined;
    }, 'the ERP\'s backorder as a second pick in the warehouse');
    assert.equal(picks[0]!.number, first.number);
    const [note] = await wms.searchRead<{ message: string }>('ir.note', [['resource', '=', `stock.shipment.out,${picks[1]!.id}`]], ['message']);
    assert.match(note!.message, new RegExp(`^Causeway order ${rest.number} backorder \\S+\nline 1: 2 EA of WIDGET-1$`));
    const sent = (await ruled(rest.number)).find((v) => v.rule === 'BACKORDER_SENT')!;
    assert.equal(sent.verdict, 'apply');
    assert.match(sent.reason, new RegExp(`2 EA of line 1 \\(WIDGET-1\\): shipment ${first.number} was marked complete and left it open`));

    const second = await pickAndShip(wms, rest.number, [{ sku: 'WIDGET-1', quantity: 2 }]);
    assert.equal(second.number, picks[1]!.number, 'the operator picked the backorder');
    const shipments = await settle(async () => {
      const s = await erpSale(erp, rest.id);
      return s.length === 2 && s.every((x) => x.state === 'done') ? s : undefined;
    }, 'both shipments done in the ERP, its backorder filled');
    assert.deepEqual(shipments.map((s) => [s.reference, s.moves]), [[first.number, ['WIDGET-1 3']], [second.number, ['WIDGET-1 2']]]);
    const order = await settle(async () => {
      const o = await HubFacade.of(hub!).order('acme', rest.number);
      return o?.status === 'shipped' ? o : undefined;
    }, 'the order shipped in full in the ledger');
    assert.deepEqual(order.lines.map((l) => [l.sku, l.ordered, l.shipped, l.open]), [['WIDGET-1', '5', '5', '0']]);
    assert.equal((await hub!.store.listDeliveries({ tenant: 'acme', endpoint: 'wms', type: 'sales_order', entityKey: `order:${rest.number}` })).length, 2, 'the order, then its backorder');
  });

  test('a sale confirmed and cancelled between two reads of the ERP sends the warehouse nothing, and the order says why', async () => {
    await hub!.stop();
    hub = undefined;
    const gone = await confirmSale(erp, [['WIDGET-1', 1]]);
    const [shipment] = (await erp.read<{ shipments: number[] }>('sale.sale', [gone.id], ['shipments']))[0]!.shipments;
    await erp.button('stock.shipment.out', 'cancel', [shipment!]);
    hub = await Hub.start(load(flowYaml()), { logger: pino({ level: 'silent' }), idleMs: 30 });

    const dropped = await settle(async () => (await ruled(gone.number)).find((v) => v.rule === 'CANCEL_BEFORE_SEND'), 'the cancel read from the ERP and decided');
    assert.equal(dropped.verdict, 'stale');
    assert.match(dropped.reason, /dropped: the order never reached Causeway, so it was never sent to the warehouse; nothing is sent/);
    const lineage = await hub.store.lineage('acme', dropped.messageId);
    assert.deepEqual(lineage!.verdicts.map((v) => `${v.verdict} ${v.rule}`), ['stale CANCEL_BEFORE_SEND']);
    const order = await HubFacade.of(hub).order('acme', gone.number);
    assert.equal(order?.status, 'cancelled');
    assert.deepEqual(order!.events.map((e) => e.rule), ['CANCEL_BEFORE_SEND']);
    assert.deepEqual(await hub.store.listDeliveries({ tenant: 'acme', entityKey: `order:${gone.number}` }), [], 'nothing sent, neither order nor cancel');
    assert.deepEqual(await warehouseOrder(wms, gone.number), []);
  });

  test('an edited waiting order: an edit the warehouse does not use sends nothing, a new planned date goes as a change; then a cancel before picking is accepted', async () => {
    const cancelled = await confirmSale(erp, [['GADGET-2', 2]]);
    await settle(async () => (await warehouseOrder(wms, cancelled.number))[0]?.state === 'waiting' || undefined, 'the order in the warehouse');
    const [shipment] = (await erp.read<{ shipments: number[] }>('sale.sale', [cancelled.id], ['shipments']))[0]!.shipments;
    const sends = async () => (await hub!.store.listDeliveries({ tenant: 'acme', type: 'sales_order' })).filter((d) => d.entityKey === `order:${cancelled.number}`);
    const erpMessages = async () => (await hub!.store.listMessages({ tenant: 'acme', limit: 500 })).filter((m) => m.endpoint === 'erp').length;

    const quiet = async () => (await hub!.store.listMessages({ tenant: 'acme', limit: 500 })).every((m) => m.status !== 'pending')
      && (await hub!.store.listDeliveries({ tenant: 'acme', status: 'pending' })).length === 0;
    await settle(async () => (await quiet()) || undefined, 'every version of the order read and sent');
    const sent = (await sends()).length;

    // Saved again unchanged: a new version in Tryton, nothing new for the warehouse.
    const [{ planned_date: planned }] = await erp.read<{ planned_date: unknown }>('stock.shipment.out', [shipment!], ['planned_date']) as [{ planned_date: unknown }];
    const seen = await erpMessages();
    await erp.write('stock.shipment.out', [shipment!], { planned_date: planned });
    await settle(async () => (await erpMessages()) > seen || undefined, 'the ERP\'s new version read');
    await settle(async () => (await quiet()) || undefined, 'the new version processed');
    assert.equal((await sends()).length, sent, 'nothing sent for a version the warehouse has');

    const later = dateInDays(9);
    await erp.write('stock.shipment.out', [shipment!], { planned_date: new TrytonDate(later) });
    const changed = await settle(async () => {
      const [row] = await wms.searchRead<{ planned_date: { iso: string }; state: string }>('stock.shipment.out', [['reference', '=', cancelled.number]], ['planned_date', 'state']);
      return row?.planned_date.iso === later && row.state === 'waiting' ? row : undefined;
    }, 'the new planned date in the warehouse, the pick waiting again');
    assert.ok(changed);
    assert.equal((await sends()).length, sent + 1, 'one change sent');
    assert.deepEqual((await warehouseOrder(wms, cancelled.number)).map((s) => s.state), ['waiting'], 'the same pick, changed');

    await erp.button('stock.shipment.out', 'cancel', [shipment!]);
    const [state] = await settle(async () => {
      const rows = await warehouseOrder(wms, cancelled.number);
      return rows[0]?.state === 'cancelled' ? rows : undefined;
    }, 'the order cancelled in the warehouse');
    assert.equal(state!.state, 'cancelled');
  });

  test('a cancel after shipping is refused back to the ERP, which reopens its shipment and takes the shipment', async () => {
    const late = await confirmSale(erp, [['WIDGET-1', 3]]);
    await settle(async () => (await warehouseOrder(wms, late.number))[0]?.state === 'waiting' || undefined, 'the order in the warehouse');
    // The warehouse ships while, in the ERP, a user cancels: both reach Causeway once it runs again.
    await hub!.stop();
    hub = undefined;
    await pickAndShip(wms, late.number, [{ sku: 'WIDGET-1', quantity: 3 }]);
    const [erpShipment] = (await erp.read<{ shipments: number[] }>('sale.sale', [late.id], ['shipments']))[0]!.shipments;
    await erp.button('stock.shipment.out', 'cancel', [erpShipment!]);
    hub = await Hub.start(load(flowYaml()), { logger: pino({ level: 'silent' }), idleMs: 30 });

    const note = await settle(async () => {
      const notes = await erp.searchRead<{ message: string }>('ir.note', [['resource', '=', `sale.sale,${late.id}`]], ['message']);
      return notes.find((n) => n.message.includes('cancel rejected: shipped'));
    }, 'the ERP told "cancel rejected: shipped"');
    assert.match(note.message, new RegExp(`order ${late.number}: shipped`));
    assert.equal((await warehouseOrder(wms, late.number))[0]!.state, 'done', 'the warehouse shipped and stays shipped');
    const alerts = await hub.store.listAlerts('acme');
    assert.ok(alerts.some((a) => a.message.includes(late.number) && /came too late|is rejected/.test(a.message)), `the refusal is raised as an alert: ${alerts.map((a) => a.message).join(' | ')}`);

    // The ERP user has the sale make its shipment again (Tryton's shipment exception wizard), and the
    // warehouse's shipment, refused while the ERP's was cancelled, is replayed onto it.
    const dead = await settle(async () => {
      const rows = await hub!.store.listDeliveries({ tenant: 'acme', status: 'dead', type: 'shipment' });
      return rows.filter((d) => d.entityKey === `order:${late.number}`).length ? rows.filter((d) => d.entityKey === `order:${late.number}`) : undefined;
    }, 'the shipment refused by the ERP while its shipment was cancelled');
    await recreateCancelledShipment(erp, late.id);
    await HubFacade.of(hub).replayDeadDeliveries('acme', dead.map((d) => d.id));
    const shipments = await settle(async () => {
      const all = await erpSale(erp, late.id);
      return all.some((s) => s.state === 'done') ? all : undefined;
    }, 'the replayed shipment done in the ERP');
    assert.deepEqual(shipments.map((s) => [s.state, s.moves]), [['cancelled', []], ['done', ['WIDGET-1 3']]]);
  });

  test('reconciliation finds the two sides in full agreement; a difference made in the warehouse shows as exactly one variance', async () => {
    await hub!.stop();
    hub = undefined;
    const snapshotsYaml = configYaml(dir, endpointsYaml(erpDb, wmsDb, 'inventory_snapshot', 'inventory_snapshot'));
    const takeSnapshots = async () => {
      const since = Date.now();
      const snapshotHub = await Hub.start(load(snapshotsYaml), { logger: pino({ level: 'silent' }), idleMs: 30, delivery: false });
      try {
        await waitFor(async () => {
          const docs = await snapshotHub.store.stockDocuments('acme', { since: 0, until: Date.now() + 1000 });
          const fresh = docs.filter((d) => d.type === 'inventory_snapshot' && d.occurredAt >= since);
          return new Set(fresh.map((d) => d.endpoint)).size === 2 || undefined;
        }, 30_000, 'a fresh snapshot from each side');
      } finally {
        await snapshotHub.stop();
      }
    };
    await takeSnapshots();
    const engine = await EngineFacade.open(load(snapshotsYaml));
    try {
      const { run } = await engine.inventory.reconcile('acme', { trigger: 'test' });
      const results = await engine.inventory.allResults('acme', run.id);
      assert.deepEqual(results.map((r) => `${r.sku}/${r.lot} ${r.status}`).sort(), ['SERUM-LOT/L-1 match', 'SERUM-LOT/L-2 match', 'WIDGET-1/ match']);
      assert.equal((run.accuracy as { overall: { rate: number } }).overall.rate, 1);

      await loseStock(wms, 'SERUM-LOT', 1, 'L-2');
      await takeSnapshots();
      const second = await engine.inventory.reconcile('acme', { trigger: 'test' });
      assert.deepEqual(second.variances.map((v) => [v.sku, v.lot, v.correctedDifference]), [['SERUM-LOT', 'L-2', '-1']]);
    } finally {
      await engine.close();
    }
  });
});
