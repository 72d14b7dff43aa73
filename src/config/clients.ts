import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import jsonata from 'jsonata';
import { parse as parseYaml } from 'yaml';
import { jsonPath, type CausewayError } from '../model/index.ts';
import type { FieldSpec } from './schema.ts';

/**
 * A 3PL's clients, one config each: `clients/<tenant>.yaml`, or a folder `clients/<tenant>/` whose
 * YAML files are read in name order and put together. A client's file holds only what is the
 * client's own (CLIENT_SECTIONS); its endpoints, flows and partner profiles are the client's
 * tenant, whether they say so or not, and one naming another tenant is refused.
 *
 * Names stay hub-wide (an endpoint, a mapping or a code table names one thing in the whole config),
 * so the engine, the API and the console see one config: the clients' sections are put into the
 * main file's, and a name two files use is refused with both files named. What a client's flows
 * and mappings name must be the client's own or the main file's: a change to one client then never
 * reaches another's documents.
 */
export const CLIENT_SECTIONS = ['endpoints', 'flows', 'mappings', 'codeTables', 'partners', 'edifactPartners'] as const;
type RecordSection = Exclude<(typeof CLIENT_SECTIONS)[number], 'flows'>;
const TENANTED: ReadonlySet<string> = new Set(['endpoints', 'partners', 'edifactPartners']);
const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const YAML = /\.ya?ml$/;

/** One client's config as read from disk (after ${ENV} and ${file:} were put in). */
export interface ClientPart {
  tenant: string;
  /** The file or folder, relative to the main config's folder: what errors name. */
  source: string;
  raw: Record<string, unknown>;
}

/** The clients folder of a loaded config, and what a client's reload puts together again. */
export interface ClientSet {
  /** Absolute path of the folder. */
  folder: string;
  /** The main file as read at start: a client's reload never reads it again. */
  main: Record<string, unknown>;
  parts: ReadonlyMap<string, ClientPart>;
  env: NodeJS.ProcessEnv;
}

/** Where a merged section's entry came from: its file, and its path inside that file. */
export type Origins = Map<string, { source: string; tenant: string; local: string }>;

type Interpolate = (text: string, errors: CausewayError[]) => string;

/** The tenants with a file or folder in the clients folder now, sorted. Entries that are not configs (dot files, backups) are passed over. */
export function clientTenantsIn(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const tenant = YAML.test(n) ? n.replace(YAML, '') : isFolder(join(folder, n)) ? n : undefined;
    if (tenant !== undefined) out.add(tenant);
  }
  return [...out].sort();
}

/**
 * Reads one client's config; undefined when it has neither file nor folder (the client was
 * removed). Faults (YAML, a missing ${ENV}, a tenant id that is not one) go to `errors`, named by file.
 */
export function readClient(folder: string, tenant: string, baseDir: string, interpolate: Interpolate, errors: CausewayError[]): ClientPart | undefined {
  const fileNames = [`${tenant}.yaml`, `${tenant}.yml`].filter((n) => isFile(join(folder, n)));
  const dir = join(folder, tenant);
  const files = [...fileNames.map((n) => join(folder, n)), ...(isFolder(dir) ? readdirSync(dir).filter((n) => YAML.test(n) && !n.startsWith('.')).sort().map((n) => join(dir, n)) : [])];
  if (!files.length) return undefined;
  const source = relative(baseDir, fileNames.length ? join(folder, fileNames[0]!) : dir);
  if (!TENANT.test(tenant)) {
    errors.push({ code: 'CONFIG_INVALID', path: source, message: `"${tenant}" is not a tenant id (lower-case letters, digits, - and _): a client's file or folder is named after its tenant` });
    return undefined;
  }
  if (files.length > 1 && fileNames.length) {
    errors.push({ code: 'CONFIG_INVALID', path: source, message: `client ${tenant} has ${files.map((f) => relative(baseDir, f)).join(' and ')}: keep one file or one folder per client` });
    return undefined;
  }
  const raw: Record<string, unknown> = {};
  for (const file of files) {
    const at = relative(baseDir, file);
    const own: CausewayError[] = [];
    let value: unknown;
    try {
      value = parseYaml(interpolate(readFileSync(file, 'utf8'), own)) ?? {};
    } catch (e) {
      errors.push({ code: 'CONFIG_YAML', path: at, message: `not valid YAML: ${(e as Error).message}` });
      continue;
    }
    errors.push(...own.map((e) => ({ ...e, path: at })));
    if (!isObject(value)) {
      errors.push({ code: 'CONFIG_INVALID', path: at, message: `expected a mapping of ${CLIENT_SECTIONS.join(', ')}` });
      continue;
    }
    for (const [key, section] of Object.entries(value)) {
      if (!(CLIENT_SECTIONS as readonly string[]).includes(key)) {
        errors.push({ code: 'CONFIG_INVALID', path: `${at} $.${key}`, message: `a client's config holds only ${CLIENT_SECTIONS.join(', ')}; "${key}" belongs in the main config` });
      } else if (key === 'flows') {
        raw.flows = [...((raw.flows as unknown[] | undefined) ?? []), ...(Array.isArray(section) ? section : [section])];
      } else {
        const into = (raw[key] ??= {}) as Record<string, unknown>;
        for (const [name, entry] of Object.entries(isObject(section) ? section : {})) {
          if (Object.hasOwn(into, name)) errors.push({ code: 'CONFIG_INVALID', path: `${at} ${jsonPath([key, name])}`, message: `${key} "${name}" is given twice in client ${tenant}'s folder` });
          into[name] = entry;
        }
      }
    }
  }
  return { tenant, source, raw };
}

/** Reads every client of the folder; faults go to `errors`. */
export function readClients(folder: string, baseDir: string, interpolate: Interpolate, errors: CausewayError[]): Map<string, ClientPart> {
  const parts = new Map<string, ClientPart>();
  for (const tenant of clientTenantsIn(folder)) {
    const part = readClient(folder, tenant, baseDir, interpolate, errors);
    if (part) parts.set(tenant, part);
  }
  return parts;
}

/**
 * The main config with every client's sections put in: each client's endpoints, flows and
 * profiles marked with its tenant, each name taken once. Returns where each entry came from.
 */
export function mergeClients(main: Record<string, unknown>, parts: Iterable<ClientPart>, errors: CausewayError[]): { raw: Record<string, unknown>; origins: Origins } {
  const raw: Record<string, unknown> = { ...main };
  const origins: Origins = new Map();
  const owner = new Map<string, string>();
  for (const section of CLIENT_SECTIONS) {
    if (section === 'flows') raw.flows = Array.isArray(main.flows) ? [...main.flows] : main.flows ?? [];
    else raw[section] = isObject(main[section]) ? { ...main[section] } : main[section] ?? {};
  }
  for (const part of parts) {
    const { tenant, source } = part;
    const tenanted = (key: string, path: string, entry: unknown): unknown => {
      if (!isObject(entry)) return entry;
      if (entry.tenant !== undefined && entry.tenant !== tenant) {
        errors.push({ code: 'CONFIG_INVALID', path: `${source} ${path}.tenant`, message: `client ${tenant}'s config may only hold tenant ${tenant}'s ${key}, not tenant ${String(entry.tenant)}'s` });
      }
      return { ...entry, tenant };
    };
    for (const [i, flow] of ((part.raw.flows as unknown[] | undefined) ?? []).entries()) {
      const flows = raw.flows as unknown[];
      origins.set(jsonPath(['flows', flows.length]), { source, tenant, local: jsonPath(['flows', i]) });
      flows.push(tenanted('flows', jsonPath(['flows', i]), flow));
    }
    for (const section of CLIENT_SECTIONS) {
      if (section === 'flows') continue;
      const into = raw[section] as Record<string, unknown>;
      for (const [name, entry] of Object.entries((part.raw[section] as Record<string, unknown> | undefined) ?? {})) {
        const path = jsonPath([section, name]);
        if (Object.hasOwn(into, name)) {
          errors.push({ code: 'CONFIG_INVALID', path: `${source} ${path}`, message: `${section} name "${name}" is taken by ${owner.get(path) ?? 'the main config'}: names are hub-wide, so give this one another` });
          continue;
        }
        into[name] = TENANTED.has(section) ? tenanted(section, path, entry) : entry;
        owner.set(path, source);
        origins.set(path, { source, tenant, local: path });
      }
    }
  }
  return { raw, origins };
}

/** An error's path as the file it is in says it: `clients/acme.yaml $.flows[0].to` for what a client's file holds. */
export function placeError(e: CausewayError, origins: Origins | undefined): CausewayError {
  if (!origins || !e.path) return e;
  const m = /^\$\.(?:flows\[\d+\]|(?:endpoints|mappings|codeTables|partners|edifactPartners)\.[^.[]+)/.exec(e.path);
  const from = m && origins.get(m[0]);
  return from ? { ...e, path: `${from.source} ${from.local}${e.path.slice(m[0].length)}` } : e;
}

/**
 * What a client's flows and field maps name must be its own or the main config's: another
 * client's mapping or code table would let that client's change reach this one's documents.
 */
export function checkClientReferences(config: {
  flows: Array<{ mapping?: string; to: string }>; mappings: Record<string, unknown>; codeTables: Record<string, unknown>;
}, origins: Origins): CausewayError[] {
  const errors: CausewayError[] = [];
  const tenantOf = (path: string) => origins.get(path)?.tenant;
  for (const [i, flow] of config.flows.entries()) {
    const own = tenantOf(jsonPath(['flows', i]));
    const mappingOwner = flow.mapping === undefined ? undefined : tenantOf(jsonPath(['mappings', flow.mapping]));
    if (mappingOwner !== undefined && mappingOwner !== own) {
      errors.push({ code: 'CONFIG_INVALID', path: jsonPath(['flows', i, 'mapping']), message: `mapping "${flow.mapping}" is client ${mappingOwner}'s; a flow may use its own client's mappings or the main config's` });
    }
  }
  for (const [name, mapping] of Object.entries(config.mappings)) {
    const own = tenantOf(jsonPath(['mappings', name]));
    const fields = (mapping as { fields?: Record<string, FieldSpec> }).fields;
    for (const table of fields ? tablesOf(fields) : []) {
      const tableOwner = tenantOf(jsonPath(['codeTables', table]));
      if (tableOwner !== undefined && tableOwner !== own) {
        errors.push({ code: 'CONFIG_INVALID', path: jsonPath(['mappings', name]), message: `code table "${table}" is client ${tableOwner}'s; a mapping may use its own client's code tables or the main config's` });
      }
    }
    const expression = (mapping as { jsonata?: string }).jsonata;
    // The main file's JSONata may compute names freely; a client's names only tables it may read.
    if (own === undefined || expression === undefined) continue;
    for (const table of jsonataTablesOf(expression)) {
      const tableOwner = tenantOf(jsonPath(['codeTables', table]));
      const known = Object.hasOwn(config.codeTables, table);
      if (known && (tableOwner === undefined || tableOwner === own)) continue;
      const why = known ? `is client ${tableOwner}'s` : 'is no code table of this client or the main config';
      errors.push({ code: 'CONFIG_INVALID', path: jsonPath(['mappings', name, 'jsonata']), message: `$table("${table}", ...): code table "${table}" ${why}; a client's mapping may use its own code tables or the main config's` });
    }
  }
  return errors;
}

/** The code tables a JSONata expression names by a literal: `$table("carriers", ...)`. A computed name is scoped at run time (tablesForTenant). */
function jsonataTablesOf(expression: string): string[] {
  let ast: unknown;
  try { ast = jsonata(expression).ast(); } catch { return []; }
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (!isObject(node)) return;
    const procedure = node.procedure as { type?: string; value?: unknown } | undefined;
    const [first] = (node.arguments as Array<{ type?: string; value?: unknown }> | undefined) ?? [];
    if (node.type === 'function' && procedure?.type === 'variable' && procedure.value === 'table' && first?.type === 'string' && typeof first.value === 'string') out.add(first.value);
    for (const v of Object.values(node)) walk(v);
  };
  walk(ast);
  return [...out];
}

/** Each client's code tables, by name, with the tenant they belong to: what tablesForTenant hides from other tenants. */
export function tableOwnersOf(clients: ClientSet | undefined): Map<string, string> {
  const owners = new Map<string, string>();
  for (const part of clients?.parts.values() ?? []) {
    for (const table of Object.keys((part.raw.codeTables as Record<string, unknown> | undefined) ?? {})) owners.set(table, part.tenant);
  }
  return owners;
}

/**
 * The code tables a tenant's documents are mapped with: the main config's and the tenant's own.
 * Another client's table is absent, so even a name a JSONata mapping computes cannot read it.
 */
export function tablesForTenant<T>(tables: Record<string, T>, owners: ReadonlyMap<string, string>, tenant: string): Record<string, T> {
  if (!owners.size) return tables;
  return Object.fromEntries(Object.entries(tables).filter(([name]) => (owners.get(name) ?? tenant) === tenant));
}

function* tablesOf(fields: Record<string, FieldSpec>): Generator<string> {
  for (const f of Object.values(fields)) {
    if (typeof f === 'string') continue;
    if (f.table) yield f.table;
    if (f.fields) yield* tablesOf(f.fields);
  }
}

/** The clients folder a main config names, absolute; undefined when it names none. */
export function clientsFolderOf(main: Record<string, unknown>, baseDir: string): string | undefined {
  const folder = isObject(main.clients) ? main.clients.folder : undefined;
  return typeof folder === 'string' && folder ? resolve(baseDir, folder) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFile(path: string): boolean {
  try { return statSync(path).isFile(); } catch { return false; }
}

function isFolder(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}
