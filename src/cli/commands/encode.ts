import { readFile } from 'node:fs/promises';
import { builtIns, loadConfigFile } from '../../endpoints.ts';
import { storeUrl } from '../../engine/index.ts';
import { openStore } from '../../store/index.ts';
import { err, parse } from '../args.ts';

/** Encodes canonical documents (a JSON file: one, an array, or JSON lines) with a codec. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    codec: { type: 'string', default: 'json' }, partner: { type: 'string' }, tenant: { type: 'string', default: 'default' },
    config: { type: 'string', short: 'c' },
  });
  const file = positionals[0];
  const codec = builtIns.codecs.get(String(values.codec));
  if (!file || !codec) {
    err(codec ? 'usage: causeway encode --codec json|x12 [--partner P] FILE.json' : `unknown codec "${values.codec}"; one of: ${[...builtIns.codecs.keys()].join(', ')}`);
    return 2;
  }
  // Control numbers come from the configured store so they stay unique; without a config, a scratch one.
  const loaded = values.config ? loadConfigFile(String(values.config)) : undefined;
  const store = await openStore(loaded ? storeUrl(loaded) : ':memory:');
  try {
    const json = await builtIns.codecs.get('json')!.decode(await readFile(file), { tenant: String(values.tenant), endpoint: 'cli' });
    if (json.errors.length) throw new Error(json.errors.map((e) => e.message).join('; '));
    const options = { partner: values.partner, partnerProfiles: loaded?.config.partners ?? {} };
    for (const doc of json.documents) {
      process.stdout.write(await codec.encode(doc, { tenant: String(values.tenant), endpoint: 'cli', options, store }));
      if (codec.name === 'json') process.stdout.write('\n');
    }
  } finally {
    await store.close();
  }
  return 0;
}
