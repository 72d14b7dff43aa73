import { randomBytes, randomUUID } from 'node:crypto';
import { hashApiKey } from '../../api/index.ts';
import { loadConfigFile } from '../../endpoints.ts';
import { EngineFacade } from '../../engine/index.ts';
import { configOption, err, out, parse } from '../args.ts';

/** `apikey create --tenant T --name N [--role viewer|operator]` stores only the hash and prints the key once; `apikey hash KEY` for the config file. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...configOption, tenant: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'operator' } });
  const [action, key] = positionals;
  if (action === 'hash' && key) {
    out(hashApiKey(key));
    return 0;
  }
  const role = String(values.role);
  if (action !== 'create' || !values.tenant || !values.name || (role !== 'viewer' && role !== 'operator')) {
    err('usage: causeway apikey create --tenant T --name N [--role viewer|operator] [-c file]  |  causeway apikey hash KEY');
    return 2;
  }
  const loaded = loadConfigFile(String(values.config));
  const engine = await EngineFacade.open(loaded);
  try {
    const secret = `cw_${randomBytes(24).toString('base64url')}`;
    await engine.putApiKey({ id: randomUUID(), tenant: String(values.tenant), name: String(values.name), hash: hashApiKey(secret), role, createdAt: Date.now() });
    out(secret);
    err('Store this key now: Causeway keeps only its hash.');
  } finally {
    await engine.close();
  }
  return 0;
}
