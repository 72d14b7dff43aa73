// X12 end to end through the pipeline: Hub from config, a real SQLite file, the API in, the 3PL's
// folders on a real OpenSSH server over SFTP (folder endpoints where sshd cannot run), a webhook
// receiver standing in for the ERP.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startApiServer, type ApiServer } from '../../src/api/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { decodeX12, readX12 } from '../../src/edi/x12/index.ts';
import { Hub } from '../../src/engine/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { sshdUnavailable, startSshd, type SshServer } from '../support/sshd.ts';

const KEY = 'acme-key-0123456789abcdef0123';

interface Written { file: string; text: string; groups: Array<{ functionalId: string; control: string; sets: Array<{ id: string; control: string; body: string }> }>; isa: string[] }

/** What our side wrote to the 3PL's inbox, read back with our own reader. */
function readOutbox(dir: string): Written[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.edi')).sort().map((file) => {
    const text = readFileSync(join(dir, file), 'latin1');
    const w: Written = { file, text, groups: [], isa: [] };
    for (const item of readX12(text)) {
      if (item.kind === 'interchange-start') w.isa = [item.interchange.senderId, item.interchange.receiverId, item.interchange.usage, item.interchange.controlNumber];
      if (item.kind === 'group-start') w.groups.push({ functionalId: item.group.functionalId, control: item.group.controlNumber, sets: [] });
      if (item.kind === 'set') w.groups.at(-1)!.sets.push({ id: item.set.id, control: item.set.controlNumber, body: item.set.segments.slice(1, -1).map((s) => s.elements.join('*')).join('~') });
    }
    return w;
  });
}

/** An interchange as the 3PL writes it: from ACME3PL to CAUSEWAY, test usage, counts computed. */
function fromPartner(isa13: number, groups: Array<{ functionalId: string; control: number; sets: Array<{ id: string; body: string }> }>, time = '1200'): string {
  const ic = String(isa13).padStart(9, '0');
  let out = ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', time, 'U', '00401', ic, '0', 'T', '>'].join('*') + '~\n';
  let st = 0;
  for (const g of groups) {
    out += `GS*${g.functionalId}*ACME3PL*CAUSEWAY*20261122*${time}*${g.control}*X*004010~\n`;
    for (const s of g.sets) {
      const control = String(++st + 100).padStart(4, '0');
      const n = s.body.split('~').filter((x) => x.trim()).length + 2;
      out += `ST*${s.id}*${control}~\n${s.body.split('~').filter((x) => x.trim()).map((x) => x + '~\n').join('')}SE*${n}*${control}~\n`;
    }
    out += `GE*${g.sets.length}*${g.control}~\n`;
  }
  return out + `IEA*${groups.length}*${ic}~\n`;
}

const ack997 = (functionalId: string, group: string, sets: Array<{ id: string; control: string }>, status: 'A' | 'R' = 'A') =>
  `AK1*${functionalId}*${group}~` + sets.map((s) => `AK2*${s.id}*${s.control}~${status === 'R' ? 'AK3*W01*6**8~AK4*1**6*abc~' : ''}AK5*${status}${status === 'R' ? '*5' : ''}~`).join('') +
  `AK9*${status}*${sets.length}*${sets.length}*${status === 'A' ? sets.length : 0}~`;

describe('X12 end to end: ERP <-> 3PL through 940/945, 943/944, 846 and 997s', () => {
  let dir: string;
  let hub: Hub;
  let api: ApiServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sshd: SshServer | undefined;
  let partnerIn: string;
  let partnerOut: string;
  const post = (doc: unknown) => fetch(`${api.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  const get = async (path: string) => (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } })).json() as Promise<{ items: Array<Record<string, any>> }>;
  let drop = 0;
  const deliverFromPartner = (text: string) => writeFileSync(join(partnerOut, `from-3pl-${++drop}.edi`), text, 'latin1');
  const bodies = (type: string) => receiver.received.map((r) => JSON.parse(r.body.toString())).filter((d) => d.type === type);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-x12-e2e-'));
    const noSshd = await sshdUnavailable();
    if (!noSshd) sshd = await startSshd();
    // The SFTP server's files are on this machine, so the test plays the 3PL by writing and reading them directly.
    const root = sshd ? sshd.root : join(dir, '3pl');
    partnerIn = join(root, 'in');
    partnerOut = join(root, 'out');
    mkdirSync(partnerOut, { recursive: true });
    mkdirSync(partnerIn, { recursive: true });
    const login = sshd ? `host: ${sshd.host}, port: ${sshd.port}, username: ${sshd.username}, privateKeyPath: ${sshd.privateKeyPath}, hostKey: "${sshd.hostKeyFingerprint}"` : '';
    const thirdParty = sshd
      ? `  3pl-out: { type: sftp, ${login}, remoteOutbox: ${partnerIn}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: sftp, ${login}, remoteInbox: ${partnerOut}, pollIntervalMs: 100, codec: x12, codecOptions: { partner: acme-3pl } }`
      : `  3pl-out: { type: folder, outbox: ${partnerIn}, fileExtension: .edi, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ${partnerOut}, minAgeMs: 0, codec: x12, codecOptions: { partner: acme-3pl } }`;
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
api: { keys: [{ name: erp, tenant: acme, key: ${KEY} }] }
retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '940': outbound, '943': outbound, '945': inbound, '944': inbound, '846': inbound }
    acknowledgments: { endpoint: 3pl-out, deadline: 1h }
    duplicateWindow: 7d
  slow-3pl:
    ours: { id: CAUSEWAY }
    theirs: { id: SLOW3PL }
    acknowledgments: { send: false, deadline: 1s }
endpoints:
${thirdParty}
  slow-out: { type: folder, outbox: ${join(dir, 'slow', 'in')}, fileExtension: .edi, codec: x12, codecOptions: { partner: slow-3pl } }
  erp-drop: { type: folder, inbox: ${join(dir, 'erp-drop')}, minAgeMs: 0 }
  3pl-push: { type: http, codec: x12, codecOptions: { partner: acme-3pl } }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/erp, secret: "whsec_${Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64')}" }
flows:
  - { name: orders-to-3pl, from: [api], types: [sales_order, purchase_order], to: 3pl-out }
  - { name: orders-to-slow, from: [erp-drop], types: [sales_order], to: slow-out }
  - { name: warehouse-to-erp, from: [3pl-in, 3pl-push], types: [shipment, receipt, inventory_snapshot], to: erp-hook }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20, overdueCheckMs: 100 });
    api = await startApiServer(hub, { listen: '127.0.0.1:0' });
  });
  after(async () => {
    await api.close();
    await hub.stop();
    await receiver.close();
    await sshd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  let order940: Written;

  it('writes an ERP sales order as a 940 in test mode and tracks its group', async () => {
    assert.equal((await post(salesOrder('SO-2001'))).status, 202);
    order940 = await waitFor(() => readOutbox(partnerIn).find((w) => w.groups[0]?.functionalId === 'OW'), 10_000, '940 in the 3PL inbox');
    assert.deepEqual(order940.isa.slice(0, 3), ['CAUSEWAY', 'ACME3PL', 'T'], 'ISA06, ISA08 and ISA15 from the profile');
    assert.equal(order940.groups[0]!.sets[0]!.id, '940');
    assert.match(order940.groups[0]!.sets[0]!.body, /^W05\*N\*SO-2001/);
    const [doc] = [...decodeX12(order940.text, { tenant: 'acme', endpoint: 't', receivedAt: new Date().toISOString() })].flatMap((i) => (i.kind === 'set' ? i.documents : []));
    assert.equal((doc as { orderNumber: string }).orderNumber, 'SO-2001');
    const groups = await get('/v1/edi/groups?status=sent');
    assert.equal(groups.items.length, 1);
    assert.equal(groups.items[0]!.groupControlNumber, order940.groups[0]!.control);
    assert.deepEqual(groups.items[0]!.sets, [{ id: '940', controlNumber: order940.groups[0]!.sets[0]!.control }]);
    assert.ok(Date.parse(groups.items[0]!.deadlineAt) > Date.now() + 50 * 60_000, 'deadline one hour out');
  });

  it('takes the 3PL\'s 997 and 945: the group is accepted, the shipment reaches the ERP, our 997 answers the 945', async () => {
    const g = order940.groups[0]!;
    deliverFromPartner(fromPartner(501, [
      { functionalId: 'FA', control: 9001, sets: [{ id: '997', body: ack997('OW', g.control, [{ id: '940', control: g.sets[0]!.control }]) }] },
      { functionalId: 'SW', control: 9002, sets: [{ id: '945', body: 'W06*F*SO-2001*20261122*SHP-2001~N1*WH**9*AMS1~W27*U*UPSN*GROUND~LX*1~MAN*CP*1Z999AA10123456784~W12*CC*1*1**EA**VN*SKU-1*L24-07~N9*LI*1~W03*1~' }] },
    ]));
    const shipment = await waitFor(() => bodies('shipment')[0], 10_000, 'shipment at the ERP');
    assert.equal(shipment.orderNumber, 'SO-2001');
    assert.equal(shipment.entityKey, 'order:SO-2001');
    assert.equal(shipment.lines[0].lots[0].lot, 'L24-07');
    const group = await waitFor(async () => (await get('/v1/edi/groups?status=accepted')).items[0], 5000, 'group accepted');
    assert.equal(group.groupControlNumber, g.control);
    const ours = await waitFor(() => readOutbox(partnerIn).find((w) => w.groups[0]?.functionalId === 'FA' && w.text.includes('AK1*SW*9002')), 5000, 'our 997 for the 945');
    assert.match(ours.groups[0]!.sets[0]!.body, /AK2\*945\*0102~AK5\*A~AK9\*A\*1\*1\*1$/);
    assert.equal((await get('/v1/edi/groups?status=sent')).items.length, 0, 'acknowledgments themselves are not tracked');
  });

  let order943: Written;

  it('943 out for expected inbound, 944 receipt back to the ERP', async () => {
    const po = { type: 'purchase_order', kind: 'transfer', poNumber: 'TR-300', facility: 'RNO1', expectedDate: '2026-12-04', lines: [{ lineNumber: '1', sku: 'SKU-BOX', quantity: '120', uom: 'CS' }] };
    const res = await post(po);
    assert.equal(res.status, 202, await res.text());
    order943 = await waitFor(() => readOutbox(partnerIn).find((w) => w.groups[0]?.functionalId === 'AR'), 10_000, '943 in the 3PL inbox');
    assert.match(order943.groups[0]!.sets[0]!.body, /W06\*J\*TR-300/);
    deliverFromPartner(fromPartner(502, [{ functionalId: 'RE', control: 9003, sets: [{ id: '944', body: 'W17*F*20261204*RCV-12*TR-300~N1*WH**9*RNO1~W07*118*CS**VN*SKU-BOX*B7~N9*LI*1~QTY*38*120*CS~W13*2*CS*01**DM~W14*120~' }] }]));
    const receipt = await waitFor(() => bodies('receipt')[0], 10_000, 'receipt at the ERP');
    assert.deepEqual([receipt.receiptNumber, receipt.poNumber, receipt.lines[0].quantity, receipt.lines[0].damagedQuantity], ['RCV-12', 'TR-300', '118', '2']);
  });

  it('846 -> inventory snapshot at the ERP; the same interchange sent again is not applied twice but answered', async () => {
    const body846 = 'BIA*00*DD*INV-1*20261122*2300~N1*WH**9*AMS1~LIN*1*VN*SKU-1~QTY*17*40*EA~QTY*QC*4*EA~QTY*33*36*EA~CTT*1~';
    deliverFromPartner(fromPartner(503, [{ functionalId: 'IB', control: 9004, sets: [{ id: '846', body: body846 }] }], '1300'));
    const snap = await waitFor(() => bodies('inventory_snapshot')[0], 10_000, 'snapshot at the ERP');
    assert.deepEqual(snap.positions[0], { sku: 'SKU-1', status: 'available', uom: 'EA', onHand: '40', allocated: '4', available: '36' });
    // Resent with the same ISA13 but prepared a minute later: other bytes, so only the X12 check can tell.
    deliverFromPartner(fromPartner(503, [{ functionalId: 'IB', control: 9004, sets: [{ id: '846', body: body846 }] }], '1301'));
    const dup = await waitFor(async () => (await get('/v1/edi/duplicates')).items.find((d) => d.kind === 'interchange'), 10_000, 'duplicate recorded');
    assert.equal(dup.key, 'ZZ:ACME3PL:000000503');
    assert.equal(dup.count, 2);
    const answers = await waitFor(() => {
      const a = readOutbox(partnerIn).filter((w) => w.text.includes('AK1*IB*9004'));
      return a.length === 2 ? a : undefined;
    }, 5000, 'both copies answered');
    assert.equal(answers.length, 2);
    const messages = await hub.store.listMessages({ tenant: 'acme', endpoint: '3pl-in' });
    const copy = messages.find((m) => m.errors.some((e) => e.code === 'X12_DUPLICATE_INTERCHANGE'));
    assert.ok(copy, 'the duplicate is visible on its message');
    // The copy's answer went out, so its outcome is committed with every delivery it will ever have.
    const lineage = await hub.store.lineage('acme', copy.id);
    assert.deepEqual(lineage!.deliveries.map((d) => d.endpoint), ['3pl-out'], 'the copy is answered and goes nowhere else');
    assert.equal((await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp-hook', type: 'inventory_snapshot' })).length, 1);
    assert.equal(bodies('inventory_snapshot').length, 1, 'not delivered twice');
  });

  it('a group or interchange with a broken envelope is not applied: quarantined with its error, answered 997 R or TA1 R', async () => {
    const body945 = 'W06*F*SO-2002*20261122*SHP-2002~N1*WH**9*AMS1~W27*U*UPSN*GROUND~LX*1~W12*CC*1*1**EA**VN*SKU-1~N9*LI*1~W03*1~';
    // GE01 says 5 sets where there is 1: the group is rejected.
    deliverFromPartner(fromPartner(505, [{ functionalId: 'SW', control: 9006, sets: [{ id: '945', body: body945 }] }]).replace('GE*1*9006', 'GE*5*9006'));
    const ak = await waitFor(() => readOutbox(partnerIn).find((w) => w.text.includes('AK1*SW*9006')), 10_000, 'our 997 for the rejected group');
    assert.match(ak.groups[0]!.sets[0]!.body, /AK2\*945\*0101~AK5\*A~AK9\*R\*5\*1\*0\*5$/);
    // IEA02 does not close ISA13: the interchange is rejected and answered with a TA1 alone.
    deliverFromPartner(fromPartner(506, [{ functionalId: 'SW', control: 9007, sets: [{ id: '945', body: body945 }] }]).replace('IEA*1*000000506', 'IEA*1*000000507'));
    const ta1 = await waitFor(() => readOutbox(partnerIn).find((w) => w.text.includes('TA1*000000506')), 10_000, 'our TA1 for the rejected interchange');
    assert.match(ta1.text, /TA1\*000000506\*261122\*1200\*R\*001~/);
    assert.deepEqual(ta1.groups, []);
    const messages = await hub.store.listMessages({ tenant: 'acme', endpoint: '3pl-in' });
    for (const [code, isa13] of [['X12_GE_COUNT', '000000505'], ['X12_IEA_CONTROL', '000000506']] as const) {
      const m = messages.find((x) => x.errors.some((e) => e.code === code));
      assert.ok(m, `the message with ${code}`);
      assert.match(m.errors.find((e) => e.code === code)!.message, /is rejected: none of its/);
      const lineage = await hub.store.lineage('acme', m.id);
      assert.deepEqual(lineage!.documents.map((d) => d.type), ['acknowledgment'], `${isa13}: only our acknowledgment is kept`);
      assert.deepEqual(lineage!.deliveries.map((d) => d.endpoint), ['3pl-out'], `${isa13}: answered, delivered nowhere else`);
    }
    const dead = await get('/v1/dead-letters');
    assert.ok(dead.items.some((d) => d.kind === 'message' && /GE01 says the group has 5 .*Group #9006 is rejected/.test(d.reason)), 'the rejected group is in the dead letters');
    assert.ok(dead.items.some((d) => d.kind === 'message' && /IEA02 is .*Interchange #000000506 is rejected/.test(d.reason)), 'the rejected interchange is in the dead letters');
    // Posted to the API, the same: stored (202), then the group is rejected and nothing applied.
    const pushed = await fetch(`${api.url}/v1/endpoints/3pl-push/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/edi-x12' },
      body: fromPartner(507, [{ functionalId: 'SW', control: 9008, sets: [{ id: '945', body: body945 }] }]).replace('GE*1*9008', 'GE*1*9009'),
    });
    assert.equal(pushed.status, 202, await pushed.clone().text());
    const { messageId } = await pushed.json() as { messageId: number };
    await waitFor(() => readOutbox(partnerIn).find((w) => w.text.includes('AK1*SW*9008')), 10_000, 'our 997 for the posted group');
    const posted = await waitFor(async () => {
      const m = (await hub.store.listMessages({ tenant: 'acme', endpoint: '3pl-push' })).find((x) => x.id === messageId);
      return m && m.status !== 'pending' ? m : undefined;
    }, 10_000, 'the posted message processed');
    assert.deepEqual(posted.errors.map((e) => e.code), ['X12_GE_CONTROL']);
    assert.deepEqual((await hub.store.lineage('acme', messageId))!.deliveries.map((d) => d.endpoint), ['3pl-out']);
    assert.equal(bodies('shipment').filter((b) => b.orderNumber === 'SO-2002').length, 0, 'nothing reached the ERP');
    assert.equal((await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'erp-hook', type: 'shipment' })).length, 1, 'only the earlier, good 945');
  });

  it('a rejected 997 marks the group rejected and raises an alert', async () => {
    const g = order943.groups[0]!;
    deliverFromPartner(fromPartner(504, [{ functionalId: 'FA', control: 9005, sets: [{ id: '997', body: ack997('AR', g.control, [{ id: '943', control: g.sets[0]!.control }], 'R') }] }]));
    const group = await waitFor(async () => (await get('/v1/edi/groups?status=rejected')).items[0], 10_000, 'group rejected');
    assert.equal(group.groupControlNumber, g.control);
    assert.equal(group.acknowledgment.sets[0].errors[0].code, 'AK3-8');
    assert.equal(group.acknowledgment.sets[0].errors[1].badValue, 'abc');
    const alerts = await get('/v1/alerts?kind=x12_rejected');
    assert.equal(alerts.items.length, 1);
    assert.match(alerts.items[0]!.message, /acme-3pl answered group .* with rejected: 943 #\d+ rejected \(AK3-8, AK4-6, AK5-5\)/);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    assert.match(metrics, /causeway_alerts_total\{tenant="acme",kind="x12_rejected"\} 1/);
  });

  it('a group nobody acknowledges is marked overdue and alerted', async () => {
    mkdirSync(join(dir, 'erp-drop'), { recursive: true });
    writeFileSync(join(dir, 'erp-drop', 'so-3001.json'), JSON.stringify(salesOrder('SO-3001')));
    const group = await waitFor(async () => (await get('/v1/edi/groups?status=overdue')).items[0], 10_000, 'group overdue');
    assert.equal(group.partner, 'slow-3pl');
    const alert = await waitFor(async () => (await get('/v1/alerts?kind=x12_overdue')).items[0], 5000, 'overdue alert');
    assert.match(alert.message, /slow-3pl has not acknowledged group/);
  });
});
