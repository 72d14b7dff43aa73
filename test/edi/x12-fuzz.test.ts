// Mutated inputs never throw or hang the decoder: each yields documents or positioned errors.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { decodeX12, decodeX12Stream } from '../../src/edi/x12/index.ts';
import { seededRandom } from '../support/seed.ts';
import { ctx, envelope, plain } from './x12-helpers.ts';

const seeds = [
  envelope('OW', [{ id: '940', body: 'W05*N*SO-1*PO-1~N1*ST*Jane~N3*1 Road~N4*Town*OR*97201*US~N1*WH**9*PDX1~G62*10*20260305~W66*PP*U***GROUND*****UPSN~LX*1~W01*2*EA**VN*SKU*UP*012345678905~G69*Mug~W76*2~' }]),
  envelope('SW', [{ id: '945', body: 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~G62*11*20260306*8*1430~W27*U*UPSN~LX*1~MAN*GM*00012345600000000017~W12*CC*2*2**EA**VN*SKU*L1~N9*LI*1~N9*SE*X~W03*2~' }]),
  envelope('SH', [{ id: '856', body: 'BSN*00*A1*20260302*0800*0001~HL*1**S~TD5**2*ODFL~N1*SF**92*F1~HL*2*1*O~PRF*PO-1~HL*3*2*P~MAN*GM*00012345600000000024~HL*4*3*I~LIN*1*VN*SKU~SN1**24*CS~' }]),
  envelope('IB', [{ id: '846', body: 'BIA*00*DD*R1*20260301*2300~N1*WH**9*PDX1~LIN*1*VN*SKU~QTY*17*40*EA~QTY*33*36*EA~CTT*1~' }], '005010'),
  envelope('FA', [{ id: '997', body: 'AK1*OW*1~AK2*940*0001~AK3*W01*6**8~AK4*1**1~AK5*R*5~AK9*R*1*1*0~' }]),
  envelope('RE', [{ id: '944', body: 'W17*F*20260304*R1*PO1~N1*WH**9*D1~W07*5*EA**VN*SKU~N9*LI*1~W13*1*EA*01**DM~W14*5~' }]).replaceAll('~', '~\r\n'),
];

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * s.length);
    switch (Math.floor(rnd() * 5)) {
      case 0: // flip a byte to any latin1 character, delimiters included
        s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1);
        break;
      case 1: // delete a run
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
        break;
      case 2: // duplicate a run
        s = s.slice(0, at) + s.slice(at, at + 1 + Math.floor(rnd() * 40)) + s.slice(at);
        break;
      case 3: // truncate
        s = s.slice(0, at);
        break;
      default: // swap in a delimiter where data was
        s = s.slice(0, at) + '*~>^\n'[Math.floor(rnd() * 5)] + s.slice(at + 1);
    }
  }
  return s;
}

test('10,000 mutated files: no throw, no hang, documents or positioned errors', (t) => {
  const rnd = seededRandom(t);
  const started = Date.now();
  let documents = 0;
  let errors = 0;
  for (let n = 0; n < 10_000; n++) {
    const input = mutate(seeds[n % seeds.length]!, rnd);
    let produced = 0;
    try {
      for (const it of decodeX12(input, ctx)) {
        produced++;
        if (it.kind === 'set') {
          documents += it.documents.length;
          for (const e of it.errors) {
            errors++;
            produced++;
            assert.equal(typeof e.code, 'string');
            assert.ok(e.message.length > 10);
            assert.ok(e.position.set !== undefined || e.position.offset !== undefined, `unpositioned ${e.code}`);
          }
          produced += it.documents.length;
        } else if (it.kind === 'error') {
          errors++;
          produced++;
          assert.ok(it.error.position.offset !== undefined);
        } else if ('errors' in it) {
          errors += it.errors.length;
          produced += it.errors.length;
        }
      }
    } catch (e) {
      assert.fail(`mutation ${n} threw ${String(e)}\n${JSON.stringify(input)}`);
    }
    // Only an input of nothing but padding may yield nothing at all.
    assert.ok(produced > 0 || /^[\s\x00\xef\xbb\xbf]*$/.test(input), `mutation ${n} yielded nothing: ${JSON.stringify(input)}`);
  }
  assert.ok(documents > 1000, `some mutations keep documents (${documents})`);
  assert.ok(errors > 1000, `most mutations give errors (${errors})`);
  assert.ok(Date.now() - started < 20_000, 'under 20 seconds');
});

test('mutated files streamed in odd chunks behave like in memory', async (t) => {
  const rnd = seededRandom(t);
  for (let n = 0; n < 300; n++) {
    const input = mutate(seeds[n % seeds.length]!, rnd);
    const whole = [...decodeX12(input, ctx)];
    const chunks: string[] = [];
    for (let i = 0; i < input.length; i += 1 + (n % 13)) chunks.push(input.slice(i, i + 1 + (n % 13)));
    const streamed = [];
    for await (const it of decodeX12Stream(Readable.from(chunks.map((c) => Buffer.from(c, 'latin1'))), ctx)) streamed.push(it);
    assert.deepEqual(plain(streamed), plain(whole), JSON.stringify(input));
  }
});
