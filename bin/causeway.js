#!/usr/bin/env node
// Runs the precompiled JavaScript in dist/ (`npm run build`, done by `npm ci` and `npm install`) when it
// is at least as new as every file under src/; otherwise the TypeScript sources through tsx's loader.
// The loader costs about 40 MB resident and a slower start, which matters on a large file held to a
// memory limit; running a build older than an edited source would run code that is no longer there,
// so a stale or missing build always falls back to the sources. CAUSEWAY_FROM_SOURCE=1 forces them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'cli', 'main.js');

/** The newest modification time of any file or folder under dir (a deleted file changes its folder's). */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  if (process.env.CAUSEWAY_FROM_SOURCE === '1') return false;
  try {
    return statSync(built).mtimeMs >= newestUnder(join(root, 'src'));
  } catch {
    return false;
  }
}

let main;
if (builtIsCurrent()) ({ main } = await import(pathToFileURL(built).href));
else {
  const { register } = await import('tsx/esm/api');
  // The project's own compiler settings, wherever the command runs from: tsx would otherwise look for a
  // tsconfig.json from the working folder up, and the console's pages (JSX for hono/jsx) would not compile.
  register({ tsconfig: join(root, 'tsconfig.json') });
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
