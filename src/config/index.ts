export * from './schema.ts';
export * from './load.ts';
export * from './partners.ts';
export * from './check.ts';
export type { LoadedConfig } from './loaded.ts';
export { createRegistry, type Registry } from './registry.ts';
export { clientTenantsIn, tableOwnersOf, tablesForTenant, type ClientPart, type ClientSet } from './clients.ts';
