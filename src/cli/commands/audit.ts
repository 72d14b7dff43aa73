import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { auditReportCsv, auditReportHtml, parseItemFeed } from '../../inventory/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway audit [-c file] [--tenant T] [--warehouse FILE] [--erp FILE] [--format json|csv|html] [--out FILE]

The go-live audit: the ERP's item master (the item documents its connector brought in, or --erp
FILE) against the warehouse's (--warehouse FILE: an item feed as CSV, JSON or JSON lines; default
the item documents of warehouse endpoints). Prints counts per kind, or the whole report as JSON,
CSV or HTML (--format) to --out. Exit status 3 when anything is found.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...configOption, tenant: { type: 'string' }, warehouse: { type: 'string' }, erp: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    err(USAGE);
    return 0;
  }
  const format = values.format as string | undefined;
  if (format !== undefined && !['json', 'csv', 'html'].includes(format)) throw new Error(`--format is json, csv or html, not ${JSON.stringify(format)}`);
  const feed = (path: unknown) => (path === undefined ? undefined : parseItemFeed(readFileSync(String(path), 'utf8'), String(path)));
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    const report = await engine.inventory.audit(tenant, { warehouse: feed(values.warehouse), erp: feed(values.erp) });
    const text = format === 'csv' ? auditReportCsv(report) : format === 'html' ? auditReportHtml(report) : format === 'json' ? JSON.stringify(report, null, 2) + '\n' : undefined;
    if (text !== undefined && values.out) writeFileSync(String(values.out), text);
    else if (text !== undefined) process.stdout.write(text);
    if (text === undefined || values.out) {
      out(`audit of tenant ${tenant}: ${report.items.erp} ERP items, ${report.items.warehouse} warehouse items, ${report.total} finding(s)`);
      for (const [kind, n] of Object.entries(report.counts)) if (n) out(`  ${kind.replace(/_/g, ' ')}: ${n}`);
      if (text === undefined) for (const f of report.findings.slice(0, 50)) out(`    ${f.record} ${f.field}: ${f.found}. ${f.action}`);
      if (text === undefined && report.total > 50) out(`    ... ${report.total - 50} more: --format csv|html|json --out FILE for all`);
    }
    return report.total ? 3 : 0;
  } finally {
    await engine.close();
  }
}
