// Transaction sets: vectors written from the public implementation guides, decoded to canonical
// documents, and each round-tripped (decode -> encode -> decode).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Acknowledgment, InventoryAdjustment, InventorySnapshot, PurchaseOrder, Receipt, SalesOrder, Shipment, OrderCancel } from '../../src/model/index.ts';
import { assertRoundTrip, ctx, decodedSets, envelope } from './x12-helpers.ts';
import { decodeX12Stream, encodeDocument, validateOutbound } from '../../src/edi/x12/index.ts';

const T940 =
  'W05*N*SO-1001*PO-555~N1*ST*Jane Doe*92*C-88~N3*12 Harbour Road*Unit 4~N4*Portland*OR*97201*US~PER*IC*Jane*TE*5035550101*EM*jane@example.com~' +
  'N1*DE*Acme Goods*9*ACME~N1*WH*Portland DC*9*PDX1~N9*CO*CUST-77~G62*10*20260305~G62*02*20260309~NTE*WHI*Leave at dock 3~' +
  'W66*PP*U***GROUND*****UPSN~LX*1~W01*2*EA**VN*SKU-RED*UP*012345678905~G69*Red mug~LX*2~W01*1.5*KG**VN*COFFEE-1~N9*LT*L2026-01~W76*3.5~';

test('940: names sent in UTF-8 are read as UTF-8, names sent in Latin-1 as Latin-1, and byte offsets stay the bytes', async () => {
  const text = envelope('OW', [{ id: '940', body: T940.replace('N1*ST*Jane Doe', 'N1*ST*Müller Łódź').replace('N3*12 Harbour Road', 'N3*Straße 1') }]);
  const utf8 = Buffer.from(text, 'utf8');
  const [inMemory] = decodedSets(utf8);
  assert.deepEqual(inMemory!.errors, []);
  const order = inMemory!.documents[0] as SalesOrder;
  assert.equal(order.shipTo!.name, 'Müller Łódź');
  assert.deepEqual(order.shipTo!.lines, ['Straße 1', 'Unit 4']);
  // The set's offset counts bytes of the file as sent, not characters.
  assert.equal(inMemory!.set.offset, utf8.indexOf('ST*940'));
  // Streamed in chunks of 7 bytes, so that a chunk ends inside a character's bytes.
  const chunks = async function* () { for (let i = 0; i < utf8.length; i += 7) yield utf8.subarray(i, i + 7); };
  const streamed: SalesOrder[] = [];
  for await (const it of decodeX12Stream(chunks(), ctx)) if (it.kind === 'set') streamed.push(...(it.documents as SalesOrder[]));
  assert.equal(streamed[0]!.shipTo!.name, 'Müller Łódź');
  const [latin1] = decodedSets(Buffer.from(text.replace('Łódź', 'Köln'), 'latin1'));
  assert.equal((latin1!.documents[0] as SalesOrder).shipTo!.name, 'Müller Köln');
  assert.deepEqual((latin1!.documents[0] as SalesOrder).shipTo!.lines, ['Straße 1', 'Unit 4']);
});

test('940: header, parties, dates, carrier and lines become one sales_order', async () => {
  const [set] = decodedSets(envelope('OW', [{ id: '940', body: T940 }]));
  assert.deepEqual(set!.errors, []);
  const o = set!.documents[0] as SalesOrder;
  assert.equal(o.type, 'sales_order');
  assert.equal(o.orderNumber, 'SO-1001');
  assert.equal(o.customerOrderNumber, 'PO-555');
  assert.equal(o.facility, 'PDX1');
  assert.equal(o.depositor, 'ACME');
  assert.deepEqual(o.shipTo, { name: 'Jane Doe', lines: ['12 Harbour Road', 'Unit 4'], city: 'Portland', region: 'OR', postalCode: '97201', country: 'US', phone: '5035550101', email: 'jane@example.com' });
  assert.equal(o.requestedShipDate, '2026-03-05');
  assert.equal(o.requestedDeliveryDate, '2026-03-09');
  assert.deepEqual(o.carrier, { scac: 'UPSN', service: 'GROUND', paymentTerms: 'prepaid', transportMode: 'U' });
  assert.deepEqual(o.notes, ['Leave at dock 3']);
  assert.deepEqual(o.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom, l.gtin, l.lot, l.description]), [
    ['1', 'SKU-RED', '2', 'EA', '012345678905', undefined, 'Red mug'],
    ['2', 'COFFEE-1', '1.5', 'KG', undefined, 'L2026-01', undefined],
  ]);
  await assertRoundTrip(set!.documents);
});

test('940: W05-01 F (cancel) becomes an order_cancel; R (change) a replacing sales_order', async () => {
  const [cancel] = decodedSets(envelope('OW', [{ id: '940', body: 'W05*F*SO-1001~N1*WH**9*PDX1~NTE*GEN*Customer changed their mind~W66*PP*M~LX*1~W01*2*EA**VN*SKU-RED~' }]));
  const c = cancel!.documents[0] as OrderCancel;
  assert.equal(c.type, 'order_cancel');
  assert.equal(c.orderNumber, 'SO-1001');
  assert.equal(c.reason, 'Customer changed their mind');
  assert.deepEqual(c.lines, [{ lineNumber: '1', sku: 'SKU-RED', quantity: '2', uom: 'EA' }]);
  await assertRoundTrip(cancel!.documents);
  const [change] = decodedSets(envelope('OW', [{ id: '940', body: T940.replace('W05*N', 'W05*R') }]));
  assert.equal((change!.documents[0] as SalesOrder).purpose, 'replace');
});

test('940: a whole-order cancel the rules named the open lines of is written with W66 and LX/W01, passes the dictionary, and reads back with its lines', () => {
  const sent: OrderCancel = {
    type: 'order_cancel', schemaVersion: 1, tenant: 'acme', id: 'c-1', source: { endpoint: 'erp' }, entityKey: 'order:SO-1001',
    occurredAt: '2026-03-01T10:00:00Z', receivedAt: '2026-03-01T10:00:00Z', references: [], orderNumber: 'SO-1001', facility: 'PDX1', lines: [],
    orderLines: [{ lineNumber: '1', sku: 'SKU-RED', quantity: '2', uom: 'EA' }, { lineNumber: '2', sku: 'COFFEE-1', quantity: '1.5', uom: 'KG' }],
  } as OrderCancel;
  const body = encodeDocument(sent, '940');
  assert.deepEqual(body.errors, []);
  const text = body.segments.map((seg) => `${seg.join('*')}~`).join('');
  assert.equal(text, 'W05*F*SO-1001~N1*WH**92*PDX1~W66*PP*M~LX*1~W01*2*EA**VN*SKU-RED~LX*2~W01*1.5*KG**VN*COFFEE-1~');
  assert.deepEqual(validateOutbound('940', body.segments, '004010', { element: '*', component: '>', repetition: '^', segment: '~' }), []);
  // The order's own W66 codes, where the cancel carries them, go out instead of the defaults.
  const collect = encodeDocument({ ...sent, extensions: { x12: { paymentMethod: 'CC', transportationMethod: 'U' } } }, '940');
  assert.deepEqual(collect.segments.find((seg) => seg[0] === 'W66'), ['W66', 'CC', 'U']);

  const [set] = decodedSets(envelope('OW', [{ id: '940', body: text }]));
  assert.deepEqual(set!.errors.filter((e) => e.severity === 'error'), []);
  const back = set!.documents[0] as OrderCancel;
  assert.equal(back.type, 'order_cancel');
  assert.equal(back.orderNumber, 'SO-1001');
  assert.equal(back.facility, 'PDX1');
  assert.deepEqual(back.lines, sent.orderLines, 'read back, the cancel names the lines it cancels');
});

test('940: a cancel naming no lines (its order never seen) is a clear error, not a 940 without LX and W66', () => {
  const whole = {
    type: 'order_cancel', schemaVersion: 1, tenant: 'acme', id: 'c-2', source: { endpoint: 'erp' }, entityKey: 'order:SO-404',
    occurredAt: '2026-03-01T10:00:00Z', receivedAt: '2026-03-01T10:00:00Z', references: [], orderNumber: 'SO-404', lines: [],
  } as unknown as OrderCancel;
  const body = encodeDocument(whole, '940');
  assert.deepEqual(body.segments, []);
  assert.equal(body.errors.length, 1);
  assert.equal(body.errors[0]!.code, 'X12_SEGMENT_MISSING');
  assert.match(body.errors[0]!.message, /order_cancel SO-404 names no lines.*LX\/W01.*not known here/);
});

test('940: an unknown segment and a bad quantity are positioned errors that reject the set', () => {
  const [set] = decodedSets(envelope('OW', [{ id: '940', body: 'W05*N*SO-1~N1*ST*X~ZZZ*1~LX*1~W01*abc*EA**VN*S1~' }]));
  assert.equal(set!.accepted, false);
  assert.deepEqual(set!.documents, []);
  // ZZZ is no X12 segment at all: 997 AK304 1, unrecognized segment id.
  const unknown = set!.errors.find((e) => e.code === 'X12_SEGMENT_UNRECOGNIZED')!;
  assert.equal(unknown.position.segmentId, 'ZZZ');
  assert.equal(unknown.position.segmentPosition, 4);
  const bad = set!.errors.find((e) => e.code === 'X12_ELEMENT_INVALID')!;
  assert.deepEqual([bad.position.segmentId, bad.position.segmentPosition, bad.position.element, bad.position.set], ['W01', 6, 1, '0001']);
});

test('945: partial shipment with lots, serials, packages, tracking and SCAC', async () => {
  const body =
    'W06*F*SO-1001*20260306*SHP-9*****~N1*WH*Portland DC*9*PDX1~N1*DE**9*ACME~N9*BM*BOL-1~N9*CN*PRO-7~N9*2I*1Z999~N9*12*ACCT-77~G62*11*20260306*8*1430~W27*U*UPSN*GROUND*CC~' +
    'LX*1~MAN*GM*00012345600000000017~W12*BP*5*3**EA**VN*SKU-RED*LOT-A~N9*LI*1~N9*SE*SN-1~N9*SE*SN-2~' +
    'LX*2~W12*CC*1.5*1.5**KG**VN*COFFEE-1~N9*LI*2~N9*LT*VERY-LONG-LOT-NUMBER-01~W03*4.5*12.5*LB~';
  const [set] = decodedSets(envelope('SW', [{ id: '945', body }]), { ...ctx, utcOffset: '-08:00' });
  assert.deepEqual(set!.errors, []);
  const s = set!.documents[0] as Shipment;
  assert.equal(s.shipmentNumber, 'SHP-9');
  assert.equal(s.orderNumber, 'SO-1001');
  assert.equal(s.shippedAt, '2026-03-06T14:30:00-08:00');
  assert.equal(s.complete, false, 'W12-01 BP: backorder to follow');
  // W27-01 U, W27-04 CC (collect); N9*12 the billing account.
  assert.deepEqual(s.carrier, { scac: 'UPSN', service: 'GROUND', transportMode: 'U', paymentTerms: 'collect', account: 'ACCT-77' });
  assert.deepEqual([s.billOfLading, s.proNumber, s.trackingNumbers], ['BOL-1', 'PRO-7', ['1Z999']]);
  assert.deepEqual(s.totalWeight, { value: '12.5', unit: 'LB' });
  assert.deepEqual(s.packages, [{ sscc: '012345600000000017', lines: [{ lineNumber: '1', sku: 'SKU-RED', quantity: '3', uom: 'EA', lot: 'LOT-A' }] }]);
  assert.deepEqual(s.lines, [
    { lineNumber: '1', sku: 'SKU-RED', quantity: '3', uom: 'EA', orderedQuantity: '5', lots: [{ lot: 'LOT-A', quantity: '3' }], serials: ['SN-1', 'SN-2'] },
    { lineNumber: '2', sku: 'COFFEE-1', quantity: '1.5', uom: 'KG', orderedQuantity: '1.5', lots: [{ lot: 'VERY-LONG-LOT-NUMBER-01', quantity: '1.5' }], serials: [] },
  ]);
  await assertRoundTrip(set!.documents, undefined, { ...ctx, utcOffset: '-08:00' });
  await assertRoundTrip(set!.documents, '856', { ...ctx, utcOffset: '-08:00' });
});

test('945: packages that list no lines of their own still make a valid set, and read back', async () => {
  const shipment = {
    type: 'shipment', tenant: 'acme', id: 'd1', source: { endpoint: 'api' }, entityKey: 'order:SO-7', occurredAt: '2026-03-06T12:00:00Z', receivedAt: '2026-03-06T12:00:00Z',
    references: [], shipmentNumber: 'SHP-7', orderNumber: 'SO-7', facility: 'PDX1', shippedAt: '2026-03-06T12:00:00Z', complete: false, trackingNumbers: [],
    packages: [{ trackingNumber: '1Z001', lines: [] }, { trackingNumber: '1Z002', lines: [] }],
    lines: [
      { lineNumber: '1', sku: 'SKU-RED', quantity: '6', uom: 'EA', orderedQuantity: '10', lots: [], serials: [] },
      { lineNumber: '2', sku: 'SKU-BLUE', quantity: '4', uom: 'EA', orderedQuantity: '4', lots: [{ lot: 'L-A', quantity: '3' }, { lot: 'L-B', quantity: '1' }], serials: [] },
    ],
  } as unknown as Shipment;
  const written = encodeDocument(shipment, '945');
  assert.deepEqual(written.errors, []);
  const body = written.segments.map((seg) => seg.join('*')).join('~') + '~';
  assert.doesNotMatch(body, /LX\*\d+~(MAN\*[^~]*~)*LX/, 'every LX loop holds a W12');
  const [set] = decodedSets(envelope('SW', [{ id: '945', body }]));
  assert.deepEqual(set!.errors, []);
  const read = set!.documents[0] as Shipment;
  assert.deepEqual(read.packages.map((p) => p.trackingNumber), ['1Z001', '1Z002']);
  assert.deepEqual(read.lines.map((l) => [l.sku, l.quantity, l.lots.map((x) => `${x.lot}:${x.quantity}`)]), [['SKU-RED', '6', []], ['SKU-BLUE', '4', ['L-A:3', 'L-B:1']]]);
});

test('943: expected transfer inbound with lots, expiry and supplier', async () => {
  const body =
    'W06*J*TR-300*20260302*SHIP-44~N1*WH*Reno DC*9*RNO1~N1*DE**9*ACME~N1*SF*Acme Plant~N3*1 Factory Way~N4*Fresno*CA*93650*US~N9*BM*BOL-44~G62*17*20260304~W27*M*ODFL~' +
    'W04*100*CS**VN*SKU-BOX~N9*LI*1~N9*LT*B7~G62*36*20270101~W04*20*CS**VN*SKU-BOX~N9*LI*1~W04*5*EA**VN*SKU-TAPE~G69*Packing tape~N9*LI*2~W03*125~';
  const [set] = decodedSets(envelope('AR', [{ id: '943', body }]));
  assert.deepEqual(set!.errors, []);
  const po = set!.documents[0] as PurchaseOrder;
  assert.equal(po.kind, 'transfer');
  assert.equal(po.poNumber, 'TR-300');
  assert.equal(po.facility, 'RNO1');
  assert.equal(po.expectedDate, '2026-03-04');
  assert.equal(po.asn?.asnNumber, 'SHIP-44');
  assert.deepEqual(po.asn?.carrier, { scac: 'ODFL', transportMode: 'M' });
  assert.deepEqual(po.supplier, { name: 'Acme Plant', address: { name: 'Acme Plant', lines: ['1 Factory Way'], city: 'Fresno', region: 'CA', postalCode: '93650', country: 'US' } });
  assert.deepEqual(po.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom, l.lots]), [
    ['1', 'SKU-BOX', '120', 'CS', [{ lot: 'B7', quantity: '100', expiryDate: '2027-01-01' }]],
    ['2', 'SKU-TAPE', '5', 'EA', []],
  ]);
  await assertRoundTrip(set!.documents);
});

test('944: received, damaged, expected and serials per line', async () => {
  const body =
    'W17*F*20260304*RCV-12*TR-300*SHIP-44~N1*WH**9*RNO1~N1*DE**9*ACME~' +
    'W07*118*CS**VN*SKU-BOX*B7~N9*LI*1~G62*36*20270101~QTY*38*120*CS~W13*2*CS*01**DM~' +
    'W07*5*EA**VN*SKU-TAPE~N9*LI*2~N9*SE*T-1~W14*123~';
  const [set] = decodedSets(envelope('RE', [{ id: '944', body }]));
  assert.deepEqual(set!.errors, []);
  const r = set!.documents[0] as Receipt;
  assert.deepEqual([r.receiptNumber, r.poNumber, r.asnNumber, r.facility], ['RCV-12', 'TR-300', 'SHIP-44', 'RNO1']);
  assert.deepEqual(r.lines[0], { lineNumber: '1', sku: 'SKU-BOX', quantity: '118', uom: 'CS', damagedQuantity: '2', expectedQuantity: '120', expiryDate: '2027-01-01', lot: 'B7', serials: [] });
  assert.deepEqual(r.lines[1]!.serials, ['T-1']);
  await assertRoundTrip(set!.documents);
});

test('846: on hand, allocated and available per SKU, lot and status', async () => {
  const body =
    'BIA*00*DD*INV-20260301*20260301*2300~N1*WH**9*PDX1~' +
    'LIN*1*VN*SKU-RED~QTY*17*40*EA~QTY*QC*4*EA~QTY*33*36*EA~' +
    'LIN*2*VN*COFFEE-1*LT*L2026-01~QTY*17*12.5*KG~DTM*036*20261231~REF*ZZ*hold~CTT*2~';
  const [set] = decodedSets(envelope('IB', [{ id: '846', body }]), { ...ctx, utcOffset: '+01:00' });
  assert.deepEqual(set!.errors, []);
  const s = set!.documents[0] as InventorySnapshot;
  assert.equal(s.asOf, '2026-03-01T23:00:00+01:00');
  assert.equal(s.scope, 'full');
  assert.deepEqual(s.positions, [
    { sku: 'SKU-RED', status: 'available', uom: 'EA', onHand: '40', allocated: '4', available: '36' },
    { sku: 'COFFEE-1', lot: 'L2026-01', status: 'hold', uom: 'KG', onHand: '12.5', allocated: '0', expiryDate: '2026-12-31' },
  ]);
  await assertRoundTrip(set!.documents, undefined, { ...ctx, utcOffset: '+01:00' });
});

test('947: signed adjustments with reason codes, lots and status moves', async () => {
  const body = 'W15*20260302*ADJ-5~N1*WH**9*PDX1~LX*1~W19*AA*-3*EA**VN*SKU-RED~G69*Cycle count aisle 4~LX*2~W19*05*10*KG**VN*COFFEE-1***L2026-01~N9*FS*available~N9*TS*hold~';
  const [set] = decodedSets(envelope('AW', [{ id: '947', body }]));
  assert.deepEqual(set!.errors, []);
  const a = set!.documents[0] as InventoryAdjustment;
  assert.equal(a.adjustmentNumber, 'ADJ-5');
  assert.deepEqual(a.lines, [
    { sku: 'SKU-RED', quantity: '-3', uom: 'EA', reason: 'cycle_count', serials: [], note: 'Cycle count aisle 4' },
    { sku: 'COFFEE-1', lot: 'L2026-01', quantity: '10', uom: 'KG', reason: 'quality_hold', serials: [], fromStatus: 'available', toStatus: 'hold' },
  ]);
  await assertRoundTrip(set!.documents);
});

test('997: accepted with errors, with segment and element errors', async () => {
  const body = 'AK1*OW*1001~AK2*940*0001~AK3*W01*6*0300*8~AK4*1**1~AK5*R*5~AK2*940*0002~AK5*A~AK9*P*2*2*1~';
  const [set] = decodedSets(envelope('FA', [{ id: '997', body }]));
  assert.deepEqual(set!.errors, []);
  const a = set!.documents[0] as Acknowledgment;
  assert.equal(a.status, 'partially_accepted');
  assert.equal(a.acknowledges.groupControlNumber, '1001');
  assert.equal(a.acknowledges.functionalId, 'OW');
  assert.deepEqual(a.sets.map((s) => [s.controlNumber, s.status, s.errors.map((e) => e.code)]), [
    ['0001', 'rejected', ['AK3-8', 'AK4-1', 'AK5-5']],
    ['0002', 'accepted', []],
  ]);
  assert.match(a.sets[0]!.errors[1]!.message, /Required data element missing: W01 at position 6, element 1/);
  await assertRoundTrip(set!.documents);
});

test('999 (005010): IK3/IK4 with a composite element position and CTX', async () => {
  const body = 'AK1*SW*2002*005010~AK2*945*0007*005010~IK3*W12*4**8~CTX*SITUATIONAL TRIGGER*W12*4~IK4*8>1*234*7*ZZ~IK5*R*I5~AK9*R*1*1*0~';
  const [set] = decodedSets(envelope('FA', [{ id: '999', body }], '005010'));
  assert.deepEqual(set!.errors, []);
  const a = set!.documents[0] as Acknowledgment;
  assert.equal(a.status, 'rejected');
  assert.equal(a.acknowledges.version, '005010');
  assert.deepEqual(a.sets[0]!.errors.map((e) => [e.code, e.path]), [
    ['IK3-8', 'W12 at position 4'],
    ['IK4-7', 'W12 at position 4, element 8-1'],
    ['IK5-I5', undefined],
  ]);
  await assertRoundTrip(set!.documents, '999');
});

test('850: a drop-ship purchase order becomes a sales_order with prices and customer part numbers', async () => {
  const body =
    'BEG*00*DS*RET-PO-9**20260301~REF*OQ*SO-2002~DTM*002*20260310~TD5**2*FDEG**HOME~N1*ST*Sam Lee~N3*5 Elm St~N4*Austin*TX*78701*US~N1*BY*Retailer*92*R1~' +
    'PO1*1*2*EA*19.99**VN*SKU-RED*BP*R-RED~PID*F****Red mug~CTT*1~';
  const [set] = decodedSets(envelope('PO', [{ id: '850', body }]));
  assert.deepEqual(set!.errors, []);
  const o = set!.documents[0] as SalesOrder;
  assert.deepEqual([o.orderNumber, o.customerOrderNumber, o.dropShip, o.requestedDeliveryDate], ['SO-2002', 'RET-PO-9', true, '2026-03-10']);
  assert.deepEqual(o.lines[0], { lineNumber: '1', sku: 'SKU-RED', customerSku: 'R-RED', quantity: '2', uom: 'EA', unitPrice: '19.99', description: 'Red mug' });
  assert.deepEqual(o.customer, { code: 'R1', name: 'Retailer' });
  await assertRoundTrip(set!.documents, '850');
});

test('856 as inbound ASN: expected inbound with containers by SSCC', async () => {
  const body =
    'BSN*00*ASN-1*20260302*0800*0001~HL*1**S~TD5**2*ODFL~REF*BM*B-1~DTM*011*20260302~DTM*017*20260305~N1*SF*Supplier Co*92*SUP1~N1*ST**92*RNO1~' +
    'HL*2*1*O~PRF*PO-77~HL*3*2*P~MAN*GM*00012345600000000024~HL*4*3*I~LIN*1*VN*SKU-BOX*LT*B9~SN1**24*CS~';
  const [set] = decodedSets(envelope('SH', [{ id: '856', body }]), { ...ctx, asn856As: 'purchase_order' });
  assert.deepEqual(set!.errors, []);
  const po = set!.documents[0] as PurchaseOrder;
  assert.deepEqual([po.kind, po.poNumber, po.facility, po.expectedDate, po.asn?.asnNumber], ['asn', 'PO-77', 'RNO1', '2026-03-05', 'ASN-1']);
  assert.deepEqual(po.asn?.containers, [{ sscc: '012345600000000024', lines: [{ lineNumber: '1', sku: 'SKU-BOX', quantity: '24', uom: 'CS', lot: 'B9' }] }]);
  assert.deepEqual(po.lines, [{ lineNumber: '1', sku: 'SKU-BOX', quantity: '24', uom: 'CS', lots: [{ lot: 'B9', quantity: '24' }], serials: [] }]);
  await assertRoundTrip(set!.documents, '856', { ...ctx, asn856As: 'purchase_order' });
});

test('a set Causeway does not speak is rejected with a positioned error, its siblings still decode', () => {
  const sets = decodedSets(envelope('OW', [{ id: '940', body: T940 }, { id: '810', body: 'BIG*20260301*INV1~' }, { id: '940', body: T940 }]));
  assert.deepEqual(sets.map((s) => s.accepted), [true, false, true]);
  assert.equal(sets[1]!.errors[0]!.code, 'X12_SET_UNSUPPORTED');
  assert.equal(sets[1]!.errors[0]!.position.set, '0002');
});
