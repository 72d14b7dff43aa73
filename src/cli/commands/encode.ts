import { readFile } from 'node:fs/promises';
import { builtIns, loadConfigFile } from '../../endpoints.ts';
import { storeUrl } from '../../engine/index.ts';
import { openStore } from '../../store/index.ts';
import { err, parse } from '../args.ts';
import { cliCodec, codecOptions } from '../codec-setup.ts';

/**
 * Encodes canonical documents (a JSON file: one, an array, or JSON lines) with a codec. With
 * `--config` and `--endpoint`, as the hub writes for that endpoint: its codec, tenant and
 * codecOptions (a flat layout, an EDIFACT or X12 partner) with its tenant's partner profiles.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, codecOptions);
  const file = positionals[0];
  if (!file) {
    err('usage: causeway encode [--codec json|x12|edifact|csv|fixed-width] [--partner P] [-c causeway.yaml [--endpoint NAME]] FILE.json');
    return 2;
  }
  const loaded = values.config ? loadConfigFile(String(values.config)) : undefined;
  const setup = cliCodec(values, loaded);
  if (typeof setup === 'string') {
    err(setup);
    return 2;
  }
  const { codec, tenant } = setup;
  // Control numbers come from the configured store so they stay unique; without a config, a scratch one.
  const store = await openStore(loaded ? storeUrl(loaded) : ':memory:');
  try {
    const json = await builtIns.codecs.get('json')!.decode(await readFile(file), { tenant, endpoint: setup.endpoint });
    if (json.errors.length) throw new Error(json.errors.map((e) => e.message).join('; '));
    const ctx = { tenant, endpoint: setup.endpoint, options: setup.options, ...(setup.settings !== undefined ? { settings: setup.settings } : {}), store };
    for (const doc of json.documents) {
      process.stdout.write(await codec.encode(doc, ctx));
      if (codec.name === 'json') process.stdout.write('\n');
    }
  } finally {
    await store.close();
  }
  return 0;
}
