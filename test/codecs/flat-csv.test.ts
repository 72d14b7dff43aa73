import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCodec, type Layout } from '../../src/codecs/flat/index.ts';
import type { DecodeResult } from '../../src/codecs/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { validateDocument } from '../../src/model/index.ts';

const orderLayout = {
  document: 'sales_order', groupBy: 'orderNumber', delimiter: ';', decimalSeparator: ',', dateFormat: 'DD.MM.YYYY',
  fields: {
    orderNumber: 'Auftrag', customerOrderNumber: 'Bestellung', 'shipTo.name': 'Name', 'shipTo.lines[0]': 'Strasse', 'shipTo.city': 'Ort',
    'shipTo.postalCode': 'PLZ', 'shipTo.country': { const: 'DE' }, requestedShipDate: 'Versanddatum',
    'lines[].lineNumber': 'Pos', 'lines[].sku': 'Artikel', 'lines[].quantity': 'Menge', 'lines[].uom': { column: 'ME', default: 'EA' }, 'lines[].unitPrice': 'Preis',
  },
};
const orderHeader = 'Auftrag;Bestellung;Name;Strasse;Ort;PLZ;Versanddatum;Pos;Artikel;Menge;ME;Preis';

async function decode(text: string | Buffer, options: object): Promise<DecodeResult> {
  return csvCodec.decode(typeof text === 'string' ? Buffer.from(text) : text, { tenant: 'acme', endpoint: 'in', options: options as Record<string, unknown> });
}
async function encode(payload: unknown, options: object): Promise<Buffer> {
  return csvCodec.encode(payload, { tenant: 'acme', endpoint: 'out', options: options as Record<string, unknown>, store: { nextControlNumber: async () => 1 } });
}
/** A decoded document as the engine would fill and validate it. */
function valid(doc: Record<string, unknown>) {
  const now = '2026-12-01T10:00:00Z';
  const r = validateDocument({ ...doc, tenant: 'acme', id: 'x', source: { endpoint: 'in' }, entityKey: 'k', occurredAt: now, receivedAt: now });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.document;
}

describe('csv codec: an order file, one order per group of rows', () => {
  it('groups rows by order number, reads a decimal comma, German dates and a BOM', async () => {
    const text = `\uFEFF${orderHeader}\r\nA-1;PO 7;Müller GmbH;Hauptstr. 1;Köln;50667;01.12.2026;1;SKU-1;1,5;KG;12,50\r\nB-2;PO 8;Schmidt;Ring 2;Bonn;53111;02.12.2026;1;SKU-3;4;;3\r\nA-1;PO 7;Müller GmbH;Hauptstr. 1;Köln;50667;01.12.2026;2;SKU-2;3;;\r\n`;
    const r = await decode(text, orderLayout);
    assert.deepEqual(r.errors, []);
    assert.equal(r.documents.length, 2);
    const a = valid(r.documents[0]!) as any;
    assert.equal(a.orderNumber, 'A-1');
    assert.equal(a.requestedShipDate, '2026-12-01');
    assert.deepEqual(a.shipTo, { name: 'Müller GmbH', lines: ['Hauptstr. 1'], city: 'Köln', postalCode: '50667', country: 'DE' });
    assert.deepEqual(a.lines.map((l: any) => [l.lineNumber, l.sku, l.quantity, l.uom, l.unitPrice]), [['1', 'SKU-1', '1.5', 'KG', '12.5'], ['2', 'SKU-2', '3', 'EA', undefined]]);
    assert.deepEqual(r.envelopes!.map((e: any) => [e.key, e.lines, e.list]), [['A-1', [2, 4], 'lines'], ['B-2', [3], 'lines']]);
    // What the engine's validation finds is said as the row and column it came from.
    assert.deepEqual(csvCodec.locate!(r.envelopes![0] as any, '$.lines[1].quantity'), { where: 'row 4, column Menge (lines[].quantity)', position: { row: 4, column: 'Menge', document: 'A-1' } });
    assert.deepEqual(csvCodec.locate!(r.envelopes![1] as any, '$.shipTo.city'), { where: 'row 3, column Ort (shipTo.city)', position: { row: 3, column: 'Ort', document: 'B-2' } });
    assert.deepEqual(csvCodec.locate!(r.envelopes![1] as any, '$.carrier'), { where: 'row 3', position: { row: 3, document: 'B-2' } });
  });

  it('reads Latin-1 and Windows-1252 when told, and says how when a Latin-1 file is read as UTF-8', async () => {
    const text = `${orderHeader}\nA-1;;Müller;Straße 1;Köln;1;01.12.2026;1;S;1;;\n`;
    const latin1 = Buffer.from(text, 'latin1');
    for (const encoding of ['latin1', 'windows-1252']) {
      const r = await decode(latin1, { ...orderLayout, encoding });
      assert.deepEqual(r.errors, []);
      assert.equal((r.documents[0] as any).shipTo.city, 'Köln');
    }
    const wrong = await decode(latin1, orderLayout);
    assert.equal(wrong.documents.length, 0);
    assert.equal(wrong.errors[0]!.code, 'FLAT_ENCODING');
    assert.match(wrong.errors[0]!.message, /row 2: byte \d+ is not valid UTF-8.*latin1/);
  });

  it('a bad row spoils its own order only, and the error names the row, the column and the order', async () => {
    const text = [orderHeader,
      'A-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;',
      'B-2;;Y;S;K;1;31.02.2026;1;SKU-1;2;;',
      'A-1;;X;S;K;1;01.12.2026;2;SKU-2;zwei;;',
      'C-3;;Z;S;K;1;03.12.2026;1;SKU-9;1;;',
      'C-3;;Q;S;K;1;03.12.2026;2;SKU-8;1;;',
      ';;Z;S;K;1;03.12.2026;1;SKU-9;1;;',
      'D-4;;W;S;K;1;04.12.2026;1;SKU-7;7;;'].join('\n');
    const r = await decode(text, orderLayout);
    assert.deepEqual(r.documents.map((d: any) => d.orderNumber), ['D-4']);
    const says = r.errors.map((e) => e.message);
    assert.ok(says.some((m) => /^sales order A-1 \(rows 2, 4\) is left out: row 4, column Menge \(lines\[\]\.quantity\) "zwei" is not a number with a decimal comma$/.test(m)), says.join('\n'));
    assert.ok(says.some((m) => /^sales order B-2 \(row 3\) is left out: row 3, column Versanddatum .* "31\.02\.2026" is not a date in the format DD\.MM\.YYYY$/.test(m)), says.join('\n'));
    assert.ok(says.some((m) => /^sales order C-3 \(rows 5, 6\) is left out: row 6, column Name \(shipTo\.name\) says "Q", but an earlier row of this sales order says "Z"$/.test(m)), says.join('\n'));
    assert.ok(says.some((m) => /row 7, column Auftrag: the orderNumber is empty/.test(m)), says.join('\n'));
    const a1 = r.errors.find((e) => e.position?.document === 'A-1')!;
    assert.deepEqual(a1.position, { row: 4, column: 'Menge', field: 'lines[].quantity', document: 'A-1' });
  });

  it('a row that cannot be read holds back the whole file when rows build documents together', async () => {
    const r = await decode(`${orderHeader}\nA-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;\nB-2;;"Y"x;S;K;1;01.12.2026;1;SKU-1;2;;\n`, orderLayout);
    assert.equal(r.documents.length, 0);
    assert.equal(r.errors[0]!.code, 'FLAT_CSV_SYNTAX');
    assert.match(r.errors[0]!.message, /^row 3: .*Invalid Closing Quote.*corrected copy/);
  });

  it('a row with more cells than the header holds back the whole file: an unquoted delimiter shifts its columns', async () => {
    // "Kaiser; Söhne" unquoted: the street is read as the town, the town as the postcode, and so on.
    const r = await decode(`${orderHeader}\nA-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;\nB-2;;Kaiser; Söhne;S;K;1;01.12.2026;1;SKU-1;2;;\n`, orderLayout);
    assert.equal(r.documents.length, 0);
    assert.deepEqual(r.errors.map((e) => [e.code, e.position?.row]), [['FLAT_ROW_WIDTH', 3]]);
    assert.match(r.errors[0]!.message, /^row 3: 13 cells where the header has 12; a value holding the delimiter ";" must be quoted.*corrected copy/);
    // A spreadsheet that pads its rows with empty cells pads its header alike: that shifts nothing.
    const padded = await decode(`${orderHeader};;\nA-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;;;\n`, orderLayout);
    assert.deepEqual([padded.documents.length, padded.errors], [1, []]);
  });

  it('a missing column is named with the columns the header has', async () => {
    const r = await decode('Auftrag,Artikel,Menge\nA,B,1\n', orderLayout);
    assert.equal(r.errors[0]!.code, 'FLAT_COLUMN_MISSING');
    assert.match(r.errors[0]!.message, /row 1: the header has no column "Auftrag", "Bestellung", .*\(it has: Auftrag,Artikel,Menge\); check the delimiter \(";"\)/);
  });

  it('a column the header gives twice is refused where a field reads it, and ignored where none does', async () => {
    const names = orderHeader;
    const row = 'A-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;';
    // "Menge" (the quantity) again at the end, holding another number.
    const twice = await decode(`${names};menge \n${row};100\n`, orderLayout);
    assert.equal(twice.documents.length, 0);
    assert.equal(twice.errors[0]!.code, 'FLAT_COLUMN_AMBIGUOUS');
    assert.match(twice.errors[0]!.message, /^row 1: the header has the column "Menge" twice \(columns 10 and 13\)/);
    assert.deepEqual(twice.errors[0]!.position, { row: 1, column: 'Menge' });
    // A repeated column no field reads changes nothing.
    const unused = await decode(`${names};Notiz;notiz\n${row};a;b\n`, orderLayout);
    assert.deepEqual(unused.errors, []);
    assert.equal(unused.documents.length, 1);
  });

  it('writes orders back as the same file, and reads what it wrote', async () => {
    const text = `${orderHeader}\r\nA-1;PO 7;"Müller; Söhne";"Haupt ""Str"" 1";Köln;50667;01.12.2026;1;SKU-1;1,5;KG;12,5\r\nA-1;PO 7;"Müller; Söhne";"Haupt ""Str"" 1";Köln;50667;01.12.2026;2;SKU-2;3;EA;\r\n`;
    const first = await decode(text, orderLayout);
    const written = await encode(first.documents[0], orderLayout);
    assert.equal(written.toString('utf8'), text);
    const again = await decode(written, orderLayout);
    assert.deepEqual(again.documents, first.documents);
  });

  it('refuses to write what the encoding cannot hold, and a document of another type', async () => {
    const doc = { type: 'sales_order', orderNumber: 'A', shipTo: { name: 'Łódź' }, lines: [{ lineNumber: '1', sku: 'S', quantity: '1', uom: 'EA' }] };
    await assert.rejects(encode(doc, { ...orderLayout, encoding: 'latin1' }), /"Ł" \(U\+0141\) cannot be written in latin1/);
    await assert.rejects(encode({ ...doc, type: 'shipment' }, orderLayout), /writes sales_order, not shipment/);
    await assert.rejects(encode({ ...doc, requestedShipDate: 'soon' }, orderLayout), (e: any) => e.errors[0].path === '$.requestedShipDate');
  });

  it('writes Windows-1252 with its own characters (’ “ ” – €), and reads back what it wrote', async () => {
    const text = `${orderHeader}\nA-1;;O’Brien “Dock 4” – €;S;K;1;01.12.2026;1;SKU-1;2;;\n`;
    const doc = (await decode(text, orderLayout)).documents[0] as Record<string, any>;
    const layout = { ...orderLayout, encoding: 'windows-1252' };
    const written = await encode(doc, layout);
    // The bytes Windows-1252 gives these characters, not their Latin-1 low bytes.
    assert.ok(written.includes(Buffer.from([0x4f, 0x92, 0x42])), 'O’B as 4F 92 42');
    for (const b of [0x93, 0x94, 0x96, 0x80]) assert.ok(written.includes(b), `byte ${b.toString(16)}`);
    const again = await decode(written, layout);
    assert.equal((again.documents[0] as { shipTo: { name: string } }).shipTo.name, 'O’Brien “Dock 4” – €');
    // Latin-1 has control characters at those bytes: read so, the file is refused with the byte and what it is in Windows-1252.
    const asLatin1 = await decode(written, { ...orderLayout, encoding: 'latin1' });
    assert.equal(asLatin1.documents.length, 0);
    assert.equal(asLatin1.errors[0]!.code, 'FLAT_ENCODING');
    assert.match(asLatin1.errors[0]!.message, /^row 2: byte \d+ \(0x92\) is a control character in Latin-1 \(ISO-8859-1\); in Windows-1252 it is "’"\. If the file is Windows-1252, set codecOptions.encoding to windows-1252$/);
    const undefinedByte = Buffer.from(`${orderHeader}\nA-1;;X\x81;S;K;1;01.12.2026;1;SKU-1;2;;\n`, 'latin1');
    for (const encoding of ['latin1', 'windows-1252']) {
      assert.match((await decode(undefinedByte, { ...orderLayout, encoding })).errors[0]!.message, /^row 2: byte \d+ \(0x81\) is a control character in Latin-1 \(ISO-8859-1\) and in Windows-1252 alike/);
    }
    // A character Windows-1252 has no byte for, and a C1 control whose byte is a letter there, are refused.
    doc.shipTo.name = 'Łódź';
    await assert.rejects(encode(doc, layout), /row 2: "Ł" \(U\+0141\) cannot be written in windows-1252/);
    doc.shipTo.name = 'A\u0080B';
    await assert.rejects(encode(doc, layout), /row 2: "\u0080" \(U\+0080\) cannot be written in windows-1252/);
    doc.shipTo.name = 'Ship 😀';
    await assert.rejects(encode(doc, layout), /row 2: "😀" \(U\+1F600\) cannot be written in windows-1252/);
  });

  it('refuses half of a character (a lone surrogate) in UTF-8 rather than writing a replacement character', async () => {
    const text = `${orderHeader}\nA-1;;X;S;K;1;01.12.2026;1;SKU-1;2;;\n`;
    const doc = (await decode(text, orderLayout)).documents[0] as Record<string, any>;
    doc.shipTo.name = 'M\ud800ller';
    await assert.rejects(encode(doc, orderLayout), /row 2: U\+D800 is half of a character \(a lone surrogate\) and cannot be written in utf-8/);
    doc.shipTo.name = 'Müller 😀';
    assert.match((await encode(doc, orderLayout)).toString('utf8'), /Müller 😀/);
  });
});

describe('csv codec: a stock file, one row per position', () => {
  const stockLayout = {
    document: 'inventory_snapshot', groupBy: 'facility', header: false, delimiter: '\t', dateTimeFormat: 'YYYYMMDD HHmm', timeZone: 'Europe/Berlin',
    fields: { facility: 1, asOf: 2, 'positions[].sku': 3, 'positions[].lot': 4, 'positions[].onHand': 5, 'positions[].uom': { const: 'EA' }, 'positions[].expiryDate': { column: 6, format: 'YYMMDD' } },
  };
  it('reads positions by column number, with a tab delimiter and local times', async () => {
    const r = await decode('WH1\t20260715 0630\tSKU-1\tL1\t10\t270101\nWH1\t20260715 0630\tSKU-2\t\t0\t\nWH2\t20261215 0630\tSKU-1\t\t5\t\n', stockLayout);
    assert.deepEqual(r.errors, []);
    const [wh1, wh2] = r.documents.map((d) => valid(d) as any);
    assert.equal(wh1.asOf, '2026-07-15T06:30:00+02:00');
    assert.equal(wh2.asOf, '2026-12-15T06:30:00+01:00');
    assert.deepEqual(wh1.positions.map((p: any) => [p.sku, p.lot, p.onHand, p.uom, p.expiryDate]), [['SKU-1', 'L1', '10', 'EA', '2027-01-01'], ['SKU-2', undefined, '0', 'EA', undefined]]);
    const written = await encode(r.documents[0], stockLayout);
    assert.equal(written.toString(), 'WH1\t20260715 0630\tSKU-1\tL1\t10\t270101\r\nWH1\t20260715 0630\tSKU-2\t\t0\t\r\n');
  });
});

describe('csv codec: an item master, one item per row', () => {
  const itemLayout = {
    document: 'item', quote: "'", escape: '\\', thousandsSeparator: ',',
    fields: { sku: 'Item', description: 'Description', baseUom: 'UOM', 'barcodes[0].value': 'EAN', 'weight.value': 'Weight', 'weight.unit': { const: 'KG' }, lotTracked: 'Lot', shelfLifeDays: 'Shelf life' },
  };
  it('takes each good row as an item and leaves out the bad one with its row and column', async () => {
    const text = "Item,Description,UOM,EAN,Weight,Lot,Shelf life\nA1,'Bolt, 8\\' long',EA,4006381333931,'1,250.5',Y,365\nA2,Nut,EA,,x,N,\nA3,Washer,EA,,0.01,maybe,\nA4,Pin,EA,,,,\n";
    const r = await decode(text, itemLayout);
    assert.deepEqual(r.documents.map((d: any) => d.sku), ['A1', 'A4']);
    const a1 = valid(r.documents[0]!) as any;
    assert.equal(a1.description, "Bolt, 8' long");
    assert.deepEqual([a1.weight, a1.lotTracked, a1.shelfLifeDays, a1.barcodes], [{ value: '1250.5', unit: 'KG' }, true, 365, [{ kind: 'GTIN', value: '4006381333931' }]]);
    assert.deepEqual(r.errors.map((e) => [e.position?.row, e.position?.column]), [[3, 'Weight'], [4, 'Lot']]);
  });
  it('leaves out a row with more cells than the header when each row is its own document', async () => {
    const r = await decode('Item,Description,UOM\nA1,Bolt,EA\nA2,Nut, large,EA\nA3,Pin,EA\n', { ...itemLayout, quote: '"', fields: { sku: 'Item', description: 'Description', baseUom: 'UOM' } });
    assert.deepEqual(r.documents.map((d: any) => [d.sku, d.baseUom]), [['A1', 'EA'], ['A3', 'EA']]);
    assert.deepEqual(r.errors.map((e) => [e.code, e.position?.row]), [['FLAT_ROW_WIDTH', 3]]);
    assert.match(r.errors[0]!.message, /the row is left out$/);
  });
  it('leaves out a row it cannot read and keeps the others, when each row is its own document', async () => {
    const r = await decode("Item,Description,UOM\nA1,Bolt,EA\nA2,'Nut'x,EA\nA3,Pin,EA\n", { ...itemLayout, fields: { sku: 'Item', description: 'Description', baseUom: 'UOM' } });
    assert.deepEqual(r.documents.map((d: any) => d.sku), ['A1', 'A3']);
    assert.match(r.errors[0]!.message, /^row 3: .*the row is left out$/);
  });
});

describe('csv layouts in the config', () => {
  it('names each fault of a layout by its path when the config is read', () => {
    const yaml = `
endpoints:
  drop: { type: folder, inbox: ./in, codec: csv, codecOptions: { document: sales_order, groupBy: 'lines[].sku', dateFormat: DD.MM, fields: { orderNumber: 1, 'lines[].sku': 2, requestedShipDate: 3, 'positions[].sku': 4 } } }
`;
    assert.throws(() => parseConfig(yaml, '/tmp'), (e: any) => {
      const text = String(e.message);
      assert.match(text, /\$\.endpoints\.drop\.codecOptions\.fields\.orderNumber: the file has no header, so columns are positions|\$\.endpoints\.drop\.codecOptions\.dateFormat: date format "DD\.MM" needs a year/);
      assert.match(text, /\$\.endpoints\.drop\.codecOptions\.fields\.positions\[\]\.sku: rows already fill lines\[\]/);
      return true;
    });
  });
  it('refuses a field the document does not have, naming the one meant, so no file of it is read in vain', () => {
    const yaml = `
endpoints:
  drop: { type: folder, inbox: ./in, codec: csv, codecOptions: { document: sales_order, groupBy: orderNumber, fields: { orderNumber: No, requestedShipdate: Ship, 'lines[].sku': Item, 'lines[].qty': Qty, 'shipTo.lines[0]': Street, 'orderNumber[0]': X, 'extensions.shop.channel': Channel } } }
`;
    assert.throws(() => parseConfig(yaml, '/tmp'), (e: any) => {
      const problems = (e.errors as Array<{ path: string; message: string }>).map((x) => `${x.path}: ${x.message}`);
      const at = '$.endpoints.drop.codecOptions.fields';
      assert.deepEqual(problems, [
        `${at}.requestedShipdate: a sales_order has no field "requestedShipdate"; did you mean "requestedShipDate"?`,
        `${at}.lines[].qty: a sales_order has no field "lines[].qty"; the fields of lines[] are lineNumber, sku, description, gtin, quantity, uom, lot, unitPrice, customerSku`,
        `${at}.orderNumber[0]: orderNumber is not a list`,
      ]);
      return true;
    });
  });
  it('accepts a valid layout and hands the compiled one to the codec', () => {
    const loaded = parseConfig(`
endpoints:
  drop: { type: folder, inbox: ./in, codec: csv, codecOptions: { document: item, fields: { sku: Item, baseUom: { const: EA } } } }
`, '/tmp');
    assert.ok(loaded);
    const layout: Layout | undefined = csvCodec.configure?.({ tenant: 'default', endpoint: 'drop', options: { document: 'item', fields: { sku: 'Item' } }, partners: {} });
    assert.equal(layout?.document, 'item');
  });
});
