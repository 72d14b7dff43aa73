// Routing benchmark: 10,000 sales orders (1 to 5 lines, US ship-tos) routed across 10 facilities
// holding 50,000 SKUs, each order's reservations counted against the next, under each split
// policy. The raw limit beside it is the same orders' stock look-ups alone (every line at every
// facility, available less reserved), measured in the same run.
//   node --import tsx bench/routing.ts [--orders N]
import Big from 'big.js';
import { createRequire } from 'node:module';
import { routingSchema, type RoutingPolicy } from '../src/config/routing.ts';
import { availableToPromise, ZERO, type StockPosition } from '../src/inventory/index.ts';
import type { SalesOrder } from '../src/model/index.ts';
import { reservationsOf, routeOrder, stockKey } from '../src/routing/index.ts';

const FACILITIES = 10;
const SKUS = 50_000;
const arg = process.argv.indexOf('--orders');
const ORDERS = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;

/** A small seeded generator, so every run routes the same orders. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export async function runRoutingBench(): Promise<void> {
  const random = lcg(15);
  const zips = Object.keys((createRequire(import.meta.url)('zipcodes') as { codes: Record<string, unknown> }).codes).filter((z) => /^\d{5}$/.test(z));
  const facilities: Record<string, unknown> = {};
  const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
  for (let f = 0; f < FACILITIES; f++) {
    facilities[`DC${f}`] = {
      coordinates: { lat: 26 + random() * 22, lon: -122 + random() * 50 }, serviceArea: { countries: ['US'] },
      hazmat: f % 3 === 0, coldChain: f % 4 === 0, cutoff: `${String(12 + (f % 8)).padStart(2, '0')}:00`, timeZone: zones[f % zones.length],
    };
  }
  const skus: Record<string, unknown> = {};
  for (let i = 0; i < SKUS; i += 97) skus[`SKU-${i}`] = { hazmat: true };
  for (let i = 13; i < SKUS; i += 211) skus[`SKU-${i}`] = { coldChain: true };
  const config = routingSchema.parse({ facilities, skus });

  const t0 = performance.now();
  const positions: StockPosition[] = [];
  for (let f = 0; f < FACILITIES; f++) {
    for (let i = 0; i < SKUS; i++) {
      if (random() < 0.3) continue;
      positions.push({ facility: `DC${f}`, sku: `SKU-${i}`, lot: '', uom: 'EA', onHand: new Big(Math.floor(random() * 40)), allocated: ZERO, onHold: ZERO, quarantined: ZERO, inTransit: ZERO, asOf: 0 });
    }
  }
  const atp = availableToPromise(positions, { bySku: {}, byCategory: {} }, () => undefined);
  const available = new Map(atp.map((a) => [stockKey(a.facility, a.sku), new Big(a.available)]));
  const atpSeconds = (performance.now() - t0) / 1000;

  const orders = Array.from({ length: ORDERS }, (_, n) => ({
    shipTo: { lines: [], country: 'US', postalCode: zips[Math.floor(random() * zips.length)] },
    lines: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({ lineNumber: String(i + 1), sku: `SKU-${Math.floor(random() * SKUS)}`, quantity: String(1 + Math.floor(random() * 6)), uom: 'EA' })),
    orderNumber: `SO-${n}`,
  })) as unknown as SalesOrder[];
  const lines = orders.reduce((s, o) => s + o.lines.length, 0);
  console.log(`${ORDERS} orders (${lines} lines), ${FACILITIES} facilities, ${SKUS} SKUs, ${positions.length} positions; ATP built in ${atpSeconds.toFixed(2)} s`);

  // The raw limit: each line's free stock at every facility, nothing else.
  const r0 = performance.now();
  const rc0 = process.cpuUsage();
  let found = 0;
  const none = new Map<string, Big>();
  for (const o of orders) for (const l of o.lines) for (let f = 0; f < FACILITIES; f++) {
    const key = stockKey(`DC${f}`, l.sku);
    if ((available.get(key) ?? ZERO).minus(none.get(key) ?? ZERO).gte(l.quantity)) found++;
  }
  const rawSeconds = (performance.now() - r0) / 1000;
  const rawCpu = process.cpuUsage(rc0);
  console.log(`raw stock look-ups: ${rawSeconds.toFixed(3)} s (${((rawCpu.user + rawCpu.system) / 1e6).toFixed(2)} s CPU; ${found} line-sites in stock)`);

  const now = Date.now();
  for (const policy of ['complete', 'backorder', 'split'] as RoutingPolicy[]) {
    const reserved = new Map<string, Big>();
    const counts: Record<string, number> = {};
    const s0 = performance.now();
    const c0 = process.cpuUsage();
    for (const o of orders) {
      const d = routeOrder(o, { config: { ...config, policy }, now, tenant: 'bench', available, reserved });
      counts[d.status] = (counts[d.status] ?? 0) + 1;
      for (const r of reservationsOf(d)) {
        const key = stockKey(r.facility, r.sku);
        reserved.set(key, (reserved.get(key) ?? ZERO).plus(r.quantity));
      }
    }
    const seconds = (performance.now() - s0) / 1000;
    const cpu = process.cpuUsage(c0);
    console.log(`${policy.padEnd(9)}: ${seconds.toFixed(2)} s (${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU), ${Math.round(ORDERS / seconds)} orders/s, ${(seconds / rawSeconds).toFixed(1)}x the raw look-ups; ${JSON.stringify(counts)}`);
  }
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runRoutingBench();
