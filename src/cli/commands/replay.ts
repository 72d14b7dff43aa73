import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

const USAGE = `usage: causeway replay [-c file] [--tenant T] (--message ID... | --dead-letters | --delivery ID... | --from ISO [--to ISO] [--endpoint E])

A message is decoded and processed again with the current config; a dead delivery is tried again
with its old idempotency key. This command changes the store only: a hub running in another process
(serve, worker) cannot be woken from here and takes the work on its next idle poll (worker.idleMs).
To start at once, replay through the running hub's API (POST /v1/messages/{id}/replay,
POST /v1/replay, POST /v1/dead-letters/replay).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...configOption, tenant: { type: 'string' }, message: { type: 'string', multiple: true }, 'dead-letters': { type: 'boolean' },
    delivery: { type: 'string', multiple: true }, from: { type: 'string' }, to: { type: 'string' }, endpoint: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    err(USAGE);
    return 0;
  }
  if (!values.message && !values['dead-letters'] && !values.delivery && !values.from) {
    err(USAGE);
    return 2;
  }
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const engine = await EngineFacade.open(loaded);
  try {
    if (values.message) {
      const n = await engine.replayMessages(tenant, (values.message as string[]).map(Number));
      out(`${n} message(s) queued for processing again`);
    } else if (values['dead-letters'] || values.delivery) {
      const ids = values.delivery ? (values.delivery as string[]).map(Number) : 'all';
      const n = await engine.replayDeadDeliveries(tenant, ids);
      out(`${n} dead deliver${n === 1 ? 'y' : 'ies'} queued again`);
    } else {
      const now = Date.now();
      const from = Date.parse(String(values.from));
      const to = values.to ? Date.parse(String(values.to)) : now;
      if (Number.isNaN(from) || Number.isNaN(to)) throw new Error('--from and --to take ISO-8601 times');
      const n = await engine.replayWindow(tenant, from, to, values.endpoint as string | undefined);
      out(`${n} message(s) received between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} queued again`);
    }
  } finally {
    await engine.close();
  }
  return 0;
}
