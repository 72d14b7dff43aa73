import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway reconcile [-c file] [--tenant T] [--facility F] [--at ISO] [--json]

Compares the ERP's stock with the warehouse's as of a time (default now), counting the documents
in flight between them, stores the run and prints its variances. Exit status 3 when a variance is
found, so a script can tell. Approve or reject them with \`causeway variances\`.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, tenant: { type: 'string' }, facility: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    err(USAGE);
    return 0;
  }
  const at = values.at === undefined ? undefined : Date.parse(String(values.at));
  if (at !== undefined && Number.isNaN(at)) throw new Error('--at takes an ISO-8601 time, e.g. 2026-03-10T12:00:00Z');
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    const { run, variances } = await engine.inventory.reconcile(tenant, { at, facility: values.facility as string | undefined, trigger: 'cli' });
    if (values.json) {
      out(JSON.stringify({ run, variances }, null, 2));
      return variances.length ? 3 : 0;
    }
    const accuracy = run.accuracy as { overall: { compared: number; agreeing: number; rate: number | null }; byFacility: Record<string, { rate: number | null }> };
    const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(2)}%`);
    out(`reconciliation run ${run.id}, tenant ${tenant}, as of ${new Date(run.at).toISOString()}${run.facility ? `, facility ${run.facility}` : ''}`);
    out(`  ${Object.entries(run.counts).map(([s, n]) => `${s} ${n}`).join(', ')}`);
    out(`  accuracy ${pct(accuracy.overall.rate)} (${accuracy.overall.agreeing} of ${accuracy.overall.compared} compared positions agree)`);
    for (const [f, a] of Object.entries(accuracy.byFacility)) out(`    ${f}: ${pct(a.rate)}`);
    if (variances.length) out('  variances (approve with: causeway variances approve --run ' + run.id + ' --position N):');
    for (const v of variances) {
      const d = v.detail as { warehouse: { onHand: string } | null; erp: { onHand: string } | null; explanation: string };
      out(`    #${v.position} ${v.facility} ${v.sku}${v.lot ? ` lot ${v.lot}` : ''}: warehouse ${d.warehouse?.onHand ?? '—'}, ERP ${d.erp?.onHand ?? '—'} ${v.uom}; ${d.explanation}`);
    }
    return variances.length ? 3 : 0;
  } finally {
    await engine.close();
  }
}
