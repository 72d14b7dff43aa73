// Every business rule end to end, the same story told twice: once with the warehouse speaking JSON
// (orders into its folder, its reports from another) and once over X12 (940 out, 945 in). The ERP
// speaks JSON through the API in both. Each story goes through the hub's whole pipeline (decode,
// rules, route, encode into the warehouse's format) and reads back what the warehouse was sent,
// what the ERP was sent, the verdicts in lineage and the dead letters.
//
// Not told over X12, because a 940 or a 945 cannot carry them: field ownership (items), freshness
// of stock snapshots and statuses, and superseded deliveries of those (a JSON warehouse only). The
// warehouse's statuses (a cancel confirmed, picked, packed) come as JSON in the X12 story too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { holdOrder, releaseOrder } from '../../src/engine/orders.ts';
import { sweepRules } from '../../src/engine/rules-sweep.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';

interface ShippedLine { line: number; sku: string; quantity: number; lot?: string; expiry?: string }
interface ShipmentSpec { order: string; number: string; lines: ShippedLine[]; complete?: boolean }

interface Channel {
  name: string;
  /** Where orders go, and where the warehouse's shipment confirmations come from. */
  warehouse: string;
  reports: string;
  codec: string;
  endpoints(dir: string): string;
  shipment(s: ShipmentSpec): string;
  /** What kind of order message a payload sent to the warehouse is. */
  kindOf(payload: string): 'new' | 'change' | 'cancel' | 'other';
}

const RULES = `
rules:
  underShipment: short_close
  outOfOrder: { holdWindowMinutes: 60 }
  stuck: { acknowledgeWithinMinutes: 30, shipByRequestedDate: false }
  ownership: { fields: { item: { description: erp } } }
`;

const json: Channel = {
  name: 'JSON',
  warehouse: 'wms',
  reports: 'wms-in',
  codec: 'json',
  endpoints: (dir) => `
  wms: { type: folder, outbox: ${join(dir, 'wms')} }
  # Items come from both sides here: the warehouse's endpoint says which side it speaks for.
  wms-in: { type: folder, side: warehouse, inbox: ${join(dir, 'wms-in')} }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
flows:
  - { name: to-wms, from: [api], types: [sales_order, order_cancel, item], to: wms }
  - { name: to-erp, from: [wms-in], types: [shipment, item, inventory_snapshot], to: erp }
  - { name: statuses-to-erp, types: [order_status], to: erp }`,
  shipment: (s) => JSON.stringify({
    type: 'shipment', shipmentNumber: s.number, orderNumber: s.order, facility: 'AMS1', shippedAt: '2026-11-22T15:30:00Z', occurredAt: '2026-11-22T15:30:00Z',
    complete: s.complete ?? true,
    lines: s.lines.map((l) => ({ lineNumber: l.line, sku: l.sku, quantity: String(l.quantity), uom: 'EA', lots: l.lot ? [{ lot: l.lot, quantity: String(l.quantity), ...(l.expiry ? { expiryDate: l.expiry } : {}) }] : [] })),
  }),
  kindOf: (payload) => {
    const doc = JSON.parse(payload) as { type: string; purpose?: string };
    if (doc.type === 'order_cancel') return 'cancel';
    if (doc.type !== 'sales_order') return 'other';
    return doc.purpose === 'replace' ? 'change' : 'new';
  },
};

let isa = 800;
const x12: Channel = {
  name: 'X12',
  warehouse: '3pl-out',
  reports: '3pl-in',
  codec: 'x12',
  endpoints: (dir) => `
  3pl-out: { type: folder, outbox: ${join(dir, 'out')}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ${join(dir, 'in')}, codec: x12, codecOptions: { partner: acme-3pl } }
  wms-in: { type: folder, inbox: ${join(dir, 'wms-in')} }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '940': outbound, '945': inbound }
    acknowledgments: { send: false }
flows:
  - { name: orders-to-3pl, from: [api], types: [sales_order, order_cancel], to: 3pl-out }
  - { name: items-to-erp, from: [api], types: [item], to: erp }
  - { name: shipments-to-erp, from: [3pl-in], types: [shipment], to: erp }
  - { name: statuses-to-erp, types: [order_status], to: erp }`,
  // Each 945 in its own interchange, with new control numbers, as the 3PL writes them.
  shipment: (s) => {
    const ic = String(++isa).padStart(9, '0');
    const lines = s.lines.flatMap((l, i) => [`LX*${i + 1}`, `W12*${s.complete === false ? 'BP' : 'CC'}*${l.quantity}*${l.quantity}**EA**VN*${l.sku}${l.lot ? `*${l.lot}` : ''}`, `N9*LI*${l.line}`]);
    const body = [`W06*F*${s.order}*20261122*${s.number}`, 'N1*WH**9*AMS1', 'W27*U*UPSN*GROUND', ...lines, `W03*${s.lines.reduce((t, l) => t + l.quantity, 0)}`];
    return [
      ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*'),
      `GS*SW*ACME3PL*CAUSEWAY*20261122*1200*${isa}*X*004010`, 'ST*945*0001', ...body, `SE*${body.length + 2}*0001`, `GE*1*${isa}`, `IEA*1*${ic}`,
    ].join('~') + '~';
  },
  kindOf: (payload) => {
    const w05 = /W05\*([A-Z])\*/.exec(payload)?.[1];
    return w05 === 'N' ? 'new' : w05 === 'R' ? 'change' : w05 === 'F' ? 'cancel' : 'other';
  },
};

for (const channel of [json, x12]) {
  describe(`every rule end to end through ${channel.name}`, () => {
    let dir: string;
    let store: SqliteStore;
    let hub: Hub;
    let n = 0;
    const p = (order: string) => `${channel.name}-${order}`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `causeway-rules-every-${channel.name}-`));
      store = new SqliteStore({ path: join(dir, 'hub.db') });
      await store.migrate();
      hub = await Hub.start(parseConfig(`defaultTenant: acme\n${RULES}endpoints:${channel.endpoints(dir)}\n`, dir),
        { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    });
    after(async () => {
      await hub.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A message as its endpoint hands it over, processed through the whole pipeline; its id. */
    async function receive(endpoint: string, body: string, codec = 'json'): Promise<number> {
      const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint, codec, idempotencyKey: `k${++n}`, contentHash: `h${n}`, body: Buffer.from(body), receivedAt: Date.now() }]);
      await processPending();
      return a!.messageId;
    }
    async function processPending(): Promise<void> {
      const claimed = await store.claimPendingMessages('t', 10, 60_000, Date.now());
      await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    }
    const fromErp = (doc: Record<string, unknown>) => receive('api', JSON.stringify(doc));
    const ships = (s: ShipmentSpec) => receive(channel.reports, channel.shipment({ ...s, order: p(s.order) }), channel.codec);
    /** The warehouse's own statuses, as JSON. */
    const reports = (doc: Record<string, unknown>) => receive('wms-in', JSON.stringify({ facility: 'AMS1', ...doc }));
    const order = (number: string, lines = 1, more: Record<string, unknown> = {}) => fromErp(salesOrder(p(number), lines, more));
    const verdicts = async (id: number) => {
      const l = (await store.lineage('acme', id))!;
      if (process.env.DEBUG_RULES) console.log(id, l.message.status, l.message.generation, JSON.stringify(l.message.errors));
      return l.verdicts.map((v) => `${v.verdict} ${v.rule}`);
    };
    const deliveries = async (number: string, endpoint: string) => (await store.listDeliveries({ tenant: 'acme', entityKey: `order:${p(number)}`, endpoint })).reverse();
    const toWarehouse = async (number: string) => (await deliveries(number, channel.warehouse)).filter((d) => d.status !== 'superseded').map((d) => channel.kindOf(d.payload.toString('latin1')));
    const toErp = async (number: string) => (await deliveries(number, 'erp')).map((d) => JSON.parse(d.payload.toString()) as Record<string, any>);
    const ledgerStatus = async (number: string) => (await store.getLedgers('acme', [`order:${p(number)}`]))[0]?.status;
    const deadLetter = async (id: number) => (await store.listDeadLetters('acme')).find((d) => d.refId === id);
    /** The warehouse got the order: its delivery is done. */
    async function delivered(number: string): Promise<number> {
      const now = Date.now();
      const claimed = await store.claimDueDeliveries('t', 1000, 60_000, now);
      const due = claimed.filter((d) => d.entityKey === `order:${p(number)}` && d.endpoint === channel.warehouse);
      await store.releaseDeliveries('t', claimed.filter((d) => !due.includes(d)).map((d) => d.id));
      await store.recordAttempts(due.map((d) => ({ deliveryId: d.id, tenant: 'acme', startedAt: now, finishedAt: now, outcome: 'delivered' as const })), now);
      return now;
    }

    it('over-shipment: a shipment past the ordered quantity is refused into the dead letters; the ERP gets nothing of it', async () => {
      await order('OVER');
      const over = await ships({ order: 'OVER', number: 'SH-OVER', lines: [{ line: 1, sku: 'SKU-1', quantity: 3 }] });
      assert.deepEqual(await verdicts(over), ['refuse OVER_SHIPMENT']);
      assert.match((await deadLetter(over))!.reason, /OVER_SHIPMENT/);
      assert.deepEqual(await toErp('OVER'), []);
      assert.equal(await ledgerStatus('OVER'), 'open');
    });

    it('under-shipment: a complete shipment with less closes the order short, the ERP is told, and nothing more ships on it', async () => {
      await order('SHORT', 2);
      const short = await ships({ order: 'SHORT', number: 'SH-SHORT', lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }, { line: 2, sku: 'SKU-2', quantity: 1 }] });
      assert.deepEqual(await verdicts(short), ['apply SHIPMENT_APPLIED']);
      assert.equal(await ledgerStatus('SHORT'), 'closed');
      const told = await toErp('SHORT');
      assert.deepEqual(told.map((d) => d.type).sort(), ['order_status', 'shipment']);
      assert.match(told.find((d) => d.type === 'order_status')!.reason, /^short-closed: /);
      const late = await ships({ order: 'SHORT', number: 'SH-SHORT-2', lines: [{ line: 2, sku: 'SKU-2', quantity: 1 }] });
      assert.deepEqual(await verdicts(late), ['refuse ORDER_CLOSED']);
    });

    it('under-shipment: a shipment that is not complete leaves the rest open', async () => {
      await order('PART', 2);
      await ships({ order: 'PART', number: 'SH-PART', complete: false, lines: [{ line: 2, sku: 'SKU-2', quantity: 1 }] });
      assert.equal(await ledgerStatus('PART'), 'partially_shipped');
    });

    it('out-of-order: a shipment before its order is held and released when the order comes; one whose order never comes is refused after the window', async () => {
      const early = await ships({ order: 'LATE', number: 'SH-LATE', lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      assert.deepEqual(await verdicts(early), ['hold ORDER_NOT_SEEN']);
      await order('LATE');
      assert.deepEqual(await verdicts(early), ['hold ORDER_NOT_SEEN', 'apply SHIPMENT_APPLIED']);
      assert.deepEqual((await toErp('LATE')).map((d) => d.type), ['shipment']);

      const orphan = await ships({ order: 'NEVER', number: 'SH-NEVER', lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      assert.deepEqual(await sweepRules(store, hub.rules.general, Date.now() + 30 * 60_000), []);
      assert.deepEqual(await verdicts(orphan), ['hold ORDER_NOT_SEEN'], 'still within the hour');
      await sweepRules(store, hub.rules.general, Date.now() + 61 * 60_000);
      assert.deepEqual(await verdicts(orphan), ['hold ORDER_NOT_SEEN', 'refuse HOLD_EXPIRED']);
      assert.match((await deadLetter(orphan))!.reason, /^HOLD_EXPIRED: .*has not arrived within 1 h/);
    });

    it('cancel races: a cancel at the warehouse waits for its answer; once confirmed, a shipment is refused', async () => {
      await order('CXL');
      await delivered('CXL');
      const cancel = await fromErp({ type: 'order_cancel', orderNumber: p('CXL') });
      assert.deepEqual(await verdicts(cancel), ['apply CANCEL_FORWARDED']);
      assert.deepEqual(await toWarehouse('CXL'), ['new', 'cancel']);
      assert.equal(await ledgerStatus('CXL'), 'open', 'not cancelled until the warehouse says so');
      const confirmed = await reports({ type: 'order_status', orderNumber: p('CXL'), status: 'cancelled' });
      assert.deepEqual(await verdicts(confirmed), ['apply CANCEL_CONFIRMED']);
      assert.equal(await ledgerStatus('CXL'), 'cancelled');
      const after = await ships({ order: 'CXL', number: 'SH-CXL', lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      assert.deepEqual(await verdicts(after), ['refuse SHIPMENT_AFTER_CANCEL']);
      assert.ok((await store.listAlerts('acme')).some((a) => a.kind === 'rules_shipment_after_cancel' && a.subject === `order:${p('CXL')}`));
    });

    it('cancel races: a cancel after the order shipped is refused back to the ERP as "cancel rejected: shipped", with an alert', async () => {
      await order('SHIPPED');
      await delivered('SHIPPED');
      await ships({ order: 'SHIPPED', number: 'SH-SHIPPED', lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      const cancel = await fromErp({ type: 'order_cancel', orderNumber: p('SHIPPED') });
      assert.deepEqual(await verdicts(cancel), ['refuse CANCEL_AFTER_SHIPPED']);
      assert.deepEqual(await toWarehouse('SHIPPED'), ['new'], 'the warehouse never sees the cancel');
      const status = (await toErp('SHIPPED')).find((d) => d.type === 'order_status');
      assert.equal(status?.reason, 'cancel rejected: shipped');
      assert.ok((await store.listAlerts('acme')).some((a) => a.kind === 'rules_cancel_after_shipped'));
    });

    it('cancel before send: an order cancelled before the warehouse got it sends the warehouse nothing', async () => {
      await order('UNSENT');
      const cancel = await fromErp({ type: 'order_cancel', orderNumber: p('UNSENT') });
      assert.deepEqual(await verdicts(cancel), ['stale CANCEL_BEFORE_SEND']);
      assert.deepEqual(await toWarehouse('UNSENT'), [], 'the pending order is withdrawn, and no cancel follows');
      const withdrawn = await deliveries('UNSENT', channel.warehouse);
      assert.deepEqual(withdrawn.map((d) => d.status), ['superseded']);
      assert.equal(await ledgerStatus('UNSENT'), 'cancelled');
    });

    it('duplicates: the same shipment resent is not counted twice; the same number with other content is refused', async () => {
      await order('DUP', 2);
      const first = await ships({ order: 'DUP', number: 'SH-DUP', complete: false, lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      const again = await ships({ order: 'DUP', number: 'SH-DUP', complete: false, lines: [{ line: 1, sku: 'SKU-1', quantity: 1 }] });
      const changed = await ships({ order: 'DUP', number: 'SH-DUP', complete: false, lines: [{ line: 2, sku: 'SKU-2', quantity: 2 }] });
      assert.deepEqual(await verdicts(first), ['apply SHIPMENT_APPLIED']);
      if (channel === x12) {
        // The same 945 in a new interchange is recognised by the X12 codec before the rules: not applied again.
        assert.deepEqual(await verdicts(again), []);
        assert.ok((await store.getMessage('acme', again))!.errors.some((e) => e.code === 'X12_DUPLICATE_SET'));
      } else {
        assert.deepEqual(await verdicts(again), ['stale DUPLICATE']);
      }
      assert.deepEqual(await verdicts(changed), ['refuse SHIPMENT_RESENT_CHANGED']);
      assert.equal((await toErp('DUP')).length, 1, 'the ERP books the shipment once');
    });

    it('lots: a lot-tracked SKU shipped without a lot is refused', async () => {
      await fromErp({ type: 'item', sku: 'SERUM-1', baseUom: 'EA', lotTracked: true, description: 'Serum' });
      await order('LOT', 1, { lines: [{ lineNumber: 1, sku: 'SERUM-1', quantity: '2', uom: 'EA' }] });
      const bare = await ships({ order: 'LOT', number: 'SH-LOT-1', lines: [{ line: 1, sku: 'SERUM-1', quantity: 1 }] });
      assert.deepEqual(await verdicts(bare), ['refuse LOT_MISSING']);
      const lotted = await ships({ order: 'LOT', number: 'SH-LOT-2', complete: false, lines: [{ line: 1, sku: 'SERUM-1', quantity: 1, lot: 'L-1' }] });
      assert.deepEqual(await verdicts(lotted), ['apply SHIPMENT_APPLIED']);
    });

    it('document chain: a shipment line that names another SKU than the order line is applied with the line at fault flagged', async () => {
      await order('CHAIN', 2);
      const odd = await ships({ order: 'CHAIN', number: 'SH-CHAIN', complete: false, lines: [{ line: 1, sku: 'SKU-2', quantity: 1 }] });
      assert.deepEqual(await verdicts(odd), ['apply SHIPMENT_APPLIED']);
      const [v] = (await store.lineage('acme', odd))!.verdicts;
      assert.match(JSON.stringify(v!.detail), /DOCUMENT_CHAIN.*line 1 is SKU-2; line 1 of order .* is SKU-1/);
      assert.ok((await store.listAlerts('acme')).some((a) => a.kind === 'rules_document_chain' && a.subject === `order:${p('CHAIN')}`));
    });

    it('holds: an order held by an operator is not sent; released, it goes', async () => {
      const policy = hub.rules.general;
      await holdOrder(store, 'acme', p('HELD'), { reason: 'credit hold', by: 'ops' }, policy, Date.now());
      const held = await order('HELD');
      assert.deepEqual(await verdicts(held), ['hold ORDER_ON_HOLD']);
      assert.deepEqual(await toWarehouse('HELD'), []);
      await releaseOrder(store, 'acme', p('HELD'), 'ops', policy, Date.now());
      await processPending();
      assert.deepEqual(await verdicts(held), ['hold ORDER_ON_HOLD', 'apply ORDER_ACCEPTED']);
      assert.deepEqual(await toWarehouse('HELD'), ['new']);
    });

    it('changes after release: a change goes as one change, not a new order; one the warehouse does not use sends nothing', async () => {
      await order('CHG');
      const nothing = await order('CHG', 1, { occurredAt: '2026-11-22T10:00:00+01:00', customer: { code: 'C-100', name: 'Renamed Retail' } });
      assert.deepEqual(await verdicts(nothing), ['stale ORDER_NO_RELEVANT_CHANGE']);
      const changed = await order('CHG', 1, { occurredAt: '2026-11-22T11:00:00+01:00', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '3', uom: 'EA' }] });
      assert.deepEqual(await verdicts(changed), ['apply ORDER_CHANGED']);
      assert.deepEqual(await toWarehouse('CHG'), ['new', 'change']);
    });

    it('stale guards: an older version of an order than the one applied is not sent', async () => {
      await order('OLD', 1, { occurredAt: '2026-11-22T12:00:00+01:00' });
      const older = await order('OLD', 1, { occurredAt: '2026-11-22T08:00:00+01:00', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '9', uom: 'EA' }] });
      assert.deepEqual(await verdicts(older), ['stale OUT_OF_ORDER']);
      assert.deepEqual(await toWarehouse('OLD'), ['new']);
    });

    it('stale guards: a status going backwards is not passed on', async () => {
      await order('BACK');
      await delivered('BACK');
      await reports({ type: 'order_status', orderNumber: p('BACK'), status: 'packed', occurredAt: '2026-11-22T12:00:00Z' });
      const picked = await reports({ type: 'order_status', orderNumber: p('BACK'), status: 'picked', occurredAt: '2026-11-22T13:00:00Z' });
      assert.deepEqual(await verdicts(picked), ['stale STATUS_BACKWARDS']);
      assert.deepEqual((await toErp('BACK')).map((d) => d.status), ['packed']);
    });

    it('stuck: an order the warehouse has not acknowledged in time raises an alert, once', async () => {
      await order('STUCK');
      const sentAt = await delivered('STUCK');
      const alerts = async (at: number) => (await sweepRules(store, hub.rules.general, at)).filter((a) => a.subject === `order:${p('STUCK')}`).map((a) => a.kind);
      assert.deepEqual(await alerts(sentAt + 29 * 60_000), []);
      assert.deepEqual(await alerts(sentAt + 31 * 60_000), ['rules_ack_overdue']);
      assert.deepEqual(await alerts(sentAt + 32 * 60_000), [], 'once');
    });

    if (channel === json) {
      it('field ownership: the warehouse\'s description of an item the ERP owns is not carried on', async () => {
        await fromErp({ type: 'item', sku: 'MUG-1', baseUom: 'EA', description: 'Mug, blue', occurredAt: '2026-11-22T08:00:00Z' });
        const fromWms = await receive('wms-in', JSON.stringify({ type: 'item', sku: 'MUG-1', baseUom: 'EA', description: 'MUG BLUE 12OZ', weight: { value: '0.4', unit: 'KG' }, occurredAt: '2026-11-22T09:00:00Z' }));
        assert.deepEqual(await verdicts(fromWms), ['apply STATE_APPLIED']);
        const [sent] = (await store.listDeliveries({ tenant: 'acme', endpoint: 'erp', entityKey: 'item:MUG-1' })).map((d) => JSON.parse(d.payload.toString()));
        assert.equal(sent.description, 'Mug, blue', 'the ERP\'s value went on');
        assert.equal(sent.weight.value, '0.4');
      });

      it('stale guards and supersede: an older stock snapshot is stale; a newer one withdraws the older one still waiting', async () => {
        const snapshot = (at: string, onHand: string) => receive('wms-in', JSON.stringify({ type: 'inventory_snapshot', facility: 'AMS1', asOf: at, occurredAt: at, positions: [{ sku: 'SKU-1', uom: 'EA', onHand }] }));
        const first = await snapshot('2026-11-22T09:00:00Z', '5');
        const older = await snapshot('2026-11-22T08:00:00Z', '4');
        assert.deepEqual(await verdicts(older), ['stale OUT_OF_ORDER']);
        await snapshot('2026-11-22T10:00:00Z', '6');
        const sent = (await store.listDeliveries({ tenant: 'acme', endpoint: 'erp', type: 'inventory_snapshot' })).reverse();
        assert.deepEqual(sent.map((d) => [d.messageId, d.status]), [[first, 'superseded'], [sent[1]!.messageId, 'pending']]);
      });
    }
  });
}
