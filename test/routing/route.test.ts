import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Big from 'big.js';
import { routingSchema, type RoutingConfig } from '../../src/config/routing.ts';
import type { SalesOrder } from '../../src/model/index.ts';
import { keepSites, minutesOfDay, needsRouting, ordersFor, reroute, reservationsOf, routeOrder, shipToCoordinates, stockKey, type RoutingContext } from '../../src/routing/index.ts';
import { seededRandom } from '../support/seed.ts';

// Chicago, Dallas and Newark, with coordinates; Newark takes hazmat, Dallas cold chain.
const config: RoutingConfig = routingSchema.parse({
  facilities: {
    CHI: { endpoint: 'wms-chi', coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: ['US'] }, timeZone: 'America/Chicago', cutoff: '15:00' },
    DAL: { endpoint: 'wms-dal', coordinates: { lat: 32.78, lon: -96.8 }, serviceArea: { countries: ['US'] }, coldChain: true, timeZone: 'America/Chicago', cutoff: '15:00' },
    EWR: { endpoint: 'wms-ewr', coordinates: { lat: 40.73, lon: -74.17 }, serviceArea: { countries: ['US', 'CA'] }, hazmat: true, timeZone: 'America/New_York', cutoff: '15:00' },
    BER: { coordinates: { lat: 52.52, lon: 13.4 }, serviceArea: { countries: ['DE'], postalPrefixes: ['1'] }, timeZone: 'Europe/Berlin' },
  },
  skus: { ACID: { hazmat: true }, SERUM: { coldChain: true }, RARE: { onlyAt: ['CHI'] } },
  postalCentroids: { 'DE:10': { lat: 52.52, lon: 13.4 } },
});

/** `now` moved to 10:00 local time in `timeZone` today: cut-offs at 09:00 are past, at 15:00 still ahead. */
function atLocal(hhmm: number, timeZone: string, now = Date.now()): number {
  return now - (minutesOfDay(now, timeZone) - hhmm) * 60_000;
}

const order = (lines: [string, string][], shipTo: SalesOrder['shipTo'] = { lines: [], country: 'US', postalCode: '10001' }): SalesOrder => ({
  type: 'sales_order', orderNumber: 'SO-1', purpose: 'original', shipTo, priority: 'normal', dropShip: false, notes: [],
  lines: lines.map(([sku, quantity], i) => ({ lineNumber: String(i + 1), sku, quantity, uom: 'EA' })),
} as unknown as SalesOrder);

function ctx(stock: Record<string, string>, extra: Partial<RoutingContext> = {}): RoutingContext {
  const available = new Map(Object.entries(stock).map(([k, v]) => { const [f, s] = k.split('/'); return [stockKey(f!, s!), new Big(v)]; }));
  return { config, now: atLocal(10 * 60, 'America/Chicago'), tenant: 'acme', available, reserved: new Map(), ...extra };
}

describe('order routing', () => {
  it('routes orders with no facility or facility auto, and leaves the others alone', () => {
    assert.equal(needsRouting({}), true);
    assert.equal(needsRouting({ facility: 'AUTO' }), true);
    assert.equal(needsRouting({ facility: 'CHI' }), false);
  });

  it('picks the nearest site with every line in stock, and records why the others lost', () => {
    const d = routeOrder(order([['TEA', '5']]), ctx({ 'CHI/TEA': '10', 'DAL/TEA': '10', 'EWR/TEA': '2' }));
    assert.equal(d.status, 'routed');
    assert.equal(d.facility, 'CHI', 'EWR is nearer to New York but has 2 of 5');
    const ewr = d.candidates.find((c) => c.facility === 'EWR')!;
    assert.equal(ewr.chosen, false);
    assert.match(ewr.reasons.join(';'), /TEA: 2 of 5 available/);
    assert.ok(ewr.distanceKm! < 30, `EWR is about 15 km from 10001, got ${ewr.distanceKm}`);
    assert.match(d.candidates.find((c) => c.facility === 'BER')!.reasons.join(), /outside its service area: country US/);
    assert.deepEqual(reservationsOf(d).map((r) => [r.facility, r.sku, r.quantity.toString()]), [['CHI', 'TEA', '5']]);
  });

  it('counts what routed orders already reserved against the stock', () => {
    const c = ctx({ 'EWR/TEA': '10', 'CHI/TEA': '10' });
    assert.equal(routeOrder(order([['TEA', '6']]), c).facility, 'EWR');
    const reserved = new Map([[stockKey('EWR', 'TEA'), new Big(6)]]);
    assert.equal(routeOrder(order([['TEA', '6']]), { ...c, reserved }).facility, 'CHI');
  });

  it('keeps hazmat, cold-chain and single-site SKUs where they may go', () => {
    const stock = { 'CHI/ACID': '9', 'EWR/ACID': '9', 'CHI/SERUM': '9', 'DAL/SERUM': '9', 'EWR/SERUM': '9', 'DAL/RARE': '9', 'CHI/RARE': '9' };
    const toChicago = { lines: [], country: 'US', postalCode: '60601' } as SalesOrder['shipTo'];
    assert.equal(routeOrder(order([['ACID', '1']], toChicago), ctx(stock)).facility, 'EWR');
    assert.equal(routeOrder(order([['SERUM', '1']], toChicago), ctx(stock)).facility, 'DAL');
    const rare = routeOrder(order([['RARE', '1']], { lines: [], country: 'US', postalCode: '75201' }), ctx(stock));
    assert.equal(rare.facility, 'CHI');
    assert.match(rare.candidates.find((c) => c.facility === 'DAL')!.reasons.join(), /RARE: stocked only at CHI/);
    const none = routeOrder(order([['TEA', '1']], { lines: [], country: 'FR', postalCode: '75001' }), ctx(stock));
    assert.equal(none.status, 'unroutable');
  });

  it('ranks a site past its carrier cut-off after those that still ship today', () => {
    const stock = { 'EWR/TEA': '9', 'CHI/TEA': '9' };
    // 14:30 in Chicago is 15:30 in Newark: Newark's truck has gone.
    const d = routeOrder(order([['TEA', '1']]), ctx(stock, { now: atLocal(14 * 60 + 30, 'America/Chicago') }));
    assert.equal(d.facility, 'CHI');
    assert.match(d.candidates.find((c) => c.facility === 'EWR')!.reasons.join(), /past its 15:00 America\/New_York cut-off/);
    // Before both cut-offs the nearer one wins again.
    assert.equal(routeOrder(order([['TEA', '1']]), ctx(stock, { now: atLocal(9 * 60, 'America/Chicago') })).facility, 'EWR');
  });

  it('finds ship-to coordinates from the bundled ZIP data, else from configured postal prefixes', () => {
    assert.ok(Math.abs(shipToCoordinates({ country: 'US', postalCode: '10001-2345' }, {})!.lat - 40.75) < 0.1);
    assert.ok(shipToCoordinates({ country: 'CA', postalCode: 'M5V 3L9' }, {}));
    assert.deepEqual(shipToCoordinates({ country: 'DE', postalCode: '10115' }, config.postalCentroids), { lat: 52.52, lon: 13.4 });
    assert.equal(shipToCoordinates({ country: 'FR', postalCode: '75001' }, config.postalCentroids), undefined);
  });

  it('applies the split policy of the channel, then the tenant, then the default', () => {
    const stock = { 'EWR/TEA': '4', 'CHI/TEA': '3', 'DAL/TEA': '0', 'CHI/MUG': '5' };
    const o = order([['TEA', '10'], ['MUG', '2']]);
    const cfg = (policy: RoutingConfig['policy']) => ({ ...config, policyByChannel: { shop: policy } });
    const held = routeOrder(o, ctx(stock, { config: cfg('complete'), channel: 'shop' }));
    assert.equal(held.status, 'held');
    assert.deepEqual(held.assignments, []);

    const back = routeOrder(o, ctx(stock, { config: { ...config, policyByTenant: { acme: 'backorder' } } }));
    assert.equal(back.status, 'backordered');
    assert.equal(back.facility, 'CHI', 'CHI can fill 5 units now, EWR 4');
    assert.deepEqual(back.assignments[0]!.lines.map((l) => [l.sku, l.quantity, l.backordered]), [['TEA', '10', '7'], ['MUG', '2', '0']]);

    const split = routeOrder(o, ctx(stock, { config: cfg('split'), channel: 'shop' }));
    assert.equal(split.status, 'backordered');
    const byFacility = Object.fromEntries(split.assignments.map((a) => [a.facility, a.lines.map((l) => [l.sku, l.quantity, l.backordered])]));
    assert.deepEqual(byFacility, { EWR: [['TEA', '7', '3']], CHI: [['TEA', '3', '0'], ['MUG', '2', '0']] });
    const orders = ordersFor(o, split);
    assert.deepEqual(orders.map((x) => [x.facility, x.orderNumber]), [['EWR', 'SO-1-EWR'], ['CHI', 'SO-1-CHI']]);
    assert.equal((orders[0]!.extensions!.routing as { status: string }).status, 'backordered');
  });

  it('re-routes what a warehouse rejected or shipped short, away from that warehouse', () => {
    const stock = { 'EWR/TEA': '10', 'CHI/TEA': '10', 'DAL/TEA': '10', 'EWR/MUG': '10', 'CHI/MUG': '10' };
    const o = order([['TEA', '4'], ['MUG', '2']]);
    const c = ctx(stock);
    const first = routeOrder(o, c);
    assert.equal(first.facility, 'EWR');
    const rejected = reroute(o, first, { facility: 'EWR', kind: 'rejected', why: 'credit hold' }, c);
    assert.equal(rejected.decision.facility, 'CHI');
    assert.match(rejected.decision.candidates.find((x) => x.facility === 'EWR')!.reasons.join(), /rejected the order: credit hold/);
    assert.deepEqual(rejected.release.map((r) => [r.facility, r.sku, r.quantity.toString()]), [['EWR', 'TEA', '4'], ['EWR', 'MUG', '2']]);

    const short = reroute(o, first, { facility: 'EWR', kind: 'short', lines: [{ lineNumber: '1', sku: 'TEA', quantity: '3' }] }, c);
    assert.equal(short.decision.facility, 'CHI');
    assert.deepEqual(short.decision.assignments[0]!.lines.map((l) => [l.sku, l.quantity]), [['TEA', '3']]);
    assert.deepEqual(short.release.map((r) => [r.facility, r.sku, r.quantity.toString()]), [['EWR', 'TEA', '3']]);
  });

  it('never assigns more or less than ordered, nor reserves more than is free (seeded)', (t) => {
    const random = seededRandom(t);
    const skus = ['A', 'B', 'C', 'ACID', 'SERUM'];
    for (let n = 0; n < 300; n++) {
      const stock: Record<string, string> = {};
      for (const f of ['CHI', 'DAL', 'EWR']) for (const s of skus) stock[`${f}/${s}`] = String(Math.floor(random() * 8));
      const lines = skus.filter(() => random() < 0.5).map((s) => [s, String(1 + Math.floor(random() * 10))] as [string, string]);
      if (!lines.length) continue;
      const policy = (['complete', 'split', 'backorder'] as const)[Math.floor(random() * 3)]!;
      const c = ctx(stock, { config: { ...config, policy } });
      const d = routeOrder(order(lines), c);
      if (d.status === 'held' || d.status === 'unroutable') { assert.deepEqual(d.assignments, []); continue; }
      for (const [i, [sku, q]] of lines.entries()) {
        const parts = d.assignments.flatMap((a) => a.lines.filter((l) => l.lineNumber === String(i + 1)));
        assert.equal(parts.reduce((s, l) => s.plus(l.quantity), new Big(0)).toString(), new Big(q).toString(), `${policy} ${sku}`);
      }
      for (const r of reservationsOf(d)) assert.ok(r.quantity.lte(c.available.get(stockKey(r.facility, r.sku)) ?? 0), `${policy} reserves ${r.sku} at ${r.facility}`);
    }
  });
});

describe('a new version of an order already routed', () => {
  it('keeps each line at the site that has it, a new line at the first site, and backorders there what a site lacks', () => {
    const c = ctx({ 'EWR/TEA': '4', 'CHI/MUG': '10' }, { config: { ...config, policy: 'split' } });
    const first = routeOrder(order([['TEA', '4'], ['MUG', '2']]), c);
    assert.deepEqual(first.assignments.map((a) => a.facility), ['EWR', 'CHI']);
    // Eight TEA now, and a new line: EWR keeps TEA (four of the eight backordered there, though CHI has fifty now), the SPOON goes to EWR.
    const later = { ...c, available: new Map([...c.available, [stockKey('CHI', 'TEA'), new Big(50)]]) };
    const kept = keepSites(order([['TEA', '8'], ['MUG', '2'], ['SPOON', '1']]), first, later)!;
    assert.equal(kept.status, 'backordered');
    assert.deepEqual(kept.assignments.map((a) => [a.facility, a.lines.map((l) => `${l.sku} ${l.quantity}/${l.backordered}`)]), [
      ['EWR', ['TEA 8/4', 'SPOON 1/1']], ['CHI', ['MUG 2/0']],
    ]);
    assert.deepEqual(kept.candidates.filter((x) => x.chosen).map((x) => x.facility).sort(), ['CHI', 'EWR']);
  });

  it('leaves a site that rejected the order, and routes from scratch an order that went nowhere', () => {
    const c = ctx({ 'EWR/TEA': '10', 'CHI/TEA': '10' });
    const first = routeOrder(order([['TEA', '4']]), c);
    assert.equal(first.facility, 'EWR');
    const { decision } = reroute(order([['TEA', '4']]), first, { facility: 'EWR', kind: 'rejected' }, c);
    assert.equal(decision.facility, 'CHI');
    const kept = keepSites(order([['TEA', '5']]), { ...decision, history: [{ ...first, outcome: { facility: 'EWR', kind: 'rejected' } }] }, c)!;
    assert.deepEqual(kept.assignments.map((a) => a.facility), ['CHI']);
    const held = routeOrder(order([['TEA', '40']]), { ...c, config: { ...config, policy: 'complete' } });
    assert.equal(held.status, 'held');
    assert.equal(keepSites(order([['TEA', '4']]), held, c), undefined);
  });
});
