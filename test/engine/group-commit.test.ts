import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommitter } from '../../src/engine/group-commit.ts';

test('callers submitted together share one commit and each hears its own result', async () => {
  const commits: number[][] = [];
  const gc = new GroupCommitter<number, string>(async (items) => {
    commits.push(items);
    return items.map((i) => `r${i}`);
  }, 500, 2);
  const results = await Promise.all([1, 2, 3].map((i) => gc.submit(i)));
  assert.deepEqual(results, ['r1', 'r2', 'r3']);
  assert.deepEqual(commits, [[1, 2, 3]]);
});

test('a full batch commits at once and the rest follows in the next commit', async () => {
  const commits: number[][] = [];
  const gc = new GroupCommitter<number, number>(async (items) => {
    commits.push(items);
    return items;
  }, 2, 1000);
  const all = Promise.all([1, 2, 3].map((i) => gc.submit(i)));
  await gc.drain();
  assert.deepEqual(await all, [1, 2, 3]);
  assert.deepEqual(commits, [[1, 2], [3]]);
});

test('a failed commit rejects only the callers whose work it held', async () => {
  let calls = 0;
  const gc = new GroupCommitter<number, number>(async (items) => {
    calls++;
    if (calls === 1) throw new Error('disk full');
    return items;
  }, 500, 1);
  await assert.rejects(gc.submit(1), /disk full/);
  assert.equal(await gc.submit(2), 2);
});

test('work submitted while a slow commit runs is gathered into the next commit', async () => {
  const commits: number[][] = [];
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  const gc = new GroupCommitter<number, number>(async (items) => {
    commits.push(items);
    if (commits.length === 1) await slow;
    return items;
  }, 500, 1);
  const first = gc.submit(1);
  while (commits.length === 0) await new Promise((r) => setImmediate(r));
  const later = [2, 3, 4].map((i) => gc.submit(i));
  release();
  assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
  await gc.drain();
  assert.deepEqual(commits, [[1], [2, 3, 4]]);
});
