import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Big from 'big.js';
import { accuracyOf, reconcile, type ReconcileSettings, type StockDocumentRecord } from '../../src/inventory/index.ts';

const T = Date.parse('2026-03-10T12:00:00Z');
const min = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const settings: ReconcileSettings = {
  sideOf: (e) => (e === 'tryton' ? 'erp' : e === 'inventory' ? 'hub' : 'warehouse'),
  toleranceFor: (uom) => new Big(uom === 'KG' ? '0.05' : '0'),
  timingToleranceMs: 60 * min,
};

let n = 0;
function snapshot(endpoint: string, asOf: number, positions: Array<{ sku: string; onHand: string; lot?: string; uom?: string; status?: string; allocated?: string }>, facility = 'DC1'): StockDocumentRecord {
  return {
    documentId: `d${++n}`, type: 'inventory_snapshot', endpoint, occurredAt: asOf, deliveries: [],
    body: { type: 'inventory_snapshot', facility, asOf: iso(asOf), scope: 'full', positions: positions.map((p) => ({ uom: 'EA', status: 'available', allocated: '0', ...p })) },
  };
}
function shipment(at: number, lines: Array<{ sku: string; quantity: string; lots?: Array<{ lot: string; quantity: string }> }>, deliveries: StockDocumentRecord['deliveries'], facility = 'DC1'): StockDocumentRecord {
  return {
    documentId: `d${++n}`, type: 'shipment', endpoint: 'wms', occurredAt: at, deliveries,
    body: { type: 'shipment', facility, shipmentNumber: `SH${n}`, lines: lines.map((l, i) => ({ lineNumber: String(i + 1), uom: 'EA', lots: [], serials: [], ...l })) },
  };
}
function adjustment(endpoint: string, at: number, sku: string, quantity: string, deliveries: StockDocumentRecord['deliveries']): StockDocumentRecord {
  return {
    documentId: `d${++n}`, type: 'inventory_adjustment', endpoint, occurredAt: at, deliveries,
    body: { type: 'inventory_adjustment', facility: 'DC1', adjustmentNumber: `ADJ${n}`, lines: [{ sku, quantity, uom: 'EA', reason: 'reconciliation', serials: [] }] },
  };
}

describe('reconciliation as of T', () => {
  it('explains differences in flight with their documents, finds the real variance, and counts what both sides applied', () => {
    const records = [
      snapshot('tryton', T - 5 * min, [{ sku: 'A', onHand: '100' }, { sku: 'B', onHand: '50' }, { sku: 'C', onHand: '30' }, { sku: 'D', onHand: '12', lot: 'L1' }, { sku: 'E', onHand: '7' }]),
      snapshot('wms', T - 30 * min, [{ sku: 'A', onHand: '100' }, { sku: 'B', onHand: '47' }, { sku: 'C', onHand: '30', status: 'hold' }, { sku: 'D', onHand: '12', lot: 'L1', allocated: '2' }, { sku: 'E', onHand: '7' }]),
      // Shipped after the warehouse's count, not yet in the ERP: in flight towards it.
      shipment(T - 20 * min, [{ sku: 'A', quantity: '10' }], [{ endpoint: 'tryton', status: 'pending', deliveredAt: null }]),
      // Shipped and applied in the ERP after its snapshot, before T: both sides hold it.
      shipment(T - 15 * min, [{ sku: 'D', quantity: '2', lots: [{ lot: 'L1', quantity: '2' }] }], [{ endpoint: 'tryton', status: 'delivered', deliveredAt: T - 2 * min }]),
      // Shipped, delivery dead: still in flight (nothing reached the ERP).
      shipment(T - 10 * min, [{ sku: 'C', quantity: '5' }], [{ endpoint: 'tryton', status: 'dead', deliveredAt: null }]),
      // After T: not part of this comparison.
      shipment(T + 10 * min, [{ sku: 'E', quantity: '1' }], [{ endpoint: 'tryton', status: 'pending', deliveredAt: null }]),
    ];
    const outcome = reconcile(records, T, settings);
    const by = Object.fromEntries(outcome.results.map((r) => [`${r.sku}/${r.lot}`, r]));
    assert.deepEqual(Object.fromEntries(outcome.results.map((r) => [`${r.sku}/${r.lot}`, r.status])), { 'A/': 'in_flight', 'B/': 'variance', 'C/': 'in_flight', 'D/L1': 'match', 'E/': 'match' });
    assert.deepEqual(outcome.counts, { match: 2, in_flight: 2, timing: 0, variance: 1 });
    assert.equal(by['A/']!.difference, '-10');
    assert.equal(by['A/']!.correctedDifference, '0');
    assert.deepEqual(by['A/']!.documents.map((d) => [d.reference, d.towards, d.delivery, d.quantity]), [['SH3', 'erp', 'pending', '-10']]);
    assert.equal(by['A/']!.erp!.inTransit, '-10');
    assert.deepEqual(by['C/']!.documents.map((d) => d.delivery), ['dead']);
    // Hold is what the count said; a shipment moves on hand only.
    assert.equal(by['C/']!.warehouse!.onHold, '30');
    assert.equal(by['B/']!.correctedDifference, '-3');
    assert.match(by['B/']!.explanation, /3 EA less than the ERP/);
    assert.equal(by['D/L1']!.warehouse!.onHand, '10');
    assert.equal(by['D/L1']!.erp!.onHand, '10');
    assert.equal(by['D/L1']!.warehouse!.available, '8');
    assert.deepEqual(accuracyOf(outcome.results).overall, { compared: 5, agreeing: 4, rate: 0.8 });
  });

  it('the same documents at an earlier T: what had not happened yet is not in flight', () => {
    const records = [
      snapshot('tryton', T - 5 * min, [{ sku: 'A', onHand: '90' }]),
      snapshot('wms', T - 30 * min, [{ sku: 'A', onHand: '100' }]),
      shipment(T - 20 * min, [{ sku: 'A', quantity: '10' }], [{ endpoint: 'tryton', status: 'delivered', deliveredAt: T - 6 * min }]),
    ];
    assert.equal(reconcile(records, T, settings).results[0]!.status, 'match');
    // At T - 8 min the ERP's newest snapshot is older: none yet, so the difference is timing.
    const earlier = reconcile(records, T - 8 * min, settings).results[0]!;
    assert.equal(earlier.status, 'timing');
    assert.match(earlier.explanation, /no ERP snapshot/);
  });

  it('classes a difference timing when a side\'s snapshot is older than the tolerance, and keeps units\' tolerances', () => {
    const records = [
      snapshot('tryton', T - 3 * 60 * min, [{ sku: 'A', onHand: '5' }, { sku: 'K', onHand: '10.00', uom: 'KG' }]),
      snapshot('wms', T - 1 * min, [{ sku: 'A', onHand: '4' }, { sku: 'K', onHand: '10.04', uom: 'KG' }]),
    ];
    const [a, k] = reconcile(records, T, settings).results;
    assert.equal(a!.status, 'timing');
    assert.match(a!.explanation, /ERP snapshot is from/);
    assert.equal(k!.status, 'match');
  });

  it('an approved correction in flight to the ERP explains the variance it corrects, and once applied it is counted on the ERP side only', () => {
    const base = [snapshot('tryton', T - 5 * min, [{ sku: 'B', onHand: '50' }]), snapshot('wms', T - 5 * min, [{ sku: 'B', onHand: '47' }])];
    const pending = reconcile([...base, adjustment('inventory', T - 1 * min, 'B', '-3', [{ endpoint: 'tryton', status: 'pending', deliveredAt: null }])], T, settings).results[0]!;
    assert.equal(pending.status, 'in_flight');
    assert.equal(pending.warehouse!.onHand, '47');
    const applied = reconcile([...base, adjustment('inventory', T - 2 * min, 'B', '-3', [{ endpoint: 'tryton', status: 'delivered', deliveredAt: T - 1 * min }])], T, settings).results[0]!;
    assert.equal(applied.status, 'match');
    assert.equal(applied.erp!.onHand, '47');
    assert.equal(applied.warehouse!.onHand, '47');
  });

  it('a movement no flow sends to the other side is a real difference, not in flight', () => {
    const records = [
      snapshot('tryton', T - 5 * min, [{ sku: 'A', onHand: '10' }]), snapshot('wms', T - 30 * min, [{ sku: 'A', onHand: '10' }]),
      adjustment('wms', T - 10 * min, 'A', '-1', []),
    ];
    const r = reconcile(records, T, settings).results[0]!;
    assert.equal(r.status, 'variance');
    assert.deepEqual(r.documents, []);
  });

  it('a shipment the rules hold (its order not seen yet) is in flight, named held with the reason; a refused one is in flight as refused', () => {
    const held = { verdict: 'hold' as const, rule: 'ORDER_NOT_SEEN', reason: 'Shipment SH held: order SO-9 has not been seen yet.' };
    const records = [
      snapshot('tryton', T - 5 * min, [{ sku: 'A', onHand: '10' }, { sku: 'B', onHand: '10' }, { sku: 'C', onHand: '10' }, { sku: 'D', onHand: '10' }]),
      snapshot('wms', T - 30 * min, [{ sku: 'A', onHand: '10' }, { sku: 'B', onHand: '10' }, { sku: 'C', onHand: '10' }, { sku: 'D', onHand: '10' }]),
      { ...shipment(T - 20 * min, [{ sku: 'A', quantity: '4' }], []), verdict: held },
      { ...shipment(T - 15 * min, [{ sku: 'B', quantity: '3' }], []), verdict: { verdict: 'refuse' as const, rule: 'OVER_SHIPMENT', reason: 'Shipment ships 3 of a line ordered 2.' } },
      // Applied by the rules but carried by no flow: still a real difference.
      { ...shipment(T - 12 * min, [{ sku: 'C', quantity: '1' }], []), verdict: { verdict: 'apply' as const, rule: 'SHIPMENT_APPLIED', reason: 'applied' } },
    ];
    const by = Object.fromEntries(reconcile(records, T, settings).results.map((r) => [r.sku, r]));
    assert.equal(by.A!.status, 'in_flight');
    assert.equal(by.A!.correctedDifference, '0');
    assert.deepEqual(by.A!.documents.map((d) => [d.towards, d.delivery, d.quantity, d.reason]), [['erp', 'held', '-4', held.reason]]);
    assert.equal(by.A!.erp!.inTransit, '-4');
    assert.equal(by.B!.status, 'in_flight');
    assert.deepEqual(by.B!.documents.map((d) => [d.delivery, d.reason]), [['refused', 'Shipment ships 3 of a line ordered 2.']]);
    assert.equal(by.C!.status, 'variance');
    assert.equal(by.D!.status, 'match');
    // Where the flows would not carry it to the ERP, a held shipment explains nothing.
    const nowhere = reconcile(records, T, { ...settings, routesOf: () => [] }).results.find((r) => r.sku === 'A')!;
    assert.equal(nowhere.status, 'variance');
    // Once released and delivered to the ERP by T, it is counted there: the two sides agree as they stand.
    const released = { ...records[2]!, verdict: { ...held, verdict: 'apply' as const }, deliveries: [{ endpoint: 'tryton', status: 'delivered' as const, deliveredAt: T - min }] };
    assert.equal(reconcile([...records.slice(0, 2), released], T, settings).results.find((r) => r.sku === 'A')!.status, 'match');
  });

  it('a shipment the rules found to be a duplicate of one applied is counted once, on neither side twice', () => {
    const first = shipment(T - 20 * min, [{ sku: 'A', quantity: '4' }], [{ endpoint: 'tryton', status: 'delivered', deliveredAt: T - 10 * min }]);
    const again = { ...shipment(T - 20 * min, [{ sku: 'A', quantity: '4' }], []), verdict: { verdict: 'stale' as const, rule: 'DUPLICATE', reason: 'came again' } };
    const records = [snapshot('tryton', T - 25 * min, [{ sku: 'A', onHand: '10' }]), snapshot('wms', T - 30 * min, [{ sku: 'A', onHand: '10' }]), first, again];
    const r = reconcile(records, T, settings).results[0]!;
    assert.equal(r.status, 'match');
    assert.equal(r.warehouse!.onHand, '6');
  });

  it('compares in base units where the item master converts, and calls units it cannot convert a variance to fix', () => {
    const units = (sku: string, uom: string) => (sku === 'TEA' ? { baseUom: 'EA', factor: new Big(uom === 'CS' ? 12 : 1) } : undefined);
    const records = [
      snapshot('tryton', T, [{ sku: 'TEA', onHand: '24' }, { sku: 'MUG', onHand: '24' }]),
      snapshot('wms', T, [{ sku: 'TEA', onHand: '2', uom: 'CS' }, { sku: 'MUG', onHand: '2', uom: 'CS' }]),
    ];
    const [mug, tea] = reconcile(records, T, { ...settings, units }).results;
    assert.equal(tea!.status, 'match');
    assert.equal(tea!.warehouse!.onHand, '24');
    assert.equal(mug!.status, 'variance');
    assert.match(mug!.explanation, /the warehouse counts in CS and the ERP in EA, and the item master converts neither/);
  });

  it('adds a position listed twice in units the item master converts, and never adds units it cannot convert', () => {
    const units = (sku: string, uom: string) => (sku === 'TEA' ? { baseUom: 'EA', factor: new Big(uom === 'CS' ? 12 : 1) } : undefined);
    const records = [
      snapshot('tryton', T, [{ sku: 'TEA', onHand: '29' }, { sku: 'MUG', onHand: '5' }, { sku: 'JAR', onHand: '3' }]),
      // Five loose and two cases of each: 29 EA of TEA. MUG's cases cannot be counted in EA, and 5 EA and 2 CS are not 7 of anything.
      snapshot('wms', T, [{ sku: 'TEA', onHand: '5' }, { sku: 'TEA', onHand: '2', uom: 'CS' }, { sku: 'MUG', onHand: '5' }, { sku: 'MUG', onHand: '2', uom: 'CS' }, { sku: 'JAR', onHand: '3' }]),
      // A shipment of JAR in cases after the count, in flight to the ERP: the warehouse's own figure cannot take it either.
      { ...shipment(T - min, [{ sku: 'JAR', quantity: '1' }], [{ endpoint: 'tryton', status: 'pending', deliveredAt: null }]), occurredAt: T + 1 },
    ];
    (records[2]!.body as { lines: Array<{ uom: string }> }).lines[0]!.uom = 'CS';
    const by = Object.fromEntries(reconcile(records, T + 2, { ...settings, units }).results.map((r) => [r.sku, r]));
    assert.equal(by.TEA!.status, 'match');
    assert.equal(by.TEA!.warehouse!.onHand, '29');
    assert.equal(by.MUG!.status, 'variance');
    assert.equal(by.MUG!.warehouse!.onHand, '5', 'the cases are not added as eaches');
    assert.equal(by.MUG!.explanation, 'the warehouse counts it in EA and CS, which the item master does not convert into each other: the figures are in EA alone; add the conversion to the item');
    assert.equal(by.JAR!.status, 'variance');
    assert.match(by.JAR!.explanation, /^the warehouse counts it in EA and CS, which the item master does not convert/);
    assert.equal(by.JAR!.warehouse!.onHand, '3');
  });

  it('reconciles one facility only when asked', () => {
    const records = [snapshot('tryton', T, [{ sku: 'A', onHand: '1' }], 'DC2'), snapshot('wms', T, [{ sku: 'A', onHand: '2' }], 'DC2'), snapshot('wms', T, [{ sku: 'A', onHand: '2' }], 'DC1')];
    assert.deepEqual(reconcile(records, T, settings, 'DC2').results.map((r) => [r.facility, r.status]), [['DC2', 'variance']]);
  });
});

describe('inventory accuracy', () => {
  it('matches a figure computed by hand: in flight agrees, timing is left out, per facility and overall', () => {
    // DC1: 6 match, 2 in flight, 1 variance, 1 timing -> 8 of 9 agree. DC2: 3 match, 2 variance -> 3 of 5.
    // Overall: 11 of 14 = 0.785714... -> 0.7857.
    const results = [
      ...Array(6).fill({ facility: 'DC1', status: 'match' }), ...Array(2).fill({ facility: 'DC1', status: 'in_flight' }),
      { facility: 'DC1', status: 'variance' }, { facility: 'DC1', status: 'timing' },
      ...Array(3).fill({ facility: 'DC2', status: 'match' }), ...Array(2).fill({ facility: 'DC2', status: 'variance' }),
      { facility: 'DC3', status: 'timing' },
    ];
    assert.deepEqual(accuracyOf(results), {
      overall: { compared: 14, agreeing: 11, rate: 0.7857 },
      byFacility: { DC1: { compared: 9, agreeing: 8, rate: 0.8889 }, DC2: { compared: 5, agreeing: 3, rate: 0.6 }, DC3: { compared: 0, agreeing: 0, rate: null } },
    });
  });

  it('is computed from a reconciliation with per-unit tolerances, as a person would count it', () => {
    // Four positions: EA exact (agrees), EA off by 1 (variance), KG off by 0.04 within 0.05 (agrees), KG off by 0.06 (variance).
    const records = [
      snapshot('tryton', T, [{ sku: 'A', onHand: '5' }, { sku: 'B', onHand: '5' }, { sku: 'K', onHand: '1', uom: 'KG' }, { sku: 'L', onHand: '1', uom: 'KG' }]),
      snapshot('wms', T, [{ sku: 'A', onHand: '5' }, { sku: 'B', onHand: '4' }, { sku: 'K', onHand: '1.04', uom: 'KG' }, { sku: 'L', onHand: '1.06', uom: 'KG' }]),
    ];
    assert.deepEqual(accuracyOf(reconcile(records, T, settings).results).overall, { compared: 4, agreeing: 2, rate: 0.5 });
  });
});
