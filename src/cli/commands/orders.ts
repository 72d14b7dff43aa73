import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import type { OrderSummary } from '../../engine/orders.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway orders show <number> [--json]
       causeway orders list [--stuck | --status <state>] [--facility <code>] [--limit <n>] [--json]
  show   one order's ledger: state, lines ordered/shipped/open, holds, and every document decided against it
  list   orders by state (open, partially_shipped, shipped, cancelled, held, closed); --stuck: those not acknowledged in time or not shipped by their date`;

const STATES = new Set(['open', 'partially_shipped', 'shipped', 'cancelled', 'held', 'closed', 'stuck']);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...configOption, tenant: { type: 'string' }, json: { type: 'boolean' }, stuck: { type: 'boolean' }, status: { type: 'string' },
    facility: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  const [sub, number] = positionals;
  if (values.help || (sub !== 'show' && sub !== 'list') || (sub === 'show' && !number)) {
    (values.help ? out : err)(USAGE);
    return values.help ? 0 : 2;
  }
  const status = values.stuck ? 'stuck' : (values.status as string | undefined);
  if (status !== undefined && !STATES.has(status)) {
    err(`causeway orders: --status must be one of ${[...STATES].join(', ')}`);
    return 2;
  }
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    if (sub === 'show') {
      const o = await engine.order(tenant, number!);
      if (!o) {
        err(`causeway orders: no order ${number} for tenant ${tenant}`);
        return 1;
      }
      if (values.json) {
        out(JSON.stringify(o, null, 2));
        return 0;
      }
      out(`order ${o.orderNumber}: ${o.status.replace('_', ' ')}${o.facility ? ` at ${o.facility}` : ''}; to the warehouse: ${o.sent.state.replace('_', ' ')}${o.sent.sentAt ? ` ${o.sent.sentAt}` : ''}`);
      for (const s of o.stuck) out(`  STUCK ${s.rule}: ${s.reason}`);
      for (const h of o.holds.filter((x) => !x.releasedAt)) out(`  on hold (${h.by}) since ${h.since}: ${h.reason}`);
      out('  line  sku                   ordered   shipped      open');
      for (const l of o.lines) out(`  ${l.lineNumber.padEnd(5)} ${l.sku.padEnd(20)} ${`${l.ordered} ${l.uom}`.padStart(9)} ${l.shipped.padStart(9)} ${l.open.padStart(9)}`);
      for (const p of o.held) out(`  waiting: ${p.documentType} ${p.documentId} (for ${p.waitingFor}): ${p.reason}`);
      out('  events:');
      for (const e of o.events) out(`    ${new Date(e.at).toISOString()} ${e.documentType} (message ${e.messageId}) ${e.verdict} ${e.rule}: ${e.reason}`);
      return 0;
    }
    const items: OrderSummary[] = await engine.listOrders(tenant, {
      status: status as never, facility: values.facility as string | undefined, limit: values.limit ? Number(values.limit) : undefined,
    });
    if (values.json) {
      out(JSON.stringify(items, null, 2));
      return 0;
    }
    if (items.length === 0) out(status === 'stuck' ? 'no stuck orders' : 'no orders');
    for (const o of items) {
      out(`${o.orderNumber.padEnd(20)} ${o.status.padEnd(18)} ${o.facility ?? ''}`);
      for (const s of o.stuck) out(`  ${s.rule} since ${s.since}: ${s.reason}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
