import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway prune [-c file] [--tenant T] [--dry-run] [--json]

Removes what the retention settings (config \`retention\`) no longer keep: raw bytes, then
documents with their deliveries and attempts, then message rows; attempt logs; ledgers of finished
orders; old reconciliation runs. Anything still open (pending, dead-lettered, quarantined, held by
the rules) is kept whatever its age. With retention.archive set, what goes is written to the
archive first. --dry-run counts what would go and removes nothing. Every tenant unless --tenant.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, tenant: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    err(USAGE);
    return 0;
  }
  const loaded = loadConfigFile(String(values.config));
  const engine = await EngineFacade.open(loaded);
  try {
    if (!engine.pruner.policy.active) err('causeway prune: no retention period is set (config retention); nothing is pruned');
    const tenants = values.tenant ? [String(values.tenant)] : await engine.pruner.tenants();
    const reports = [];
    for (const tenant of tenants) reports.push(await engine.pruner.prune(tenant, { dryRun: Boolean(values['dry-run']) }));
    if (values.json) {
      out(JSON.stringify(reports, null, 2));
      return 0;
    }
    for (const r of reports) {
      out(`${r.dryRun ? 'would prune' : 'pruned'} tenant ${r.tenant}: raw bytes of ${r.raw} message(s), documents of ${r.documents}, ${r.messages} message row(s), `
        + `${r.attempts} attempt(s), ${r.ledgers} ledger(s), ${r.reconciliations} reconciliation run(s); ${r.keptOpen} old message(s) kept while still open`
        + (r.months.length ? `; whole months dropped: ${r.months.join(', ')}` : '') + (r.archived.length ? `; archived to ${r.archived.join(', ')}` : '') + (r.pagesFreed ? `; ${r.pagesFreed} page(s) handed back` : ''));
    }
    return 0;
  } finally {
    await engine.close();
  }
}
