import { loadConfigFile } from '../../endpoints.ts';
import { Hub } from '../../engine/index.ts';
import { configOption, parse } from '../args.ts';
import { untilSignal } from './serve.ts';

/** Workers without the API: run as many as the store allows (PostgreSQL) to scale out. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...configOption, 'no-sources': { type: 'boolean' } });
  const loaded = loadConfigFile(String(values.config));
  const hub = await Hub.start(loaded, { sources: !values['no-sources'] });
  await untilSignal();
  await hub.stop();
  return 0;
}
