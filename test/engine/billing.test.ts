// The period close with several workers on one PostgreSQL database: each worker's BillingService
// closes the same month at once while usage keeps being recorded (under the billing lease, as the
// sweep records it); one close wins, every worker
// answers the same lines, and no event is billed twice or left marked without being counted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rateCardSchema, type BillingConfig } from '../../src/billing/index.ts';
import { BillingService } from '../../src/engine/index.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';

const skip = await postgresUnavailable();
const config: BillingConfig = { sweepEveryMs: 0, tenants: { acme: rateCardSchema.parse({ rates: { order: '1', order_unit: { tiers: [{ upTo: 50, price: '0.5' }, { price: '0.25' }] } } }) } };
const MARCH = Date.UTC(2021, 2, 10);

describe('closing a month on several workers at once', { skip }, () => {
  let db: TestDatabase;
  let workers: PostgresStore[];
  before(async () => {
    db = await createTestDatabase();
    workers = Array.from({ length: 4 }, () => new PostgresStore({ url: db.url, pool: { max: 4 } }));
    await Promise.all(workers.map((w) => w.migrate()));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await db.drop();
  });

  it('closes once, and every worker answers the same lines', async () => {
    const [first] = workers;
    const event = (n: number, kind: string, quantity: string) => ({ tenant: 'acme', key: `shipment:SH-${n}`, kind, quantity, facility: 'DC1', occurredAt: MARCH + n, documentId: `d${n}`, messageId: n });
    for (let n = 1; n <= 40; n++) await first!.recordUsage('acme', [event(n, 'order', '1'), event(n, 'order_unit', '2')], null, 1);
    const services = workers.map((w, i) => new BillingService(w, config, `worker-${i}`));
    // Late usage of March keeps arriving while the closes run, recorded as the sweep records it: under the client's billing lease.
    const late = (async () => {
      for (let n = 41; n <= 60; n++) {
        await services[n % 4]!.withLease('acme', () => workers[n % 4]!.recordUsage('acme', [event(n, 'order', '1'), event(n, 'order_unit', '2')], null, 2));
      }
    })();
    const closed = await Promise.all(services.map((s) => s.close('acme', '2021-03')));
    await late;
    assert.equal(closed.filter((c) => c.closedNow).length, 1, 'one close wins');
    for (const c of closed) assert.deepEqual(c.lines, closed[0]!.lines);
    const orders = Number(closed[0]!.lines.find((l) => l.kind === 'order')!.quantity);
    const billed = await first!.listUsageEvents('acme', { invoicePeriod: '2021-03', kind: 'order', limit: 1000 });
    assert.equal(billed.length, orders, 'the events marked billed are exactly those the lines count');
    const units = closed[0]!.lines.filter((l) => l.kind === 'order_unit').reduce((a, l) => a + Number(l.quantity), 0);
    assert.equal(units, orders * 2);
    const unbilled = await first!.listUsageEvents('acme', { invoicePeriod: null, kind: 'order', limit: 1000 });
    assert.equal(billed.length + unbilled.length, 60, 'every event is billed once or waits for the next close');
    assert.deepEqual((await services[3]!.invoice('acme', '2021-03'))!.lines, closed[0]!.lines);
  });
});
