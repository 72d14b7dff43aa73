/**
 * The composition root: the one place that says which transports, connectors and codecs this
 * Causeway has. Adding a connector is its folder under src/connectors/ and one line in the list
 * below.
 *
 * Nothing below this file imports it (engine, config, transports, connectors, codecs). The
 * registry made here is handed to whatever reads a config, and the loaded config carries it to
 * the config check, the hub and the processor (which calls each codec's hooks). The command line,
 * the demo, tests and benchmarks take the built-ins from here, or the config loaders bound to them.
 *
 * There is no global lookup (no getCodec or getEndpointSpec filled at import time). Such a table
 * works only if something has imported the file that fills it first, a dependency no import line
 * shows, and a test that adds a codec would add it for every test after it. A test that needs a
 * part of its own builds a registry on top of the built-ins: createRegistry({ codecs }, builtIns).
 */
import { csvCodec, edifactCodec, fixedWidthCodec, jsonCodec, x12Codec } from './codecs/index.ts';
import { createRegistry, loadConfigFile as loadConfigFileWith, parseConfig as parseConfigWith, type LoadedConfig, type Registry } from './config/index.ts';
import { trytonEndpoint, trytonWmsEndpoint } from './connectors/tryton/index.ts';
import { wmsRestEndpoint } from './connectors/wms-rest/index.ts';
import { folderEndpoint, httpEndpoint, webhookEndpoint } from './transports/index.ts';
import { natsEndpoint } from './transports/nats/index.ts';
import { sftpEndpoint } from './transports/sftp/index.ts';

export const builtIns: Registry = createRegistry({
  endpoints: [
    folderEndpoint,
    webhookEndpoint,
    httpEndpoint,
    sftpEndpoint,
    natsEndpoint,
    trytonEndpoint,
    trytonWmsEndpoint,
    wmsRestEndpoint,
  ],
  codecs: [jsonCodec, x12Codec, edifactCodec, csvCodec, fixedWidthCodec],
});

/** Reads and checks a config file with the built-in endpoint types and codecs. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return loadConfigFileWith(path, builtIns, env);
}

/** Reads and checks config text with the built-in endpoint types and codecs; relative paths resolve against baseDir. */
export function parseConfig(text: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return parseConfigWith(text, baseDir, builtIns, env);
}
