// The x12 codec with partner profiles: what the pipeline sees of a file and what it writes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeX12Message, encodeX12Document, type X12Meta } from '../../src/codecs/x12/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { readX12 } from '../../src/edi/x12/index.ts';
import { CausewayFault } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { sampleFolder } from '../support/samples.ts';
import { envelope } from './x12-helpers.ts';

const partners = (over = '') => parseConfig(`
partners:
  wh:
    ours: { qualifier: ZZ, id: WAREHOUSE }
    theirs: { qualifier: ZZ, id: DEPOSITOR }
    usage: T
    sets: { '940': inbound, '945': outbound }
    codeTables: { units: { EA: PC }, facilities: { PDX1: '0001' } }
    acknowledgments: { send: true }
${over}`, '/tmp').config.partners;

const ctx = (p = partners(), partner = 'wh') => ({ tenant: 'acme', endpoint: 'wh-in', options: { partner, partnerProfiles: p } });
const T940 = 'W05*N*SO-1~N1*ST*Jane~N3*1 Road~N4*Town**97201*US~N1*WH**9*0001~LX*1~W01*2*PC**VN*SKU-1~';

test('profiles are checked at start, each fault with its path', () => {
  assert.throws(() => partners(`  bad:
    ours: { qualifier: Z, id: US }
    theirs: { id: THEM }
    version: '003050'
    sets: { '999x': outbound }
    acknowledgments: { deadline: soon }`), (e: CausewayFault) => {
    assert.deepEqual(e.errors.map((x) => x.path).sort(), [
      '$.partners.bad.acknowledgments.deadline', '$.partners.bad.ours.qualifier', '$.partners.bad.sets.999x', '$.partners.bad.version',
    ]);
    return true;
  });
  // Checks across fields run once the fields themselves are right.
  assert.throws(() => partners(`  bad:
    ours: { id: US }
    theirs: { id: THEM }
    delimiters: { element: '*', component: '*' }
    sets: { '810': inbound }
    acknowledgments: { set: '999' }`), (e: CausewayFault) => {
    assert.deepEqual(e.errors.map((x) => [x.path, x.message]).sort(), [
      ['$.partners.bad.acknowledgments.set', 'a 999 acknowledges 005010 groups; a 004010 partner gets 997s'],
      ['$.partners.bad.delimiters', 'the element and component separators are both "*"'],
      ['$.partners.bad.sets.810', 'Causeway does not speak set 810 (846, 850, 856, 940, 943, 944, 945, 947, 997, 999)'],
    ]);
    return true;
  });
});

test('decodes set by set: a bad set is rejected alone, the 997 says which segment and element, code tables read back', () => {
  const text = envelope('OW', [{ id: '940', body: T940 }, { id: '940', body: T940.replace('W01*2*', 'W01*abc*') }]);
  const { documents, errors } = decodeX12Message(Buffer.from(text), ctx());
  const orders = documents.filter((d) => d.type === 'sales_order') as Array<Record<string, any>>;
  assert.equal(orders.length, 1);
  assert.equal(orders[0]!.lines[0].uom, 'EA', 'PC read back as EA');
  assert.equal(orders[0]!.facility, 'PDX1');
  assert.equal(orders[0]!.extensions.x12Envelope.partner, 'wh');
  // The dictionary rejects the bad W01 quantity before the set is read: reported once, on set 0002 only, with no misleading "no W01" after it.
  assert.deepEqual(errors.map((e) => [e.code, e.position?.set, e.position?.segmentPosition]), [['X12_ELEMENT_INVALID', '0002', 8]]);
  const ack = documents.find((d) => d.type === 'acknowledgment') as Record<string, any>;
  assert.equal(ack.status, 'partially_accepted');
  assert.deepEqual(ack.sets.map((s: any) => s.status), ['accepted', 'rejected']);
  assert.deepEqual(ack.sets[1].errors.map((e: any) => [e.code, e.segmentId, e.segmentPosition, e.elementPosition ?? null, e.badValue ?? null]), [
    ['AK3-8', 'W01', 8, null, null], ['AK4-6', 'W01', 8, 1, 'abc'], ['AK5-5', null, null, null, null],
  ].map(([c, s, p, el, b]) => [c, s ?? undefined, p ?? undefined, el, b]));
  assert.deepEqual(ack.extensions.x12Ack, { partner: 'wh', set: '997', interchange: '000000905', senderQualifier: 'ZZ', senderId: 'DEPOSITOR' });
});

test('what the decoder knows of each document rides beside it: the extensions are a copy for people', () => {
  const { documents, envelopes } = decodeX12Message(Buffer.from(envelope('OW', [{ id: '940', body: T940 }])), ctx());
  assert.deepEqual(documents.map((d) => d.type), ['sales_order', 'acknowledgment']);
  assert.deepEqual(envelopes!.map((e) => e?.kind), ['set', 'owed-ack']);
  const [set, owed] = envelopes as [Extract<X12Meta, { kind: 'set' }>, Extract<X12Meta, { kind: 'owed-ack' }>];
  assert.deepEqual([set.envelope.partner, set.envelope.interchange, set.envelope.setId, set.envelope.set], ['wh', '000000905', '940', '0001']);
  assert.deepEqual(owed.ack, { partner: 'wh', set: '997', interchange: '000000905', senderQualifier: 'ZZ', senderId: 'DEPOSITOR' });
  const shown = (documents[0]!.extensions as { x12Envelope: Record<string, unknown> }).x12Envelope;
  assert.deepEqual(shown, set.envelope);
  assert.notEqual(shown, set.envelope, 'not the object the hooks read');
});

test('a set the profile does not take inbound is rejected with AK5 1; acknowledgments are not acknowledged', () => {
  const { documents, errors } = decodeX12Message(Buffer.from(envelope('SW', [{ id: '945', body: 'W06*F*SO-1*20260306*SHP-9~LX*1~W12*CC*1*1**EA**VN*S~' }])), ctx());
  assert.deepEqual(errors.map((e) => e.code), ['X12_SET_NOT_EXCHANGED']);
  const ack = documents.find((d) => d.type === 'acknowledgment') as Record<string, any>;
  assert.equal(ack.status, 'rejected');
  assert.equal(ack.sets[0].errors[0].code, 'AK5-1');
  const fa = decodeX12Message(Buffer.from(envelope('FA', [{ id: '997', body: 'AK1*OW*12~AK9*A*0*0*0~' }])), ctx(partners().wh ? { ...partners(), wh: { ...partners().wh!, sets: undefined } } : partners()));
  assert.deepEqual(fa.documents.map((d) => d.type), ['acknowledgment']);
  assert.equal((fa.documents[0] as { extensions?: Record<string, unknown> }).extensions?.x12Ack, undefined, 'the partner\'s 997, not one of ours');
});

test('a test interchange to a production profile is acknowledged, not applied; another sender is neither', () => {
  const prod = partners();
  prod.wh!.usage = 'P';
  const test = decodeX12Message(Buffer.from(envelope('OW', [{ id: '940', body: T940 }])), ctx(prod));
  assert.deepEqual(test.documents.map((d) => d.type), ['acknowledgment']);
  assert.deepEqual(test.errors.map((e) => e.code), ['X12_TEST_INTERCHANGE']);
  const other = decodeX12Message(Buffer.from(envelope('OW', [{ id: '940', body: T940 }]).replace('DEPOSITOR      ', 'STRANGER       ')), ctx());
  assert.deepEqual(other.documents, []);
  assert.deepEqual(other.errors.map((e) => e.code), ['X12_PARTNER_MISMATCH']);
});

test('writes with the profile: ids, usage, delimiters, code tables, control numbers from the store; 999 for 005010', async () => {
  const store = new SqliteStore({ path: ':memory:' });
  await store.migrate();
  const p = partners(`  five:
    ours: { id: US }
    theirs: { id: THEM }
    version: '005010'
    lineBreaks: false
    delimiters: { element: '|', component: ':', repetition: '^', segment: '~' }`);
  const shipment = { type: 'shipment', shipmentNumber: 'SH-1', orderNumber: 'SO-1', facility: 'PDX1', shippedAt: '2026-03-06T14:30:00Z', lines: [{ lineNumber: '1', sku: 'S', quantity: '1', uom: 'EA', lots: [] }] };
  const ectx = { tenant: 'acme', endpoint: 'wh-out', options: { partner: 'wh', partnerProfiles: p }, store };
  const a = await encodeX12Document(shipment, ectx);
  const b = await encodeX12Document(shipment, ectx);
  assert.match(a.text, /^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*WAREHOUSE {6}\*ZZ\*DEPOSITOR {6}\*\d{6}\*\d{4}\*U\*00401\*000000001\*0\*T\*>~/);
  assert.match(a.text, /W12\*CC\*\*1\*\*PC\*/);
  assert.match(a.text, /N1\*WH\*\*92\*0001~/);
  assert.deepEqual([a.written.interchangeControlNumber, b.written.interchangeControlNumber, b.written.groups[0]!.controlNumber], ['000000001', '000000002', '2']);
  await assert.rejects(encodeX12Document({ ...shipment, type: 'sales_order' }, ectx), (e: CausewayFault) => e.errors[0]!.code === 'DOC_INVALID' || e.errors[0]!.code === 'X12_SET_NOT_EXCHANGED');
  const ack = { type: 'acknowledgment', entityKey: 'ack:1', status: 'accepted', acknowledges: { functionalId: 'SH', groupControlNumber: '7', version: '005010' }, sets: [{ transactionSetId: '856', controlNumber: '0001', status: 'accepted' }] };
  const five = await encodeX12Document(ack, { ...ectx, options: { partner: 'five', partnerProfiles: p } });
  assert.match(five.text, /^ISA\|.*\|\^\|00501\|000000001\|0\|P\|:~GS\|FA\|US\|THEM\|\d{8}\|\d{4}\|1\|X\|005010X231~ST\|999\|0001\|005010X231~AK1\|SH\|7\|005010~AK2\|856\|0001~IK5\|A~AK9\|A\|1\|1\|1~/);
  assert.equal([...readX12(five.text)].filter((i) => i.kind === 'set')[0]!.kind, 'set');
  await store.close();
});

test('causeway x12 inspect shows envelopes and exits 1 on errors', (t) => {
  const samples = sampleFolder('x12');
  if (samples.missing) {
    t.skip(samples.missing);
    return;
  }
  const bin = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
  const run = (file: string) => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [bin, 'x12', 'inspect', join(samples.dir, file)], { encoding: 'utf8' }) };
    } catch (e) {
      return { code: (e as { status: number }).status, out: (e as { stdout: string }).stdout };
    }
  };
  const good = run('940-multiple-interchanges-and-groups.edi');
  assert.equal(good.code, 0);
  assert.match(good.out, /interchange ISA13=000003438 from ZZ\/ABCDEFGHIJKLMNO/);
  assert.match(good.out, /set 940 ST02=0002: 5 segments/);
  assert.match(good.out, /2 interchange\(s\), 4 group\(s\), 6 set\(s\)/);
  const bad = run('bad-940-se01-count.edi');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /ERROR \[X12_SE_COUNT\] .* at position 9 in set 940 #20066/);
});
