// The EDIFACT codec read in parts, as the engine reads a large stored message: the parts together
// are the whole message read at once, a part ends where an interchange closes (its UNZ checked, its
// CONTRL drafted), and an interchange larger than the hold is cut into parts of that size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEdifactMessage, decodeEdifactParts } from '../../src/codecs/edifact/index.ts';
import type { Acknowledgment } from '../../src/model/index.ts';
import { seededRandom } from '../support/seed.ts';
import { interchange } from '../edi/edifact-helpers.ts';

const order = (n: number, bad = false) => ({ type: 'ORDERS', body: `BGM+220+SO${n}+9'NAD+ST+++Dock+Street 1+City'LIN+1++MUG:SA'QTY+21:${bad ? 'x' : '1'}'` });
function orders(reference: number, count: number, first: number, broken?: number): string {
  return interchange(Array.from({ length: count }, (_, i) => order(first + i, first + i === broken)), { reference: String(reference) });
}

/** The bytes in pieces of random sizes, as chunks of a stored message or a file arrive. */
async function* pieces(bytes: Buffer, random: () => number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(random() * 3000);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

const ctx = { tenant: 'acme', endpoint: 'retailer-orders', options: { receivedAt: '2026-03-01T00:00:00Z' } };
const numbers = (docs: Array<Record<string, unknown>>) => docs.filter((d) => d.type === 'sales_order').map((d) => d.orderNumber);
async function partsOf(body: Buffer, random: () => number, c: Parameters<typeof decodeEdifactParts>[1] = ctx, hold?: number) {
  const parts = [];
  for await (const p of decodeEdifactParts(pieces(body, random), c, hold)) parts.push(p);
  return parts;
}

describe('EDIFACT codec read in parts', () => {
  it('gives the documents, envelopes, errors and CONTRLs of the whole message, one part per interchange, nothing of a rejected interchange', async (t) => {
    const random = seededRandom(t);
    const withContrl = {
      ...ctx,
      options: {
        ...ctx.options, partner: 'retailer',
        partnerProfiles: { retailer: { ours: { id: 'RECEIVER', qualifier: '14' }, theirs: { id: 'SENDER', qualifier: '14' }, acknowledgments: { contrl: { send: true, requireRequest: false } } } },
      },
    };
    // Interchange 2 has a broken message (rejected alone); interchange 3's UNZ names another reference (rejected whole).
    const body = Buffer.from(orders(1, 7, 1) + orders(2, 5, 8, 10) + orders(3, 4, 13).replace("UNZ+4+3'", "UNZ+4+99'"), 'latin1');
    const whole = decodeEdifactMessage(body, withContrl);
    const parts = await partsOf(body, random, withContrl);
    assert.deepEqual(parts.map((p) => numbers(p.documents)), [['SO1', 'SO2', 'SO3', 'SO4', 'SO5', 'SO6', 'SO7'], ['SO8', 'SO9', 'SO11', 'SO12'], []]);
    const contrls = parts.map((p) => (p.documents.filter((d) => d.type === 'acknowledgment') as unknown as Acknowledgment[]).map((a) => a.status));
    assert.deepEqual(contrls, [['accepted'], ['partially_accepted'], ['rejected']], 'each part closes with the CONTRL of its interchange');
    assert.deepEqual(parts.flatMap((p) => p.documents), whole.documents);
    assert.deepEqual(parts.flatMap((p) => p.envelopes ?? []), whole.envelopes);
    assert.deepEqual(parts.flatMap((p) => p.errors), whole.errors);
    assert.deepEqual(parts.map((p) => p.errors.length > 0), [false, true, true]);
  });

  it('cuts an interchange larger than the hold into parts of that size, in order', async (t) => {
    const parts = await partsOf(Buffer.from(orders(1, 11, 1), 'latin1'), seededRandom(t), ctx, 4);
    assert.deepEqual(parts.map((p) => p.documents.length), [4, 4, 3]);
    assert.deepEqual(numbers(parts.flatMap((p) => p.documents)), Array.from({ length: 11 }, (_, i) => `SO${i + 1}`));
  });

  it('says so when a rejected interchange was too large to hold back whole', async (t) => {
    const body = Buffer.from(orders(1, 11, 1).replace("UNZ+11+1'", "UNZ+12+1'"), 'latin1');
    const parts = await partsOf(body, seededRandom(t), ctx, 4);
    assert.deepEqual(parts.map((p) => p.documents.length), [4, 4, 0], 'what went out before the limit stays out; the rest of the rejected interchange does not');
    assert.deepEqual(parts.flatMap((p) => p.errors).map((e) => e.code), ['EDIFACT_UNZ_COUNT', 'EDIFACT_INTERCHANGE_SPILLED']);
    assert.match(parts[2]!.errors[1]!.message, /too large to hold until its UNZ: what was read before the limit was applied/);
  });

  it('gives the same parts for the same bytes however they are cut (a worker taking over skips by part)', async (t) => {
    const random = seededRandom(t);
    const body = Buffer.from(orders(1, 6, 1) + orders(2, 6, 7), 'latin1');
    const run = async () => (await partsOf(body, random, ctx, 4)).map((p) => numbers(p.documents));
    const first = await run();
    assert.deepEqual(first, [['SO1', 'SO2', 'SO3', 'SO4'], ['SO5', 'SO6'], ['SO7', 'SO8', 'SO9', 'SO10'], ['SO11', 'SO12']]);
    assert.deepEqual(await run(), first);
  });
});
