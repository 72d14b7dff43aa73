// The business rules through X12: a sales order goes out as a 940 and its change as a 940 with
// W05-01 "R"; the 3PL's 945 is checked against the order before it reaches the ERP.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';

let isa = 700;
/** A 945 as the 3PL writes it, in its own interchange. */
function shipment945(orderNumber: string, shipmentNumber: string, quantity: number): string {
  const ic = String(++isa).padStart(9, '0');
  const body = [`W06*F*${orderNumber}*20261122*${shipmentNumber}`, 'N1*WH**9*AMS1', 'W27*U*UPSN*GROUND', 'LX*1', 'MAN*CP*1Z999AA10123456784', `W12*CC*${quantity}*${quantity}**EA**VN*SKU-1`, 'N9*LI*1', `W03*${quantity}`];
  return [
    ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*'),
    `GS*SW*ACME3PL*CAUSEWAY*20261122*1200*${isa}*X*004010`, `ST*945*0001`, ...body, `SE*${body.length + 2}*0001`, `GE*1*${isa}`, `IEA*1*${ic}`,
  ].join('~\n') + '~\n';
}

describe('the rules through X12: 940 out, 945 in', () => {
  let dir: string;
  let store: SqliteStore;
  let hub: Hub;
  let n = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-rules-x12-'));
    store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
    hub = await Hub.start(parseConfig(`
defaultTenant: acme
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '940': outbound, '945': inbound }
    acknowledgments: { send: false }
endpoints:
  3pl-out: { type: folder, outbox: ${join(dir, 'out')}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ${join(dir, 'in')}, codec: x12, codecOptions: { partner: acme-3pl } }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
flows:
  - { name: orders-to-3pl, types: [sales_order], to: 3pl-out }
  - { name: shipments-to-erp, from: [3pl-in], types: [shipment], to: erp }
`, dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
  });
  after(async () => {
    await hub.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function receive(endpoint: 'api' | '3pl-in', body: string): Promise<number> {
    const codec = endpoint === 'api' ? 'json' : 'x12';
    const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint, codec, idempotencyKey: `k${++n}`, contentHash: `h${n}`, body: Buffer.from(body), receivedAt: Date.now() }]);
    const claimed = await store.claimPendingMessages('t', 10, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    return a!.messageId;
  }
  const verdicts = async (id: number) => {
    const l = (await store.lineage('acme', id))!;
    if (process.env.DEBUG_RULES_X12) console.log(l.message.status, JSON.stringify(l.message.errors));
    return l.verdicts.map((v) => `${v.verdict} ${v.rule}`);
  };
  const sent = async (entityKey: string, endpoint: string) => (await store.listDeliveries({ tenant: 'acme', entityKey, endpoint })).reverse().map((d) => d.payload.toString('latin1'));

  it('sends a new order as a 940 W05*N and a change to it as a 940 W05*R; a change the 3PL does not use sends nothing', async () => {
    await receive('api', JSON.stringify(salesOrder('SO-X1', 1)));
    const nothing = await receive('api', JSON.stringify(salesOrder('SO-X1', 1, { occurredAt: '2026-11-22T10:00:00+01:00', customer: { code: 'C-100', name: 'Renamed Retail' } })));
    assert.deepEqual(await verdicts(nothing), ['stale ORDER_NO_RELEVANT_CHANGE']);
    const changed = await receive('api', JSON.stringify(salesOrder('SO-X1', 1, { occurredAt: '2026-11-22T11:00:00+01:00', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '2', uom: 'EA' }] })));
    assert.deepEqual(await verdicts(changed), ['apply ORDER_CHANGED']);
    const payloads = await sent('order:SO-X1', '3pl-out');
    assert.equal(payloads.length, 2);
    assert.match(payloads[0]!, /~?W05\*N\*SO-X1/);
    assert.match(payloads[1]!, /~?W05\*R\*SO-X1/);
  });

  it('refuses a 945 that ships more than ordered and passes on one that fits', async () => {
    const over = await receive('3pl-in', shipment945('SO-X1', 'SHP-X1-A', 5));
    assert.deepEqual(await verdicts(over), ['refuse OVER_SHIPMENT']);
    assert.deepEqual(await sent('order:SO-X1', 'erp'), []);
    const fits = await receive('3pl-in', shipment945('SO-X1', 'SHP-X1-B', 2));
    assert.deepEqual(await verdicts(fits), ['apply SHIPMENT_APPLIED']);
    assert.equal((await sent('order:SO-X1', 'erp')).length, 1);
    assert.equal((await store.getLedgers('acme', ['order:SO-X1']))[0]!.status, 'shipped');
  });

  it('holds a 945 for an order not seen yet and releases it, in order, when the order comes', async () => {
    const early = await receive('3pl-in', shipment945('SO-X2', 'SHP-X2', 1));
    assert.deepEqual(await verdicts(early), ['hold ORDER_NOT_SEEN']);
    await receive('api', JSON.stringify(salesOrder('SO-X2', 1)));
    assert.deepEqual(await verdicts(early), ['hold ORDER_NOT_SEEN', 'apply SHIPMENT_APPLIED']);
    assert.equal((await sent('order:SO-X2', 'erp')).length, 1);
    assert.match((await sent('order:SO-X2', '3pl-out'))[0]!, /W05\*N\*SO-X2/);
  });
});
