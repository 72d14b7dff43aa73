import { loadConfigFile } from '../../endpoints.ts';
import { Hub } from '../../engine/index.ts';
import { configOption, parse } from '../args.ts';

/** The API and every worker loop in one process: the embedded default, or one of many on PostgreSQL. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, listen: { type: 'string' } });
  const loaded = loadConfigFile(String(values.config));
  const hub = await Hub.start(loaded);
  const { startApiServer } = await import('../../api/index.ts');
  const api = await startApiServer(hub, { listen: values.listen ? String(values.listen) : loaded.config.api.listen });
  const hangup = reloadOnHangup(hub);
  await untilSignal();
  hangup();
  hub.logger.info('stopping: finishing deliveries in flight');
  await api.close();
  await hub.stop();
  return 0;
}

/** SIGHUP reloads every client's config (docs/3pl.md), each applied or refused on its own; returns the remover. */
export function reloadOnHangup(hub: Hub): () => void {
  const reload = () => void hub.reloadClients({ actor: 'SIGHUP', via: 'signal' });
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}

export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
