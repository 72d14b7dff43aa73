import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { x12Codec } from '../../src/codecs/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import type { TrytonRpc } from '../../src/connectors/tryton/rpc.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../support/tryton.ts';
import { sshdUnavailable, startSshd, type SshServer } from '../support/sshd.ts';
import { waitFor } from '../support/receiver.ts';
import { confirmSale, connect, hoursAgo, trytonEndpointYaml } from '../connectors/tryton/fixtures.ts';

const skipTryton = await trytonUnavailable();
const skipSshd = skipTryton ? undefined : await sshdUnavailable();
const skip = skipTryton || skipSshd;

/**
 * The ERP is a real Tryton; the warehouse is a 3PL that speaks X12 over a real SFTP server. A sale
 * confirmed in Tryton leaves as a 940 on the 3PL's server; the 3PL answers with a 997 and a 945
 * (partial, then the rest) on its own folder, and Tryton's shipments end done with the lots.
 * The test plays the 3PL with Causeway's own X12 writer under the 3PL's profile.
 */
describe('Tryton <-> 3PL over X12 and SFTP', { skip }, () => {
  let tryton: TrytonServer;
  let sshd: SshServer;
  let hub: Hub;
  let rpc: TrytonRpc;
  let dir: string;
  let toPartner: string;
  let fromPartner: string;
  const partnerStore = new SqliteStore({ path: ':memory:' });
  // The 3PL's side of the same relationship: ours and theirs swapped.
  const partnerOptions = {
    partner: 'causeway',
    partnerProfiles: {
      causeway: {
        ours: { qualifier: 'ZZ', id: 'ACME3PL' }, theirs: { qualifier: 'ZZ', id: 'CAUSEWAY' }, usage: 'T',
        sets: { '940': 'inbound', '945': 'outbound' }, acknowledgments: { send: true },
      },
    },
  };
  let drop = 0;
  async function partnerSends(doc: Record<string, unknown>): Promise<void> {
    const bytes = await x12Codec.encode(doc, { tenant: 'acme3pl', endpoint: '3pl', options: partnerOptions, store: partnerStore });
    const name = `from-3pl-${++drop}.edi`;
    writeFileSync(join(dir, name), bytes);
    renameSync(join(dir, name), join(fromPartner, name));
  }

  before(async () => {
    await partnerStore.migrate();
    dir = mkdtempSync(join(tmpdir(), 'causeway-tryton-x12-'));
    [tryton, sshd] = await Promise.all([startTryton(), startSshd()]);
    const db = await tryton.freshDatabase();
    rpc = connect(db);
    toPartner = join(sshd.root, 'in');
    fromPartner = join(sshd.root, 'out');
    mkdirSync(toPartner, { recursive: true });
    mkdirSync(fromPartner, { recursive: true });
    const login = `host: ${sshd.host}, port: ${sshd.port}, username: ${sshd.username}, privateKeyPath: ${sshd.privateKeyPath}, hostKey: "${sshd.hostKeyFingerprint}"`;
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 40, initialDelayMs: 150, maxDelayMs: 1000 }
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '940': outbound, '945': inbound }
    acknowledgments: { endpoint: 3pl-out, deadline: 1h }
endpoints:
${trytonEndpointYaml(db)}
    produce: [sales_order, order_cancel]
    pollIntervalMs: 150
    concurrency: 1
  3pl-out: { type: sftp, ${login}, remoteOutbox: ${toPartner}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: sftp, ${login}, remoteInbox: ${fromPartner}, pollIntervalMs: 100, codec: x12, codecOptions: { partner: acme-3pl } }
flows:
  - { name: orders-to-3pl, from: [erp], types: [sales_order, order_cancel], to: 3pl-out }
  - { name: shipments-to-erp, from: [3pl-in], types: [shipment], to: erp }
`, dir, { TRYTON_PASSWORD: db.password });
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 30, overdueCheckMs: 200 });
  });
  after(async () => {
    await hub?.stop();
    await partnerStore.close();
    await sshd?.dispose();
    tryton?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** On a timeout, says where every message and delivery stands. */
  const waitForTryton = async <T>(check: () => Promise<T>, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> => {
    try {
      return await waitFor(check, timeoutMs, what);
    } catch (error) {
      const deliveries = await hub.store.listDeliveries({ tenant: 'acme', limit: 100 });
      const messages = await hub.store.listMessages({ tenant: 'acme', limit: 100 });
      throw new Error(`${(error as Error).message}\ndeliveries:\n${deliveries.map((d) => `  ${d.id} ${d.endpoint} ${d.documentType} ${d.entityKey} ${d.status} x${d.attempts} ${d.lastError ?? ''}`).join('\n')}\nmessages:\n${messages.map((m) => `  ${m.id} ${m.endpoint} ${m.status} ${JSON.stringify(m.errors)}`).join('\n')}`);
    }
  };

  const shipmentsOf = async (saleId: number) => {
    const [sale] = await rpc.read<{ shipments: number[]; shipment_state: string }>('sale.sale', [saleId], ['shipments', 'shipment_state']);
    const shipments = await rpc.read<{ id: number; state: string; reference: string | null; outgoing_moves: number[] }>('stock.shipment.out', sale!.shipments, ['state', 'reference', 'outgoing_moves']);
    const moves = await rpc.read<{ id: number; quantity: number; state: string; 'lot.': { number: string } | null; 'product.': { code: string } }>(
      'stock.move', shipments.flatMap((s) => s.outgoing_moves), ['quantity', 'state', 'lot.number', 'product.code']);
    return {
      saleState: sale!.shipment_state,
      shipments: shipments.sort((a, b) => a.id - b.id).map((s) => [s.state, s.reference, moves
        .filter((m) => s.outgoing_moves.includes(m.id) && m.state !== 'cancelled' && m.quantity > 0)
        .map((m) => `${m['product.'].code} ${m.quantity}${m['lot.'] ? ` ${m['lot.'].number}` : ''}`).sort()]),
    };
  };

  test('a Tryton sale goes out as a 940; the 3PL\'s 997 settles it and its 945s close the sale in Tryton', { timeout: 180_000 }, async () => {
    const sale = await confirmSale(rpc, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
    const file = await waitFor(() => existsSync(toPartner) && readdirSync(toPartner).find((f) => f.endsWith('.edi')), 30_000, 'a 940 on the 3PL\'s server');
    const text = readFileSync(join(toPartner, file as string), 'latin1');
    const decoded = await x12Codec.decode(Buffer.from(text, 'latin1'), { tenant: 'acme3pl', endpoint: '3pl', options: partnerOptions });
    assert.deepEqual(decoded.errors, []);
    // Under the 3PL's profile the decoder also drafts its 997 for our group; the order is the other document.
    const orders = decoded.documents.filter((d) => d.type === 'sales_order');
    assert.equal(orders.length, 1);
    const order = orders[0] as Record<string, any>;
    assert.equal(order.type, 'sales_order');
    assert.equal(order.orderNumber, sale.number);
    assert.deepEqual(order.lines.map((l: any) => [l.lineNumber, l.sku, l.quantity]), [['1', 'WIDGET-1', '10'], ['2', 'SERUM-LOT', '4']]);
    // Every N9 carries an X12 reference qualifier (2-3 characters); Tryton's shipment number goes as SI.
    const [elementSeparator, segmentTerminator] = [text[3]!, text[105]!];
    const n9 = text.split(segmentTerminator).map((seg) => seg.trim().split(elementSeparator)).filter((els) => els[0] === 'N9');
    assert.ok(n9.length > 0 && n9.every((els) => /^[A-Z0-9]{2,3}$/.test(els[1]!)), `N9 qualifiers: ${n9.map((els) => els[1]).join(', ')}`);
    assert.ok(order.references.some((r: any) => r.qualifier === 'SI' && r.value.length > 0), JSON.stringify(order.references));

    // The 3PL's functional acknowledgment of our 940's group.
    const env = order.extensions.x12Envelope as Record<string, string>;
    await partnerSends({
      type: 'acknowledgment', status: 'accepted',
      acknowledges: { functionalId: env.functionalId, groupControlNumber: env.group },
      sets: [{ transactionSetId: env.setId, controlNumber: env.set, status: 'accepted' }],
    });
    await waitFor(async () => (await hub.store.listEdiGroups({ tenant: 'acme', status: 'accepted' })).length === 1, 20_000, 'our 940\'s group accepted');

    // 945, partial: 6 of 10 widgets and the 4 lot-tracked units from two lots.
    await partnerSends({
      type: 'shipment', shipmentNumber: '3PL-SH-1', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(3), complete: false,
      carrier: { scac: 'UPSN' }, trackingNumbers: ['1Z001'], packages: [{ trackingNumber: '1Z001' }],
      lines: [
        { lineNumber: '1', sku: 'WIDGET-1', quantity: '6', uom: 'EA', orderedQuantity: '10' },
        { lineNumber: '2', sku: 'SERUM-LOT', quantity: '4', uom: 'EA', orderedQuantity: '4', lots: [{ lot: 'L-A', quantity: '3' }, { lot: 'L-B', quantity: '1' }] },
      ],
    });
    const partial = await waitForTryton(async () => {
      const s = await shipmentsOf(sale.id);
      return s.shipments.length === 2 && s.shipments[0]![0] === 'done' ? s : undefined;
    }, 'the first shipment done in Tryton');
    assert.deepEqual(partial.shipments[0], ['done', '3PL-SH-1', ['SERUM-LOT 1 L-B', 'SERUM-LOT 3 L-A', 'WIDGET-1 6']]);
    assert.deepEqual(partial.shipments[1]!.slice(0, 1).concat([partial.shipments[1]![2]]), ['waiting', ['WIDGET-1 4']], 'Tryton\'s backorder holds the rest');

    await partnerSends({
      type: 'shipment', shipmentNumber: '3PL-SH-2', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(1),
      lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '4', uom: 'EA', orderedQuantity: '10' }],
    });
    const closed = await waitForTryton(async () => {
      const s = await shipmentsOf(sale.id);
      return s.saleState === 'sent' ? s : undefined;
    }, 'the sale fully shipped in Tryton');
    assert.deepEqual(closed.shipments, [
      ['done', '3PL-SH-1', ['SERUM-LOT 1 L-B', 'SERUM-LOT 3 L-A', 'WIDGET-1 6']],
      ['done', '3PL-SH-2', ['WIDGET-1 4']],
    ]);
    // Causeway answered each 945 with a 997 on the 3PL's server.
    const acks = await waitFor(() => {
      const a = readdirSync(toPartner).map((f) => readFileSync(join(toPartner, f), 'latin1')).filter((t) => /\bAK1\*SW\*/.test(t));
      return a.length === 2 ? a : undefined;
    }, 20_000, 'two 997s for the two 945s');
    assert.ok(acks.every((t) => /AK9\*A\*1\*1\*1/.test(t)));
  });

  test('a 945 whose W12s carry no line numbers ships each SKU as it was sent, none summed into another', { timeout: 180_000 }, async () => {
    const sale = await confirmSale(rpc, [['WIDGET-1', 1], ['SERUM-LOT', 1]], 'PO-779');
    // One package (LX) holding both items without N9*LI, a common shape: written by the 3PL's side, then
    // stripped of the line numbers our writer always adds.
    const bytes = await x12Codec.encode({
      type: 'shipment', shipmentNumber: '3PL-SH-3', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(1),
      packages: [{ trackingNumber: '1Z003', lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '1', uom: 'EA' }, { lineNumber: '2', sku: 'SERUM-LOT', quantity: '1', uom: 'EA', lot: 'L-A' }] }],
      lines: [
        { lineNumber: '1', sku: 'WIDGET-1', quantity: '1', uom: 'EA' },
        { lineNumber: '2', sku: 'SERUM-LOT', quantity: '1', uom: 'EA', lots: [{ lot: 'L-A', quantity: '1' }] },
      ],
    }, { tenant: 'acme3pl', endpoint: '3pl', options: partnerOptions, store: partnerStore });
    const text = Buffer.from(bytes).toString('latin1');
    const lines = text.split('\n').filter((l) => !l.startsWith('N9*LI*'));
    assert.equal(lines.filter((l) => l.startsWith('LX*')).length, 1, text);
    const removed = text.split('\n').length - lines.length;
    const withoutLineNumbers = lines.join('\n').replace(/SE\*(\d+)\*/, (_, n: string) => `SE*${Number(n) - removed}*`);
    const name = `from-3pl-${++drop}.edi`;
    writeFileSync(join(dir, name), withoutLineNumbers, 'latin1');
    renameSync(join(dir, name), join(fromPartner, name));
    const done = await waitForTryton(async () => {
      const s = await shipmentsOf(sale.id);
      return s.saleState === 'sent' ? s : undefined;
    }, 'the sale shipped in Tryton');
    assert.deepEqual(done.shipments, [['done', '3PL-SH-3', ['SERUM-LOT 1 L-A', 'WIDGET-1 1']]]);
  });
});
