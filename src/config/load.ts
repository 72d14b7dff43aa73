import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CausewayFault, jsonPath, type CausewayError } from '../model/index.ts';
import { checkConfig } from './check.ts';
import { checkClientReferences, clientsFolderOf, mergeClients, placeError, readClient, readClients, type ClientSet, type Origins } from './clients.ts';
import type { LoadedConfig } from './loaded.ts';
import type { Registry } from './registry.ts';
import { configSchema, endpointSchema } from './schema.ts';

/** The settings every endpoint has; the rest are its type's own, validated by its spec. */
const COMMON_ENDPOINT_KEYS = new Set(Object.keys(endpointSchema.shape));

/**
 * Replaces ${NAME} or ${env:NAME} (and ${NAME:-fallback}) with environment values, and ${file:path}
 * with a file's content less its final newline (a Docker or Kubernetes secret; a relative path
 * resolves against the config's folder), so no secret need sit in the config. A missing one is
 * an error that names the variable or the file, never a value.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv, errors: CausewayError[], baseDir = '.'): string {
  return text.replace(/\$\{file:([^}]+)\}|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, file: string | undefined, key: string, fallback: string | undefined) => {
    if (file !== undefined) {
      try {
        return readFileSync(resolve(baseDir, file.trim()), 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        errors.push({ code: 'CONFIG_FILE_MISSING', message: `cannot read ${file.trim()}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        return '';
      }
    }
    const v = env[key];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    errors.push({ code: 'CONFIG_ENV_MISSING', message: `environment variable ${key} is not set` });
    return '';
  });
}

export function loadConfigFile(path: string, registry: Registry, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CausewayFault({ code: 'CONFIG_UNREADABLE', message: `cannot read config ${path}: ${(e as Error).message}` });
  }
  return parseConfig(text, dirname(resolve(path)), registry, env);
}

/** Reads a config and checks it whole (checkConfig): every problem found is thrown at once, each with its path. */
export function parseConfig(text: string, baseDir: string, registry: Registry, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const errors: CausewayError[] = [];
  const expanded = interpolateEnv(text, env, errors, baseDir);
  let raw: unknown;
  try {
    raw = parseYaml(expanded) ?? {};
  } catch (e) {
    throw new CausewayFault({ code: 'CONFIG_YAML', message: `config is not valid YAML: ${(e as Error).message}` });
  }
  const main = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const folder = clientsFolderOf(main, baseDir);
  const clients = folder ? { folder, main, env, parts: readClients(folder, baseDir, (t, e) => interpolateEnv(t, env, e, baseDir), errors) } : undefined;
  return assembleConfig(clients ? main : raw, clients, baseDir, registry, errors);
}

/**
 * Reads one client's config again and puts it with the rest as they were loaded (the main file
 * and the other clients are not read again): the whole is checked as at start, and thrown when
 * it fails, so the running config stays. `changed` is false when the client's file says what it
 * said before.
 */
export function reloadClientConfig(loaded: LoadedConfig, tenant: string): { loaded: LoadedConfig; changed: boolean } {
  const { clients, baseDir, registry } = loaded;
  if (!clients) throw new CausewayFault({ code: 'CONFIG_NO_CLIENTS', message: 'the config names no clients folder (clients.folder): there is no client config to reload' });
  const errors: CausewayError[] = [];
  const part = readClient(clients.folder, tenant, baseDir, (t, e) => interpolateEnv(t, clients.env, e, baseDir), errors);
  if (errors.length) throw new CausewayFault(errors);
  const before = clients.parts.get(tenant);
  if (!part && !before) throw new CausewayFault({ code: 'CONFIG_NO_CLIENT', message: `no config for client ${tenant} in ${relative(baseDir, clients.folder) || '.'}` });
  if (part && before && JSON.stringify(part.raw) === JSON.stringify(before.raw)) return { loaded, changed: false };
  const parts = new Map(clients.parts);
  if (part) parts.set(tenant, part);
  else parts.delete(tenant);
  return { loaded: assembleConfig(clients.main, { ...clients, parts }, baseDir, registry, errors), changed: true };
}

function assembleConfig(raw: unknown, clients: ClientSet | undefined, baseDir: string, registry: Registry, errors: CausewayError[]): LoadedConfig {
  let origins: Origins | undefined;
  if (clients) ({ raw, origins } = mergeClients(clients.main, clients.parts.values(), errors));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CausewayFault([...errors, ...parsed.error.issues.map((i) => placeError({ code: 'CONFIG_INVALID', path: jsonPath(i.path), message: i.message }, origins))]);
  }
  const config = parsed.data;
  const endpointSettings: Record<string, unknown> = {};
  for (const [name, ep] of Object.entries(config.endpoints)) {
    const spec = registry.endpoints.get(ep.type);
    if (!spec) {
      errors.push(placeError({ code: 'CONFIG_INVALID', path: `$.endpoints.${name}.type`, message: `unknown endpoint type "${ep.type}"` }, origins));
      continue;
    }
    const own = Object.fromEntries(Object.entries(ep).filter(([key]) => !COMMON_ENDPOINT_KEYS.has(key)));
    const settings = spec.config.safeParse(own);
    if (!settings.success) {
      for (const i of settings.error.issues) errors.push(placeError({ code: 'CONFIG_INVALID', path: jsonPath(['endpoints', name, ...i.path]), message: i.message }, origins));
    } else endpointSettings[name] = settings.data;
  }
  const loaded: LoadedConfig = { config, baseDir, endpointSettings, registry, ...(clients ? { clients } : {}) };
  const found = [...checkConfig(loaded).errors, ...(origins ? checkClientReferences(config, origins) : [])];
  errors.push(...found.map((e) => placeError(e, origins)));
  if (errors.length) throw new CausewayFault(errors);
  return loaded;
}
