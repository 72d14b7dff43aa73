import { writeFileSync } from 'node:fs';
import { invoiceCsv } from '../../billing/index.ts';
import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway billing close --tenant T --period YYYY-MM [-c file] [--format json|csv] [--out FILE]
       causeway billing invoice --tenant T --period YYYY-MM [-c file] [--format json|csv] [--out FILE]
       causeway billing sweep --tenant T [-c file]

close: records the usage applied so far, rates the client's unbilled usage before the month's end
with its rate card (config billing.tenants), and keeps the invoice lines; a closed month never
changes, and closing it again prints the same lines. invoice: a closed month's lines. sweep: turns
documents applied since the last sweep into usage events (what the hub's schedule does).
--format prints the invoice as JSON or CSV (to --out FILE); without it, a summary.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...configOption, tenant: { type: 'string' }, period: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  const [action] = positionals;
  if (values.help || !action) {
    err(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['close', 'invoice', 'sweep'].includes(action)) throw new Error(`billing ${action}: expected close, invoice or sweep`);
  const format = values.format as string | undefined;
  if (format !== undefined && !['json', 'csv'].includes(format)) throw new Error(`--format is json or csv, not ${JSON.stringify(format)}`);
  if (action !== 'sweep' && typeof values.period !== 'string') throw new Error(`billing ${action}: --period YYYY-MM is required`);
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    if (action === 'sweep') {
      out(`usage of tenant ${tenant}: ${await engine.billing.withLease(tenant, () => engine.billing.sweep(tenant))} new event(s)`);
      return 0;
    }
    const period = String(values.period);
    const invoice = action === 'close' ? await engine.billing.close(tenant, period) : await engine.billing.invoice(tenant, period);
    if (!invoice) {
      err(`period ${period} of tenant ${tenant} is not closed`);
      return 1;
    }
    const text = format === 'csv' ? invoiceCsv(invoice) : format === 'json' ? JSON.stringify(invoice, null, 2) + '\n' : undefined;
    if (text !== undefined && values.out) writeFileSync(String(values.out), text);
    else if (text !== undefined) process.stdout.write(text);
    if (text === undefined || values.out) {
      const how = 'closedNow' in invoice ? (invoice.closedNow ? 'closed now' : 'closed before') : 'closed';
      out(`${tenant} ${period} (${how} ${new Date(invoice.closedAt).toISOString()}): ${invoice.lines.length} line(s), total ${invoice.total} ${invoice.currency}`);
      for (const l of invoice.lines) out(`  ${String(l.line).padStart(3)} ${l.kind}${l.tier > 1 ? ` (band ${l.tier})` : ''}: ${l.quantity} × ${l.unitPrice} = ${l.amount}`);
      const unpriced = 'unpriced' in invoice ? (invoice.unpriced as string[]) : [];
      if (unpriced.length) out(`  not on the rate card, not billed: ${unpriced.join(', ')}`);
      const unmeasured = 'unmeasured' in invoice ? (invoice.unmeasured as string[]) : [];
      if (unmeasured.length) out(`  in storage without dimensions or units per pallet, not billed by volume or pallet: ${unmeasured.join(', ')}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
