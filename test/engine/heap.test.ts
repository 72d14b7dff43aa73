// A hub's heap follows what it holds. Work that keeps each batch past a few young collections (a large
// file committed in checkpoints) promotes every batch to the old generation, where it dies; left to
// itself V8 lets such a heap grow to several times its live size before collecting. The same churn
// runs in two fresh processes, one with the bound the hub sets: its heap must peak far lower.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub, heapGrowthBounded } from '../../src/engine/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Keeps ~60 MB live, then makes batches that each outlive several young collections; prints the peak heap in MB. */
const CHURN = `
const live = Array.from({ length: 600 }, (_, i) => ({ i, pad: new Array(12000).fill(i) }));
let peak = 0;
let batch = [];
for (let round = 0; round < 600; round++) {
  for (let k = 0; k < 4000; k++) batch.push({ round, k, text: 'line ' + k + ' of ' + round, q: [k, round, k * round] });
  if (round % 16 === 15) batch = [];
  const h = process.memoryUsage().heapTotal;
  if (h > peak) peak = h;
}
process.stdout.write(String(Math.round(peak / 1048576) + live.length * 0));
`;

function peakHeapMb(bounded: boolean, dir: string): number {
  const script = join(dir, bounded ? 'bounded.mjs' : 'alone.mjs');
  const bound = `const { boundHeapGrowth } = await import(${JSON.stringify(join(ROOT, 'src/engine/heap.ts'))});\nboundHeapGrowth();\n`;
  writeFileSync(script, `${bounded ? bound : ''}${CHURN}`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return Number(out.trim());
}

test('with the heap bound, batches that die old leave the heap near what is live', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-heap-'));
  try {
    const alone = peakHeapMb(false, dir);
    const bounded = peakHeapMb(true, dir);
    assert.ok(bounded < alone * 0.7, `bounded, the heap peaked at ${bounded} MB; left to V8, at ${alone} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bound holds from the start: a full collection sets it at once, not after V8 lets the heap fill to its first limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-heap-start-'));
  try {
    const script = join(dir, 'start.mjs');
    writeFileSync(script, `
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
const major = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major.push(e.startTime); }).observe({ entryTypes: ['gc'] });
const { boundHeapGrowth } = await import(${JSON.stringify(join(ROOT, 'src/engine/heap.ts'))});
const from = performance.now();
boundHeapGrowth();
const to = performance.now();
setTimeout(() => process.stdout.write(String(major.filter((t) => t >= from && t <= to).length)), 50);
`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(Number(out.trim()), 1, 'boundHeapGrowth() ran no full collection of its own');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a started hub bounds its heap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-heap-hub-'));
  try {
    const hub = await Hub.start(parseConfig(`store: sqlite:${join(dir, 'hub.db')}\ndefaultTenant: t\nlog: { level: error }\nendpoints: {}\nflows: []\n`, dir));
    await hub.stop();
    assert.equal(heapGrowthBounded(), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
