// What `causeway decode` and `causeway encode` give a codec: with `--config` and `--endpoint`, what
// the hub gives it for that endpoint (its codec, tenant, codecOptions, and the settings its codec's
// configure makes of them with the tenant's partner profiles, X12 and EDIFACT alike: a flat layout,
// an EDIFACT partner); with `--config` alone, the tenant's partner profiles, for `--partner` or found
// by an interchange's sender.
import type { Codec } from '../codecs/index.ts';
import { partnersOfTenant, type LoadedConfig } from '../config/index.ts';
import { builtIns } from '../endpoints.ts';
import { CausewayFault, formatError } from '../model/index.ts';

export const codecOptions = {
  codec: { type: 'string' }, tenant: { type: 'string' }, partner: { type: 'string' }, endpoint: { type: 'string', short: 'e' }, config: { type: 'string', short: 'c' },
} as const;

export interface CliCodec {
  codec: Codec;
  tenant: string;
  endpoint: string;
  options: Record<string, unknown>;
  settings?: unknown;
}

/** The codec and its context, or a sentence saying what is wrong with the flags. */
export function cliCodec(values: Record<string, unknown>, loaded: LoadedConfig | undefined): CliCodec | string {
  const asked = typeof values.codec === 'string' ? values.codec : undefined;
  const partner = typeof values.partner === 'string' ? values.partner : undefined;
  const name = typeof values.endpoint === 'string' ? values.endpoint : undefined;
  const codecs = loaded?.registry.codecs ?? builtIns.codecs;
  if (name !== undefined) {
    if (!loaded) return `--endpoint ${name} needs the config that defines it (--config FILE)`;
    const ep = loaded.config.endpoints[name];
    if (!ep) return `no endpoint named "${name}" in the config; one of: ${Object.keys(loaded.config.endpoints).join(', ')}`;
    const own = ep.codec ?? loaded.registry.endpoints.get(ep.type)?.defaultCodec ?? 'json';
    if (asked !== undefined && asked !== own) return `endpoint ${name} uses codec ${own}, not ${asked}; leave out --codec to use the endpoint's`;
    const tenant = typeof values.tenant === 'string' ? values.tenant : (ep.tenant ?? loaded.config.defaultTenant);
    const options: Record<string, unknown> = { ...(ep.codecOptions ?? {}), ...(partner ? { partner } : {}) };
    return configured(codecs.get(own)!, tenant, name, options, loaded);
  }
  const codec = codecs.get(asked ?? 'json');
  if (!codec) return `unknown codec "${asked}"; one of: ${[...codecs.keys()].join(', ')}`;
  const tenant = typeof values.tenant === 'string' ? values.tenant : (loaded?.config.defaultTenant ?? 'default');
  const options: Record<string, unknown> = partner ? { partner } : {};
  // Without a config, a codec with partners reads the partner from codecOptions alone (and has no profile to write with).
  if (!loaded) return { codec, tenant, endpoint: 'cli', options };
  return configured(codec, tenant, 'cli', options, loaded);
}

function configured(codec: Codec, tenant: string, endpoint: string, options: Record<string, unknown>, loaded: LoadedConfig): CliCodec | string {
  try {
    const settings = codec.configure?.({ tenant, endpoint, options, partners: partnersOfTenant(loaded.config, tenant) });
    return { codec, tenant, endpoint, options, ...(settings !== undefined ? { settings } : {}) };
  } catch (e) {
    if (e instanceof CausewayFault) return e.errors.map(formatError).join('\n');
    throw e;
  }
}
