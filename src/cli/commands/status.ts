import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, out, parse, parseWindow } from '../args.ts';

const ms = (v: number | null) => (v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, tenant: { type: 'string' }, window: { type: 'string', default: '1h' }, json: { type: 'boolean' } });
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    const now = Date.now();
    const from = now - parseWindow(String(values.window));
    const k = await engine.kpis(tenant, from, now);
    const dead = await engine.listDeadLetters(tenant, { limit: 20 });
    if (values.json) {
      out(JSON.stringify({ tenant, kpis: k, deadLetters: dead }, null, 2));
      return 0;
    }
    out(`tenant ${tenant}, last ${values.window}`);
    out(`  messages ${k.throughput.messages}, delivered ${k.throughput.delivered} (${k.throughput.perMinute}/min), duplicates ${k.counts.duplicates}`);
    const s = k.syncLatencyMs.fromOccurred;
    out(`  sync latency (event -> delivered): p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}`);
    const o = k.orderToShipmentMs;
    out(`  order to shipment: p50 ${ms(o.p50)}, p95 ${ms(o.p95)} over ${o.count} shipment(s)${k.orderToShipmentBeforeOrder ? `; ${k.orderToShipmentBeforeOrder} stamped before their order (check the clocks)` : ''}`);
    out(`  error rate: ${k.errorRate.failedAttemptsPerThousand}‰ failed attempts, ${k.errorRate.deadLettersPerThousandDeliveries}‰ dead letters, ${k.errorRate.quarantinedPerThousandMessages}‰ quarantined`);
    const acc = k.inventoryAccuracy.latest;
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);
    out(acc ? `  inventory accuracy: ${pct(acc.overall.rate)} (${acc.overall.agreeing} of ${acc.overall.compared} positions, run ${acc.runId} at ${acc.at})${Object.entries(acc.byFacility).map(([f, a]) => `; ${f} ${pct(a.rate)}`).join('')}`
      : '  inventory accuracy: no reconciliation in this window');
    const trend = k.inventoryAccuracy.trend.filter((p) => p.rate !== null);
    if (trend.length > 1) out(`    trend: ${trend.slice(-10).map((p) => pct(p.rate)).join(' -> ')}`);
    out('  backlog:' + (k.backlog.length ? '' : ' none'));
    for (const b of k.backlog) out(`    ${b.endpoint}: ${b.pending} waiting, oldest ${ms(b.oldestAgeMs)}`);
    out(`  open dead letters: ${dead.length}${dead.length === 20 ? '+' : ''}`);
    for (const d of dead) out(`    #${d.id} ${d.kind} ${d.refId} @${d.endpoint}: ${d.reason.slice(0, 120)}`);
  } finally {
    await engine.close();
  }
  return 0;
}
