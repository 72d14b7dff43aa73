import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billingSchema, invoiceCsv, periodBounds, rateCardSchema, rateUsage, storageDaysDue, storageOf, unmeasuredSkus, usageOf } from '../../src/billing/index.ts';
import type { CanonicalDocument } from '../../src/model/index.ts';

const card = (c: unknown) => rateCardSchema.parse(c);

describe('rating a period', () => {
  it('prices each kind at its flat rate, in exact decimals', () => {
    const rated = rateUsage({ order: '3', order_unit: '0.3' }, card({ rates: { order: '1.10', order_unit: '0.1' } }));
    assert.deepEqual(rated.lines, [
      { line: 1, kind: 'order', tier: 1, quantity: '3', unitPrice: '1.1', amount: '3.30' },
      { line: 2, kind: 'order_unit', tier: 1, quantity: '0.3', unitPrice: '0.1', amount: '0.03' },
    ]);
    assert.equal(rated.total, '3.33', 'no binary-float drift: 0.1 × 0.3 is 0.03');
  });

  it('graduates tiers: each unit at the band it falls in, one line per band used', () => {
    const c = card({ rates: { order_unit: { tiers: [{ upTo: '1000', price: '0.20' }, { upTo: 5000, price: '0.15' }, { price: '0.10' }] } } });
    assert.deepEqual(rateUsage({ order_unit: '1500' }, c).lines.map((l) => [l.tier, l.quantity, l.unitPrice, l.amount]),
      [[1, '1000', '0.2', '200.00'], [2, '500', '0.15', '75.00']]);
    assert.deepEqual(rateUsage({ order_unit: '6000' }, c).lines.map((l) => [l.tier, l.quantity, l.amount]),
      [[1, '1000', '200.00'], [2, '4000', '600.00'], [3, '1000', '100.00']]);
    assert.deepEqual(rateUsage({ order_unit: '1000' }, c).lines.map((l) => [l.tier, l.quantity]), [[1, '1000']], 'a band\'s bound is inclusive');
    assert.equal(rateUsage({ order_unit: '6000' }, c).total, '900.00');
  });

  it('makes up a monthly minimum with a line of its own, and only when under it', () => {
    const c = card({ minimum: '250', rates: { order: '2.5' } });
    const under = rateUsage({ order: '40' }, c);
    assert.deepEqual(under.lines.at(-1), { line: 2, kind: 'minimum', tier: 0, quantity: '1', unitPrice: '150.00', amount: '150.00' });
    assert.equal(under.total, '250.00');
    assert.deepEqual(rateUsage({ order: '200' }, c).lines.map((l) => l.kind), ['order']);
    assert.equal(rateUsage({}, c).total, '250.00', 'a month with no usage still bills the minimum');
  });

  it('rounds each line once, half up, to the card\'s decimals, so the lines add up to the total', () => {
    const c = card({ decimals: 2, rates: { order_line: '0.125', package: '0.005' } });
    const rated = rateUsage({ order_line: '1', package: '1' }, c);
    assert.deepEqual(rated.lines.map((l) => l.amount), ['0.13', '0.01']);
    assert.equal(rated.total, '0.14');
  });

  it('names a kind used but missing from the card instead of billing it silently at nothing', () => {
    const rated = rateUsage({ order: '1', receipt: '2' }, card({ rates: { order: '1' } }));
    assert.deepEqual(rated.unpriced, ['receipt']);
    assert.deepEqual(rated.lines.map((l) => l.kind), ['order']);
  });

  it('writes the invoice as CSV', () => {
    const rated = rateUsage({ order: '2' }, card({ currency: 'USD', rates: { order: '1.5' } }));
    assert.equal(invoiceCsv({ tenant: 'acme', period: '2026-11', currency: rated.currency, lines: rated.lines }),
      'tenant,period,line,kind,tier,quantity,unit_price,amount,currency\r\nacme,2026-11,1,order,1,2,1.5,3.00,USD\r\n');
  });
});

describe('rate card settings', () => {
  const issues = (c: unknown) => {
    const r = billingSchema.safeParse(c);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('names the path of each mistake', () => {
    assert.deepEqual(issues({ tenants: { acme: { rates: { order: '-1' } } } }).length > 0, true);
    assert.ok(issues({ tenants: { acme: { rates: { order: '-1' } } } }).some((i) => i.startsWith('tenants.acme.rates.order')));
    assert.deepEqual(issues({ tenants: { acme: { rates: { order_unit: { tiers: [{ upTo: '10', price: '1' }, { upTo: '5', price: '1' }, { price: '1' }] } } } } }),
      ['tenants.acme.rates.order_unit.tiers.1.upTo: bands must rise: 5 is not above 10']);
    assert.deepEqual(issues({ tenants: { acme: { rates: { order_unit: { tiers: [{ upTo: '10', price: '1' }] } } } } }),
      ['tenants.acme.rates.order_unit.tiers.0.upTo: the last band has no upper bound']);
    assert.ok(issues({ tenants: { acme: { rates: { pallet_day: '1' } } } }).some((i) => i.startsWith('tenants.acme.rates')), 'an unknown kind is named');
    assert.ok(issues({ tenants: { acme: { currency: 'euro' } } }).some((i) => i.startsWith('tenants.acme.currency')));
  });
});

describe('usage of an applied document', () => {
  const envelope = { schemaVersion: 1, tenant: 'acme', id: 'd1', entityKey: 'order:SO-1', occurredAt: '2026-11-03T10:00:00Z', receivedAt: '2026-11-03T10:00:01Z', source: { endpoint: 'wms' } };
  it('counts a shipment as one order, its lines, units and packages, at its shipping time, keyed by its number', () => {
    const doc = {
      ...envelope, type: 'shipment', shipmentNumber: 'SH-1', orderNumber: 'SO-1', facility: 'DC1', shippedAt: '2026-11-03T09:00:00Z', complete: true, trackingNumbers: [],
      packages: [{ lines: [] }, { lines: [] }], lines: [{ lineNumber: 1, sku: 'A', quantity: '2.5', uom: 'EA', lots: [], serials: [] }, { lineNumber: 2, sku: 'B', quantity: '1', uom: 'EA', lots: [], serials: [] }],
    } as unknown as CanonicalDocument;
    const events = usageOf({ documentId: 'd1', messageId: 7, occurredAt: 1, document: doc });
    assert.deepEqual(events.map((e) => [e.key, e.kind, e.quantity]), [['shipment:SH-1', 'order', '1'], ['shipment:SH-1', 'order_line', '2'], ['shipment:SH-1', 'order_unit', '3.5'], ['shipment:SH-1', 'package', '2']]);
    assert.ok(events.every((e) => e.occurredAt === Date.parse('2026-11-03T09:00:00Z') && e.documentId === 'd1' && e.messageId === 7 && e.facility === 'DC1'));
  });
  it('counts the pallets and the value-added services the warehouse reports, each service code a kind of its own', () => {
    const receipt = {
      ...envelope, type: 'receipt', receiptNumber: 'RC-1', facility: 'DC1', complete: true, pallets: 3,
      lines: [{ sku: 'A', quantity: '10', uom: 'EA', damagedQuantity: '0', serials: [] }],
      services: [{ code: 'RELABEL', quantity: '10' }, { code: 'PHOTO', quantity: '1' }, { code: 'RELABEL', quantity: '2' }],
    } as unknown as CanonicalDocument;
    assert.deepEqual(usageOf({ documentId: 'd2', messageId: 8, occurredAt: 1, document: receipt }).map((e) => [e.kind, e.quantity]), [
      ['receipt', '1'], ['receipt_line', '1'], ['receipt_unit', '10'], ['receipt_pallet', '3'], ['service:RELABEL', '12'], ['service:PHOTO', '1'],
    ]);
    const card = rateCardSchema.parse({ rates: { receipt_pallet: '5.00', 'service:RELABEL': '0.10' } });
    const rated = rateUsage({ receipt_pallet: '3', 'service:RELABEL': '12', 'service:PHOTO': '1' }, card);
    assert.deepEqual(rated.lines.map((l) => [l.kind, l.quantity, l.amount]), [['receipt_pallet', '3', '15.00'], ['service:RELABEL', '12', '1.20']]);
    assert.deepEqual(rated.unpriced, ['service:PHOTO']);
    assert.ok(!billingSchema.safeParse({ tenants: { acme: { rates: { 'service:': '1' } } } }).success, 'a service needs its code');
  });
  it('bills nothing for a type that is not billed', () => {
    assert.deepEqual(usageOf({ documentId: 'd', messageId: 1, occurredAt: 1, document: { ...envelope, type: 'sales_order' } as unknown as CanonicalDocument }), []);
  });
  it('knows a period as a UTC month', () => {
    assert.deepEqual(periodBounds('2026-11'), { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 11, 1) });
    assert.deepEqual(periodBounds('2026-12'), { start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) });
    assert.equal(periodBounds('2026-13'), undefined);
  });
});

describe('storage per day', () => {
  it('sums each facility\'s units on hand into one event per facility and day, keyed by both', () => {
    const events = storageOf('acme', '2024-02-29', [{ facility: 'DC2', onHand: '0.1' }, { facility: 'DC1', onHand: '4' }, { facility: 'DC2', onHand: '0.2' }, { facility: 'DC3', onHand: '0' }]);
    assert.deepEqual(events.map((e) => [e.key, e.kind, e.quantity, e.facility]), [
      ['storage:DC1:2024-02-29', 'storage_unit_day', '4', 'DC1'], ['storage:DC2:2024-02-29', 'storage_unit_day', '0.3', 'DC2'],
    ], 'exact sums; a facility with nothing on hand bills nothing');
    assert.ok(events.every((e) => e.occurredAt === Date.UTC(2024, 2, 1) - 1), 'the day\'s last instant: it belongs to February');
  });
  it('counts cubic volume and pallet positions from the item master, and names the SKUs it cannot measure', () => {
    const items = new Map([
      // 40 × 30 × 25 cm = 0.03 m³ per each; a case holds 12 eaches.
      ['BOX', { baseUom: 'EA', factors: { CS: '12' }, dimensions: { length: '40', width: '30', height: '25', unit: 'cm' }, unitsPerPallet: '100' }],
      ['ROLL', { baseUom: 'EA', dimensions: { length: '1', width: '1', height: '2', unit: 'ft' } }],
      ['LOOSE', { baseUom: 'EA', unitsPerPallet: '50' }],
    ]);
    const stock = [
      { facility: 'DC1', sku: 'BOX', uom: 'EA', onHand: '150' }, { facility: 'DC1', sku: 'BOX', uom: 'CS', onHand: '5' },
      { facility: 'DC1', sku: 'ROLL', uom: 'EA', onHand: '3' }, { facility: 'DC1', sku: 'LOOSE', uom: 'EA', onHand: '51' },
      { facility: 'DC2', sku: 'BOX', uom: 'EA', onHand: '1' }, { facility: 'DC2', sku: 'GHOST', uom: 'EA', onHand: '2' },
    ];
    const events = storageOf('acme', '2024-02-29', stock, { measures: ['volume', 'pallet'], items });
    assert.deepEqual(events.map((e) => [e.key, e.kind, e.quantity]), [
      // BOX: 150 + 5 × 12 = 210 eaches, 6.3 m³, 3 pallets; ROLL: 2 ft³ = 0.0566337 m³ each (rounded to 6 decimals in the sum); LOOSE: 51 on 50 a pallet is 2.
      ['storage:DC1:2024-02-29', 'storage_volume_day', '6.469901'], ['storage:DC1:2024-02-29', 'storage_pallet_day', '5'],
      ['storage:DC1:2024-02-29', 'unmeasured:LOOSE', '51'], ['storage:DC1:2024-02-29', 'unmeasured:ROLL', '3'],
      ['storage:DC2:2024-02-29', 'storage_volume_day', '0.03'], ['storage:DC2:2024-02-29', 'storage_pallet_day', '1'],
      ['storage:DC2:2024-02-29', 'unmeasured:GHOST', '2'],
    ], 'a part pallet takes a whole position, per SKU and facility');
    const feet = storageOf('acme', '2024-02-29', stock.slice(2, 3), { measures: ['volume'], items, volumeUnit: 'ft3' });
    assert.deepEqual(feet.map((e) => [e.kind, e.quantity]), [['storage_volume_day', '6']], 'the card\'s unit: 3 rolls of 2 ft³');
    const byPallet = storageOf('acme', '2024-02-29', stock.slice(3, 4), { measures: ['pallet'], items });
    assert.deepEqual(byPallet.map((e) => [e.kind, e.quantity]), [['storage_pallet_day', '2']], 'billed by pallet only, a SKU without dimensions is measured');
    assert.deepEqual(storageOf('acme', '2024-02-29', stock).map((e) => e.kind), ['storage_unit_day', 'storage_unit_day'], 'by units, no item is needed');
    assert.deepEqual(unmeasuredSkus({ storage_volume_day: '1', 'unmeasured:ROLL': '3', 'unmeasured:GHOST': '2' }), ['GHOST', 'ROLL']);
    assert.deepEqual(rateUsage({ 'unmeasured:ROLL': '3' }, card({ rates: { storage_volume_day: '1' } })).lines, [], 'unmeasured units are never priced');
  });
  it('lists the days ended since the last one counted', () => {
    const now = Date.UTC(2024, 2, 2, 15);
    assert.deepEqual(storageDaysDue(undefined, now), ['2024-03-01'], 'the first time, yesterday only');
    assert.deepEqual(storageDaysDue('2024-02-27', now), ['2024-02-28', '2024-02-29', '2024-03-01']);
    assert.deepEqual(storageDaysDue('2024-03-01', now), []);
    assert.equal(storageDaysDue('2023-01-01', now).length, 62, 'at most 62 a sweep');
  });
});
