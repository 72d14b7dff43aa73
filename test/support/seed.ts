/**
 * The one source of randomness for what a test does or checks: generated data, fuzz inputs, load
 * shapes, answer times and kill timings. Every run has one seed, taken from CAUSEWAY_TEST_SEED when
 * set and fresh otherwise; a test that used it and fails says so, with the line that replays it:
 *
 *   test('...', async (t) => {
 *     const random = seededRandom(t);   // use like Math.random
 *     ...
 *   });
 *
 *   CAUSEWAY_TEST_SEED=<n> npm test       (or the one test file)
 *
 * Each test's generator is derived from the seed and the test's name, so a test makes the same
 * choices whether it runs alone or among others. What the seed cannot replay is real time: where a
 * choice is a delay, the system under test still races the clock as it will.
 *
 * Names of resources (a database, a temporary folder, a stream) need no replay and stay truly random.
 */
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';

export const TEST_SEED = seedFrom(process.env.CAUSEWAY_TEST_SEED);

function seedFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return randomInt(0, 2 ** 32);
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`CAUSEWAY_TEST_SEED must be a whole number from 0 to ${2 ** 32 - 1}, not ${JSON.stringify(value)}`);
  }
  return seed;
}

/** mulberry32: 32 bits of state, a full period of 2^32 and good enough spread for tests. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to turn a test's name into part of its generator's seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const reporting = new WeakSet<TestContext>();

/**
 * A generator in [0, 1) for one test, from the run's seed, the test's name and `stream` (for a test
 * that wants independent sequences, say one for the data and one for the timings).
 */
export function seededRandom(t: TestContext, stream = ''): () => number {
  if (!reporting.has(t)) {
    reporting.add(t);
    t.after(() => {
      // `passed` is missing before Node 20.12: then the seed is always said.
      if ((t as { passed?: boolean }).passed !== true) {
        t.diagnostic(`random choices came from CAUSEWAY_TEST_SEED=${TEST_SEED}; run again with it set to replay them`);
      }
    });
  }
  return mulberry32(hash32(`${TEST_SEED}\u0000${t.name}\u0000${stream}`));
}
