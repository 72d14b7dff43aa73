import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * The retention archive: what the pruner removes is written first as JSON lines, gzip-compressed,
 * one file per tenant and day received (`<tenant>/<YYYY-MM-DD>.jsonl.gz`). Each batch is one gzip
 * member appended to the day's file, so the file is read as one stream.
 *
 * A batch is written whole to `<file>.pending-<size before>` first and only then appended. A
 * pruner killed midway leaves that file behind; the next append cuts the day's file back to the
 * size named and appends the batch again, so a file never holds half a batch. Rows are removed
 * from the store only after their batch is on disk, so a crash can at worst archive a batch twice:
 * readers keep the last line per record (see readArchive).
 */
export class ArchiveWriter {
  constructor(readonly folder: string) {}

  /** The file a tenant's day goes to, relative to the folder. */
  fileOf(tenant: string, receivedAt: number): string {
    return join(safeName(tenant), `${new Date(receivedAt).toISOString().slice(0, 10)}.jsonl.gz`);
  }

  /** Appends the records as one gzip member; resolves once they are on disk. */
  async append(file: string, records: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
    const path = join(this.folder, file);
    await mkdir(dirname(path), { recursive: true });
    await this.recover(path);
    const size = await stat(path).then((s) => s.size, () => 0);
    const temp = `${path}.writing`;
    const lines = Readable.from((async function* () {
      for await (const r of records) yield `${JSON.stringify(r)}\n`;
    })());
    await pipeline(lines, createGzip(), createWriteStream(temp));
    await syncFile(temp);
    const pending = `${path}.pending-${size}`;
    await rename(temp, pending);
    await this.appendPending(path, pending, size);
  }

  /** Finishes a batch a stopped pruner left pending, and drops one it had not finished writing. */
  private async recover(path: string): Promise<void> {
    const dir = dirname(path);
    const base = basename(path);
    for (const name of await readdir(dir)) {
      if (name === `${base}.writing`) await rm(join(dir, name), { force: true });
      const m = name.startsWith(`${base}.pending-`) ? /^(\d+)$/.exec(name.slice(base.length + 9)) : null;
      if (m) await this.appendPending(path, join(dir, name), Number(m[1]));
    }
  }

  private async appendPending(path: string, pending: string, sizeBefore: number): Promise<void> {
    const current = await stat(path).then((s) => s.size, () => 0);
    if (current > sizeBefore) await truncate(path, sizeBefore);
    await pipeline(createReadStream(pending), createWriteStream(path, { flags: 'a' }));
    await syncFile(path);
    await rm(pending, { force: true });
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A tenant's name as a folder name: kept when it is plain, else made plain with a hash so two never meet. */
export function safeName(tenant: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(tenant)) return tenant;
  return `${tenant.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}-${createHash('sha256').update(tenant).digest('hex').slice(0, 12)}`;
}

/** One archived record: the raw bytes of a message (possibly in parts), or what its documents stage removed. */
export type ArchiveRecord =
  | { kind: 'raw'; tenant: string; messageId: number; prunedAt: number; [k: string]: unknown }
  | { kind: 'raw-part'; tenant: string; messageId: number; seq: number; base64: string }
  | { kind: 'documents'; tenant: string; messageId: number; prunedAt: number; [k: string]: unknown };

/** The records of an archive file in order; a line that is not JSON is reported with its number. */
export async function* readArchive(path: string): AsyncGenerator<ArchiveRecord> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    try {
      yield JSON.parse(line) as ArchiveRecord;
    } catch {
      throw new Error(`${path}: line ${n} is not JSON`);
    }
  }
}
