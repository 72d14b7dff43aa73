// Delimiters, envelopes, streaming, TA1 and the generator.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readX12, readX12Stream, ta1For, writeInterchange, type X12Item } from '../../src/edi/x12/index.ts';
import { ctx, decodedSets, envelope, isa, items, plain } from './x12-helpers.ts';

const BODY_947 = 'W15*20260302*ADJ-5~N1*WH**9*PDX1~LX*1~W19*AA*-3*EA**VN*SKU-RED~';
const valid = envelope('AW', [{ id: '947', body: BODY_947 }]);

function errorCodes(list: X12Item[] | ReturnType<typeof items>): string[] {
  const out: string[] = [];
  for (const it of list) {
    if (it.kind === 'error') out.push(it.error.code);
    else if ('errors' in it) for (const e of it.errors) out.push(e.code);
  }
  return out;
}

test('a valid 004010 interchange has no errors, and the set keeps its envelope context', () => {
  const list = items(valid);
  assert.deepEqual(errorCodes(list), []);
  assert.deepEqual(list.map((i) => i.kind), ['interchange-start', 'group-start', 'set', 'group-end', 'interchange-end']);
  const set = decodedSets(valid)[0]!.set;
  assert.deepEqual([set.interchange.controlNumber, set.interchange.senderId, set.interchange.usage, set.group.controlNumber, set.group.functionalId, set.controlNumber], ['000000905', 'DEPOSITOR', 'T', '77', 'AW', '0001']);
  assert.equal(set.interchange.preparedAt, '2026-03-01T10:00:00');
});

test('delimiters come from the ISA: any element, component and terminator characters', () => {
  const odd = valid.replaceAll('*', '|').replaceAll('~', '\u0007').replace('|>\u0007', '|:\u0007');
  const [set] = decodedSets(odd);
  assert.equal(set!.accepted, true);
  assert.deepEqual(set!.set.interchange.delimiters, { element: '|', component: ':', repetition: null, segment: '\u0007' });
  assert.equal(set!.documents.length, 1);
});

test('a string may hold characters past latin1: one whose low byte is a separator (U+012A, low byte *) stays inside its element', () => {
  const text = valid.replace('N1*WH**9*PDX1~', 'N1*WH*\u012Aslington DC*9*PDX1~');
  const [set] = decodedSets(text);
  assert.equal(set!.accepted, true);
  assert.deepEqual(set!.set.segments[2]!.elements, ['N1', 'WH', '\u012Aslington DC', '9', 'PDX1']);
  // The same bytes as latin1 are another file: there the byte is a separator.
  assert.deepEqual(decodedSets(Buffer.from(text, 'latin1'))[0]!.set.segments[2]!.elements, ['N1', 'WH', '', 'slington DC', '9', 'PDX1']);
});

test('005010: ISA11 is the repetition separator; in 004010 the U is not', () => {
  const v5 = envelope('AW', [{ id: '947', body: BODY_947 }], '005010');
  assert.equal(decodedSets(v5)[0]!.set.interchange.delimiters.repetition, '^');
  assert.equal(decodedSets(valid)[0]!.set.interchange.delimiters.repetition, null);
});

test('CRLF, LF and trailing whitespace between segments are tolerated, and newline can be the terminator', () => {
  for (const text of [valid.replaceAll('~', '~\r\n'), valid.replaceAll('~', '~\n') + '\n\n  \t', valid.replaceAll('~', '\n'), valid.replaceAll('~', '\r\n'), valid.replaceAll('~', '   \n').replace('>   \n', '>\n')]) {
    const list = items(text);
    assert.deepEqual(errorCodes(list), [], JSON.stringify(text.slice(100, 160)));
    assert.equal(decodedSets(text)[0]!.documents.length, 1);
  }
});

test('a last segment without terminator at the end of the file is read', () => {
  assert.deepEqual(errorCodes(items(valid.slice(0, -1))), []);
});

test('SE01 counting wrong rejects the set with the position of SE', () => {
  const bad = valid.replace('SE*6*0001', 'SE*7*0001');
  const [set] = decodedSets(bad);
  assert.equal(set!.accepted, false);
  const e = set!.errors.find((x) => x.code === 'X12_SE_COUNT')!;
  assert.deepEqual([e.position.segmentId, e.position.segmentPosition, e.position.element, e.position.interchange, e.position.group, e.position.set], ['SE', 6, 1, '000000905', '77', '0001']);
  assert.equal(e.position.offset, bad.indexOf('SE*7'));
});

test('mismatched control numbers at all three levels are each reported', () => {
  const bad = valid.replace('SE*6*0001', 'SE*6*0002').replace('GE*1*77', 'GE*1*78').replace('IEA*1*000000905', 'IEA*1*000000906');
  assert.deepEqual(errorCodes(items(bad)).sort(), ['X12_GE_CONTROL', 'X12_IEA_CONTROL', 'X12_SE_CONTROL']);
});

test('GE01 and IEA01 counts are checked', () => {
  const bad = valid.replace('GE*1*77', 'GE*2*77').replace('IEA*1*', 'IEA*3*');
  assert.deepEqual(errorCodes(items(bad)).sort(), ['X12_GE_COUNT', 'X12_IEA_COUNT']);
});

test('missing IEA, GE and SE are reported where the input ends', () => {
  assert.deepEqual(errorCodes(items(valid.slice(0, valid.indexOf('IEA')))), ['X12_IEA_MISSING']);
  assert.deepEqual(errorCodes(items(valid.slice(0, valid.indexOf('~GE*') + 1))).sort(), ['X12_GE_MISSING', 'X12_IEA_MISSING']);
  const cut = items(valid.slice(0, valid.indexOf('~SE*') + 1));
  assert.deepEqual(errorCodes(cut).sort(), ['X12_GE_MISSING', 'X12_IEA_MISSING', 'X12_SE_MISSING']);
});

test('one bad set rejects only itself: its siblings in the group still give documents', () => {
  const text = envelope('AW', [{ id: '947', body: BODY_947 }, { id: '947', body: BODY_947.replace('W19*AA*-3', 'W19*AA*x3') }, { id: '947', body: BODY_947 }]);
  assert.deepEqual(decodedSets(text).map((s) => [s.accepted, s.documents.length]), [[true, 1], [false, 0], [true, 1]]);
});

test('several interchanges with several groups each', () => {
  const two = valid + valid.replaceAll('000000905', '000000906');
  const list = items(two);
  assert.deepEqual(errorCodes(list), []);
  assert.equal(list.filter((i) => i.kind === 'interchange-start').length, 2);
});

test('ISA fixed widths and dates are checked; a broken ISA skips to the next interchange', () => {
  const narrow = valid.replace('DEPOSITOR      ', 'DEPOSITOR');
  assert.ok(errorCodes(items(narrow)).includes('X12_ISA_WIDTH'));
  const badDate = valid.replace('*260301*', '*261399*');
  assert.ok(errorCodes(items(badDate)).includes('X12_ISA_DATE'));
  const garbage = 'ISA*00*broken~' + valid;
  const list = items(garbage);
  assert.deepEqual(errorCodes(list), ['X12_ISA_INVALID']);
  assert.equal(decodedSets(garbage)[0]!.documents.length, 1);
});

test('text before the first ISA is reported, not thrown', () => {
  assert.deepEqual(errorCodes(items('hello world' + valid)), ['X12_NO_ISA']);
});

test('streaming in tiny chunks gives exactly what the in-memory reader gives', async () => {
  const text = valid.replaceAll('~', '~\r\n') + valid.replaceAll('000000905', '000000906');
  const whole = [...readX12(text)];
  for (const size of [1, 3, 7, 64]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.slice(i, i + size), 'latin1'));
    const streamed: X12Item[] = [];
    for await (const it of readX12Stream(Readable.from(chunks))) streamed.push(it);
    assert.deepEqual(plain(streamed), plain(whole), `chunk size ${size}`);
  }
});

test('TA1: read inside an interchange, and written for one with errors', async () => {
  const withTa1 = isa('000000910') + 'TA1*000000905*260301*1000*R*001~IEA*0*000000910~';
  const ta1 = items(withTa1).find((i) => i.kind === 'ta1');
  assert.ok(ta1 && ta1.kind === 'ta1');
  assert.deepEqual([ta1.ta1.controlNumber, ta1.ta1.ackCode, ta1.ta1.noteCode, ta1.ta1.interchangeAt], ['000000905', 'R', '001', '2026-03-01T10:00:00']);
  const bad = items(valid.replace('IEA*1*000000905', 'IEA*1*000000999')).find((i) => i.kind === 'interchange-end');
  assert.ok(bad && bad.kind === 'interchange-end');
  const answer = ta1For(bad.interchange, bad.errors);
  assert.deepEqual([answer.ackCode, answer.noteCode], ['R', '001']);
  let n = 500;
  const written = await writeInterchange([], { sender: { qualifier: 'ZZ', id: 'WAREHOUSE' }, receiver: { qualifier: 'ZZ', id: 'DEPOSITOR' }, version: '00401', nextControlNumber: async () => n++, ta1s: [answer] });
  const back = items(written.text).find((i) => i.kind === 'ta1');
  assert.ok(back && back.kind === 'ta1');
  assert.deepEqual(back.ta1, answer);
});

test('the generator computes counts, takes control numbers from the store and pads the ISA', async () => {
  const issued: string[] = [];
  let n = 41;
  const written = await writeInterchange(
    [{ senderCode: 'WH', receiverCode: 'DEP', version: '005010', sets: [{ id: '947', segments: [['W15', '20260302', 'A1'], ['N1', 'WH', '', '92', 'PDX1'], ['LX', '1'], ['W19', 'AA', '1', 'EA', '', 'VN', 'S1']] }, { id: '947', segments: [['W15', '20260302', 'A2'], ['N1', 'WH', '', '92', 'PDX1'], ['LX', '1'], ['W19', 'AA', '2', 'EA', '', 'VN', 'S2']] }] }],
    {
      sender: { qualifier: 'ZZ', id: 'WH' },
      receiver: { qualifier: 'ZZ', id: 'DEP' },
      version: '00501',
      usage: 'T',
      nextControlNumber: async (kind) => {
        issued.push(kind);
        return n++;
      },
      now: () => new Date('2026-03-02T08:05:00Z'),
    },
  );
  assert.deepEqual(written.errors, []);
  assert.deepEqual(issued, ['ISA', 'GS', 'ST', 'ST']);
  assert.equal(written.text.indexOf('~'), 105, 'the ISA is 106 characters with its terminator');
  assert.ok(written.text.startsWith('ISA*00*          *00*          *ZZ*WH             *ZZ*DEP            *260302*0805*^*00501*000000041*0*T*>~'));
  assert.match(written.text, /GS\*AW\*WH\*DEP\*20260302\*0805\*42\*X\*005010~ST\*947\*0043~/);
  assert.match(written.text, /SE\*6\*0043~/);
  assert.match(written.text, /GE\*2\*42~IEA\*1\*000000041~$/);
  assert.deepEqual(errorCodes(items(written.text)), []);
  assert.equal(decodedSets(written.text).length, 2);
});

test('the generator refuses a value holding a delimiter instead of writing a broken file', async () => {
  const written = await writeInterchange([{ senderCode: 'A', receiverCode: 'B', version: '004010', sets: [{ id: '947', segments: [['W15', '20260302', 'A*1']] }] }], {
    sender: { qualifier: 'ZZ', id: 'A' },
    receiver: { qualifier: 'ZZ', id: 'B' },
    version: '00401',
    nextControlNumber: async () => 1,
  });
  assert.equal(written.text, '');
  assert.equal(written.errors[0]!.code, 'X12_VALUE_HAS_DELIMITER');
  assert.deepEqual([written.errors[0]!.position.segmentId, written.errors[0]!.position.element], ['W15', 2]);
});

test('the generator refuses a value holding a line break or another control character', async () => {
  for (const value of ['SO\n1', 'SO\r1', 'SO\t1', 'SO\u00001']) {
    const written = await writeInterchange([{ senderCode: 'A', receiverCode: 'B', version: '004010', sets: [{ id: '940', segments: [['W05', 'N', value]] }] }], {
      sender: { qualifier: 'ZZ', id: 'A' },
      receiver: { qualifier: 'ZZ', id: 'B' },
      version: '00401',
      nextControlNumber: async () => 1,
    });
    assert.equal(written.text, '', JSON.stringify(value));
    assert.equal(written.errors[0]!.code, 'X12_VALUE_HAS_CONTROL', JSON.stringify(value));
    assert.deepEqual([written.errors[0]!.position.segmentId, written.errors[0]!.position.element], ['W05', 2]);
  }
});

test('the generator refuses a character no Latin-1 byte stands for, rather than writing another', async () => {
  for (const [value, shown] of [['Łódź', 'U+0141'], ['€5', 'U+20AC'], ['A\ud800B', 'U+D800']]) {
    const written = await writeInterchange([{ senderCode: 'A', receiverCode: 'B', version: '004010', sets: [{ id: '940', segments: [['N1', 'ST', value!]] }] }], {
      sender: { qualifier: 'ZZ', id: 'A' },
      receiver: { qualifier: 'ZZ', id: 'B' },
      version: '00401',
      nextControlNumber: async () => 1,
    });
    assert.equal(written.text, '', value);
    assert.equal(written.errors[0]!.code, 'X12_VALUE_UNENCODABLE', value);
    assert.ok(written.errors[0]!.message.includes(`(${shown})`), written.errors[0]!.message);
  }
  const latin1 = await writeInterchange([{ senderCode: 'A', receiverCode: 'B', version: '004010', sets: [{ id: '940', segments: [['N1', 'ST', 'Müller Straße']] }] }], {
    sender: { qualifier: 'ZZ', id: 'A' },
    receiver: { qualifier: 'ZZ', id: 'B' },
    version: '00401',
    nextControlNumber: async () => 1,
  });
  assert.deepEqual(latin1.errors, []);
  assert.ok(latin1.text.includes('N1*ST*Müller Straße~'));
});

test('decoding needs no more than the context given', () => {
  assert.equal(decodedSets(valid, { ...ctx, tenant: 'other' })[0]!.documents[0]!.tenant, 'other');
});

test('an empty or blank input is an error, read in memory or streamed', async () => {
  for (const [input, said] of [['', /is empty/], ['  \r\n\n', /holds only blanks/]] as const) {
    const inMemory = [...readX12(Buffer.from(input))];
    const streamed: X12Item[] = [];
    for await (const it of readX12Stream(Readable.from([Buffer.from(input)]))) streamed.push(it);
    for (const list of [inMemory, streamed]) {
      assert.deepEqual(errorCodes(list), ['X12_NO_ISA']);
      assert.match((list[0] as Extract<X12Item, { kind: 'error' }>).error.message, said);
    }
  }
});
