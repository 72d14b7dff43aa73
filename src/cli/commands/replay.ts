import { loadConfigFile } from '../../config/index.ts';
import { storeUrl } from '../../engine/index.ts';
import { openStore } from '../../store/index.ts';
import { configOption, err, out, parse } from '../args.ts';

/**
 * Replays through the store; a running hub picks the work up on its next poll. A message is
 * decoded again with the current config; a dead delivery is retried with its old idempotency key.
 */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...configOption, tenant: { type: 'string' }, message: { type: 'string', multiple: true }, 'dead-letters': { type: 'boolean' },
    delivery: { type: 'string', multiple: true }, from: { type: 'string' }, to: { type: 'string' }, endpoint: { type: 'string' },
  });
  const loaded = loadConfigFile(String(values.config));
  const tenant = String(values.tenant ?? loaded.config.defaultTenant);
  const store = await openStore(storeUrl(loaded));
  const now = Date.now();
  try {
    if (values.message) {
      const n = await store.requeueMessages(tenant, (values.message as string[]).map(Number), now);
      out(`${n} message(s) queued for processing again`);
    } else if (values['dead-letters'] || values.delivery) {
      const ids = values.delivery ? (values.delivery as string[]).map(Number) : 'all';
      const n = await store.requeueDeadDeliveries(tenant, ids, now);
      out(`${n} dead deliver${n === 1 ? 'y' : 'ies'} queued again`);
    } else if (values.from) {
      const from = Date.parse(String(values.from));
      const to = values.to ? Date.parse(String(values.to)) : now;
      if (Number.isNaN(from) || Number.isNaN(to)) throw new Error('--from and --to take ISO-8601 times');
      const n = await store.requeueMessageWindow(tenant, from, to, values.endpoint as string | undefined, now);
      out(`${n} message(s) received between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} queued again`);
    } else {
      err('usage: causeway replay [-c file] [--tenant T] (--message ID... | --dead-letters | --delivery ID... | --from ISO [--to ISO] [--endpoint E])');
      return 2;
    }
  } finally {
    await store.close();
  }
  return 0;
}
