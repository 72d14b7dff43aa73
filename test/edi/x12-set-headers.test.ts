// Header segments as each set reads them: where every error points, which of two repeated segments wins,
// and qualifiers that happen to be the names of object properties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeDocument, guidelinesSchema, type X12Error } from '../../src/edi/x12/index.ts';
import type { PurchaseOrder, Receipt, SalesOrder, Shipment } from '../../src/model/index.ts';
import { ctx, decodedSets, envelope } from './x12-helpers.ts';

/**
 * These tests are about the set readers' own checks, so the dictionary (which would report the same faults
 * first, by its AK403 codes: see x12-dictionary.test.ts) is turned off for them.
 */
const readersOnly = { ...ctx, guidelines: guidelinesSchema.parse({ validate: false }) };

function only(functionalId: string, id: string, body: string, c = readersOnly) {
  const sets = decodedSets(envelope(functionalId, [{ id, body }]), c);
  assert.equal(sets.length, 1);
  return sets[0]!;
}

/** Where an error points, as [segment id, segment position, element]; the set's own envelope numbers are checked once per error. */
function where(e: X12Error): [string | undefined, number | undefined, number | undefined] {
  assert.deepEqual([e.position.interchange, e.position.group, e.position.set], ['000000905', '77', '0001']);
  return [e.position.segmentId, e.position.segmentPosition, e.position.element];
}

function errorsOf(errors: X12Error[], code: X12Error['code']) {
  return errors.filter((e) => e.code === code).map(where);
}

test('940: a bad date under any G62 qualifier, and an N1 without its entity code, are errors at their element', () => {
  const set = only('OW', '940', 'W05*N*SO-1~N1*ST*Jane~N1**Nobody~G62*10*20261399~G62*04*2026~W66*PP*M~LX*1~W01*1*EA**VN*A~');
  assert.equal(set.accepted, false);
  assert.deepEqual(errorsOf(set.errors, 'X12_DATE_INVALID'), [['G62', 5, 2], ['G62', 6, 2]]);
  assert.deepEqual(errorsOf(set.errors, 'X12_ELEMENT_MISSING'), [['N1', 4, 1]]);
});

test('945: a bad G62 date or time and a bad W03 weight are errors at their element, whatever the G62 qualifier', () => {
  const set = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~G62*10*bad~G62*11*20260306*8*99~W27*M~LX*1~W12*CC*1*1**EA**VN*A~N9*LI*1~W03*1*x*LB~');
  assert.deepEqual(errorsOf(set.errors, 'X12_DATE_INVALID'), [['G62', 4, 2]]);
  assert.deepEqual(errorsOf(set.errors, 'X12_TIME_INVALID'), [['G62', 5, 4]]);
  assert.deepEqual(errorsOf(set.errors, 'X12_ELEMENT_INVALID'), [['W03', 10, 2]]);
});

test('856: a bad DTM ship date and a bad TD1 weight are errors at their element', () => {
  const set = only('SH', '856', 'BSN*00*A1*20260302*0800*0001~HL*1**S~TD1*CTN*1****G*x*LB~DTM*011*2026~N1*SF**92*F1~HL*2*1*O~PRF*PO-1~HL*3*2*I~LIN*1*VN*A~SN1**1*EA~');
  assert.deepEqual(errorsOf(set.errors, 'X12_ELEMENT_INVALID'), [['TD1', 4, 7]]);
  assert.deepEqual(errorsOf(set.errors, 'X12_DATE_INVALID'), [['DTM', 5, 2]]);
});

test('943 and 850: every date is checked, the ones a set reads and the others alike', () => {
  const transfer = only('AR', '943', 'W06*J*TR-1*20260302*S1~N1*WH**9*RNO1~G62*10*bad~G62*17*bad~W04*1*EA**VN*A~N9*LI*1~');
  assert.deepEqual(errorsOf(transfer.errors, 'X12_DATE_INVALID'), [['G62', 4, 2], ['G62', 5, 2]]);
  const order = only('PO', '850', 'BEG*00*SA*PO-1~DTM*999*bad~N1*ST*Sam~PO1*1*1*EA***VN*A~');
  assert.deepEqual(errorsOf(order.errors, 'X12_DATE_INVALID'), [['DTM', 3, 2]]);
});

test('repeated header segments: each set keeps the one its rule names', () => {
  // 940: G62*01 is the cancel-after date; G62*53 stands in only while there is none.
  const o = only('OW', '940', 'W05*N*SO-1~N1*ST*Jane~G62*01*20260319~G62*53*20260320~W66*PP*M***GROUND*****UPSN~W66*PP*M~LX*1~W01*1*EA**VN*A~').documents[0] as SalesOrder;
  assert.equal(o.cancelAfter, '2026-03-19');
  assert.deepEqual(o.carrier, { paymentTerms: 'prepaid', transportMode: 'M' }, 'a later W66 replaces the earlier one');
  // W66-01/02 are the carrier's payment terms and transport mode: a collect order by UPS (U) reads and writes back as W66*CC*U.
  const collect = only('OW', '940', 'W05*N*SO-1~N1*ST*Jane~W66*CC*U***GROUND*****UPSN~LX*1~W01*1*EA**VN*A~').documents[0] as SalesOrder;
  assert.deepEqual(collect.carrier, { scac: 'UPSN', service: 'GROUND', paymentTerms: 'collect', transportMode: 'U' });
  assert.equal(collect.extensions, undefined);
  assert.deepEqual(encodeDocument(collect, '940').segments.find((x) => x[0] === 'W66'), ['W66', 'CC', 'U', '', '', 'GROUND', '', '', '', '', 'UPSN']);
  const late = only('OW', '940', 'W05*N*SO-1~N1*ST*Jane~G62*53*20260320~G62*53*20260321~W66*PP*M~LX*1~W01*1*EA**VN*A~').documents[0] as SalesOrder;
  assert.equal(late.cancelAfter, '2026-03-20');
  // 850: a TD5 without a carrier leaves the earlier one.
  const po = only('PO', '850', 'BEG*00*SA*PO-1~TD5**2*FDEG**HOME~TD5*Z~N1*ST*Sam~PO1*1*1*EA***VN*A~').documents[0] as SalesOrder;
  assert.deepEqual(po.carrier, { scac: 'FDEG', service: 'HOME' });
  // Every set alike: the first N1 WH names the facility, whatever comes before it; the set's stand-in (945/856 SF, 943 ST) only without one.
  const s = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*SF**9*FROM~N1*WH**9*FIRST~N1*WH**9*SECOND~W27*M~LX*1~W12*CC*1*1**EA**VN*A~N9*LI*1~').documents[0] as Shipment;
  assert.equal(s.facility, 'FIRST');
  const sf = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*SF**9*FROM~W27*M~LX*1~W12*CC*1*1**EA**VN*A~N9*LI*1~').documents[0] as Shipment;
  assert.equal(sf.facility, 'FROM');
  const asn = only('SH', '856', 'BSN*00*A1*20260302*0800*0001~HL*1**S~N1*SF**92*FROM~N1*WH**92*FIRST~HL*2*1*O~PRF*PO-1~HL*3*2*I~LIN*1*VN*A~SN1**1*EA~').documents[0] as Shipment;
  assert.equal(asn.facility, 'FIRST');
  const t = only('AR', '943', 'W06*J*TR-1*20260302*S1~N1*ST**9*TO~N1*WH**9*FIRST~W04*1*EA**VN*A~N9*LI*1~').documents[0] as PurchaseOrder;
  assert.equal(t.facility, 'FIRST');
  const rc = only('RE', '944', 'W17*F*20260304*R1~N1*WH**9*FIRST~N1*WH**9*SECOND~W07*1*EA**VN*A~').documents[0] as Receipt;
  assert.equal(rc.facility, 'FIRST');
});

test('945: references in N1 loops are placed like the set\'s own N9s', () => {
  const s = only('SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~N9*BM*BOL-1~N9*2I*T-1~N9*ZZ*other~N9*2I*T-2~W27*M~LX*1~W12*CC*1*1**EA**VN*A~N9*LI*1~').documents[0] as Shipment;
  assert.equal(s.billOfLading, 'BOL-1');
  assert.deepEqual(s.trackingNumbers, ['T-1', 'T-2']);
  assert.deepEqual(s.references, [{ qualifier: 'ZZ', value: 'other' }]);
});

test('qualifiers and entity codes that name object properties are read as any other code', () => {
  const set = only('OW', '940', 'W05*N*SO-1~N1*ST*Jane~N1*constructor*X~N1*toString**9*Y~N9*__proto__*P~REF*hasOwnProperty*Q~G62*toString*20260101~G62*__proto__*20260102~W66*PP*M~LX*1~W01*1*EA**VN*A~');
  assert.deepEqual(set.errors, []);
  const o = set.documents[0] as SalesOrder;
  assert.deepEqual(o.references, [{ qualifier: '__proto__', value: 'P' }, { qualifier: 'hasOwnProperty', value: 'Q' }]);
  assert.deepEqual([o.customer, o.facility, o.requestedShipDate, o.cancelAfter], [undefined, undefined, undefined, undefined]);
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
});
