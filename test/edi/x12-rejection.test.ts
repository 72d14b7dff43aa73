// What the acknowledgment says is what happens: a rejected set, group or interchange is never applied,
// its errors say so, and the partner is told exactly why (997/999 AK codes, TA1 note codes).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeX12Message, encodeX12Document } from '../../src/codecs/x12/index.ts';
import { decodeX12, encodeDocument, type DecodedSet } from '../../src/edi/x12/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import type { Acknowledgment } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { ctx as setCtx, envelope } from './x12-helpers.ts';

const partners = () => parseConfig(`
partners:
  wh:
    ours: { qualifier: ZZ, id: WAREHOUSE }
    theirs: { qualifier: ZZ, id: DEPOSITOR }
    usage: T
    sets: { '940': inbound, '945': outbound }
    acknowledgments: { send: true }
`, '/tmp').config.partners;

const ctx = () => ({ tenant: 'acme', endpoint: 'wh-in', options: { partner: 'wh', partnerProfiles: partners() } });
const T940 = 'W05*N*SO-1~N1*ST*Jane~N3*1 Road~N4*Town**97201*US~N1*WH**9*0001~W66*PP*M~LX*1~W01*2*EA**VN*SKU-1~';
const GOOD = envelope('OW', [{ id: '940', body: T940 }]);

function decode(text: string) {
  const { documents, errors } = decodeX12Message(Buffer.from(text, 'latin1'), ctx());
  const acks = documents.filter((d) => d.type === 'acknowledgment') as unknown as Acknowledgment[];
  return { applied: documents.filter((d) => d.type !== 'acknowledgment'), acks, errors };
}

async function write(ack: Acknowledgment): Promise<string> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.migrate();
  try {
    const { text } = await encodeX12Document(ack, { tenant: 'acme', endpoint: 'wh-acks', options: { partner: 'wh', partnerProfiles: partners() }, store });
    return text.replace(/\n/g, '');
  } finally {
    await store.close();
  }
}

test('a good interchange is applied and answered with a 997 only', () => {
  const { applied, acks, errors } = decode(GOOD);
  assert.deepEqual(errors, []);
  assert.deepEqual(applied.map((d) => d.type), ['sales_order']);
  assert.deepEqual(acks.map((a) => [a.kind, a.status]), [['functional', 'accepted']]);
});

test('a group whose trailer is wrong is rejected whole: nothing applied, the 997 says R with the count declared', async () => {
  for (const [name, text, code, ak9] of [
    ['GE01 count', GOOD.replace('GE*1*77', 'GE*5*77'), 'X12_GE_COUNT', 'AK9*R*5*1*0*5~'],
    ['GE02 control number', GOOD.replace('GE*1*77', 'GE*1*78'), 'X12_GE_CONTROL', 'AK9*R*1*1*0*4~'],
  ] as const) {
    const { applied, acks, errors } = decode(text);
    assert.deepEqual(applied, [], name);
    assert.deepEqual(errors.map((e) => e.code), [code], name);
    assert.match(errors[0]!.message, /Group #77 is rejected: none of its 1 set \(940 #0001\) was applied/, name);
    assert.deepEqual(acks.map((a) => [a.kind, a.status]), [['functional', 'rejected']], name);
    assert.match(await write(acks[0]!), new RegExp(`~AK1\\*OW\\*77~AK2\\*940\\*0001~AK5\\*A~${ak9.replace(/\*/g, '\\*')}`), name);
  }
});

test('an interchange whose envelope is broken is rejected whole and answered with a TA1 alone', async () => {
  for (const [name, text, codes, note] of [
    ['missing IEA', GOOD.replace('IEA*1*000000905~', ''), ['X12_IEA_MISSING'], '023'],
    ['IEA02 mismatch', GOOD.replace('IEA*1*000000905', 'IEA*1*000000906'), ['X12_IEA_CONTROL'], '001'],
    ['16-character ISA06', GOOD.replace('DEPOSITOR      ', 'DEPOSITOR       '), ['X12_ISA_WIDTH'], '006'],
    ['cut off before GE', GOOD.slice(0, GOOD.indexOf('GE*')), ['X12_GE_MISSING', 'X12_IEA_MISSING'], '023'],
  ] as const) {
    const { applied, acks, errors } = decode(text);
    assert.deepEqual(applied, [], name);
    assert.deepEqual(errors.map((e) => e.code), codes, name);
    assert.match(errors.map((e) => e.message).join('\n'), /is rejected: none of its/, name);
    assert.deepEqual(acks.map((a) => [a.kind, a.status, a.errors.map((e) => e.code)]), [['interchange', 'rejected', [`TA1-${note}`]]], name);
    const ta1 = await write(acks[0]!);
    assert.match(ta1, new RegExp(`^ISA\\*[^~]{101}~TA1\\*000000905\\*260301\\*1000\\*R\\*${note}~IEA\\*0\\*\\d{9}~$`), name);
  }
});

test('ISA14=1 asks for a TA1: an accepted interchange gets TA1 A 000 beside its 997', async () => {
  const asked = GOOD.replace('*000000905*0*T*', '*000000905*1*T*');
  const { applied, acks } = decode(asked);
  assert.deepEqual(applied.map((d) => d.type), ['sales_order']);
  assert.deepEqual(acks.map((a) => [a.kind, a.status]), [['functional', 'accepted'], ['interchange', 'accepted']]);
  assert.match(await write(acks[1]!), /~TA1\*000000905\*260301\*1000\*A\*000~/);
});

test('AK codes are exact: a bad date is AK403 8, a missing mandatory segment an AK3 naming it with AK304 3', async () => {
  const text = envelope('OW', [
    { id: '940', body: T940.replace('W66*PP*M~', 'G62*10*20261340~W66*PP*M~') },
    { id: '940', body: 'W05*N*SO-2~N1*ST*Jane~W66*PP*M~LX*1~' },
  ]);
  const { applied, acks } = decode(text);
  assert.deepEqual(applied, []);
  const [date, missing] = acks[0]!.sets;
  assert.deepEqual(date!.errors.map((e) => [e.code, e.segmentId, e.segmentPosition, e.elementPosition]), [
    ['AK3-8', 'G62', 7, undefined], ['AK4-8', 'G62', 7, 2], ['AK5-5', undefined, undefined, undefined],
  ]);
  assert.deepEqual(missing!.errors.map((e) => [e.code, e.segmentId, e.segmentPosition]), [['AK3-3', 'W01', 6], ['AK5-5', undefined, undefined]]);
  const written = await write(acks[0]!);
  assert.match(written, /~AK2\*940\*0001~AK3\*G62\*7\*\*8~AK4\*2\*373\*8\*20261340~AK5\*R\*5~AK2\*940\*0002~AK3\*W01\*6\*\*3~AK5\*R\*5~AK9\*R\*2\*2\*0~/);
});

test('a 004010 997 carries no AK103; a 005010 999 does', () => {
  const ack = (version: string) => ({
    type: 'acknowledgment', schemaVersion: 1, tenant: 'acme', id: 'a', source: { endpoint: 'x' }, occurredAt: '2026-03-01T00:00:00Z', receivedAt: '2026-03-01T00:00:00Z',
    entityKey: 'ack:x', references: [], kind: 'functional', status: 'accepted', acknowledges: { functionalId: 'OW', groupControlNumber: '77', version }, sets: [], errors: [],
  }) as unknown as Acknowledgment;
  assert.deepEqual(encodeDocument(ack('004010'), '997').segments[0], ['AK1', 'OW', '77', '']);
  assert.deepEqual(encodeDocument(ack('005010X231'), '999').segments[0], ['AK1', 'OW', '77', '005010X231']);
});

test('a partner\'s 997: AK3 notes belong to the AK2 they follow; AK902 is read as the count the group declared', () => {
  const text = envelope('FA', [{ id: '997', body: 'AK1*OW*12~AK2*940*0001~AK3*W01*8**8~AK4*1**6*x~AK5*R*5~AK2*940*0002~AK3*W05*2**8~AK4*2**1~AK5*R*5~AK9*P*3*2*0~' }]);
  const [set] = [...decodeX12(text, setCtx)].filter((i): i is DecodedSet => i.kind === 'set');
  const ack = set!.documents[0] as Acknowledgment;
  assert.equal(ack.acknowledges.declaredSets, 3);
  const notes = ack.sets[1]!.errors.map((e) => [e.segmentId, e.path]);
  assert.deepEqual(notes.slice(0, 2), [['W05', 'W05 at position 2'], ['W05', 'W05 at position 2, element 2']], 'the second set\'s notes are its own, not the first set\'s W01');
  // An AK4 with no AK3 before it in its AK2 is outside the 997's structure: the 997 is rejected, not read with a stray note.
  const stray = envelope('FA', [{ id: '997', body: 'AK1*OW*12~AK2*940*0001~AK3*W01*8**8~AK4*1**6*x~AK5*R*5~AK2*940*0002~AK4*2**1~AK5*R~AK9*P*3*2*0~' }]);
  const [bad] = [...decodeX12(stray, setCtx)].filter((i): i is DecodedSet => i.kind === 'set');
  assert.deepEqual(bad!.documents, []);
  assert.deepEqual(bad!.errors.map((e) => [e.code, e.position.segmentId, e.position.segmentPosition]), [['X12_SEGMENT_UNKNOWN', 'AK4', 8]]);
});

test('causeway decode exits 1 and prints no document of a rejected group; an empty file is an error', () => {
  const bin = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'cw-x12-'));
  const run = (text: string) => {
    const file = join(dir, `f${Math.random().toString(36).slice(2)}.edi`);
    writeFileSync(file, text, 'latin1');
    try {
      return { code: 0, out: execFileSync(process.execPath, [bin, 'decode', '--codec', 'x12', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), err: '' };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { code: x.status, out: x.stdout, err: x.stderr };
    }
  };
  assert.equal(run(GOOD).code, 0);
  const rejected = run(GOOD.replace('GE*1*77', 'GE*5*77'));
  assert.equal(rejected.code, 1);
  assert.equal(rejected.out, '');
  assert.match(rejected.err, /X12_GE_COUNT/);
  for (const blank of ['', '  \r\n\n']) {
    const r = run(blank);
    assert.equal(r.code, 1);
    assert.match(r.err, /X12_NO_ISA.*(empty|only blanks)/);
  }
});

test('causeway decode --warnings shows what goes through with a warning; x12 inspect | head -1 ends quietly', () => {
  const bin = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'cw-x12-'));
  const file = join(dir, 'no-ship-to.edi');
  writeFileSync(file, envelope('OW', Array.from({ length: 400 }, () => ({ id: '940', body: T940.replace('N1*ST*Jane~N3*1 Road~N4*Town**97201*US~', '') }))), 'latin1');
  const decode = (...flags: string[]) => spawnSync(process.execPath, [bin, 'decode', '--codec', 'x12', ...flags, file], { encoding: 'utf8' });
  const quiet = decode();
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stderr, '');
  const told = decode('--warnings');
  assert.equal(told.status, 0, 'a warning does not fail the file');
  assert.match(told.stderr, /^warning \[X12_SEGMENT_MISSING\] The 940 has no N1\*ST segment/m);
  assert.equal(told.stdout.trim().split('\n').length, 400);
  const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" x12 inspect "${file}" | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
  assert.equal(piped.stderr, '');
  assert.equal(piped.status, 0);
  assert.match(piped.stdout, /^interchange ISA13=000000905 /);
});
