import type { FieldSpec } from '../../config/schema.ts';
import { documentSchemas, fieldHint, unknownStepOf, type DocumentType } from '../../model/index.ts';
import { parsePath } from './paths.ts';

/**
 * The source paths of a field map that no document it maps can have. A field map reads a missing
 * path as "no value", which is right for an optional field and wrong for a slip: `orderNumbr`
 * would send every order without its number, and nothing would say so. The config check refuses
 * such a path, naming the field most likely meant.
 */

export interface SourceFault {
  /** Under the mapping's `fields`: "order_id", "lines.fields.item", "ship_by.from". */
  at: string;
  message: string;
}

/** Each source path with where it is configured, relative to the document (list elements as index 0). */
function sourcesOf(fields: Record<string, FieldSpec>, base: Array<string | number>, at: string, out: Array<{ at: string; path: Array<string | number>; text: string }>): void {
  const add = (where: string, text: string, relative: Array<string | number> = base) => {
    let path: Array<string | number>;
    try { path = parsePath(text); } catch { return; } // the compiler names a malformed path
    out.push({ at: where, path: [...relative, ...path], text });
  };
  for (const [target, spec] of Object.entries(fields)) {
    const here = at ? `${at}.${target}` : target;
    if (typeof spec === 'string') { add(here, spec); continue; }
    if (spec.each !== undefined) {
      add(`${here}.each`, spec.each);
      let list: Array<string | number>;
      try { list = [...base, ...parsePath(spec.each), 0]; } catch { continue; }
      if (spec.fields) sourcesOf(spec.fields, list, `${here}.fields`, out);
      continue;
    }
    if (spec.fields) {
      if (spec.from !== undefined) add(`${here}.from`, spec.from);
      let inner = base;
      try { if (spec.from !== undefined) inner = [...base, ...parsePath(spec.from)]; } catch { continue; }
      sourcesOf(spec.fields, inner, `${here}.fields`, out);
      continue;
    }
    if (spec.from !== undefined) add(`${here}.from`, spec.from);
    if (spec.convert) {
      add(`${here}.convert.uomFrom`, spec.convert.uomFrom);
      add(`${here}.convert.sku`, spec.convert.sku ?? 'sku');
    }
  }
}

/** Source paths that none of `types` has: a path is fine when one of the types the mapping is used for has it. */
export function unknownSources(fields: Record<string, FieldSpec>, types: readonly DocumentType[]): SourceFault[] {
  const sources: Array<{ at: string; path: Array<string | number>; text: string }> = [];
  sourcesOf(fields, [], '', sources);
  const faults: SourceFault[] = [];
  for (const s of sources) {
    const misses = types.map((t) => unknownStepOf(documentSchemas[t], s.path));
    if (misses.some((m) => m === undefined)) continue;
    const name = s.path[misses[0]!.index];
    if (typeof name === 'number') {
      faults.push({ at: s.at, message: `"${s.text}": ${s.path.slice(0, misses[0]!.index).join('.')} is not a list in ${types.join(' or ')}` });
      continue;
    }
    const allowed = [...new Set(misses.flatMap((m) => m!.allowed))];
    const what = s.text === name ? 'this field' : `"${name}" there`;
    const hint = fieldHint(name, allowed, 'there');
    faults.push({ at: s.at, message: `"${s.text}": no ${types.join(' or ')} has ${what}, so it would always read nothing${hint}` });
  }
  return faults;
}
