import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditItemMasters, auditReportCsv, auditReportHtml, gtinProblem, parseItemFeed, type AuditItem } from '../../src/inventory/index.ts';
import { seededRandom } from '../support/seed.ts';

/** A GTIN-13 with its check digit, from a 12-digit body. */
function gtin13(body: number): string {
  const digits = String(body).padStart(12, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + ((10 - (sum % 10)) % 10);
}

function cleanItem(i: number): AuditItem {
  return {
    sku: `SKU-${i}`, description: `Item ${i}`, baseUom: 'EA', conversions: [{ uom: 'CS', factor: '12' }],
    barcodes: [{ kind: 'GTIN', value: gtin13(400_000_000_000 + i) }],
    weight: { value: '1.5', unit: 'KG' }, dimensions: { length: '10', width: '20', height: '5', unit: 'CM' },
    lotTracked: false, serialTracked: false,
  };
}

const clone = <T>(v: T): T => structuredClone(v);

describe('the go-live audit', () => {
  it('finds every problem planted in a messy pair of item masters, and nothing else', (t) => {
    const random = seededRandom(t);
    const size = 60 + Math.floor(random() * 140);
    const erp = Array.from({ length: size }, (_, i) => cleanItem(i));
    const warehouse = erp.map(clone);
    // Distinct items to plant problems on, picked by the seed.
    const pool = Array.from({ length: size }, (_, i) => i);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const pick = () => pool.pop()!;
    const expected: string[] = [];
    const expect = (kind: string, sku: string, field: string) => expected.push(`${kind} ${sku} ${field}`);

    erp.push({ ...cleanItem(size), barcodes: [] });
    expect('missing_in_warehouse', `SKU-${size}`, 'sku');
    warehouse.push({ ...cleanItem(size + 1), barcodes: [] });
    expect('missing_in_erp', `SKU-${size + 1}`, 'sku');

    const dup = pick();
    warehouse.push(clone(warehouse[dup]!));
    expect('duplicate_sku', `SKU-${dup}`, 'sku');

    const caseVariant = pick();
    erp.push({ ...clone(erp[caseVariant]!), sku: `sku-${caseVariant}`, barcodes: [] });
    expect('sku_variant', `sku-${caseVariant}`, 'sku');

    const spaced = pick();
    warehouse[spaced]!.sku = `SKU-${spaced} `;
    expect('sku_variant', `SKU-${spaced}`, 'sku');

    const [clashA, clashB] = [pick(), pick()];
    warehouse[clashA]!.barcodes = clone(warehouse[clashB]!.barcodes);
    expect('barcode_clash', `SKU-${clashB}`, 'barcodes');

    const badDigit = pick();
    const code = erp[badDigit]!.barcodes![0]!.value;
    erp[badDigit]!.barcodes![0]!.value = code.slice(0, 12) + ((Number(code[12]) + 1) % 10);
    expect('barcode_check_digit', `SKU-${badDigit}`, 'barcodes[0].value');

    const unit = pick();
    warehouse[unit]!.baseUom = 'CS';
    warehouse[unit]!.conversions = [];
    expect('unit_mismatch', `SKU-${unit}`, 'baseUom');

    const pallet = pick();
    warehouse[pallet]!.conversions!.push({ uom: 'PL', factor: '480' });
    expect('missing_conversion', `SKU-${pallet}`, 'conversions');

    const factor = pick();
    warehouse[factor]!.conversions = [{ uom: 'CS', factor: '10' }];
    expect('unit_mismatch', `SKU-${factor}`, 'conversions.CS');

    const lots = pick();
    warehouse[lots]!.lotTracked = true;
    expect('tracking_mismatch', `SKU-${lots}`, 'lotTracked');
    const serials = pick();
    erp[serials]!.serialTracked = true;
    expect('tracking_mismatch', `SKU-${serials}`, 'serialTracked');

    const weightless = pick();
    delete erp[weightless]!.weight;
    expect('missing_weight', `SKU-${weightless}`, 'weight');
    const flat = pick();
    warehouse[flat]!.dimensions!.height = '0';
    expect('missing_dimensions', `SKU-${flat}`, 'dimensions');
    // The variant and duplicate records planted above carry weight and dimensions: only the first record of a SKU is checked.

    const boxed = pick();
    erp[boxed]!.conversions!.push({ uom: 'BX', factor: '6' });
    expect('unknown_code', `SKU-${boxed}`, 'conversions[1].uom');

    const report = auditItemMasters({
      erp, warehouse,
      codeTables: { unit: ['EA', 'CS', 'PL'], facility: ['DC1'], carrier: ['UPSN', 'FDEG'] },
      facilities: [{ code: 'DC1', side: 'erp', record: 'ERP stock of DC1' }, { code: 'DC9', side: 'warehouse', record: 'warehouse stock of DC9' }],
      carriers: [{ code: 'UPSN', side: 'erp', record: 'order 1' }, { code: 'XXXX', side: 'erp', record: 'order 2' }, { code: 'XXXX', side: 'erp', record: 'order 3' }],
      stock: { erp: [{ facility: 'DC1', sku: 'SKU-1', onHand: '10' }, { facility: 'DC1', sku: 'SKU-2', onHand: '5' }], warehouse: [{ facility: 'DC1', sku: 'SKU-1', onHand: '10' }, { facility: 'DC1', sku: 'SKU-2', onHand: '4' }] },
    });
    expect('unknown_code', '', 'facility');
    expect('unknown_code', '', 'carrier');
    expect('stock_difference', 'SKU-2', 'onHand');

    const found = report.findings.map((f) => `${f.kind} ${f.sku} ${f.field}`);
    assert.deepEqual(found.sort(), expected.sort());
    assert.equal(report.total, expected.length);
    assert.equal(report.counts.unknown_code, 3);
    assert.equal(report.counts.tracking_mismatch, 2);
    for (const f of report.findings) {
      assert.ok(f.record && f.field && f.found && f.action, `finding ${f.kind} names its record, field, what was found and what to do`);
    }
  });

  it('passes a clean pair with no findings', () => {
    const items = Array.from({ length: 20 }, (_, i) => cleanItem(i));
    const report = auditItemMasters({ erp: items, warehouse: items.map(clone), codeTables: { unit: ['EA', 'CS'] } });
    assert.deepEqual(report.findings, []);
    assert.match(auditReportHtml(report), /no findings/);
  });

  it('checks GTIN-8, UPC-A, EAN-13 and GTIN-14 check digits', () => {
    assert.equal(gtinProblem('96385074'), undefined);
    assert.equal(gtinProblem('036000291452'), undefined);
    assert.equal(gtinProblem('4006381333931'), undefined);
    assert.equal(gtinProblem('10012345678902'), undefined);
    assert.equal(gtinProblem('4006381333932'), 'check digit 2, expected 1');
    assert.equal(gtinProblem('40063813339'), '11 digits, expected 8, 12, 13 or 14');
    assert.equal(gtinProblem('4006381333a31'), 'not all digits');
  });

  it('writes CSV a spreadsheet will not run, and HTML with counts per kind, escaping what it quotes', () => {
    const report = auditItemMasters({ erp: [{ sku: '=HYPERLINK("x")', baseUom: 'EA' }], warehouse: [{ sku: '<b>x</b>', baseUom: 'EA' }] });
    const csv = auditReportCsv(report);
    assert.match(csv, /^kind,side,sku,record,field,found,action\r\n/);
    assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
    const html = auditReportHtml(report);
    assert.ok(!html.includes('<b>x</b>'));
    assert.match(html, /missing in erp<\/a><\/td><td class="n">1</);
  });

  it('reads an item feed as CSV or JSON, naming the row and column of a bad value', () => {
    const csv = 'sku,description,uom,gtin,weight,length,width,height,lot_tracked,conversions\r\nA-1,"Widget, blue",EA,4006381333931,1.2,10,10,10,yes,CS=12;PL=480\r\nA-2,,EA,,,,,,no,\r\n';
    assert.deepEqual(parseItemFeed(csv), [
      { sku: 'A-1', description: 'Widget, blue', baseUom: 'EA', barcodes: [{ kind: 'GTIN', value: '4006381333931' }], weight: { value: '1.2', unit: 'KG' }, dimensions: { length: '10', width: '10', height: '10', unit: 'CM' }, lotTracked: true, conversions: [{ uom: 'CS', factor: '12' }, { uom: 'PL', factor: '480' }] },
      { sku: 'A-2', baseUom: 'EA', lotTracked: false },
    ]);
    assert.throws(() => parseItemFeed('sku,lot_tracked\nA,maybe\n', 'wms.csv'), /wms.csv row 2, column lot_tracked: expected true or false/);
    assert.deepEqual(parseItemFeed('{"sku":"A"}\n{"sku":"B","baseUom":"EA"}\n'), [{ sku: 'A' }, { sku: 'B', baseUom: 'EA' }]);
    assert.throws(() => parseItemFeed('[{"description":"x"}]'), /record 1: expected an object with a "sku" string/);
  });
});
