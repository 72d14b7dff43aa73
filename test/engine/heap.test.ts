// A hub's heap follows what it holds. Work that keeps each batch past a few young collections (a large
// file committed in checkpoints) promotes every batch to the old generation, where it dies; left to
// itself V8 lets such a heap grow to several times its live size before collecting. The same churn runs
// in two fresh processes, one with a hub started: the hub's heap must peak far lower.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Keeps ~30 MB live, then makes 400 MB of batches that each outlive several young collections; prints the peak heap. */
const CHURN = `
const live = Array.from({ length: 300 }, (_, i) => ({ i, pad: new Array(12000).fill(i) }));
let peak = 0;
let batch = [];
for (let round = 0; round < 400; round++) {
  for (let k = 0; k < 2000; k++) batch.push({ round, k, text: 'line ' + k + ' of ' + round, q: [k, round, k * round] });
  if (round % 8 === 7) batch = [];
  const h = process.memoryUsage().heapTotal;
  if (h > peak) peak = h;
}
process.stdout.write(String(Math.round(peak / 1048576) + live.length * 0));
`;

function peakHeapMb(withHub: boolean, dir: string): number {
  const start = withHub
    ? `const { parseConfig } = await import(${JSON.stringify(join(ROOT, 'src/endpoints.ts'))});
       const { Hub } = await import(${JSON.stringify(join(ROOT, 'src/engine/index.ts'))});
       const pino = (await import('pino')).default;
       const hub = await Hub.start(parseConfig('store: sqlite:${join(dir, 'hub.db')}\\ndefaultTenant: t\\nendpoints: {}\\nflows: []\\n', ${JSON.stringify(dir)}), { logger: pino({ level: 'silent' }) });`
    : '';
  const code = `${start}\n${CHURN}\n${withHub ? 'await hub.stop();' : ''}`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return Number(out.trim().split('\n').pop());
}

test('a started hub keeps its heap near what it holds while batches die old', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-heap-'));
  try {
    const alone = peakHeapMb(false, dir);
    const hub = peakHeapMb(true, dir);
    assert.ok(hub < alone * 0.7, `with a hub the heap peaked at ${hub} MB, on its own at ${alone} MB`);
    assert.ok(hub < 160, `with a hub the heap peaked at ${hub} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
