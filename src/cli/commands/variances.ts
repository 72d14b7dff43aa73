import { userInfo } from 'node:os';
import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway variances (approve | reject) [-c file] [--tenant T] --run ID --position N... [--note TEXT] [--by NAME]
       causeway variances log [-c file] [--tenant T] [--run ID]

approve: each variance is sent to the side inventory.correct names as an inventory_adjustment
(reason reconciliation), through the outbox, once however often it is approved. reject: recorded
only. The first decision on a position stands. --by names who decided (default: the login name).
This command changes the store only: a hub in another process picks the adjustment up on its next
idle poll. log: who decided what, and when, newest first.`;

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse(rest, {
    ...configOption, tenant: { type: 'string' }, run: { type: 'string' }, position: { type: 'string', multiple: true }, note: { type: 'string' },
    by: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help || !['approve', 'reject', 'log'].includes(action ?? '')) {
    err(USAGE);
    return values.help ? 0 : 2;
  }
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    if (action === 'log') {
      const items = await engine.inventory.decisions(tenant, { runId: values.run === undefined ? undefined : Number(values.run), limit: 1000 });
      for (const d of items) out(`${new Date(d.decidedAt).toISOString()} ${d.decidedBy} ${d.action} run ${d.runId} #${d.position} ${d.facility} ${d.sku}${d.lot ? ` lot ${d.lot}` : ''} ${d.quantity} ${d.uom}${d.note ? `: ${d.note}` : ''}`);
      return 0;
    }
    const runId = Number(values.run);
    const positions = ((values.position as string[] | undefined) ?? []).flatMap((p) => p.split(',')).map(Number);
    if (!Number.isInteger(runId) || runId <= 0 || positions.length === 0 || positions.some((p) => !Number.isInteger(p) || p <= 0)) {
      err(USAGE);
      return 2;
    }
    if (!(await engine.inventory.getRun(tenant, runId))) throw new Error(`no reconciliation run ${runId} for tenant ${tenant}`);
    const by = String(values.by ?? userInfo().username);
    const outcome = await engine.inventory.decide(tenant, runId, positions, action === 'approve' ? 'approved' : 'rejected', by, values.note as string | undefined);
    for (const p of positions) {
      const d = outcome.decisions.find((x) => x.position === p);
      if (!d) {
        out(`#${p}: not a variance of run ${runId}; nothing decided`);
        continue;
      }
      const m = outcome.messages.find((x) => x.position === p);
      const first = d.decidedBy === by && d.action === (action === 'approve' ? 'approved' : 'rejected');
      out(`#${p} ${d.sku}: ${d.action} by ${d.decidedBy} at ${new Date(d.decidedAt).toISOString()}${first ? '' : ' (decided before; kept)'}${m ? `; adjustment ${m.adjustmentNumber} ${m.duplicate ? 'already queued' : 'queued'} as message ${m.messageId}` : ''}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
