import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const require = createRequire(import.meta.url);
const own = (file: string) => new URL(`./assets/${file}`, import.meta.url);

/** Everything the console's pages load, from this package and its node_modules: nothing from a CDN. */
const SOURCES: Record<string, { from: string | URL; type: string }> = {
  'htmx.min.js': { from: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { from: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { from: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'console.css': { from: own('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { from: own('console.js'), type: 'text/javascript; charset=utf-8' },
};

let loaded: Map<string, Asset> | undefined;

/** The assets, read once (a few hundred kB); an ETag lets browsers keep them. */
export function asset(name: string): Asset | undefined {
  loaded ??= new Map(Object.entries(SOURCES).map(([file, s]) => {
    const body = readFileSync(s.from);
    return [file, { body, type: s.type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }];
  }));
  return Object.hasOwn(SOURCES, name) ? loaded.get(name) : undefined;
}
