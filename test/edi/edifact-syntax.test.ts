// The syntax layer: service characters, release character, character sets, envelopes, streaming, keys and hashes, writing.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  contentHashOf, decodeInterchanges, partnerProfileSchema, readEdifact, readEdifactStream, writeInterchange,
  type EdifactItem, type EdifactMessage,
} from '../../src/edi/edifact/index.ts';
import { clock, ctx, decodedMessages, interchange, items, nextReference, plain, rejecting } from './edifact-helpers.ts';

const ORDER = "BGM+220+PO-1+9'DTM+137:20260301:102'NAD+ST+++Jane Doe+1 Road+Town++12345+DE'LIN+1++SKU-1:SA'QTY+21:2:PCE'";

function messages(input: string | Buffer): EdifactMessage[] {
  return [...readEdifact(typeof input === 'string' ? Buffer.from(input, 'latin1') : input)].filter((i): i is Extract<EdifactItem, { kind: 'message' }> => i.kind === 'message').map((i) => i.message);
}

test('without UNA the level A defaults apply; a UNA declares other service characters', () => {
  const plainText = interchange([{ type: 'ORDERS', body: ORDER }]);
  assert.deepEqual(rejecting(plainText), []);
  const custom = plainText.replace(/^/, 'UNA=*,? ~').replaceAll("'", '~').replaceAll('+', '*').replaceAll(':', '=');
  assert.deepEqual(rejecting(custom), []);
  const [a] = decodedMessages(plainText);
  const [b] = decodedMessages(custom);
  assert.deepEqual(b!.documents.map((d) => d.type), ['sales_order']);
  assert.equal((b!.documents[0] as { orderNumber: string }).orderNumber, (a!.documents[0] as { orderNumber: string }).orderNumber);
});

test('segment terminators may be followed by CR LF; a line break instead of a terminator is an error', () => {
  const text = interchange([{ type: 'ORDERS', body: ORDER }]);
  assert.deepEqual(rejecting(text.replaceAll("'", "'\r\n")), []);
  const broken = text.replace("BGM+220+PO-1+9'", 'BGM+220+PO-1+9\n');
  const [m] = decodedMessages(broken);
  const e = m!.errors.find((x) => x.code === 'EDIFACT_TERMINATOR_MISSING');
  assert.ok(e, JSON.stringify(m!.errors));
  assert.deepEqual([e.position.segmentTag, e.position.segmentPosition, e.position.message, e.position.interchange], ['BGM', 2, '1', '1001']);
});

test('the release character: ?+ ?: ?? ?\' are data; a trailing lone ? is an error', () => {
  const text = interchange([{ type: 'ORDERS', body: "BGM+220+PO?+1?:2???'3+9'NAD+ST+++A?+B+Road+Town'LIN+1++SKU?:X:SA'QTY+21:1'" }]);
  const [m] = decodedMessages(text);
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error'), []);
  const order = m!.documents[0] as { orderNumber: string; shipTo: { name: string }; lines: Array<{ sku: string }> };
  assert.equal(order.orderNumber, "PO+1:2?'3");
  assert.equal(order.shipTo.name, 'A+B');
  assert.equal(order.lines[0]!.sku, 'SKU:X');
  const trailing = items("UNB+UNOC:3+S+R+260301:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+X?");
  const all = trailing.flatMap((i) => ('errors' in i ? i.errors : i.kind === 'error' ? [i.error] : []));
  const e = all.find((x) => x.code === 'EDIFACT_RELEASE_TRAILING');
  assert.ok(e, JSON.stringify(all.map((x) => x.code)));
  assert.equal(e.position.segmentTag, 'BGM');
  assert.equal(e.position.element, 2);
});

test('syntax 4 splits repetitions on its separator; syntax 3 takes * as data', () => {
  const body = "BGM+220+PO*1+9'NAD+ST+++Name*Other'LIN+1++SKU-1:SA'QTY+21:1'";
  const [v3] = messages(interchange([{ type: 'ORDERS', body }], { syntax: 'UNOC:3' }));
  const [v4] = messages(interchange([{ type: 'ORDERS', body }], { syntax: 'UNOC:4' }));
  assert.equal(v3!.segments[1]!.el(2), 'PO*1');
  assert.equal(v4!.segments[1]!.el(2), 'PO');
  assert.equal(v4!.segments[1]!.repetitions(2), 2);
  assert.equal(v4!.segments[1]!.compAt(2, 1, 1), '1');
  assert.equal(v3!.segments[1]!.repetitions(2), 1);
});

test('components are read from where the scan found them: released separators, empty and trailing components', () => {
  const text = "UNA:+.? 'UNB+UNOC:3+SENDER:14+RECEIVER:14+260301:0930+1001'UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+PO?+1:2+9'DTM+137:20260301:102'NAD+ST+++Jane Doe+1 Road:Flat 2+Town++12345+DE'LIN+1++SKU-1:SA'IMD+F++:::Blue?:Red::'QTY+21:2:PCE'UNT+7+1'UNZ+1+1001'";
  const [m] = messages(text);
  const imd = m!.segments[5]!;
  assert.equal(imd.tag, 'IMD');
  assert.equal(imd.components(3), 6);
  assert.equal(imd.comp(3, 4), 'Blue:Red');
  assert.equal(imd.comp(3, 5), '');
  assert.equal(imd.comp(3, 7), '');
  assert.ok(imd.is(3, 4, 'Blue:Red'));
  assert.ok(!imd.is(3, 4, 'Blue'));
  assert.equal(imd.components(2), 0);
  assert.deepEqual(imd.elements, [['IMD'], ['F'], [''], ['', '', '', 'Blue:Red', '', '']]);
  assert.equal(imd.raw(3), ':::Blue?:Red::', 'raw text keeps its release characters, also once elements were read');
  const bgm = m!.segments[1]!;
  assert.equal(bgm.comp(2, 1), 'PO+1');
  assert.equal(bgm.comp(2, 2), '2');
  assert.ok(bgm.is(3, 1, '9'));
  // The hash the previous implementation (one update per element) gave: a resend is still recognised after an upgrade.
  assert.equal(contentHashOf(m!), 'd1e217d3bb545631f257148fd4d18b9a60d43d8a1303c857d5b20208c38cf455');
});

test('UNOC bytes are Latin-1, never UTF-8; UNOY bytes are UTF-8', () => {
  const latin1 = Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++J\u00fcrgen M\u00fcller+Stra\u00dfe 1+K\u00f6ln'LIN+1++SKU-1:SA'QTY+21:1'" }]), 'latin1');
  const [a] = decodedMessages(latin1);
  assert.deepEqual(a!.errors.filter((e) => e.severity === 'error'), []);
  assert.equal((a!.documents[0] as { shipTo: { name: string } }).shipTo.name, 'J\u00fcrgen M\u00fcller');
  // The same text as UTF-8 bytes under UNOC reads as its bytes in Latin-1, and a C1 byte is no Latin-1 character.
  const utf8UnderUnoc = Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++Ë Ü+Road+Town'LIN+1++SKU-1:SA'QTY+21:1'" }]), 'utf8');
  const [b] = decodedMessages(utf8UnderUnoc);
  const bad = b!.errors.find((e) => e.code === 'EDIFACT_CHARACTER_INVALID');
  assert.ok(bad && bad.severity === 'error', JSON.stringify(b!.errors));
  assert.match(bad.message, /UTF-8 for "Ë"/);
  assert.deepEqual([bad.position.segmentTag, bad.position.element, bad.position.component], ['NAD', 4, 1]);
  const unoy = Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++Łódź 東京+Road+Town'LIN+1++SKU-1:SA'QTY+21:1'" }], { syntax: 'UNOY:4' }), 'utf8');
  const [c] = decodedMessages(unoy);
  assert.deepEqual(c!.errors.filter((e) => e.severity === 'error'), []);
  assert.equal((c!.documents[0] as { shipTo: { name: string } }).shipTo.name, 'Łódź 東京');
  // Broken UTF-8 under UNOY is refused with its place.
  const broken = Buffer.concat([Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++X" }], { syntax: 'UNOY:4' }).split('X')[0]!, 'latin1'), Buffer.from([0xc3, 0x28]), Buffer.from("'LIN+1++SKU-1:SA'QTY+21:1'UNT+5+1'UNZ+1+1001'", 'latin1')]);
  const [d] = decodedMessages(broken);
  assert.ok(d!.errors.some((e) => e.code === 'EDIFACT_CHARACTER_INVALID' && e.position.segmentTag === 'NAD'), JSON.stringify(d!.errors));
});

test('UNOA and UNOB are checked: a non-ASCII byte is an error, lower case in UNOA a warning; UNOD reads ISO 8859-2', () => {
  const [a] = decodedMessages(Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++Jane+Road+Town'LIN+1++SKU-1:SA'QTY+21:1'" }], { syntax: 'UNOA:3' }), 'latin1'));
  assert.deepEqual(a!.errors.map((e) => [e.code, e.severity]), [['EDIFACT_CHARACTER_INVALID', 'warning']]);
  assert.equal(a!.accepted, true);
  const [b] = decodedMessages(Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++J\u00dcRGEN+ROAD+TOWN'LIN+1++SKU-1:SA'QTY+21:1'" }], { syntax: 'UNOB:3' }), 'latin1'));
  assert.equal(b!.accepted, false);
  assert.equal(b!.errors[0]!.code, 'EDIFACT_CHARACTER_INVALID');
  const unod = Buffer.from(interchange([{ type: 'ORDERS', body: "BGM+220+PO-1+9'NAD+ST+++X+Road+Town'LIN+1++SKU-1:SA'QTY+21:1'" }], { syntax: 'UNOD:3' }), 'latin1');
  unod[unod.indexOf('+X+') + 1] = 0xa3; // Ł in ISO 8859-2
  const [c] = decodedMessages(unod);
  assert.equal((c!.documents[0] as { shipTo: { name: string } }).shipTo.name, 'Ł');
});

test('an unsupported syntax identifier is refused, naming why, and rejects the interchange', () => {
  const { interchanges } = decodeInterchanges(Buffer.from(interchange([{ type: 'ORDERS', body: ORDER }], { syntax: 'UNOX:3' }), 'latin1'), ctx);
  const e = interchanges[0]!.verdict.errors[0]!;
  assert.equal(e.code, 'EDIFACT_CHARSET_UNSUPPORTED');
  assert.match(e.message, /ISO 2022/);
  assert.deepEqual(interchanges[0]!.documents, []);
});

test('UNT count and reference, UNZ count and reference, UNE count and reference: each a positioned error', () => {
  const good = interchange([{ type: 'ORDERS', body: ORDER }, { type: 'ORDERS', body: ORDER.replace('PO-1', 'PO-2') }]);
  assert.deepEqual(rejecting(good), []);
  const badCount = good.replace('UNT+7+1', 'UNT+9+1');
  const [first, second] = decodedMessages(badCount);
  assert.equal(first!.accepted, false);
  assert.equal(second!.accepted, true, 'one bad message rejects that message, not its siblings');
  const e = first!.errors[0]!;
  assert.deepEqual([e.code, e.position.segmentTag, e.position.segmentPosition, e.position.element, e.position.message, e.position.messageType, e.position.interchange], ['EDIFACT_UNT_COUNT', 'UNT', 7, 1, '1', 'ORDERS', '1001']);
  assert.deepEqual(rejecting(good.replace('UNT+7+2', 'UNT+7+3')), ['EDIFACT_UNT_REFERENCE']);
  assert.deepEqual(rejecting(good.replace('UNZ+2+1001', 'UNZ+3+1001')), ['EDIFACT_UNZ_COUNT']);
  assert.deepEqual(rejecting(good.replace('UNZ+2+1001', 'UNZ+2+1002')), ['EDIFACT_UNZ_REFERENCE']);
  assert.deepEqual(rejecting(good.replace(/UNZ.*$/, '')), ['EDIFACT_UNZ_MISSING']);
  assert.deepEqual(rejecting(good.replace("UNT+7+1'", '')), ['EDIFACT_UNT_MISSING']);
  const grouped = good.replace("UNH+1+", "UNG+ORDERS+SENDER:14+RECEIVER:14+260301:0930+77+UN+D:96A'UNH+1+").replace("UNZ+2+1001'", "UNE+2+77'UNZ+1+1001'");
  assert.deepEqual(rejecting(grouped), []);
  assert.deepEqual(rejecting(grouped.replace('UNE+2+77', 'UNE+1+77')), ['EDIFACT_UNE_COUNT']);
  assert.deepEqual(rejecting(grouped.replace('UNE+2+77', 'UNE+2+78')), ['EDIFACT_UNE_REFERENCE']);
});

test('an interchange-level error rejects the interchange: its messages are not returned as documents', () => {
  const text = interchange([{ type: 'ORDERS', body: ORDER }]).replace("UNZ+1+1001'", "UNZ+5+1001'");
  const { interchanges } = decodeInterchanges(Buffer.from(text, 'latin1'), ctx);
  assert.equal(interchanges[0]!.verdict.accepted, false);
  assert.deepEqual(interchanges[0]!.documents, []);
  assert.equal(interchanges[0]!.messages[0]!.documents.length, 0);
});

test('the interchange key and the content hash recognise a resend under new references', () => {
  const a = interchange([{ type: 'ORDERS', body: ORDER }], { reference: '1001' });
  const b = interchange([{ type: 'ORDERS', body: ORDER }], { reference: '2002' }).replace(/UNH\+1\+/, 'UNH+77+').replace(/UNT\+(\d+)\+1'/, "UNT+$1+77'");
  const c = "UNA=*.? ~" + a.replaceAll("'", '~').replaceAll('+', '*').replaceAll(':', '=');
  const key = (t: string) => (items(t)[0] as { key: string }).key;
  assert.equal(key(a), '14:SENDER:1001');
  assert.notEqual(key(a), key(b));
  const hash = (t: string) => contentHashOf(messages(t)[0]!);
  assert.equal(hash(a), hash(b));
  assert.equal(hash(a), hash(c), 'other service characters, same content');
  assert.notEqual(hash(a), hash(a.replace('PO-1', 'PO-9')));
});

test('streamed in odd chunks reads item for item as in memory', async () => {
  const text = "\ufeff".replace('\ufeff', '') + interchange([{ type: 'ORDERS', body: ORDER }, { type: 'ORDERS', body: ORDER }], { una: true }) + '\r\n' + interchange([{ type: 'ORDERS', body: ORDER }], { syntax: 'UNOY:4' });
  const bytes = Buffer.from(text, 'latin1');
  const whole = [...readEdifact(bytes)];
  for (const size of [1, 2, 3, 7, 64]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const streamed: EdifactItem[] = [];
    for await (const it of readEdifactStream(Readable.from(chunks))) streamed.push(it);
    assert.deepEqual(plain(streamed), plain(whole), `chunks of ${size}`);
  }
});

test('a stored message past 8 MB is read in windows, item for item as the whole text', () => {
  const one = interchange(Array.from({ length: 40 }, (_, i) => ({ type: 'ORDERS', body: ORDER.replace('PO-1', `PO-${i}`) })));
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < 9 * 1024 * 1024; n++) {
    parts.push(n === 50 ? one.replace('UNT+7+7', 'UNT+8+7') : one);
    size += one.length;
  }
  const whole = parts.join('\n');
  const summary = (it: EdifactItem) => (it.kind === 'message' ? `m ${it.message.header.reference} @${it.message.offset} ${it.message.segments.length} e=${it.message.errors.length}` : it.kind);
  const fromBuffer = [...readEdifact(Buffer.from(whole, 'latin1'))].map(summary);
  const fromString = [...readEdifact(whole)].map(summary);
  assert.deepEqual(fromBuffer, fromString);
  assert.ok(fromBuffer.some((s) => / e=1$/.test(s)));
});

test('the writer: UNA when needed or always, UNB date by syntax version from the clock, counts and references, releases', async () => {
  const msg = { type: 'ORDERS', version: 'D', release: '96A', segments: [['BGM', '220', "A+B:C'D?E*F", '9'], ['FTX', 'AAI', '', '', ['x']]] as const };
  const w3 = await writeInterchange([msg], { sender: { id: 'US', qualifier: '14' }, recipient: { id: 'THEM', qualifier: '14' }, syntax: { identifier: 'UNOC', version: 3 }, una: 'when-needed', nextReference, now: clock });
  assert.deepEqual(w3.errors, []);
  assert.match(w3.text, /^UNB\+UNOC:3\+US:14\+THEM:14\+260301:0930\+\d+'UNH\+\d+\+ORDERS:D:96A:UN'BGM\+220\+A\?\+B\?:C\?'D\?\?E\*F\+9'FTX\+AAI\+\+\+x'UNT\+4\+\d+'UNZ\+1\+\d+'$/);
  const w4 = await writeInterchange([msg], { sender: { id: 'US' }, recipient: { id: 'THEM' }, syntax: { identifier: 'UNOC', version: 4 }, una: 'always', groups: true, nextReference, now: clock });
  assert.match(w4.text, /^UNA:\+\.\?\*'UNB\+UNOC:4\+US\+THEM\+20260301:0930\+/);
  assert.match(w4.text, /\?\*F/, 'syntax 4 releases the repetition separator');
  assert.match(w4.text, /UNG\+ORDERS\+US\+THEM\+20260301:0930\+\d+\+UN\+D:96A'/);
  const [m] = messages(w4.bytes);
  assert.equal(m!.segments[1]!.el(2), "A+B:C'D?E*F");
  assert.deepEqual(m!.errors, [], "the envelope the writer made is sound");
  const refused = await writeInterchange([{ ...msg, segments: [['FTX', 'AAI', '', '', ['Łódź']]] }], { sender: { id: 'US' }, recipient: { id: 'THEM' }, syntax: { identifier: 'UNOC', version: 3 }, nextReference, now: clock });
  assert.equal(refused.bytes.length, 0);
  assert.equal(refused.errors[0]!.code, 'EDIFACT_CHARACTER_UNENCODABLE');
  assert.match(refused.errors[0]!.message, /"Ł" \(U\+0141\)/);
  assert.deepEqual([refused.errors[0]!.position.segmentTag, refused.errors[0]!.position.element, refused.errors[0]!.position.component], ['FTX', 4, 1]);
});

test('partner profiles are checked with the path of each fault', () => {
  const ok = partnerProfileSchema.safeParse({ ours: { id: 'US' }, theirs: { id: 'THEM', qualifier: '14' }, directory: 'D01B', eancom: true, syntax: { identifier: 'UNOY', version: 4 } });
  assert.ok(ok.success);
  assert.equal(ok.data.acknowledgments.contrl.deadline, '24h');
  const bad = partnerProfileSchema.safeParse({ ours: { id: 'US' }, theirs: { id: 'THEM' }, directory: 'D99Z', serviceChars: { element: ':', component: ':' } });
  assert.ok(!bad.success);
  const paths = bad.error.issues.map((i) => i.path.join('.'));
  assert.ok(paths.includes('directory'), paths.join());
});

test('a large file without terminators is read line by line in one pass, every line an error', () => {
  const lines = ['UNB+UNOC:3+S+R+260301:0930+1', 'UNH+1+ORDERS:D:96A:UN'];
  for (let i = 0; i < 100_000; i++) lines.push('LIN+1++SKU:SA');
  const started = Date.now();
  const [m] = messages(lines.join('\n'));
  assert.equal(m!.segments.length, 100_001);
  assert.equal(m!.errors.filter((e) => e.code === 'EDIFACT_TERMINATOR_MISSING').length, 100_000);
  // Searching the rest of the text for a terminator at every line would take minutes here.
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
});
