import type { CausewayConfig } from '../../config/index.ts';
import { compileFieldMap, usesUnitConversion, type MappingContext } from './field-map.ts';
import { compileJsonata } from './jsonata-map.ts';

export type { MappingContext } from './field-map.ts';
export { compileFieldMap } from './field-map.ts';
export { compileJsonata } from './jsonata-map.ts';

export interface CompiledMapping {
  name: string;
  kind: 'fields' | 'jsonata';
  needsItems: boolean;
  /** Sync for field maps (the fast path), a promise for JSONata. */
  apply(source: unknown, ctx: MappingContext): unknown;
}

/** Compiles every mapping in the config once; a mapping that does not compile stops the start. */
export function compileMappings(config: CausewayConfig): Map<string, CompiledMapping> {
  const tables = new Set(Object.keys(config.codeTables));
  const out = new Map<string, CompiledMapping>();
  for (const [name, m] of Object.entries(config.mappings)) {
    if ('fields' in m) {
      let fn;
      try {
        fn = compileFieldMap(m.fields, tables);
      } catch (e) {
        throw new Error(`mapping ${name}: ${(e as Error).message}`);
      }
      out.set(name, { name, kind: 'fields', needsItems: usesUnitConversion(m.fields), apply: fn });
    } else {
      out.set(name, { name, kind: 'jsonata', needsItems: false, apply: compileJsonata(m.jsonata, name) });
    }
  }
  return out;
}
