import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedWidthCodec } from '../../src/codecs/flat/index.ts';

const ctx = (options: object) => ({ tenant: 'acme', endpoint: 'e', options: options as Record<string, unknown>, store: { nextControlNumber: async () => 1 } });

// An older WMS's stock report: a title line, then one position per line, quantities with 3 implied decimals.
const stockLayout = {
  document: 'inventory_snapshot', groupBy: 'facility', skipLines: 1, encoding: 'latin1', dateFormat: 'YYYYMMDD', recordDelimiter: '\n',
  fields: {
    facility: [1, 4], asOf: { start: 5, length: 14, type: 'datetime', format: 'YYYYMMDDHHmmss' }, 'positions[].sku': [19, 10],
    'positions[].lot': [29, 8], 'positions[].onHand': { start: 37, length: 10, impliedDecimals: 3, pad: '0' }, 'positions[].uom': [47, 3],
    'positions[].status': { start: 50, length: 10, default: 'available' },
  },
};
const line = (...cells: Array<[string, number]>) => cells.map(([t, n]) => t.padEnd(n)).join('').trimEnd();
const stockFile = [
  'BESTANDSLISTE Süd',
  line(['WH01', 4], ['20261201060000', 14], ['SKU-1', 10], ['L1', 8], ['0000012500', 10], ['KG', 3]),
  line(['WH01', 4], ['20261201060000', 14], ['SKU-2', 10], ['', 8], ['0000000003', 10], ['EA', 3], ['hold', 10]),
  line(['WH02', 4], ['20261201060000', 14], ['SKU-Ä', 10], ['', 8], ['00000x0003', 10], ['EA', 3]),
  '',
].join('\n');

describe('fixed-width codec', () => {
  it('reads positions by character range, with implied decimals, skipping a title line', async () => {
    const r = await fixedWidthCodec.decode(Buffer.from(stockFile, 'latin1'), ctx(stockLayout));
    assert.equal(r.documents.length, 1);
    const wh1 = r.documents[0] as any;
    assert.equal(wh1.facility, 'WH01');
    assert.equal(wh1.asOf, '2026-12-01T06:00:00Z');
    assert.deepEqual(wh1.positions, [
      { sku: 'SKU-1', lot: 'L1', onHand: '12.5', uom: 'KG', status: 'available' },
      { sku: 'SKU-2', onHand: '0.003', uom: 'EA', status: 'hold' },
    ]);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.message, 'inventory snapshot WH02 (row 4) is left out: row 4, column 37-46 (positions[].onHand) "00000x0003" is not a number (3 implied decimals)');
  });

  it('writes what it read, character for character, and refuses a value longer than its field', async () => {
    const r = await fixedWidthCodec.decode(Buffer.from(stockFile, 'latin1'), ctx(stockLayout));
    const written = await fixedWidthCodec.encode(r.documents[0], ctx({ ...stockLayout, skipLines: 0 }));
    // The status read as its default is written out.
    const wanted = stockFile.split('\n').slice(1, 3).map((l) => l + '\n').join('').replace('KG\n', 'KG available\n');
    assert.equal(written.toString('latin1'), wanted);
    const again = await fixedWidthCodec.decode(written, ctx({ ...stockLayout, skipLines: 0 }));
    assert.deepEqual(again.documents, r.documents);
    const long = { ...(r.documents[0] as object), positions: [{ sku: 'A-VERY-LONG-SKU', onHand: '1', uom: 'EA' }] };
    await assert.rejects(async () => fixedWidthCodec.encode(long, ctx(stockLayout)), /\$\.positions\[0\]\.sku: "A-VERY-LONG-SKU" is longer than the 10 characters at positions 19-28/);
  });

  it('refuses a value with a line break or another control character, which would split its record', async () => {
    const r = await fixedWidthCodec.decode(Buffer.from(stockFile, 'latin1'), ctx(stockLayout));
    for (const sku of ['A\nB', 'A\rB', 'A\u0000B']) {
      const broken = { ...(r.documents[0] as object), positions: [{ sku, onHand: '1', uom: 'EA' }] };
      await assert.rejects(async () => fixedWidthCodec.encode(broken, ctx(stockLayout)), /\$\.positions\[0\]\.sku: ".*" holds a control character \(a line break splits the record\)/, JSON.stringify(sku));
    }
  });

  it('an item master: one item per line, by [start, length]', async () => {
    const layout = { document: 'item', fields: { sku: [1, 8], description: [9, 20], baseUom: [29, 3], lotTracked: [32, 1] } };
    const text = 'A1      Bolt M8             EA Y\nA2      Nut                 EA N\n\n';
    const r = await fixedWidthCodec.decode(Buffer.from(text), ctx(layout));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.documents, [
      { type: 'item', sku: 'A1', description: 'Bolt M8', baseUom: 'EA', lotTracked: true },
      { type: 'item', sku: 'A2', description: 'Nut', baseUom: 'EA', lotTracked: false },
    ]);
    assert.equal((await fixedWidthCodec.encode(r.documents, ctx(layout))).toString(), text.trimEnd().replace(/\n/g, '\r\n') + '\r\n');
  });

  it('an empty file and a bad layout are clear errors', async () => {
    assert.equal((await fixedWidthCodec.decode(Buffer.from('\n\n'), ctx(stockLayout))).errors[0]!.code, 'FLAT_EMPTY');
    const bad = await fixedWidthCodec.decode(Buffer.from('x'), ctx({ document: 'item', fields: { sku: 'SKU' } }));
    assert.equal(bad.errors[0]!.code, 'FLAT_LAYOUT');
    assert.match(bad.errors[0]!.message, /\$\.codecOptions\.fields\.sku: .*start and a length/);
  });
});
