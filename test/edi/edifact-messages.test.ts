// Every message both ways: decode, encode, round trip (canonical -> EDIFACT -> canonical) for D96A, D01B and
// EANCOM, a property test over generated documents, and the CONTRL and APERAK we answer with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aperakFor, contrlFor, decodeInterchanges, encodeDocument, writeForPartner, writeInterchange,
  type PartnerProfile,
} from '../../src/edi/edifact/index.ts';
import type { Acknowledgment, CanonicalDocument, InventorySnapshot, Receipt, SalesOrder, Shipment } from '../../src/model/index.ts';
import { entityKeyFor, validateDocument } from '../../src/model/index.ts';
import { seededRandom } from '../support/seed.ts';
import { assertRoundTrip, clock, ctx, decodedMessages, interchange, nextReference, partner } from './edifact-helpers.ts';

const envelope = { schemaVersion: 1, tenant: 'acme', source: { endpoint: 'erp' }, occurredAt: '2026-03-01T08:15:00+01:00', receivedAt: '2026-03-01T08:15:01+01:00', references: [] };

function doc<T extends CanonicalDocument>(d: Record<string, unknown>): T {
  const full = { ...envelope, id: 'doc-1', ...d };
  // The key a decoder gives is the model's for the document's fields.
  const v = validateDocument({ ...full, entityKey: entityKeyFor(full) ?? d.entityKey });
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.document as T;
}

const order = (): SalesOrder => doc<SalesOrder>({
  type: 'sales_order', entityKey: 'order:SO-1', orderNumber: 'SO-1', customerOrderNumber: 'PO-77', facility: 'DC1', depositor: '4012345000009',
  customer: { code: '4012345000016', name: 'Northwind Retail', address: { lines: ['1 Quay'], city: 'Hamburg', postalCode: '20457', country: 'DE' } },
  shipTo: { name: 'Store 12', company: 'Northwind', lines: ['Hauptstraße 5', 'Hof 2'], city: 'Köln', region: 'NW', postalCode: '50667', country: 'DE', phone: '+49 221 0', email: 'store12@example.com' },
  billTo: { name: 'Accounts', lines: ['1 Quay'], city: 'Hamburg', country: 'DE' },
  carrier: { scac: 'DHLX', service: 'EXPRESS', transportMode: '30' },
  requestedShipDate: '2026-03-04', requestedDeliveryDate: '2026-03-05', cancelAfter: '2026-03-10', notes: ["Ring twice: it's loud+clear"],
  lines: [
    { lineNumber: '1', sku: 'MUG-RED', gtin: '4012345678901', description: 'Red mug 0.3 l, stoneware, dishwasher safe, boxed', quantity: '12', uom: 'PCE', unitPrice: '3.75', customerSku: 'C-998' },
    { lineNumber: '2', sku: 'TEA-1', quantity: '2.5', uom: 'KGM', lot: 'L2026-01' },
  ],
});

const shipment = (): Shipment => doc<Shipment>({
  type: 'shipment', entityKey: 'order:SO-1', shipmentNumber: 'DES-1', orderNumber: 'SO-1', facility: 'DC1', depositor: '4012345000009',
  shippedAt: '2026-03-04T16:20:00+01:00', complete: false, carrier: { scac: 'DHLX', service: 'EXPRESS' },
  shipTo: { name: 'Store 12', lines: ['Hauptstraße 5'], city: 'Köln', postalCode: '50667', country: 'DE' },
  trackingNumbers: ['JD0001'], billOfLading: 'BOL-9', proNumber: 'PRO-3', totalWeight: { value: '412.5', unit: 'KGM' },
  packages: [
    { sscc: '340123450000000017', weight: { value: '200', unit: 'KGM' }, dimensions: { length: '1200', width: '800', height: '1500', unit: 'MMT' }, lines: [{ lineNumber: '1', sku: 'MUG-RED', quantity: '8', uom: 'PCE', lot: 'A1' }] },
    { sscc: '340123450000000024', trackingNumber: 'JD0002', lines: [{ lineNumber: '1', sku: 'MUG-RED', quantity: '2', uom: 'PCE', lot: 'A2' }, { lineNumber: '2', sku: 'TEA-1', quantity: '1', uom: 'KGM' }] },
  ],
  lines: [
    { lineNumber: '1', sku: 'MUG-RED', quantity: '10', uom: 'PCE', orderedQuantity: '12', lots: [{ lot: 'A1', quantity: '8', expiryDate: '2027-01-31' }, { lot: 'A2', quantity: '2' }], serials: ['S1', 'S2', 'S3'] },
    { lineNumber: '2', sku: 'TEA-1', quantity: '2.5', uom: 'KGM', lots: [], serials: [] },
  ],
});

const receipt = (): Receipt => doc<Receipt>({
  type: 'receipt', entityKey: 'inbound:PO-5', receiptNumber: 'REC-1', poNumber: 'PO-5', asnNumber: 'ASN-5', facility: 'DC1', depositor: '4012345000009', complete: true,
  lines: [
    { lineNumber: '1', sku: 'MUG-RED', quantity: '95', uom: 'PCE', expectedQuantity: '100', damagedQuantity: '5', lot: 'A9', expiryDate: '2027-06-30', serials: [] },
    { lineNumber: '2', sku: 'TEA-1', quantity: '10', uom: 'KGM', damagedQuantity: '0', serials: ['T1'] },
  ],
});

const snapshot = (): InventorySnapshot => doc<InventorySnapshot>({
  type: 'inventory_snapshot', entityKey: 'stock:DC1', facility: 'DC1', depositor: '4012345000009', reportNumber: 'INV-20260301', asOf: '2026-03-01T23:00:00Z', scope: 'full',
  positions: [
    { sku: 'MUG-RED', lot: 'A1', status: 'available', uom: 'PCE', onHand: '40', allocated: '12', expiryDate: '2027-01-31' },
    { sku: 'MUG-RED', lot: 'A1', status: 'damaged', uom: 'PCE', onHand: '2', allocated: '0', expiryDate: '2027-01-31' },
    { sku: 'TEA-1', status: 'hold', uom: 'KGM', onHand: '7.25', allocated: '0' },
  ],
});

const PROFILES: Array<[string, PartnerProfile]> = [
  ['D96A UNOC syntax 3', partner()],
  ['D01B UNOY syntax 4 with groups', partner({ directory: 'D01B', syntax: { identifier: 'UNOY', version: 4 }, groups: true })],
  ['D96A EANCOM, decimal comma', partner({ eancom: true, serviceChars: { decimal: ',' } })],
  ['D01B EANCOM, custom service characters, line breaks', partner({ directory: 'D01B', eancom: true, serviceChars: { component: '=', element: '*', release: '!', segment: '~' }, lineBreaks: true })],
];

for (const [name, profile] of PROFILES) {
  test(`round trips (${name}): ORDERS, DESADV, RECADV, INVRPT`, async () => {
    await assertRoundTrip(order(), profile);
    await assertRoundTrip(doc({ type: 'order_cancel', entityKey: 'order:SO-1', orderNumber: 'SO-1', reason: 'customer cancelled', lines: [] }), profile);
    await assertRoundTrip(shipment(), profile);
    await assertRoundTrip(receipt(), profile);
    await assertRoundTrip(snapshot(), profile);
  });
}

test('ORDERS decode: parties, dates, carrier, lines with GTIN, buyer item number, description, price', () => {
  const body = "BGM+220+SO-9+9'DTM+137:20260301:102'DTM+2:20260305:102'DTM+10:20260304:102'RFF+CR:PO-1'RFF+AAN:X'" +
    "NAD+BY+4012345000016::9++Buyer Ltd'NAD+SU+4012345000009::9'NAD+DP+4012345000023::9++Dock 4+Road 1+Town++12345+DE'CTA+IC'COM+?+49 1:TE'" +
    "TDT+20++30++UPSN::182'LIN+1++4012345678901:SRV'PIA+1+MUG:SA+C-1:IN'IMD+F++:::Red mug'QTY+21:12:PCE'PRI+AAA:3,5'UNS+S'CNT+2:1'";
  const [m] = decodedMessages(interchange([{ type: 'ORDERS', body, association: 'EAN008' }]));
  assert.deepEqual(m!.errors, []);
  const o = m!.documents[0] as SalesOrder;
  assert.deepEqual([o.orderNumber, o.customerOrderNumber, o.depositor, o.customer?.code, o.shipTo.name, o.shipTo.phone, o.carrier?.scac, o.requestedShipDate, o.requestedDeliveryDate], ['SO-9', 'PO-1', '4012345000009', '4012345000016', 'Dock 4', '+49 1', 'UPSN', '2026-03-04', '2026-03-05']);
  assert.deepEqual(o.lines[0], { lineNumber: '1', sku: 'MUG', gtin: '4012345678901', customerSku: 'C-1', description: 'Red mug', quantity: '12', uom: 'PCE', unitPrice: '3.5' });
  assert.deepEqual(o.references, [{ qualifier: 'AAN', value: 'X' }]);
});

test('EANCOM ORDERS: the mandatory DTM 137, NAD BY and SU and UNS are checked on read and on write', () => {
  const [m] = decodedMessages(interchange([{ type: 'ORDERS', body: "BGM+220+SO-9+9'NAD+ST+++X+Y+Z'LIN+1++4012345678901:SRV'QTY+21:1'", association: 'EAN010', release: '01B' }]));
  assert.deepEqual(m!.errors.filter((e) => e.severity === 'error').map((e) => e.position.segmentTag), ['DTM', 'NAD', 'NAD', 'UNS']);
  const plain = decodedMessages(interchange([{ type: 'ORDERS', body: "BGM+220+SO-9+9'NAD+ST+++X+Y+Z'LIN+1++4012345678901:SRV'QTY+21:1'", release: '01B' }]));
  assert.equal(plain[0]!.accepted, true, 'a plain UN ORDERS needs none of them');
  const o = order();
  delete (o as Partial<SalesOrder>).depositor;
  const r = encodeDocument(o, partner({ eancom: true }));
  assert.equal(r.message, null);
  assert.match(r.errors[0]!.message, /EANCOM ORDERS needs NAD\+SU/);
  const written = encodeDocument(order(), partner({ eancom: true, directory: 'D01B' }));
  assert.equal(written.message!.association, 'EAN010');
  assert.ok(written.message!.segments.some((s) => s[0] === 'NAD' && s[1] === 'DP'), 'EANCOM ships to the delivery party');
});

test('DESADV decode: pack hierarchy, SSCC, lots by PIA/GIN/RFF, best-before, serials, partial shipment', () => {
  const body = "BGM+351+DES-2+9'DTM+137:20260304:102'DTM+11:202603041620?+0100:303'RFF+ON:SO-1'NAD+SF+DC1::92'NAD+SU+4012345000009::9'NAD+DP+4012345000023::9'" +
    "CPS+1'PAC+2'MEA+PD+AAD+KGM:300'CPS+2+1'PAC+1++201::9'MEA+PD+AAB+KGM:150'PCI+33E'GIN+BJ+00340123450000000017'" +
    "LIN+1++MUG:SA'PIA+1+A1:NB'QTY+12:6:PCE'QTY+21:10:PCE'DTM+361:20270131:102'GIN+BN+S1:S2+S3'QVR+-4:21+BP'" +
    "CPS+3+1'PCI+33E'GIN+BJ+340123450000000024'LIN+1++MUG:SA'GIN+BX+A2'QTY+12:2:PCE'LIN+2++TEA:SA'RFF+BT:T9'QTY+12:1:KGM'CNT+2:3'";
  const [m] = decodedMessages(interchange([{ type: 'DESADV', body }]));
  assert.deepEqual(m!.errors, []);
  const s = m!.documents[0] as Shipment;
  assert.equal(s.shippedAt, '2026-03-04T16:20:00+01:00');
  assert.equal(s.complete, false);
  assert.deepEqual(s.totalWeight, { value: '300', unit: 'KGM' });
  assert.deepEqual(s.packages.map((p) => [p.sscc, p.weight?.value, p.lines.map((l) => `${l.sku}:${l.quantity}:${l.lot ?? ''}`).join()]), [
    ['340123450000000017', '150', 'MUG:6:A1'],
    ['340123450000000024', undefined, 'MUG:2:A2,TEA:1:T9'],
  ]);
  assert.deepEqual(s.lines[0], { lineNumber: '1', sku: 'MUG', quantity: '8', uom: 'PCE', orderedQuantity: '10', lots: [{ lot: 'A1', quantity: '6', expiryDate: '2027-01-31' }, { lot: 'A2', quantity: '2' }], serials: ['S1', 'S2', 'S3'] });
});

test('a DESADV pack whose SSCC is not 18 digits is a positioned error', () => {
  const body = "BGM+351+DES-2+9'RFF+ON:SO-1'NAD+SF+DC1'CPS+1'CPS+2+1'PCI+33E'GIN+BJ+12345'LIN+1++MUG:SA'QTY+12:6'";
  const [m] = decodedMessages(interchange([{ type: 'DESADV', body }]));
  const e = m!.errors.find((x) => x.code === 'EDIFACT_ELEMENT_INVALID')!;
  assert.deepEqual([e.position.segmentTag, e.position.segmentPosition, e.position.element, e.position.component], ['GIN', 8, 2, 1]);
});

test('INVRPT D01B groups start with INV; quantities by status; an unmappable status is refused when writing', () => {
  const p = partner({ directory: 'D01B' });
  const w = encodeDocument(snapshot(), p);
  const tags = w.message!.segments.map((s) => s[0]);
  assert.equal(tags[tags.indexOf('QTY') - 1], 'INV');
  const bad = snapshot();
  bad.positions[0]!.status = 'cycle_count_pending';
  const r = encodeDocument(bad, p);
  assert.equal(r.message, null);
  assert.match(r.errors[0]!.message, /status "cycle_count_pending"/);
});

test('CONTRL: built from the verdict of a broken interchange with UCI/UCM/UCS/UCD codes, and read back', async () => {
  const good = "BGM+220+SO-1+9'NAD+ST+++A+B+C'LIN+1++MUG:SA'QTY+21:1'";
  const text = interchange([
    { type: 'ORDERS', body: good },
    { type: 'ORDERS', body: "BGM+220+SO-2+9'NAD+ST+++A+B+C'LIN+1++MUG:SA'QTY+21:x'" },
    { type: 'ORDERS', body: good.replace('SO-1', 'SO-3') },
    { type: 'INVOIC', body: "BGM+380+1+9'" },
  ]).replace('UNT+6+3', 'UNT+9+3');
  const { interchanges } = decodeInterchanges(Buffer.from(text, 'latin1'), ctx);
  const { acknowledgment, message } = contrlFor(interchanges[0]!.verdict);
  assert.equal(acknowledgment.status, 'partially_accepted');
  assert.deepEqual(message.segments, [
    ['UCI', '1001', ['SENDER', '14'], ['RECEIVER', '14'], '7', '', '', ''],
    ['UCM', '1', ['ORDERS'], '7', '', '', ''],
    ['UCM', '2', ['ORDERS'], '4', '', '', ''],
    ['UCS', '5'],
    ['UCD', '12', ['1', '2']],
    ['UCM', '3', ['ORDERS'], '4', '29', 'UNT', ['1', '']],
    ['UCM', '4', ['INVOIC'], '4', '17', 'UNH', ['2', '1']],
  ]);
  // Written to the partner and read back, the CONTRL is the same acknowledgment.
  const w = await writeInterchange([message], { sender: { id: 'RECEIVER', qualifier: '14' }, recipient: { id: 'SENDER', qualifier: '14' }, syntax: { identifier: 'UNOC', version: 3 }, nextReference, now: clock });
  const [m] = decodedMessages(w.bytes);
  assert.equal(m!.message.header.type, 'CONTRL');
  assert.deepEqual([m!.message.header.version, m!.message.header.release], ['D', '3']);
  const a = m!.documents[0] as Acknowledgment;
  assert.deepEqual([a.status, a.acknowledges.reference, a.sets.map((s) => `${s.controlNumber}:${s.status}:${s.errors.map((e) => e.code).join('/')}`)], ['partially_accepted', '1001', ['1:accepted:', '2:rejected:UCS-/UCD-12'.replace('UCS-/', ''), '3:rejected:UCM-29', '4:rejected:UCM-17']]);
  assert.deepEqual(a.sets[1]!.errors[0]!.segmentPosition, 5);
  // UCI S002/S003 carry the 0007 qualifiers of the acknowledged interchange's UNB, and are read back.
  assert.deepEqual([a.acknowledges.senderId, a.acknowledges.senderQualifier, a.acknowledges.receiverId, a.acknowledges.receiverQualifier], ['SENDER', '14', 'RECEIVER', '14']);
  assert.deepEqual([a.sets[1]!.errors[0]!.elementPosition, a.sets[1]!.errors[0]!.componentPosition], [1, 2]);
  // An interchange rejected as a whole: UCI 4 with its code.
  const broken = decodeInterchanges(Buffer.from(interchange([{ type: 'ORDERS', body: good }]).replace("UNZ+1+1001'", "UNZ+1+1002'"), 'latin1'), ctx);
  const c = contrlFor(broken.interchanges[0]!.verdict);
  assert.deepEqual(c.message.segments[0], ['UCI', '1001', ['SENDER', '14'], ['RECEIVER', '14'], '4', '28', 'UNZ', ['2', '']]);
  assert.equal(c.acknowledgment.status, 'rejected');
  // Syntax 4 interchanges get a CONTRL:4:1.
  const v4 = decodeInterchanges(Buffer.from(interchange([{ type: 'ORDERS', body: good }], { syntax: 'UNOC:4' }), 'latin1'), ctx);
  assert.deepEqual([contrlFor(v4.interchanges[0]!.verdict).message.version, contrlFor(v4.interchanges[0]!.verdict).message.release], ['4', '1']);
});

test('APERAK: a refused message answered and read back as an application acknowledgment', async () => {
  const [m] = decodedMessages(interchange([{ type: 'ORDERS', body: "BGM+220+SO-1+9'NAD+ST+++A+B+C'LIN+1++MUG:SA'QTY+21:1'" }]));
  const { acknowledgment, message } = aperakFor(m!.message, [{ code: 'SKU', message: 'SKU MUG is not known at DC1.', path: 'LI 1' }, { code: 'RULE_OVER_SHIPMENT', message: 'Too much.' }], { directory: 'D96A', documentNumber: 'AP-1', now: clock });
  assert.equal(acknowledgment.status, 'rejected');
  const w = await writeInterchange([message], { sender: { id: 'RECEIVER' }, recipient: { id: 'SENDER' }, syntax: { identifier: 'UNOC', version: 3 }, nextReference, now: clock });
  const [back] = decodedMessages(w.bytes);
  assert.deepEqual(back!.errors, []);
  const a = back!.documents[0] as Acknowledgment;
  assert.deepEqual([a.kind, a.status, a.acknowledges.reference], ['application', 'rejected', '1']);
  assert.deepEqual(a.errors, [{ code: 'ERC-SKU', message: 'SKU MUG is not known at DC1.', path: 'LI 1' }, { code: 'ERC-ZZZ', message: '[RULE_OVER_SHIPMENT] Too much.' }]);
  const ok = aperakFor(m!.message, [], { directory: 'D01B', now: clock });
  assert.equal(ok.acknowledgment.status, 'accepted');
  assert.deepEqual(ok.message.segments[0], ['BGM', ['313'], ['aperak:1'], '9', 'AP']);
});

test('writing for a partner: UNOA folds to upper case and refuses what it cannot carry, naming it', async () => {
  const unoa = partner({ syntax: { identifier: 'UNOA', version: 3 } });
  const o = order();
  const w = await writeForPartner([o], unoa, { nextReference, now: clock });
  assert.equal(w.bytes.length, 0);
  // Upper-cased first (ß becomes SS and fits), then held to the set: Ö does not.
  assert.ok(!w.errors.some((x) => x.message.includes('ß')));
  const e = w.errors.find((x) => x.code === 'EDIFACT_CHARACTER_UNENCODABLE')!;
  assert.match(e.message, /"Köln" holds "Ö" \(U\+00D6\)/);
  assert.equal(e.position.segmentTag, 'NAD');
  const simple = doc<SalesOrder>({ type: 'sales_order', entityKey: 'order:A', orderNumber: 'a-1', shipTo: { name: 'Jane Doe' }, lines: [{ lineNumber: '1', sku: 'sku-1', quantity: '1', uom: 'PCE' }] });
  const ok = await writeForPartner([simple], unoa, { nextReference, now: clock });
  assert.deepEqual(ok.errors, []);
  assert.match(ok.text, /BGM\+220\+A-1\+9'/);
  assert.match(ok.text, /NAD\+ST\+\+\+JANE DOE'/);
});

// ---- property test over generated documents --------------------------------------------------------

function generators(rnd: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const text = (n: number) => Array.from({ length: int(1, n) }, () => pick(['a', 'B', '7', ' ', "'", '+', ':', '?', '*', 'é', '-', '.'])).join('').trim() || 'x';
  const code = () => Array.from({ length: int(1, 8) }, () => pick(['A', 'B', 'C', '1', '2', '-', '9'])).join('');
  const qty = () => pick([String(int(1, 999)), `${int(0, 99)}.${int(1, 9)}`, `${int(1, 9)}.25`]);
  const date = () => `2026-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  const time = () => `${date()}T${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${pick(['00', '30'])}${pick(['Z', '+01:00', '-05:00'])}`;
  const address = () => ({ name: text(30), lines: [text(30)].slice(0, int(0, 1)), city: text(20), postalCode: code(), country: pick(['DE', 'FR', 'NL']) });
  const order = () => doc<SalesOrder>({
    type: 'sales_order', entityKey: 'order:X', orderNumber: code(), occurredAt: time(), shipTo: address(), depositor: code(), customer: { code: code(), name: text(20) },
    ...(rnd() < 0.5 ? { requestedShipDate: date() } : {}), ...(rnd() < 0.5 ? { notes: [text(60)] } : {}),
    lines: Array.from({ length: int(1, 4) }, (_, i) => ({ lineNumber: String(i + 1), sku: code(), quantity: qty(), uom: pick(['PCE', 'KGM', 'CT']), ...(rnd() < 0.5 ? { description: text(60) } : {}), ...(rnd() < 0.3 ? { lot: code() } : {}) })),
  });
  const shipment = () => {
    const lines = Array.from({ length: int(1, 3) }, (_, i) => ({ lineNumber: String(i + 1), sku: code(), quantity: String(int(2, 20)), uom: 'PCE', lots: [] as Array<{ lot: string; quantity: string; expiryDate?: string }>, serials: rnd() < 0.3 ? [code(), code()] : [] }));
    for (const l of lines) if (rnd() < 0.5) l.lots.push({ lot: code(), quantity: l.quantity, ...(rnd() < 0.5 ? { expiryDate: date() } : {}) });
    const packages = rnd() < 0.6 ? [{ sscc: String(int(100000000, 999999999)).repeat(2), weight: { value: qty(), unit: 'KGM' }, lines: [{ lineNumber: '1', sku: lines[0]!.sku, quantity: '1', uom: 'PCE', ...(lines[0]!.lots[0] ? { lot: lines[0]!.lots[0].lot } : {}) }] }] : [];
    return doc<Shipment>({ type: 'shipment', entityKey: 'order:X', shipmentNumber: code(), orderNumber: code(), facility: code(), shippedAt: time(), occurredAt: time(), complete: rnd() < 0.7, trackingNumbers: rnd() < 0.5 ? [code()] : [], packages, lines, depositor: code(), shipTo: address() });
  };
  const receipt = () => doc<Receipt>({ type: 'receipt', entityKey: 'inbound:X', receiptNumber: code(), facility: code(), occurredAt: time(), ...(rnd() < 0.5 ? { poNumber: code() } : {}), lines: Array.from({ length: int(1, 3) }, (_, i) => ({ lineNumber: String(i + 1), sku: code(), quantity: qty(), uom: 'PCE', damagedQuantity: rnd() < 0.3 ? '1' : '0', ...(rnd() < 0.4 ? { lot: code(), expiryDate: date() } : {}) })) });
  const snapshotDoc = () => doc<InventorySnapshot>({
    type: 'inventory_snapshot', entityKey: 'stock:X', facility: code(), reportNumber: code(), asOf: time(), occurredAt: '2026-01-01T00:00:00Z', scope: pick(['full', 'partial']),
    positions: Array.from({ length: int(1, 4) }, (_, i) => ({ sku: `${code()}${i}`, status: pick(['available', 'damaged', 'hold']), uom: 'PCE', onHand: qty(), allocated: '0', ...(rnd() < 0.3 ? { lot: code() } : {}) })),
  });
  return { order, shipment, receipt, snapshotDoc, pick };
}

test('property: 200 generated documents survive canonical -> EDIFACT -> canonical under varied profiles', async (t) => {
  const rnd = seededRandom(t);
  const g = generators(rnd);
  for (let n = 0; n < 200; n++) {
    const kind = g.pick(['order', 'shipment', 'receipt', 'snapshotDoc'] as const);
    const d = g[kind]();
    const [, profile] = PROFILES[n % PROFILES.length]!;
    await assertRoundTrip(d, profile);
  }
});
