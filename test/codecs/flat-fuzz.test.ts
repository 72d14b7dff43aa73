// Mutated flat files never throw: each yields documents or errors that say what and where.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCodec, fixedWidthCodec } from '../../src/codecs/flat/index.ts';
import type { Codec, DecodeResult } from '../../src/codecs/index.ts';
import { seededRandom } from '../support/seed.ts';

const orders = (delimiter: string) => ({
  document: 'sales_order', groupBy: 'orderNumber', delimiter, decimalSeparator: ',', dateFormat: 'DD.MM.YYYY',
  fields: { orderNumber: 'Order', 'shipTo.name': 'Name', requestedShipDate: 'Date', 'lines[].sku': 'SKU', 'lines[].quantity': 'Qty', 'lines[].uom': { column: 'UOM', default: 'EA' } },
});
const items = { document: 'item', header: false, delimiter: '|', fields: { sku: 1, description: 2, baseUom: 3, lotTracked: 4, 'weight.value': 5, 'weight.unit': { const: 'KG' } } };
const stock = {
  document: 'inventory_snapshot', groupBy: 'facility', encoding: 'latin1',
  fields: { facility: [1, 4], asOf: { start: 5, length: 8, type: 'datetime', format: 'YYYYMMDD' }, 'positions[].sku': [13, 8], 'positions[].onHand': { start: 21, length: 6, impliedDecimals: 2 }, 'positions[].uom': [27, 3] },
};

const csvSeeds: Array<{ text: string; options: object }> = [
  { text: '\uFEFFOrder;Name;Date;SKU;Qty;UOM\r\nA-1;"Müller; Söhne";01.12.2026;S1;1,5;KG\r\nA-1;"Müller; Söhne";01.12.2026;S2;3;\r\nB-2;"Line\nbreak";02.12.2026;S3;2;\r\n', options: orders(';') },
  { text: 'Order,Name,Date,SKU,Qty,UOM\nA-1,"A ""quoted"" name",01.12.2026,S1,"1,5",KG\nB-2,B,02.12.2026,S2,4,\nB-2,B,02.12.2026,S3,5,\n', options: orders(',') },
  { text: 'A1|Bolt M8|EA|Y|0.5\nA2|Nut|EA|N|\nA3|"Pin | long"|EA||1.25\n', options: items },
];
const fixedSeeds: Array<{ text: string; options: object }> = [
  { text: ['WH0120261201SKU-1   001250KG', 'WH0120261201SKU-2   000003EA', 'WH0220261201SKÜ-3   000100EA', ''].join('\r\n'), options: stock },
];

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    switch (Math.floor(rnd() * 6)) {
      case 0: s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at + 1); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8)); break;
      case 2: s = s.slice(0, at) + s.slice(at, at + 1 + Math.floor(rnd() * 60)) + s.slice(at); break;
      case 3: s = s.slice(0, at); break;
      case 4: s = s.slice(0, at) + ['"', '\n', '\r', '\uFEFF', '""', '\\'][Math.floor(rnd() * 6)] + s.slice(at); break;
      default: s = s.slice(0, at) + ',;|\t"\'.'[Math.floor(rnd() * 7)] + s.slice(at + 1);
    }
  }
  return s;
}

/** Random bytes as a mutation may make them: as UTF-8 (possibly broken) or as Latin-1. */
function bytesOf(text: string, rnd: () => number): Buffer {
  return rnd() < 0.8 ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

async function fuzz(codec: Codec, seeds: Array<{ text: string; options: object }>, rnd: () => number): Promise<{ documents: number; errors: number }> {
  let documents = 0;
  let errors = 0;
  for (let i = 0; i < 10_000; i++) {
    const seed = seeds[Math.floor(rnd() * seeds.length)]!;
    const body = bytesOf(mutate(seed.text, rnd), rnd);
    let r: DecodeResult;
    try {
      r = await codec.decode(body, { tenant: 't', endpoint: 'e', options: seed.options as Record<string, unknown> });
    } catch (e) {
      assert.fail(`input ${i} threw ${(e as Error).stack}\n${JSON.stringify(body.toString('latin1'))}`);
    }
    const lines = body.toString('latin1').split(/\r\n|\r|\n/).length;
    assert.ok(r.documents.length + r.errors.length > 0, `input ${i}: neither documents nor errors\n${JSON.stringify(body.toString('latin1'))}`);
    for (const e of r.errors) {
      assert.match(e.code, /^FLAT_[A-Z_]+$/, `input ${i}: ${JSON.stringify(e)}`);
      // "undefined" or "NaN" in a message is a slip of ours, unless the message quotes the input that holds it.
      const slips = [...e.message.matchAll(/\bundefined\b|\bNaN\b|\[object/g)].map((m) => m[0]).filter((word) => !body.toString('latin1').includes(word) && !body.toString('utf8').includes(word));
      assert.ok(e.message.length > 10 && slips.length === 0, `input ${i}: unclear error ${JSON.stringify(e)}`);
      if (e.code !== 'FLAT_EMPTY') {
        const row = e.position?.row;
        assert.ok(typeof row === 'number' && row >= 1 && row <= lines, `input ${i}: error without its row ${JSON.stringify(e)} ${lines}\n${JSON.stringify(body.toString('latin1'))}`);
        assert.match(e.message, /\brows? \d+/, `input ${i}: ${e.message}`);
      }
      if (e.code === 'FLAT_VALUE') assert.ok(e.position?.column, `input ${i}: ${JSON.stringify(e)}`);
    }
    for (const d of r.documents) assert.equal(d.type, (seed.options as { document: string }).document);
    documents += r.documents.length;
    errors += r.errors.length;
  }
  return { documents, errors };
}

test('10,000 mutated CSV files: no throw, documents or errors naming the row', async (t) => {
  const seen = await fuzz(csvCodec, csvSeeds, seededRandom(t));
  // The mutations must leave some files good and spoil others, or the test proves nothing.
  assert.ok(seen.documents > 1000 && seen.errors > 1000, JSON.stringify(seen));
});

test('10,000 mutated fixed-width files: no throw, documents or errors naming the row', async (t) => {
  const seen = await fuzz(fixedWidthCodec, fixedSeeds, seededRandom(t));
  assert.ok(seen.documents > 1000 && seen.errors > 1000, JSON.stringify(seen));
});
