// The lock between test processes building one cached thing (the Tryton template database).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tryLock } from './folder-lock.ts';

describe('folder lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken by one process, and refused to others while its holder lives', async () => {
    const lock = join(dir, 'live');
    assert.equal(await tryLock(lock), true);
    assert.equal(readFileSync(join(lock, 'owner'), 'utf8'), String(process.pid));
    assert.equal(await tryLock(lock), false);
    assert.ok(existsSync(lock), 'a live holder keeps it');
  });

  it('is taken over from a holder that was killed before it could release it', async () => {
    const lock = join(dir, 'dead');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), gone.stdout);
    // The first try clears what the dead holder left; a later one takes it.
    assert.equal(await tryLock(lock) || await tryLock(lock), true);
    assert.equal(readFileSync(join(lock, 'owner'), 'utf8'), String(process.pid));
  });

  it('is taken over after a while from a holder it cannot see', async () => {
    const lock = join(dir, 'unknown');
    mkdirSync(lock);
    assert.equal(await tryLock(lock, 60_000), false, 'a fresh lock without an owner is being taken right now');
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(lock, old, old);
    assert.equal(await tryLock(lock, 60_000) || await tryLock(lock, 60_000), true);
  });
});
