// The X12 codec read in parts, as the engine reads a large stored message: the parts together are
// the whole message read at once, a part ends where an interchange closes, and an interchange larger
// than the hold is cut into parts of that size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeX12Message, decodeX12Parts } from '../../src/codecs/x12/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import type { Acknowledgment } from '../../src/model/index.ts';
import { seededRandom } from '../support/seed.ts';
import { set940 } from '../support/x12-files.ts';

function interchange(n: number, sets: number, first: number, broken?: number): string {
  const isa13 = String(n).padStart(9, '0');
  let out = `ISA*00*          *00*          *ZZ*DEPOSITOR      *ZZ*WAREHOUSE      *260301*1000*U*00401*${isa13}*0*P*>~\nGS*OW*DEPOSITOR*WAREHOUSE*20260301*1000*${n}*X*004010~\n`;
  for (let i = 0; i < sets; i++) out += set940(first + i, first + i === broken);
  return `${out}GE*${sets}*${n}~\nIEA*1*${isa13}~\n`;
}

/** The bytes in pieces of random sizes, as chunks of a stored message or a file arrive. */
async function* pieces(bytes: Buffer, random: () => number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(random() * 3000);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

const ctx = { tenant: 'acme', endpoint: 'wms-in', options: { receivedAt: '2026-03-01T00:00:00Z' } };
const orders = (docs: Array<Record<string, unknown>>) => docs.map((d) => d.orderNumber);

describe('X12 codec read in parts', () => {
  it('gives the documents and errors of the whole message, one part per interchange', async (t) => {
    const random = seededRandom(t);
    const body = Buffer.from(interchange(1, 7, 1) + interchange(2, 5, 8, 10) + interchange(3, 9, 13), 'latin1');
    const whole = decodeX12Message(body, ctx);
    const parts = [];
    for await (const p of decodeX12Parts(pieces(body, random), ctx)) parts.push(p);
    assert.deepEqual(parts.map((p) => p.documents.length), [7, 4, 9], 'the broken set of the second group has no document');
    assert.deepEqual(orders(parts.flatMap((p) => p.documents)), orders(whole.documents));
    assert.deepEqual(parts.flatMap((p) => p.errors).map((e) => e.message), whole.errors.map((e) => e.message));
    assert.equal(parts[1]!.errors.length, 1);
    assert.equal(parts[1]!.errors[0]!.position?.set, '00010');
  });

  it('holds every group of an interchange until its IEA is read', async (t) => {
    const random = seededRandom(t);
    const two = interchange(1, 3, 1).replace(/IEA\*1\*/, 'IEA*2*').replace('IEA*', `GS*OW*DEPOSITOR*WAREHOUSE*20260301*1000*9*X*004010~\n${set940(4)}GE*1*9~\nIEA*`);
    const parts = [];
    for await (const p of decodeX12Parts(pieces(Buffer.from(two + interchange(2, 2, 5), 'latin1'), random), ctx)) parts.push(p);
    assert.deepEqual(parts.map((p) => orders(p.documents)), [['SO1', 'SO2', 'SO3', 'SO4'], ['SO5', 'SO6']]);
    assert.deepEqual(parts.flatMap((p) => p.errors), []);
  });

  it('applies nothing of a rejected group or interchange, in parts as in the whole message, and drafts its 997 or TA1', async (t) => {
    const random = seededRandom(t);
    const partners = parseConfig(`
partners:
  depositor:
    ours: { qualifier: ZZ, id: WAREHOUSE }
    theirs: { qualifier: ZZ, id: DEPOSITOR }
    sets: { '940': inbound }
    acknowledgments: { send: true }
`, '/tmp').config.partners;
    const withAcks = { tenant: 'acme', endpoint: 'wms-in', options: { receivedAt: '2026-03-01T00:00:00Z', partner: 'depositor', partnerProfiles: partners } };
    // Interchange 1: a good group, then a group whose GE01 counts 5 sets for 2 (rejected whole).
    const badGroup = interchange(1, 3, 1).replace(/IEA\*1\*/, 'IEA*2*').replace('IEA*', `GS*OW*DEPOSITOR*WAREHOUSE*20260301*1000*9*X*004010~\n${set940(4)}${set940(5)}GE*5*9~\nIEA*`);
    // Interchange 3: its IEA names another control number (rejected whole, answered by a TA1 alone).
    const badInterchange = interchange(3, 2, 8).replace('IEA*1*000000003', 'IEA*1*000000099');
    const body = Buffer.from(badGroup + interchange(2, 2, 6) + badInterchange, 'latin1');
    const whole = decodeX12Message(body, withAcks);
    const parts = [];
    for await (const p of decodeX12Parts(pieces(body, random), withAcks)) parts.push(p);
    const applied = (docs: Array<Record<string, unknown>>) => docs.filter((d) => d.type !== 'acknowledgment');
    const acks = (docs: Array<Record<string, unknown>>) => (docs.filter((d) => d.type === 'acknowledgment') as unknown as Acknowledgment[]).map((a) => [a.kind, a.status]);
    assert.deepEqual(parts.map((p) => orders(applied(p.documents))), [['SO1', 'SO2', 'SO3'], ['SO6', 'SO7'], []], 'one part per interchange; nothing of a rejected group or interchange');
    assert.deepEqual(parts.map((p) => acks(p.documents)), [[['functional', 'accepted'], ['functional', 'rejected']], [['functional', 'accepted']], [['interchange', 'rejected']]]);
    assert.deepEqual(parts.flatMap((p) => p.documents), whole.documents);
    assert.deepEqual(parts.flatMap((p) => p.envelopes ?? []), whole.envelopes);
    assert.deepEqual(parts.flatMap((p) => p.errors), whole.errors);
    assert.deepEqual(parts.map((p) => p.errors.map((e) => e.code)), [['X12_GE_COUNT'], [], ['X12_IEA_CONTROL']]);
    assert.match(parts[0]!.errors[0]!.message, /Group #9 is rejected: none of its 2 sets \(940 #00004, 940 #00005\) was applied/);
  });

  it('cuts an interchange larger than the hold into parts of that size, in order', async (t) => {
    const random = seededRandom(t);
    const body = Buffer.from(interchange(1, 11, 1), 'latin1');
    const parts = [];
    for await (const p of decodeX12Parts(pieces(body, random), ctx, 4)) parts.push(p);
    assert.deepEqual(parts.map((p) => p.documents.length), [4, 4, 3]);
    assert.deepEqual(orders(parts.flatMap((p) => p.documents)), Array.from({ length: 11 }, (_, i) => `SO${i + 1}`));
  });

  it('says so when a rejected interchange was too large to hold back whole', async (t) => {
    const random = seededRandom(t);
    const body = Buffer.from(interchange(1, 11, 1).replace('GE*11*1~', 'GE*12*1~'), 'latin1');
    const parts = [];
    for await (const p of decodeX12Parts(pieces(body, random), ctx, 4)) parts.push(p);
    assert.deepEqual(parts.map((p) => p.documents.length), [4, 4, 0], 'what went out before the limit stays out; the rest of the rejected group does not');
    assert.deepEqual(parts.flatMap((p) => p.errors).map((e) => e.code), ['X12_GE_COUNT']);
    assert.match(parts[2]!.errors[0]!.message, /too large to hold until its trailer: what was read before the limit was applied/);
  });

  it('gives the same parts for the same bytes however they are cut (a worker taking over skips by part)', async (t) => {
    const random = seededRandom(t);
    const body = Buffer.from(interchange(1, 6, 1) + interchange(2, 6, 7), 'latin1');
    const run = async () => {
      const out = [];
      for await (const p of decodeX12Parts(pieces(body, random), ctx, 4)) out.push(orders(p.documents));
      return out;
    };
    assert.deepEqual(await run(), await run());
  });
});
