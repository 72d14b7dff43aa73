import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeKpis } from '../../src/engine/index.ts';
import type { KpiSample } from '../../src/store/index.ts';

function sample(orderToShipment: number[]): KpiSample {
  return {
    syncFromOccurred: [], syncFromReceived: [], delivered: 0, attempts: 0, failedAttempts: 0, deadLetters: 0,
    messages: 0, quarantined: 0, duplicates: 0, backlog: [], orderToShipment, verdicts: { apply: 0, hold: 0, refuse: 0, stale: 0 }, superseded: 0,
  };
}

describe('order to shipment KPI', () => {
  it('never reports a negative duration: a shipment stamped before its order counts as 0 ms, and is counted', () => {
    const k = computeKpis(sample([-9_600, 60_000, -1, 120_000, 30_000]), 0, 3_600_000);
    assert.deepEqual(k.orderToShipmentMs, { count: 5, p50: 30_000, p95: 120_000, p99: 120_000, max: 120_000 });
    assert.equal(k.orderToShipmentBeforeOrder, 2, 'two shipments were stamped before their order: a clock to look at');
    assert.ok([k.orderToShipmentMs.p50, k.orderToShipmentMs.p95, k.orderToShipmentMs.max].every((v) => v !== null && v >= 0));
  });

  it('counts none when every shipment follows its order', () => {
    const k = computeKpis(sample([1_000, 2_000]), 0, 3_600_000);
    assert.equal(k.orderToShipmentBeforeOrder, 0);
    assert.equal(k.orderToShipmentMs.p50, 1_000);
  });
});
