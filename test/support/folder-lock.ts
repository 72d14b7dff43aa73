/**
 * A lock between test processes that build the same cached thing (the Tryton template database): a
 * folder, which only one mkdir can create, naming its holder's pid. A holder killed mid-build leaves
 * the folder behind; the next run must not wait on it, so a waiter clears it once that pid is gone,
 * and any lock older than `staleMs` (a holder in another pid namespace, or one that hangs).
 *
 * Two processes clearing the same abandoned lock at once may both go on to build: that costs time,
 * never correctness, as each builder works aside and renames its result into place.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Takes the lock (true), or says it is held (false), clearing it first when its holder is gone. */
export async function tryLock(lock: string, staleMs = 10 * 60_000): Promise<boolean> {
  try {
    await mkdir(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (await abandoned(lock, staleMs)) await rm(lock, { recursive: true, force: true });
    return false;
  }
  await writeFile(join(lock, 'owner'), String(process.pid));
  return true;
}

async function abandoned(lock: string, staleMs: number): Promise<boolean> {
  // No owner yet means just created, or a holder that died between mkdir and writing it.
  const owner = Number(await readFile(join(lock, 'owner'), 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0 && !alive(owner)) return true;
  const made = await stat(lock).then((s) => s.mtimeMs, () => Date.now());
  return Date.now() - made > staleMs;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
