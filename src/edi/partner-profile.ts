// What X12 and EDIFACT partner profiles have in common: durations in the config, reading the profile
// section, finding the sender's profile, and code tables that translate both ways.
import { z } from 'zod';

/** A duration in the config: "30m", "4h", "2d". */
export const duration = z.string().regex(/^\d+(s|m|h|d)$/, 'expected a duration such as 30m, 4h or 2d');

/** "30m", "4h", "2d" as milliseconds. */
export function durationMs(v: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(v)!;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Reads profiles from the raw config section by name; entries that fail the schema are left out (config load reports them). */
export function readProfilesWith<S extends z.ZodType<object>>(schema: S, raw: unknown): Map<string, z.output<S> & { name?: string }> {
  const out = new Map<string, z.output<S> & { name?: string }>();
  if (!raw || typeof raw !== 'object') return out;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const parsed = schema.safeParse(value);
    if (parsed.success) out.set(name, { ...(parsed.data as z.output<S>), name });
  }
  return out;
}

/**
 * The profile an endpoint names, or else the one whose partner sent the interchange: the same id, and
 * the same qualifier when both the profile and the interchange give one.
 */
export function findProfileWith<P extends { theirs: { id: string; qualifier?: string } }>(
  profiles: Map<string, P>, name: string | undefined, sender?: { id: string; qualifier: string },
): P | undefined {
  if (name) return profiles.get(name);
  if (!sender) return undefined;
  for (const p of profiles.values()) if (p.theirs.id === sender.id && (!p.theirs.qualifier || !sender.qualifier || p.theirs.qualifier === sender.qualifier)) return p;
  return undefined;
}

/** Translates a value through a table, or back (partner code -> ours) when `reverse`. */
export function translate(table: Record<string, string>, value: string, reverse: boolean): string {
  if (!reverse) return table[value] ?? value;
  for (const [ours, theirs] of Object.entries(table)) if (theirs === value) return ours;
  return value;
}

export interface CodeTables {
  units: Record<string, string>;
  carriers: Record<string, string>;
  facilities: Record<string, string>;
}

/** A profile's code tables, our code -> the partner's, each described in the words of its syntax. */
export function codeTablesSchema(say: { [K in keyof CodeTables]: string }) {
  const table = (description: string) => z.record(z.string(), z.string()).default({}).meta({ description });
  return z.object({ units: table(say.units), carriers: table(say.carriers), facilities: table(say.facilities) }).strict().default({ units: {}, carriers: {}, facilities: {} });
}

/** Our unit, carrier and facility codes <-> the partner's in a whole document, through a profile's code tables. */
export function translateCodeTables<T>(doc: T, tables: CodeTables, inbound: boolean): T {
  const { units, carriers, facilities } = tables;
  if (!Object.keys(units).length && !Object.keys(carriers).length && !Object.keys(facilities).length) return doc;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === 'string' && k === 'uom') out[k] = translate(units, x, inbound);
      else if (typeof x === 'string' && k === 'scac') out[k] = translate(carriers, x, inbound);
      else if (typeof x === 'string' && k === 'facility') out[k] = translate(facilities, x, inbound);
      else out[k] = walk(x);
    }
    return out;
  };
  return walk(doc) as T;
}
