// 945s and 856s: what shipped is read line for line, never summed across products or units.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDocument } from '../../src/edi/x12/index.ts';
import type { Shipment } from '../../src/model/index.ts';
import { assertRoundTrip, decodedSets, envelope } from './x12-helpers.ts';

const only = (functionalId: string, id: string, body: string) => {
  const [set] = decodedSets(envelope(functionalId, [{ id, body }]));
  assert.deepEqual(set!.errors.filter((e) => e.severity === 'error'), []);
  return set!.documents as Shipment[];
};
const lines = (s: Shipment) => s.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom]);

test('945: W12s without N9*LI in one package are separate lines, one per SKU and unit, never summed together', () => {
  const [s] = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~W27*M~LX*1~MAN*GM*00123456789012345678~W12*CC*1*1**EA**VN*WIDGET-1~W12*CC*1*1**MR**VN*CABLE-M~W03*2~');
  assert.deepEqual(lines(s!), [['1', 'WIDGET-1', '1', 'EA'], ['2', 'CABLE-M', '1', 'MR']]);
  assert.deepEqual(s!.packages[0]!.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom]), [['1', 'WIDGET-1', '1', 'EA'], ['2', 'CABLE-M', '1', 'MR']]);
  // The same SKU in two units stays two lines; the same SKU and unit in two packages is one line.
  const [t] = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~W27*M~LX*1~W12*CC*4*4**EA**VN*A~W12*CC*2*2**CA**VN*A~LX*2~W12*CC*4*3**EA**VN*A~W03*9~');
  assert.deepEqual(lines(t!), [['1', 'A', '7', 'EA'], ['2', 'A', '2', 'CA']]);
  // A line number sent for one line is kept; the unnumbered ones take numbers it does not use.
  const [u] = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~W27*M~LX*1~W12*CC*1*1**EA**VN*A~W12*CC*1*1**EA**VN*B~N9*LI*1~W03*2~');
  assert.deepEqual(lines(u!), [['2', 'A', '1', 'EA'], ['1', 'B', '1', 'EA']]);
});

test('945: several W12s under one line number (its lots) add up to that line; different SKUs under one number do not', () => {
  const [s] = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~W27*M~LX*1~W12*CC*10*4**EA**VN*A*L1~N9*LI*1~LX*2~W12*CC*10*6**EA**VN*A*L2~N9*LI*1~LX*3~W12*CC*1*1**EA**VN*B~N9*LI*1~W03*11~');
  assert.deepEqual(lines(s!), [['1', 'A', '10', 'EA'], ['1', 'B', '1', 'EA']]);
  assert.deepEqual(s!.lines[0]!.lots, [{ lot: 'L1', quantity: '4' }, { lot: 'L2', quantity: '6' }]);
  assert.equal(s!.lines[0]!.orderedQuantity, '10', 'not read as an over-shipment of 10 ordered');
});

test('856: an SN1-08 BP or IB leaves only its own order incomplete', () => {
  const docs = only('SH', '856', 'BSN*00*A1*20260302*0800*0001~HL*1**S~N1*SF**92*F1~HL*2*1*O~PRF*PO-1~HL*3*2*I~LIN*1*VN*A~SN1**1*EA**2*EA**BP~HL*4*1*O~PRF*PO-2~HL*5*4*I~LIN*1*VN*B~SN1**1*EA~');
  assert.deepEqual(docs.map((d) => [d.orderNumber, d.complete]), [['PO-1', false], ['PO-2', true]]);
});

test('945 and 856: the ship-to is read and written; an SSCC is written with its 00 application identifier', async () => {
  const shipTo = { name: 'Jane Roe', company: 'Roe Ltd', lines: ['1 Road', 'Unit 2'], city: 'Town', region: 'OR', postalCode: '97201', country: 'US' };
  const [s] = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~N1*ST*Jane Roe~N2*Roe Ltd~N3*1 Road*Unit 2~N4*Town*OR*97201*US~W27*M~LX*1~MAN*GM*00123456789012345678~W12*CC*1*1**EA**VN*A~N9*LI*1~W03*1~');
  assert.deepEqual(s!.shipTo, shipTo);
  const written = encodeDocument(s!, '945').segments.map((x) => x.join('*'));
  assert.ok(written.includes('N1*ST*Jane Roe**'), written.join('~'));
  assert.ok(written.includes('MAN*GM*00123456789012345678'), written.join('~'));
  await assertRoundTrip([s!], '945');
  const asn = encodeDocument(s!, '856').segments.map((x) => x.join('*'));
  assert.ok(asn.includes('MAN*GM*00123456789012345678'), asn.join('~'));
  assert.ok(asn.includes('N1*ST*Jane Roe**'), asn.join('~'));
  await assertRoundTrip([s!], '856');
});
