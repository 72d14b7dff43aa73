// What X12 and EDIFACT partner profiles have in common: durations in the config, reading the profile
// section, and code tables that translate both ways.
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

/** Translates a value through a table, or back (partner code -> ours) when `reverse`. */
export function translate(table: Record<string, string>, value: string, reverse: boolean): string {
  if (!reverse) return table[value] ?? value;
  for (const [ours, theirs] of Object.entries(table)) if (theirs === value) return ours;
  return value;
}
