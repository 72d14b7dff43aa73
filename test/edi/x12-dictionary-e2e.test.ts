// The dictionary end to end through the hub: a 3PL's file dropped in a folder, one set with a dictionary
// error. Our 997 in the 3PL's inbox names its segment and element exactly; the set is not applied while
// its good neighbour reaches the ERP. Then the 3PL skips an interchange number: a gap alert is raised.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { readX12 } from '../../src/edi/x12/index.ts';
import { Hub } from '../../src/engine/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

/** An interchange as the 3PL writes it: from ACME3PL to CAUSEWAY, test usage, one SW group, counts computed. */
function fromPartner(isa13: number, group: number, sets: string[]): string {
  const ic = String(isa13).padStart(9, '0');
  let out = ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*') + '~\n';
  out += `GS*SW*ACME3PL*CAUSEWAY*20261122*1200*${group}*X*004010~\n`;
  sets.forEach((body, i) => {
    const control = String(i + 101).padStart(4, '0');
    const segs = body.split('~').filter((x) => x.trim());
    out += `ST*945*${control}~\n${segs.map((x) => x + '~\n').join('')}SE*${segs.length + 2}*${control}~\n`;
  });
  return out + `GE*${sets.length}*${group}~\nIEA*1*${ic}~\n`;
}

const shipment945 = (order: string, extra = '') => `W06*F*${order}*20261122*SHP-${order}~N1*WH**9*AMS1~${extra}W27*M*UPSN*GROUND~LX*1~W12*CC*1*1**EA**VN*SKU-1~N9*LI*1~W03*1~`;

/** Our acknowledgments in the 3PL's inbox, as each set's body (segments joined by ~). */
function ours(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.edi')).sort()) {
    for (const item of readX12(readFileSync(join(dir, file), 'latin1'))) {
      if (item.kind === 'set' && item.set.id === '997') out.push(item.set.segments.slice(1, -1).map((s) => s.elements.join('*')).join('~'));
    }
  }
  return out;
}

describe('X12 dictionary through the hub', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let partnerIn: string;
  let partnerOut: string;
  let drop = 0;
  const deliverFromPartner = (text: string) => writeFileSync(join(partnerOut, `from-3pl-${++drop}.edi`), text, 'latin1');
  const shipments = () => receiver.received.map((r) => JSON.parse(r.body.toString())).filter((d) => d.type === 'shipment');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-x12-dictionary-'));
    partnerIn = join(dir, '3pl', 'in');
    partnerOut = join(dir, '3pl', 'out');
    mkdirSync(partnerIn, { recursive: true });
    mkdirSync(partnerOut, { recursive: true });
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '945': inbound }
    acknowledgments: { endpoint: 3pl-out, expect: false }
endpoints:
  3pl-out: { type: folder, outbox: ${partnerIn}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ${partnerOut}, minAgeMs: 0, codec: x12, codecOptions: { partner: acme-3pl } }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/erp, secret: "whsec_${Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64')}" }
  wms-orders: { type: folder, outbox: ${join(dir, 'wms-orders')} }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms-orders }
  - { name: warehouse-to-erp, from: [3pl-in], types: [shipment], to: erp-hook }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20 });
    // The orders the 3PL ships go out first, so the rules apply its shipments to them.
    const orders = ['SO-1', 'SO-2', 'SO-4', 'SO-5'];
    await hub.store.acceptMessages(orders.map((o) => {
      const body = Buffer.from(JSON.stringify(salesOrder(o, 1)));
      return { tenant: 'acme', endpoint: 'api', codec: 'json', idempotencyKey: o, contentHash: o, body, receivedAt: Date.now() };
    }));
    await waitFor(async () => (await hub.store.getLedgers('acme', orders.map((o) => `order:${o}`))).length === orders.length || undefined, 10_000, 'the orders sent');
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a set failing the dictionary gets its exact AK3/AK4 in our 997 and is not applied; its good neighbour is', async () => {
    deliverFromPartner(fromPartner(501, 9001, [shipment945('SO-1'), shipment945('SO-2', 'N9**3~')]));
    const ack = await waitFor(() => ours(partnerIn).find((b) => b.startsWith('AK1*SW*9001')), 10_000, 'our 997 for group 9001');
    // 004010: no AK103; AK3 names N9 at position 4 with code 8, AK4 names element 1 (reference 128) as missing (1).
    assert.equal(ack, 'AK1*SW*9001~AK2*945*0101~AK5*A~AK2*945*0102~AK3*N9*4**8~AK4*1*128*1~AK5*R*5~AK9*P*2*2*1');
    await waitFor(() => shipments().find((s) => s.orderNumber === 'SO-1'), 10_000, 'the good shipment at the ERP');
    assert.equal(await hub.store.findLatestDocument('acme', 'shipment', 'order:SO-2'), undefined, 'the rejected set left no document');
    assert.deepEqual(shipments().map((s) => s.orderNumber), ['SO-1']);
  });

  it('a skipped interchange and group number raise one alert each; the next in sequence raises none', async () => {
    deliverFromPartner(fromPartner(504, 9004, [shipment945('SO-4')]));
    await waitFor(() => shipments().find((s) => s.orderNumber === 'SO-4'), 10_000, 'SO-4 at the ERP');
    const gaps = await waitFor(async () => {
      const alerts = await hub.store.listAlerts('acme', { kind: 'x12_control_gap' });
      return alerts.length >= 2 ? alerts : undefined;
    }, 10_000, 'gap alerts');
    assert.deepEqual(gaps.map((a) => a.subject).sort(), ['partner acme-3pl GS 9002 to 9003', 'partner acme-3pl ISA 502 to 503']);
    assert.match(gaps.find((a) => a.subject.includes('ISA'))!.message, /interchange control number \(ISA13\) 504 after 501: 502 to 503 never arrived/);
    deliverFromPartner(fromPartner(505, 9005, [shipment945('SO-5')]));
    await waitFor(() => shipments().find((s) => s.orderNumber === 'SO-5'), 10_000, 'SO-5 at the ERP');
    assert.equal((await hub.store.listAlerts('acme', { kind: 'x12_control_gap' })).length, 2);
  });
});
