import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: Options): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as never;
}

export const configOption: Options = {
  config: { type: 'string', short: 'c', default: 'causeway.yaml' },
};

/** Prints for people on stderr, data on stdout: `causeway decode ... | jq` keeps working. */
export const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

/**
 * A reader that stops reading (`causeway x12 inspect FILE | head -1`) is no error: the command asks
 * the returned function whether output is closed, stops, and ends quietly instead of crashing on EPIPE.
 */
export function watchStdout(): () => boolean {
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed) return;
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return () => closed;
}
export const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

/** "15m", "1h", "24h", "7d" -> milliseconds. */
export function parseWindow(s: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s);
  if (!m) throw new Error(`"${s}" is not a window; use e.g. 15m, 1h, 24h, 7d`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
