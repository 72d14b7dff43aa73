import { loadConfigFile } from '../../endpoints.ts';
import { startAlerting } from '../../console/alerts/index.ts';
import { Hub, HubFacade } from '../../engine/index.ts';
import { configOption, parse } from '../args.ts';
import { reloadOnHangup, untilSignal } from './serve.ts';

/** Workers without the API: run as many as the store allows (PostgreSQL) to scale out. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, 'no-sources': { type: 'boolean' } });
  const loaded = loadConfigFile(String(values.config));
  const hub = await Hub.start(loaded, { sources: !values['no-sources'] });
  // Alerts are checked and told by one process of the cluster at a time (a hub-wide lease),
  // whether it serves the console or only works: a cluster of workers alone still alerts.
  const alerting = startAlerting(HubFacade.of(hub));
  const hangup = reloadOnHangup(hub);
  await untilSignal();
  hangup();
  await alerting.stop();
  await hub.stop();
  return 0;
}
