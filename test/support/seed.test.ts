// The tests' seeded randomness: the same seed makes the same choices, and a failing test that used
// it names the seed that replays it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mulberry32, seededRandom } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('seeded randomness for tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-seed-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same sequence for the same seed and test, another for another stream', (t) => {
    const draw = (r: () => number) => Array.from({ length: 5 }, r);
    assert.deepEqual(draw(seededRandom(t, 'data')), draw(seededRandom(t, 'data')));
    assert.notDeepEqual(draw(seededRandom(t, 'data')), draw(seededRandom(t, 'timing')));
    const values = draw(mulberry32(1));
    assert.ok(values.every((v) => v >= 0 && v < 1), String(values));
    assert.equal(new Set(values).size, 5);
  });

  it('names the seed under a failing test that drew from it, and replays the same draws with it', () => {
    const file = join(dir, 'draws.test.ts');
    writeFileSync(file, `
import { test } from 'node:test';
import { seededRandom } from ${JSON.stringify(new URL('./seed.ts', import.meta.url).href)};
test('draws and passes', (t) => { console.log('draw passes ' + seededRandom(t)()); });
test('draws and fails', (t) => { console.log('draw fails ' + seededRandom(t)()); throw new Error('planted failure'); });
test('fails without drawing', () => { throw new Error('planted failure'); });
`);
    const run = (seed: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', file], {
        cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CAUSEWAY_TEST_SEED: seed },
      });
      assert.equal(r.status, 1, `the planted failures fail the run: ${r.stderr}`);
      return { out: r.stdout, draws: r.stdout.split('\n').filter((l) => l.includes('draw ')).map((l) => l.replace(/^#\s*/, '')) };
    };
    const first = run('4242');
    assert.equal(first.out.match(/CAUSEWAY_TEST_SEED=4242/g)?.length, 1, `said once, under the failing test that drew:\n${first.out}`);
    assert.equal(first.draws.length, 2, first.out);
    assert.deepEqual(run('4242').draws, first.draws, 'the same seed replays the same draws');
    assert.notDeepEqual(run('4243').draws, first.draws, 'another seed draws otherwise');
  });

  it('refuses a seed that is not a 32-bit whole number', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `await import(${JSON.stringify(new URL('./seed.ts', import.meta.url).href)})`], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CAUSEWAY_TEST_SEED: 'yesterday' },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /CAUSEWAY_TEST_SEED must be a whole number from 0 to 4294967295, not "yesterday"/);
  });
});
