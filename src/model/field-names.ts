import type { z } from 'zod';

/**
 * The names a document's schema allows at a place in it, and the one a misspelt name most likely
 * meant: a field the model does not know is refused (every object is strict), and the error should
 * say what the sender probably wanted rather than leave them to read the schema.
 */

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** What a schema is once its wrappers (optional, default, pipes) are taken off: a union gives each branch. */
function unwrapped(schema: z.ZodType, depth = 0): Def[] {
  const def = defOf(schema);
  if (depth > 32) return [];
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'nonoptional': case 'catch':
      return def.innerType ? unwrapped(def.innerType, depth + 1) : [];
    case 'pipe':
      return def.in ? unwrapped(def.in, depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => unwrapped(o, depth + 1));
    default:
      return [def];
  }
}

/** One step down: a field of an object (a name), an element of an array (a number). */
function step(defs: Def[], key: PropertyKey): Def[] {
  const out: Def[] = [];
  for (const def of defs) {
    if (def.type === 'object' && typeof key === 'string' && def.shape && Object.hasOwn(def.shape, key)) out.push(...unwrapped(def.shape[key]!));
    else if (def.type === 'array' && typeof key === 'number' && def.element) out.push(...unwrapped(def.element));
  }
  return out;
}

/** The field names of the objects among `defs`. */
function namesOf(defs: Def[]): string[] {
  const names = new Set<string>();
  for (const def of defs) if (def.type === 'object') for (const k of Object.keys(def.shape ?? {})) names.add(k);
  return [...names];
}

/** The field names the schema allows in the object at `path` (empty when it cannot tell). */
export function fieldNamesAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let defs = unwrapped(schema);
  for (const key of path.slice(0, 64)) defs = step(defs, key);
  return namesOf(defs);
}

/**
 * Where a path of field names (numbers for array elements) leaves the schema: the index of the
 * first name no object there has, with the names it has; undefined when every step is known. A
 * record (`extensions`) holds any name below it.
 */
export function unknownStepOf(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): { index: number; allowed: string[] } | undefined {
  let defs = unwrapped(schema);
  for (let i = 0; i < path.length; i++) {
    if (defs.some((d) => d.type === 'record' || d.type === 'unknown' || d.type === 'any')) return undefined;
    const next = step(defs, path[i]!);
    if (next.length === 0) return { index: i, allowed: namesOf(defs) };
    defs = next;
  }
  return undefined;
}

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours), given up past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The allowed name a sender most likely meant: the same name in other letter case, a name written
 * with `_` or `-` between its words, or one within a few typing slips (a third of its length).
 */
export function closestFieldName(name: string, allowed: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const same = allowed.find((a) => plain(a) === plain(name));
  if (same) return same;
  const max = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const a of allowed) {
    const d = distance(name.toLowerCase(), a.toLowerCase(), max);
    if (d < bestDistance) { best = a; bestDistance = d; }
  }
  return best;
}

/**
 * What to tell a sender about a name the schema does not have: `; did you mean "X"?` when one is
 * close, else `; the fields <where> are a, b, ...`, else nothing. `where`: "here", "there", "of lines[]".
 */
export function fieldHint(name: string, allowed: readonly string[], where: string): string {
  const meant = closestFieldName(name, allowed);
  if (meant) return `; did you mean "${meant}"?`;
  return allowed.length ? `; the fields ${where ? `${where} ` : ''}are ${allowed.join(', ')}` : '';
}
