import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFieldMap, compileJsonata, retryDelayMs, CircuitBreaker } from '../../src/engine/index.ts';
import { CausewayFault } from '../../src/model/index.ts';
import { seededRandom } from '../support/seed.ts';

const tables = { carriers: { UPSN: 'UPS-GROUND' }, uom: { EA: 'EACH' } };
const items = new Map([['TEA-1', { sku: 'TEA-1', baseUom: 'EA', conversions: [{ uom: 'CS', factor: '12' }] }]]);
const ctx = { tables, item: (sku: string) => items.get(sku) };
const order = {
  orderNumber: 'SO-1', carrier: { scac: 'UPSN' }, shipTo: { lines: ['1 Quay', 'Unit 4'], postalCode: '2000' }, occurredAt: '2026-11-22T10:05:00+01:00',
  lines: [{ lineNumber: '1', sku: 'TEA-1', quantity: '24', uom: 'EA' }, { lineNumber: '2', sku: 'TEA-1', quantity: '1', uom: 'CS' }],
};

describe('field maps', () => {
  it('copies paths, builds nested targets, translates codes, formats, maps arrays and converts units', () => {
    const map = compileFieldMap({
      id: 'orderNumber',
      'ship.via': { from: 'carrier.scac', table: 'carriers' },
      'ship.street2': 'shipTo.lines[1]',
      'ship.date': { from: 'occurredAt', format: 'date-compact' },
      'ship.time': { from: 'occurredAt', format: 'time-compact' },
      source: { const: 'causeway' },
      note: { from: 'notes', default: 'none' },
      lines: { each: 'lines', fields: { sku: 'sku', cases: { from: 'quantity', convert: { uomFrom: 'uom', to: 'CS', sku: 'sku' } }, unit: { from: 'uom', table: 'uom', onMissing: 'keep' } } },
    }, new Set(Object.keys(tables)));
    assert.deepEqual(map(order, ctx), {
      id: 'SO-1', ship: { via: 'UPS-GROUND', street2: 'Unit 4', date: '20261122', time: '1005' }, source: 'causeway', note: 'none',
      lines: [{ sku: 'TEA-1', cases: '2', unit: 'EACH' }, { sku: 'TEA-1', cases: '1', unit: 'CS' }],
    });
  });

  it('fails with the field and value when a code is not in the table', () => {
    const map = compileFieldMap({ via: { from: 'carrier.scac', table: 'carriers' } }, new Set(['carriers']));
    assert.throws(() => map({ carrier: { scac: 'ZZZZ' } }, ctx), (e: unknown) => e instanceof CausewayFault && e.errors[0].path === '$.carrier.scac' && /"ZZZZ" is not in code table "carriers"/.test(e.message));
  });

  it('says which item lacks the unit when a conversion is impossible', () => {
    const map = compileFieldMap({ q: { from: 'quantity', convert: { uomFrom: 'uom', to: 'PL', sku: 'sku' } } }, new Set());
    assert.throws(() => map({ sku: 'TEA-1', quantity: '1', uom: 'EA' }, ctx), /TEA-1 has no conversion for unit PL/);
    assert.throws(() => map({ sku: 'NOPE', quantity: '1', uom: 'EA' }, ctx), /item NOPE is not in the item master/);
  });

  it('refuses a conversion that is not exact, rather than send a rounded quantity nobody ordered', () => {
    const map = compileFieldMap({ cases: { from: 'quantity', convert: { uomFrom: 'uom', to: 'CS', sku: 'sku' } } }, new Set());
    assert.throws(() => map({ sku: 'TEA-1', quantity: '10', uom: 'EA' }, ctx), (e: unknown) => e instanceof CausewayFault && e.errors[0].path === '$.cases'
      && /10 EA of item TEA-1 does not convert exactly to CS \(1 CS = 12 EA\): it is 0\.833333333\.\.\. CS/.test(e.message));
    // Exact fractions go out as they are.
    assert.deepEqual(map({ sku: 'TEA-1', quantity: '6', uom: 'EA' }, ctx), { cases: '0.5' });
    assert.deepEqual(map({ sku: 'TEA-1', quantity: '0.25', uom: 'CS' }, ctx), { cases: '0.25' });
  });

  it('writes format number only where a number says the same as the text', () => {
    const map = compileFieldMap({ qty: { from: 'quantity', format: 'number' } }, new Set());
    assert.deepEqual(map({ quantity: '12.50' }, ctx), { qty: 12.5 });
    assert.deepEqual(map({ quantity: '-3' }, ctx), { qty: -3 });
    assert.throws(() => map({ quantity: 'twelve' }, ctx), /qty: format number: "twelve" is not a number/);
    assert.throws(() => map({ quantity: '12345678901234567890' }, ctx), /would become 12345678901234567000/);
    assert.throws(() => map({ quantity: '0.1000000000000000000001' }, ctx), /would become 0\.1,/);
  });

  it('enforces required fields and leaves absent ones out', () => {
    const map = compileFieldMap({ po: { from: 'customerOrderNumber', required: true }, x: 'missing.path' }, new Set());
    assert.throws(() => map({}, ctx), /po: is required/);
    assert.deepEqual(map({ customerOrderNumber: 'A' }, ctx), { po: 'A' });
  });

  it('refuses bad paths and unknown tables at compile time, and cannot be made to run injected code', () => {
    assert.throws(() => compileFieldMap({ a: 'b;process.exit(1)' }, new Set()), /not a valid path/);
    assert.throws(() => compileFieldMap({ a: { from: 'b', table: 'nope' } }, new Set()), /no code table named "nope"/);
    assert.throws(() => compileFieldMap({ 'x"]=1;//': 'a' }, new Set()), /not a valid path/);
    const map = compileFieldMap({ x: { const: '"); throw 1; //' }, y: { from: 'a', default: '`${process.exit(1)}`' } }, new Set());
    assert.deepEqual(map({}, ctx), { x: '"); throw 1; //', y: '`${process.exit(1)}`' });
  });
});

describe('JSONata mappings', () => {
  it('evaluates with code tables and reports failures with the position', async () => {
    const map = compileJsonata('{ "id": orderNumber, "via": $table("carriers", carrier.scac), "units": $sum(lines.$number(quantity)) }', 'm');
    assert.deepEqual(JSON.parse(JSON.stringify(await map(order, ctx))), { id: "SO-1", via: "UPS-GROUND", units: 25 });
    assert.throws(() => compileJsonata('{ "a": ', 'broken'), /mapping broken: JSONata does not compile/);
    await assert.rejects(() => compileJsonata('$number("x") + $error("no carrier")', 'e')(order, ctx), /mapping e: JSONata failed/);
  });
});

describe('retry policy and circuit breaker', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2 };
  it('backs off exponentially with jitter between half and the whole delay, capped', (t) => {
    assert.equal(retryDelayMs(policy, 1, () => 0), 500);
    assert.equal(retryDelayMs(policy, 1, () => 1), 1000);
    assert.equal(retryDelayMs(policy, 4, () => 1), 8000);
    assert.equal(retryDelayMs(policy, 30, () => 1), 60_000);
    const random = seededRandom(t);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 3, random)));
    assert.ok(spread.size > 10, 'jitter spreads retries');
    assert.ok([...spread].every((d) => d >= 2000 && d <= 4000), `third attempt within half and the whole of 4 s: ${[...spread]}`);
  });

  it('opens after consecutive failures, lets one trial through after the cooldown, closes on success', () => {
    const b = new CircuitBreaker(3, 1000);
    b.failure(0, 'order:1'); b.failure(0, 'order:2');
    assert.ok(b.allows(0));
    b.failure(0, 'order:3');
    assert.equal(b.allows(500), false);
    assert.ok(b.allows(1000));
    b.begin();
    assert.equal(b.allows(1001), false, 'one trial at a time');
    b.failure(1001, 'order:1');
    assert.equal(b.allows(1500), false, 'a failed trial opens again');
    assert.ok(b.allows(2001));
    b.begin();
    b.success('order:2');
    assert.equal(b.state, 'closed');
  });
});
