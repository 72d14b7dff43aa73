// Mutated inputs never throw or hang the decoder: each yields documents or positioned errors.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { contrlFor, decodeEdifact, decodeEdifactStream } from '../../src/edi/edifact/index.ts';
import { sampleFolder } from '../support/samples.ts';
import { seededRandom } from '../support/seed.ts';
import { ctx, interchange, plain } from './edifact-helpers.ts';

const generated = [
  interchange([{ type: 'ORDERS', body: "BGM+220+SO-1+9'DTM+137:20260301:102'NAD+BY+4012345000016::9'NAD+SU+4012345000009::9'NAD+DP+++Dock?+4+Road+Town++1+DE'TDT+20++30++UPSN::182'LIN+1++4012345678901:SRV'PIA+1+MUG:SA'IMD+F++:::Red mug'QTY+21:12:PCE'PRI+AAA:3.5'UNS+S'CNT+2:1'", association: 'EAN008' }], { una: true }),
  interchange([{ type: 'DESADV', body: "BGM+351+D-1+9'DTM+11:202603041620:203'RFF+ON:SO-1'NAD+SF+DC1'CPS+1'PAC+2'MEA+PD+AAD+KGM:300'CPS+2+1'PAC+1'PCI+33E'GIN+BJ+340123450000000017'LIN+1++MUG:SA'PIA+1+A1:NB'QTY+12:6:PCE'DTM+361:20270131:102'GIN+BN+S1:S2'QVR+-4:21+BP'CNT+2:1'" }], { syntax: 'UNOC:4' }),
  interchange([{ type: 'RECADV', body: "BGM+632+R-1+9'DTM+50:20260304:102'RFF+ON:PO-5'NAD+DP+DC1'LIN+1++MUG:SA'QTY+194:95:PCE'QTY+195:5:PCE'DTM+361:20270630:102'" }]),
  interchange([{ type: 'INVRPT', body: "BGM+35+I-1+9'DTM+137:20260301:102'NAD+WH+DC1'LIN+1++MUG:SA'PIA+1+A1:NB'QTY+145:40:PCE'QTY+66:12:PCE'QTY+124:2:PCE'" }], { syntax: 'UNOY:4' }),
  interchange([{ type: 'CONTRL', body: "UCI+77+A:14+B:14+7'UCM+1+ORDERS:D:96A:UN+4'UCS+5+12'UCD+12+1:2'" }]),
  interchange([{ type: 'APERAK', body: "BGM+313+AP-1+9+RE'RFF+ACW:1'ERC+SKU'FTX+AAO+++Unknown SKU'" }]).replaceAll("'", "'\r\n"),
  "UNA=*.? ~UNB*UNOB=3*S*R*260301=0930*9~UNG*ORDERS*S*R*260301=0930*5*UN*D=96A~UNH*1*ORDERS=D=96A=UN~BGM*220*X*9~LIN*1**A=SA~QTY*21=1~UNT*5*1~UNE*1*5~UNZ*1*9~",
];

function seeds(): string[] {
  const { dir, missing } = sampleFolder('edifact');
  if (missing || !existsSync(dir)) return generated;
  return generated.concat(readdirSync(dir).filter((f) => f.endsWith('.edi')).map((f) => readFileSync(join(dir, f)).toString('latin1')));
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * s.length);
    switch (Math.floor(rnd() * 6)) {
      case 0: // any byte, service characters included
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
      case 4: // a release character, a line break or a BOM where data was
        s = s.slice(0, at) + ['?', '\n', '\u00ef\u00bb\u00bf', '\r\n'][Math.floor(rnd() * 4)] + s.slice(at + 1);
        break;
      default: // swap in a service character
        s = s.slice(0, at) + "+:'*?="[Math.floor(rnd() * 6)] + s.slice(at + 1);
    }
  }
  return s;
}

test('10,000 mutated interchanges: no throw, no hang, documents or positioned errors, and a CONTRL for each', (t) => {
  const rnd = seededRandom(t);
  const inputs = seeds();
  const started = Date.now();
  let documents = 0;
  let errors = 0;
  for (let n = 0; n < 10_000; n++) {
    const input = mutate(inputs[n % inputs.length]!, rnd);
    let produced = 0;
    try {
      for (const it of decodeEdifact(Buffer.from(input, 'latin1'), ctx)) {
        produced++;
        if (it.kind === 'message') {
          documents += it.documents.length;
          for (const e of it.errors) {
            errors++;
            assert.equal(typeof e.code, 'string');
            assert.ok(e.message.length > 10);
            assert.ok(e.position.message !== undefined, `unpositioned ${e.code}`);
            assert.ok(e.position.segmentPosition !== undefined || e.position.segmentTag !== undefined || e.position.offset !== undefined, `no segment for ${e.code}`);
          }
        } else if (it.kind === 'error') {
          errors++;
          assert.ok(it.error.position.offset !== undefined, `unplaced ${it.error.code}`);
        } else if ('errors' in it) {
          for (const e of it.errors) {
            errors++;
            assert.ok(e.position.interchange !== undefined || e.position.offset !== undefined, `unpositioned ${e.code}`);
          }
          if (it.kind === 'interchange-end') {
            const c = contrlFor(it.verdict);
            assert.equal(c.message.segments[0]![0], 'UCI');
          }
        }
      }
    } catch (e) {
      assert.fail(`mutation ${n} threw ${(e as Error).stack}\n${JSON.stringify(input)}`);
    }
    assert.ok(produced > 0 || /^[\s\x00\u00ef\u00bb\u00bf]*$/.test(input), `mutation ${n} yielded nothing: ${JSON.stringify(input)}`);
  }
  // Most seeds from the sample folder are broken on purpose, and most edits break a count or a structure.
  assert.ok(documents > 300, `some mutations keep documents (${documents})`);
  assert.ok(errors > 1000, `most mutations give errors (${errors})`);
  assert.ok(Date.now() - started < 60_000, 'under a minute');
});

test('mutated interchanges streamed in odd chunks behave like in memory', async (t) => {
  const rnd = seededRandom(t);
  const inputs = seeds();
  for (let n = 0; n < 300; n++) {
    const input = mutate(inputs[n % inputs.length]!, rnd);
    const whole = [...decodeEdifact(Buffer.from(input, 'latin1'), ctx)];
    const bytes = Buffer.from(input, 'latin1');
    const size = 1 + (n % 13);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const streamed = [];
    for await (const it of decodeEdifactStream(Readable.from(chunks), ctx)) streamed.push(it);
    assert.deepEqual(plain(streamed), plain(whole), JSON.stringify(input));
  }
});
