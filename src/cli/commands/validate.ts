import { checkConfig } from '../../config/index.ts';
import { loadConfigFile } from '../../endpoints.ts';
import { compileMappings } from '../../engine/index.ts';
import { formatError } from '../../model/index.ts';
import { configOption, err, out, parse } from '../args.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, configOption);
  const loaded = loadConfigFile(String(values.config));
  compileMappings(loaded.config);
  const c = loaded.config;
  // Loading threw every error checkConfig found; what it found suspicious is still worth saying.
  for (const w of checkConfig(loaded).warnings) err(`warning: [${w.code}] ${formatError(w)}`);
  out(`${values.config}: valid — ${Object.keys(c.endpoints).length} endpoints, ${c.flows.length} flows, ${Object.keys(c.mappings).length} mappings, ${Object.keys(c.codeTables).length} code tables`);
  return 0;
}
