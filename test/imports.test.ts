import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

// The import graph of src/ as docs/contributing.md draws it. Type imports count: a type-only cycle
// still ties two modules together.

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => f.split('\\').join('/'));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/g;

/** Each module's static imports of other modules of src/, as paths below src/. */
const graph = new Map(files.map((file) => {
  const text = readFileSync(join(SRC, file), 'utf8');
  const targets = [...text.matchAll(IMPORT)].map((m) => relative(SRC, resolve(SRC, dirname(file), m[1]!)).split('\\').join('/'));
  return [file, [...new Set(targets.filter((t) => files.includes(t)))]];
}));

function findCycle(): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file)!) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of files) {
    if (state.has(file)) continue;
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the modules of src/', () => {
  it('import one another without a cycle', () => {
    const cycle = findCycle();
    assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
  });

  it('leave the composition root to the command line: nothing below it imports src/endpoints.ts', () => {
    const below = ['engine/', 'config/', 'transports/', 'connectors/', 'codecs/', 'edi/', 'model/', 'store/'];
    const offenders = files.filter((f) => below.some((b) => f.startsWith(b)) && graph.get(f)!.includes('endpoints.ts'));
    assert.deepEqual(offenders, []);
  });

  it('keep transports from connectors: a transport never imports an application connector', () => {
    const offenders = files.filter((f) => f.startsWith('transports/')).flatMap((f) => graph.get(f)!.filter((t) => t.startsWith('connectors/')).map((t) => `${f} -> ${t}`));
    assert.deepEqual(offenders, []);
  });
});
