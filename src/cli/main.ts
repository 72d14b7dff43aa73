import { CausewayFault, formatError } from '../model/index.ts';
import { err } from './args.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  serve: { summary: 'run the API and all workers from causeway.yaml', load: () => import('./commands/serve.ts') },
  worker: { summary: 'run the workers (no API) against a shared store', load: () => import('./commands/worker.ts') },
  demo: { summary: 'run the bundled ERP <-> warehouse example on SQLite', load: () => import('./commands/demo.ts') },
  validate: { summary: 'check a config file without starting', load: () => import('./commands/validate.ts') },
  schema: { summary: 'print the JSON Schema of a document type', load: () => import('./commands/schema.ts') },
  decode: { summary: 'decode a file into canonical documents (JSON lines)', load: () => import('./commands/decode.ts') },
  encode: { summary: 'encode canonical documents with a codec', load: () => import('./commands/encode.ts') },
  x12: { summary: 'x12 inspect FILE: interchanges, groups and sets with control numbers and errors', load: () => import('./commands/x12.ts') },
  replay: { summary: 'replay a message, dead letters, or a time window', load: () => import('./commands/replay.ts') },
  status: { summary: 'backlog, dead letters and KPIs', load: () => import('./commands/status.ts') },
  reconcile: { summary: 'compare ERP and warehouse stock as of a time, with documents in flight', load: () => import('./commands/reconcile.ts') },
  variances: { summary: 'approve or reject variances of a reconciliation, or show who did', load: () => import('./commands/variances.ts') },
  audit: { summary: 'go-live audit of the ERP\'s item master against the warehouse\'s', load: () => import('./commands/audit.ts') },
  orders: { summary: 'orders show NUMBER | orders list [--stuck]: orders as the business rules know them', load: () => import('./commands/orders.ts') },
  billing: { summary: 'billing close|invoice --tenant T --period YYYY-MM: a client\'s month rated and kept; billing sweep: usage recorded', load: () => import('./commands/billing.ts') },
  prune: { summary: 'remove what the retention settings no longer keep (--dry-run counts it)', load: () => import('./commands/prune.ts') },
  archive: { summary: 'archive read FILE: what retention archived, as JSON lines', load: () => import('./commands/archive.ts') },
  apikey: { summary: 'create an API key (stored hashed) or hash one for the config', load: () => import('./commands/apikey.ts') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: causeway <command> [options]', '', ...Object.entries(COMMANDS).map(([c, v]) => `  ${c.padEnd(width)}  ${v.summary}`), '',
    'Each command takes --help. Config: -c causeway.yaml (default).'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    err(usage());
    return command ? 0 : 2;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    err(`causeway: unknown command "${command}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (e instanceof CausewayFault) {
      err(`causeway ${command}: ${e.errors.length} problem(s):`);
      for (const x of e.errors) err(`  - [${x.code}] ${formatError(x)}`);
    } else err(`causeway ${command}: ${(e as Error).message}`);
    return 1;
  }
}
