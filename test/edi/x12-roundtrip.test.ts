// Every field a set can carry survives encode -> decode: random canonical documents, written as each set and
// read back, equal what went in. What a set cannot carry is left out here and listed in docs/x12.md.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { decodeX12, encodeDocument, writeInterchange, type DecodeContext, type DecodedSet } from '../../src/edi/x12/index.ts';
import { entityKeyFor, validateDocument, type CanonicalDocument } from '../../src/model/index.ts';
import { seededRandom, TEST_SEED } from '../support/seed.ts';
import { comparable, ctx } from './x12-helpers.ts';

// ---- values X12 can hold: no delimiter, no padding at either end ----
const code = (min = 2, max = 10) => fc.stringMatching(new RegExp(`^[A-Z0-9][A-Z0-9-]{${min - 1},${max - 1}}$`));
const text = (max = 30) => fc.stringMatching(new RegExp(`^[A-Za-z0-9][A-Za-z0-9 .,-]{0,${max - 2}}[A-Za-z0-9]$`)).filter((s) => !s.includes('  '));
const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const quantity = fc.oneof(fc.integer({ min: 1, max: 9999 }).map(String), fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 9 })).map(([a, b]) => `${a}.${b}`));
const date = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
/** To the minute, as X12 times are (HHMM), in UTC as the test partner has no offset. */
const minute = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => `${d.toISOString().slice(0, 16)}:00Z`);
const gtin = fc.oneof(digits(12), digits(13), digits(14));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const mode = fc.constantFrom('M', 'U', 'A', 'L');
const paymentTerms = fc.constantFrom('prepaid', 'collect', 'third_party');
/** A carrier as an 850 or 856 carries it: SCAC, service, transportation method (TD5), who pays (FOB-01), billing account (REF 12). */
const td5Carrier = fc.record({ scac: fc.stringMatching(/^[A-Z]{4}$/), service: opt(code()), transportMode: opt(mode), paymentTerms: opt(paymentTerms), account: opt(code()) }, { requiredKeys: ['scac'] });
/** A carrier as W27 carries it: W27-01 is mandatory, so the transportation method is always there. */
const w27Carrier = fc.record({ scac: opt(fc.stringMatching(/^[A-Z]{4}$/)), service: opt(code()), transportMode: mode, paymentTerms: opt(paymentTerms), account: opt(code()) }, { requiredKeys: ['transportMode'] });
/** A customer or supplier: an N1 names it by code, by name or both (syntax note R0203), never by neither. */
const party = fc.record({ code: opt(code()), name: opt(text()) }).filter((p) => p.code !== undefined || p.name !== undefined);
const unique = <T>(a: fc.Arbitrary<T>, key: (t: T) => string, max = 4) => fc.uniqueArray(a, { minLength: 1, maxLength: max, selector: key });
const references = (taken: string[]) => fc.uniqueArray(fc.record({ qualifier: fc.constantFrom('ZZ', 'IA', 'DP', 'VR', 'AO').filter((q) => !taken.includes(q)), value: code(2, 12) }), { maxLength: 3, selector: (r) => r.qualifier });
const address = fc.record({
  name: text(), company: opt(text()), lines: fc.array(text(), { maxLength: 4 }), city: opt(text(20)), region: opt(fc.constantFrom('OR', 'CA', 'NY')),
  postalCode: opt(digits(5)), country: opt(fc.constantFrom('US', 'CA', 'NL')), phone: opt(digits(10)), email: opt(fc.constant('ops@example.com')),
}, { requiredKeys: ['name', 'lines'] });

/** Lots that add up to at most the line's quantity, each a whole number. */
const lotsFor = (max: number) => fc.uniqueArray(fc.record({ lot: code(2, 16), quantity: fc.integer({ min: 1, max: Math.max(1, Math.floor(max / 3)) }).map(String) }), { maxLength: 3, selector: (l) => l.lot });

// ---- one generator per set, for what that set carries ----
const order940 = fc.record({
  type: fc.constant('sales_order'), orderNumber: code(), purpose: fc.constantFrom('original', 'replace'), customerOrderNumber: opt(code()), dropShip: fc.boolean(),
  facility: opt(code()), depositor: opt(code()), customer: opt(party), shipTo: address, billTo: opt(address),
  carrier: fc.record({ scac: opt(fc.stringMatching(/^[A-Z]{4}$/)), service: opt(code()), paymentTerms, transportMode: mode, account: opt(code()) }, { requiredKeys: ['paymentTerms', 'transportMode'] }),
  requestedShipDate: opt(date), requestedDeliveryDate: opt(date), cancelAfter: opt(date), notes: fc.array(text(), { maxLength: 2 }), references: references([]),
  lines: unique(fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), description: opt(text()), gtin: opt(gtin), quantity, uom: fc.constantFrom('EA', 'CS', 'KG'), lot: opt(code()), unitPrice: opt(quantity), customerSku: opt(code()) }), (l) => l.lineNumber),
}, { requiredKeys: ['type', 'orderNumber', 'purpose', 'dropShip', 'shipTo', 'carrier', 'notes', 'references', 'lines'] });

const cancel940 = fc.record({
  type: fc.constant('order_cancel'), orderNumber: code(), facility: opt(code()), reason: opt(text()), references: references([]),
  lines: fc.uniqueArray(fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), quantity, uom: fc.constantFrom('EA', 'CS') }), { minLength: 1, maxLength: 3, selector: (l) => l.lineNumber }),
}, { requiredKeys: ['type', 'orderNumber', 'references', 'lines'] });

const order850 = fc.record({
  type: fc.constant('sales_order'), orderNumber: code(), purpose: fc.constantFrom('original', 'replace'), customerOrderNumber: opt(code()), dropShip: fc.boolean(),
  facility: opt(code()), customer: opt(party), shipTo: address, billTo: opt(address),
  carrier: opt(td5Carrier),
  requestedShipDate: opt(date), requestedDeliveryDate: opt(date), cancelAfter: opt(date), notes: fc.array(text(), { maxLength: 2 }), references: references(['OQ']),
  lines: unique(fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), description: opt(text()), gtin: opt(gtin), quantity, uom: fc.constantFrom('EA', 'CS', 'KG'), unitPrice: opt(quantity), customerSku: opt(code()) }), (l) => l.lineNumber),
}, { requiredKeys: ['type', 'orderNumber', 'purpose', 'dropShip', 'shipTo', 'notes', 'references', 'lines'] });

/** A shipment whose packages hold whole lines or whole lots of them, as a warehouse packs. */
function shipment(set: '945' | '856') {
  const line = fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), uom: fc.constantFrom('EA', 'CS'), quantity: fc.integer({ min: 3, max: 500 }), ordered: fc.integer({ min: 0, max: 50 }), serials: fc.uniqueArray(code(4, 12), { maxLength: 2 }) })
    .chain((l) => fc.record({ l: fc.constant(l), lots: lotsFor(l.quantity) }));
  const pkg = fc.record({ sscc: opt(digits(18)), trackingNumber: opt(code(6, 20)), ...(set === '856' ? { weight: opt(fc.record({ value: quantity, unit: fc.constantFrom('LB', 'KG') })), dimensions: opt(fc.record({ length: quantity, width: quantity, height: quantity, unit: fc.constantFrom('IN', 'CM') })) } : {}) });
  return fc.record({
    shipmentNumber: code(), orderNumber: code(), facility: code(), depositor: opt(code()), shippedAt: minute, complete: fc.boolean(),
    // A 945 always says how the goods went (W27 is mandatory); an 856 says it with its TD5, when it has one.
    carrier: set === '945' ? w27Carrier : opt(td5Carrier), shipTo: opt(address), trackingNumbers: fc.uniqueArray(code(6, 20), { maxLength: 2 }),
    billOfLading: opt(code()), proNumber: opt(code()), totalWeight: opt(fc.record({ value: quantity, unit: fc.constantFrom('LB', 'KG') })), references: references(['BM', 'CN', '2I', 'PO']),
    lines: unique(line, (x) => x.l.lineNumber, 3), packages: fc.array(pkg, { maxLength: 3 }), placement: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 12, maxLength: 12 }),
  }, { requiredKeys: ['shipmentNumber', 'orderNumber', 'facility', 'shippedAt', 'complete', 'carrier', 'trackingNumbers', 'references', 'lines', 'packages', 'placement'] }).map((g) => {
    const { lines: drawn, placement, packages: pkgs, ...rest } = g;
    const packages = pkgs.map((p) => ({ ...p, lines: [] as Array<Record<string, unknown>> }));
    let k = 0;
    // Each lot, and what of the line is in no lot, goes whole into one package or stays loose.
    const place = (piece: Record<string, unknown>) => {
      const at = placement[k++ % placement.length]!;
      if (at >= 0 && at < packages.length) packages[at]!.lines.push(piece);
    };
    const lines = drawn.map(({ l, lots }) => {
      for (const lot of lots) place({ lineNumber: l.lineNumber, sku: l.sku, quantity: lot.quantity, uom: l.uom, lot: lot.lot });
      const rest = l.quantity - lots.reduce((a, x) => a + Number(x.quantity), 0);
      if (rest > 0) place({ lineNumber: l.lineNumber, sku: l.sku, quantity: String(rest), uom: l.uom });
      return { lineNumber: l.lineNumber, sku: l.sku, quantity: String(l.quantity), uom: l.uom, lots, serials: l.serials, ...(l.ordered ? { orderedQuantity: String(l.quantity + l.ordered) } : {}) };
    });
    // A package holding nothing of the shipment is still a package, but only an 856 has a level for it.
    return { type: 'shipment', ...rest, lines, packages: set === '945' ? packages.filter((p) => p.lines.length > 0) : packages };
  });
}

/** An inbound ASN read from an 856 (partner profile asn856As: purchase_order): what is on the truck, in containers. */
const asn856 = fc.record({
  poNumber: code(), facility: code(), supplier: opt(party), expectedDate: opt(date), references: references(['BM', 'CN', '2I']),
  asnNumber: code(), shippedAt: minute, carrier: opt(td5Carrier), trackingNumbers: fc.uniqueArray(code(6, 20), { maxLength: 2 }),
  billOfLading: opt(code()), proNumber: opt(code()),
  containers: fc.array(fc.record({ sscc: opt(digits(18)), trackingNumber: opt(code(6, 20)), weight: opt(fc.record({ value: quantity, unit: fc.constantFrom('LB', 'KG') })) }), { maxLength: 2 }),
  lines: unique(fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), quantity: fc.integer({ min: 1, max: 500 }).map(String), uom: fc.constantFrom('EA', 'CS'), serials: fc.uniqueArray(code(4, 12), { maxLength: 2 }) }), (l) => l.lineNumber, 3),
  packed: fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 3, maxLength: 3 }),
}, { requiredKeys: ['poNumber', 'facility', 'references', 'asnNumber', 'shippedAt', 'trackingNumbers', 'containers', 'lines', 'packed'] }).map((g) => {
  const { asnNumber, shippedAt, carrier, trackingNumbers, billOfLading, proNumber, containers, lines, packed, ...rest } = g;
  // Each line goes whole into a container or stays loose.
  const filled = containers.map((c) => ({ ...c, lines: [] as Array<Record<string, unknown>> }));
  lines.forEach((l, i) => {
    const at = packed[i]!;
    if (at >= 0 && at < filled.length) filled[at]!.lines.push({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom });
  });
  return {
    type: 'purchase_order', kind: 'asn', ...rest, lines: lines.map((l) => ({ ...l, lots: [] })),
    asn: { asnNumber, shippedAt, carrier, trackingNumbers, billOfLading, proNumber, containers: filled },
  };
});

const transfer943 = fc.record({
  type: fc.constant('purchase_order'), kind: fc.constant('transfer'), poNumber: code(), facility: code(), depositor: opt(code()), supplier: opt(party),
  expectedDate: opt(date), references: references(['BM', 'CN', '2I']),
  asn: opt(fc.record({ asnNumber: code(), shippedAt: date.map((d) => `${d}T00:00:00Z`), carrier: opt(w27Carrier), trackingNumbers: fc.uniqueArray(code(6, 20), { maxLength: 2 }), billOfLading: opt(code()), proNumber: opt(code()), containers: fc.constant([]) }, { requiredKeys: ['asnNumber', 'shippedAt', 'trackingNumbers', 'containers'] })),
  lines: unique(fc.record({ lineNumber: fc.integer({ min: 1, max: 999 }).map(String), sku: code(), description: opt(text()), quantity: fc.integer({ min: 3, max: 900 }), uom: fc.constantFrom('EA', 'CS'), serials: fc.uniqueArray(code(4, 12), { maxLength: 2 }), vendorSku: opt(code()), expiry: opt(date) })
    .chain((l) => lotsFor(l.quantity).map((lots) => {
      const { expiry, quantity: q, ...rest } = l;
      return { ...rest, quantity: String(q), lots: lots.map((x) => (expiry ? { ...x, expiryDate: expiry } : x)) };
    })), (l) => l.lineNumber),
}, { requiredKeys: ['type', 'kind', 'poNumber', 'facility', 'references', 'lines'] });

const receipt944 = fc.record({
  type: fc.constant('receipt'), receiptNumber: code(), poNumber: opt(code()), asnNumber: opt(code()), facility: code(), depositor: opt(code()), references: references([]),
  lines: fc.array(fc.record({ lineNumber: opt(fc.integer({ min: 1, max: 999 }).map(String)), sku: code(), quantity, uom: fc.constantFrom('EA', 'CS'), expectedQuantity: opt(quantity), damagedQuantity: fc.oneof(fc.constant('0'), quantity), lot: opt(code(1, 20)), expiryDate: opt(date), serials: fc.uniqueArray(code(4, 12), { maxLength: 2 }) }, { requiredKeys: ['sku', 'quantity', 'uom', 'damagedQuantity', 'serials'] }), { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ['type', 'receiptNumber', 'facility', 'references', 'lines'] });

const snapshot846 = fc.record({
  type: fc.constant('inventory_snapshot'), facility: code(), depositor: opt(code()), reportNumber: code(), asOf: minute, scope: fc.constantFrom('full', 'partial'), references: references([]),
  positions: fc.array(fc.record({ sku: code(), lot: opt(code()), status: fc.constantFrom('available', 'hold', 'damaged'), uom: fc.constantFrom('EA', 'CS'), onHand: quantity, allocated: fc.oneof(fc.constant('0'), quantity), available: opt(quantity), expiryDate: opt(date) }, { requiredKeys: ['sku', 'status', 'uom', 'onHand', 'allocated'] }), { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ['type', 'facility', 'reportNumber', 'asOf', 'scope', 'references', 'positions'] });

const adjustment947 = fc.record({
  type: fc.constant('inventory_adjustment'), adjustmentNumber: code(), facility: code(), depositor: opt(code()), references: references([]),
  lines: fc.array(fc.record({ sku: code(), lot: opt(code(1, 20)), quantity: fc.oneof(quantity, quantity.map((q) => `-${q}`)), uom: fc.constantFrom('EA', 'CS'), reason: fc.constantFrom('cycle_count', 'damage', 'found', 'lost', 'status_change', 'receipt_correction', 'shrinkage', 'expired', 'quality_hold', 'other'), fromStatus: opt(code()), toStatus: opt(code()), serials: fc.uniqueArray(code(4, 12), { maxLength: 2 }), note: opt(text()) }, { requiredKeys: ['sku', 'quantity', 'uom', 'reason', 'serials'] }), { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ['type', 'adjustmentNumber', 'facility', 'references', 'lines'] });

/** A set's notes as a 997 orders them: segment notes (AK3) first, then the set's own codes (AK5). */
const ackErrors = fc.tuple(
  fc.array(fc.record({ code: fc.constantFrom('3', '8').map((c) => `AK3-${c}`), message: fc.constant('segment'), segmentId: fc.constantFrom('W01', 'N1'), segmentPosition: fc.integer({ min: 2, max: 20 }) }), { maxLength: 2 }),
  fc.uniqueArray(fc.constantFrom('5', '4').map((c) => ({ code: `AK5-${c}`, message: 'set' })), { maxLength: 2, selector: (e) => e.code }),
).map(([segments, set]) => [...segments, ...set]);
const ack997 = fc.record({
  type: fc.constant('acknowledgment'), kind: fc.constant('functional'), status: fc.constantFrom('accepted', 'accepted_with_errors', 'partially_accepted', 'rejected'), references: fc.constant([]),
  acknowledges: fc.record({ functionalId: fc.constantFrom('OW', 'SW'), groupControlNumber: fc.integer({ min: 1, max: 99999 }).map(String), declaredSets: fc.integer({ min: 0, max: 9 }) }),
  sets: fc.uniqueArray(fc.record({ transactionSetId: fc.constantFrom('940', '945'), controlNumber: fc.integer({ min: 1000, max: 9999 }).map(String), status: fc.constantFrom('accepted', 'rejected'), errors: ackErrors }), { maxLength: 3, selector: (s) => s.controlNumber }),
  errors: fc.array(fc.constantFrom('3', '4', '5').map((c) => ({ code: `AK9-${c}`, message: 'group' })), { maxLength: 2 }),
});

// ---- the round trip ----

/** The document as the engine would hold it: envelope filled, defaults applied, undefined fields gone. */
function canonical(raw: Record<string, unknown>): CanonicalDocument {
  const filled: Record<string, unknown> = { ...JSON.parse(JSON.stringify(raw)), tenant: 'acme', id: 'doc-1', source: { endpoint: 'erp' }, occurredAt: '2026-03-01T10:00:00Z', receivedAt: '2026-03-01T10:00:00Z' };
  filled.entityKey = entityKeyFor(filled);
  const valid = validateDocument(filled);
  assert.ok(valid.ok, JSON.stringify(!valid.ok && valid.errors));
  return valid.document;
}

/** What may come back in another order: lines, lots, packages' contents are sets, not sequences, to a warehouse. */
function normalised(doc: CanonicalDocument): unknown {
  const c = comparable(doc) as Record<string, any>;
  if (doc.type === 'acknowledgment') {
    // Which group of ours it answers comes from the envelope, and the sentences from the codes: the codes and places are what travel.
    const ack = doc as unknown as { status: string; acknowledges: Record<string, unknown>; sets: any[]; errors: any[] };
    const notes = (list: any[]) => list.map((e) => [e.code, e.segmentId, e.segmentPosition]);
    return JSON.parse(JSON.stringify({
      status: ack.status, functionalId: ack.acknowledges.functionalId, group: ack.acknowledges.groupControlNumber, declaredSets: ack.acknowledges.declaredSets,
      sets: ack.sets.map((x) => ({ ...x, errors: notes(x.errors) })), errors: notes(ack.errors),
    }));
  }
  if (doc.type === 'shipment') {
    c.lines = [...c.lines].sort(by('lineNumber')).map((l: any) => ({ ...l, lots: [...l.lots].sort(by('lot')) }));
    c.packages = c.packages.map((p: any) => ({ ...p, lines: [...p.lines].sort(by('lineNumber', 'lot')) }));
  }
  if (doc.type === 'purchase_order' && c.kind === 'asn') {
    c.lines = [...c.lines].sort(by('lineNumber'));
    c.asn.containers = c.asn.containers.map((p: any) => ({ ...p, lines: [...p.lines].sort(by('lineNumber')) }));
  }
  return JSON.parse(JSON.stringify(c));
}

function by(...keys: string[]) {
  return (a: any, b: any) => {
    for (const k of keys) if ((a[k] ?? '') !== (b[k] ?? '')) return String(a[k] ?? '') < String(b[k] ?? '') ? -1 : 1;
    return 0;
  };
}

async function roundTrip(raw: Record<string, unknown>, setId: string, c: DecodeContext): Promise<void> {
  const doc = canonical(raw);
  const body = encodeDocument(doc, setId);
  assert.deepEqual(body.errors, []);
  let n = 0;
  const written = await writeInterchange([{ senderCode: 'DEPOSITOR', receiverCode: 'WAREHOUSE', version: '004010', sets: [{ id: body.id, segments: body.segments }] }], {
    sender: { qualifier: 'ZZ', id: 'DEPOSITOR' }, receiver: { qualifier: 'ZZ', id: 'WAREHOUSE' }, version: '00401', nextControlNumber: async () => ++n,
  });
  assert.deepEqual(written.errors, []);
  const sets = [...decodeX12(written.text, c)].filter((i): i is DecodedSet => i.kind === 'set');
  assert.equal(sets.length, 1);
  assert.deepEqual(sets[0]!.errors.filter((e) => e.severity === 'error'), [], written.text);
  assert.equal(sets[0]!.documents.length, 1, written.text);
  assert.deepEqual(normalised(sets[0]!.documents[0]!), normalised(doc), written.text);
}

function property(t: TestContext, arb: fc.Arbitrary<Record<string, unknown>>, setId: string, c: DecodeContext = ctx): Promise<void> {
  const seed = Math.floor(seededRandom(t)() * 2 ** 32);
  t.diagnostic(`fast-check seed ${seed}, from CAUSEWAY_TEST_SEED=${TEST_SEED}`);
  return fc.assert(fc.asyncProperty(arb, (raw) => roundTrip(raw, setId, c)), { seed, numRuns: 150, includeErrorInReport: true });
}

test('940 sales order: random order -> 940 -> order', (t) => property(t, order940, '940'));
test('940 cancel: random cancel -> 940 -> cancel', (t) => property(t, cancel940, '940'));
test('850: random order -> 850 -> order', (t) => property(t, order850, '850'));
test('945: random shipment -> 945 -> shipment', (t) => property(t, shipment('945'), '945'));
test('856: random shipment -> 856 -> shipment', (t) => property(t, shipment('856'), '856'));
test('856 as an inbound ASN: random ASN -> 856 -> ASN', (t) => property(t, asn856, '856', { ...ctx, asn856As: 'purchase_order' }));
test('943: random transfer -> 943 -> transfer', (t) => property(t, transfer943, '943'));
test('944: random receipt -> 944 -> receipt', (t) => property(t, receipt944, '944'));
test('846: random snapshot -> 846 -> snapshot', (t) => property(t, snapshot846, '846'));
test('947: random adjustment -> 947 -> adjustment', (t) => property(t, adjustment947, '947'));
test('997: random acknowledgment -> 997 -> acknowledgment', (t) => property(t, ack997, '997'));
