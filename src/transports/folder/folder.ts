import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, copyFile, lstat, mkdir, open, readdir, readFile, readlink, rename, stat, symlink, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { alertSkippedFile } from '../skipped-file.ts';
import { codecWhen, defineEndpoint, INBOUND_FILE_BYTES, type Accepted, type DeliveryOutcome, type EndpointContext, type InboundMessage, type OutboundMessage, type PollResult, type SinkRuntime, type SourceRuntime } from '../contract.ts';

const EMPTY = Buffer.alloc(0);

const config = z.object({
  inbox: z.string().min(1).optional().meta({ description: 'Folder to read files from; each file is one message', examples: ['./erp/out'] }),
  archive: z.string().min(1).optional().meta({ description: 'Where read files go once safely stored (default: <inbox>/archive)' }),
  error: z.string().min(1).optional().meta({ description: 'Where files that cannot be taken in go, each with an alert: larger than maxFileBytes, unreadable, or a symbolic link, which is never followed (default: <inbox>/error)' }),
  outbox: z.string().min(1).optional().meta({ description: 'Folder to write delivered documents to', examples: ['./wms/in'] }),
  extensions: z.array(z.string().regex(/^\.[\w.-]+$/)).default([]).meta({ description: 'Only read files with these endings (empty: all)', examples: [['.json', '.edi']] }),
  minAgeMs: z.number().int().nonnegative().default(250).meta({ description: 'Leave files younger than this alone: a writer without atomic rename may still be writing' }),
  maxFileBytes: z.number().int().positive().default(4 * 1024 * 1024 * 1024).meta({ description: 'Larger files go to the error folder, with an alert. Files over 1 MB are never read whole: they are stored in chunks and, with a codec that reads in parts (x12), decoded and committed part by part' }),
  batchSize: z.number().int().positive().max(5000).default(200).meta({ description: 'Files taken in per poll' }),
  fileExtension: z.string().regex(/^\.[\w.-]+$/).default('.json').meta({ description: 'Ending of written files' }),
}).strict().refine((c) => c.inbox || c.outbox, { message: 'a folder endpoint needs an inbox, an outbox or both' });

export type FolderConfig = z.infer<typeof config>;

export const folderEndpoint = defineEndpoint({
  type: 'folder',
  description: 'Reads files dropped in a folder (moved to archive/ once stored) and writes delivered documents to a folder atomically (temporary name, fsync, rename).',
  config,
  defaultPollIntervalMs: 500,
  produces: codecWhen((c: FolderConfig) => c.inbox),
  accepts: codecWhen((c: FolderConfig) => c.outbox),
  createSource: folderSource,
  createSink: folderSink,
});

function folderSource(c: FolderConfig, ctx: EndpointContext): SourceRuntime {
  if (!c.inbox) throw new Error(`endpoint ${ctx.name}: a folder read as a source needs "inbox"`);
  const inbox = resolve(ctx.baseDir, c.inbox);
  const archive = resolve(ctx.baseDir, c.archive ?? join(c.inbox, 'archive'));
  const errorDir = resolve(ctx.baseDir, c.error ?? join(c.inbox, 'error'));
  let ready: Promise<unknown> | undefined;
  /** Files that could not be moved aside either, by name, at the time they were found: left alone until they change. */
  const stuck = new Map<string, number>();

  /**
   * A file that cannot be taken in goes to the error folder, with an alert. One that cannot be moved
   * either (no right to the folder) never fails the poll, nor is it reported again at every poll:
   * it is passed over until it changes.
   */
  async function leaveAside(f: { name: string; mtime: number; size: number }, why: string, logged: Record<string, unknown>): Promise<void> {
    const moveError = await moveAside(join(inbox, f.name), errorDir).then(() => undefined, (e: unknown) => (e as Error).message);
    const moved = moveError === undefined;
    if (!moved) stuck.set(f.name, f.mtime);
    ctx.logger.warn({ endpoint: ctx.name, file: f.name, ...logged, ...(moved ? {} : { moveError }) },
      moved ? `${why}; moved to the error folder` : `${why}; it could not be moved to the error folder either, and is left in place`);
    await alertSkippedFile(ctx, f, `${why}; ${moved ? `it was moved to ${errorDir}` : 'it could not be moved to the error folder either, and is left in place until it changes'}`);
  }

  return {
    async poll(): Promise<PollResult> {
      // Made once; a failure (a share not mounted yet) is tried again at the next poll, not kept for good.
      ready ??= Promise.all([inbox, archive, errorDir].map((d) => mkdir(d, { recursive: true }))).catch((e) => {
        ready = undefined;
        throw e;
      });
      await ready;
      const now = Date.now();
      const candidates: Array<{ name: string; mtime: number; size: number }> = [];
      const entries = await readdir(inbox, { withFileTypes: true });
      // A file left in place is forgotten once it has gone from the inbox.
      if (stuck.size) {
        const present = new Set(entries.map((e) => e.name));
        for (const name of stuck.keys()) if (!present.has(name)) stuck.delete(name);
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        if (c.extensions.length && !c.extensions.includes(extname(entry.name).toLowerCase())) continue;
        const path = join(inbox, entry.name);
        if (entry.isSymbolicLink() && path !== archive && path !== errorDir) {
          // A link is not followed: whoever may write to the inbox could point one at any file on this machine.
          // Left in place it would never be read and nobody would know: it is moved aside, with an alert.
          const s = await lstat(path).catch(() => undefined);
          if (!s || now - s.mtimeMs < c.minAgeMs || stuck.get(entry.name) === s.mtimeMs) continue;
          await leaveAside({ name: entry.name, mtime: s.mtimeMs, size: s.size }, 'it is a symbolic link, which is not followed (it could point anywhere on this machine)', {});
          continue;
        }
        if (!entry.isFile()) continue;
        const s = await stat(path).catch(() => undefined);
        if (s && now - s.mtimeMs >= c.minAgeMs && stuck.get(entry.name) !== s.mtimeMs) candidates.push({ name: entry.name, mtime: s.mtimeMs, size: s.size });
      }
      // Oldest first; files of the same moment by name in code-unit order, the same whatever the machine's locale.
      candidates.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const messages: InboundMessage[] = [];
      const names: string[] = [];
      for (const f of candidates.slice(0, c.batchSize)) {
        if (f.size > c.maxFileBytes) {
          await leaveAside(f, `it is larger than maxFileBytes (${c.maxFileBytes.toLocaleString('en-US')} bytes)`, { bytes: f.size });
          continue;
        }
        const path = join(inbox, f.name);
        let body = EMPTY;
        try {
          // A large file is read later, by the inbox, in chunks: whether it can be read is asked now.
          if (f.size <= INBOUND_FILE_BYTES) body = await readFile(path);
          else await access(path, fsConstants.R_OK);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // Gone since the listing: its writer took it back. Anything else (no permission) would fail every
          // poll with this file first in line and hold up the files behind it: it is moved aside.
          if (code === 'ENOENT') continue;
          await leaveAside(f, `it cannot be read (${(e as Error).message})`, { err: e });
          continue;
        }
        messages.push(f.size > INBOUND_FILE_BYTES ? { body: EMPTY, file: { path, size: f.size }, partnerRef: f.name } : { body, partnerRef: f.name });
        names.push(f.name);
      }
      return {
        messages,
        // Only once the inbox holds the bytes does the file leave the folder: a crash before this
        // line means the file is read again next time and recognised as a duplicate.
        afterStored: async (_accepted: Accepted[]) => {
          for (const name of names) await moveAside(join(inbox, name), archive);
        },
      };
    },
  };
}

async function moveAside(file: string, dir: string): Promise<void> {
  let target = join(dir, basename(file));
  for (let i = 1; await exists(target); i++) target = join(dir, `${basename(file)}.${i}`);
  try {
    await rename(file, target);
  } catch (e) {
    // The archive or error folder on another file system (the inbox on a share, the archive on a local
    // disk): a rename cannot cross it, so the file is copied, then removed. A crash in between leaves
    // both, and the inbox recognises the file as a duplicate when it is read again.
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    if ((await lstat(file)).isSymbolicLink()) {
      await symlink(await readlink(file), target);
    } else {
      await copyFile(file, target, fsConstants.COPYFILE_EXCL);
    }
    await unlink(file);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function folderSink(c: FolderConfig, ctx: EndpointContext): SinkRuntime {
  if (!c.outbox) throw new Error(`endpoint ${ctx.name}: a folder written as a target needs "outbox"`);
  const outbox = resolve(ctx.baseDir, c.outbox);
  let ready: Promise<unknown> | undefined;
  return {
    async deliver(m: OutboundMessage): Promise<DeliveryOutcome> {
      // Named by the idempotency key: a redelivery rewrites the same file instead of adding one.
      const name = deliveryFileName(m, c.fileExtension);
      try {
        ready ??= mkdir(outbox, { recursive: true }).catch((e) => {
          ready = undefined;
          throw e;
        });
        await ready;
        await writeAtomically(outbox, name, m.payload);
      } catch (e) {
        return { kind: 'retryable', error: `writing ${name} to ${ctx.name}: ${(e as Error).message}` };
      }
      return { kind: 'delivered', partnerRef: name };
    },
  };
}

/**
 * A name a file system and an SFTP server take as one plain file name: letters, digits, ".", "_"
 * and "-", not starting with a dot, at most 180 characters. A value that is already such a name is
 * kept; any other (a "/", "..", NUL, "Ł", too long) is made safe and gets a hash of the original,
 * so two values never share a name and the same value always gets the same one.
 */
export function safeName(s: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,179}$/.test(s)) return s;
  const kept = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 160);
  return `${kept}~${createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The file a delivery is written as in a folder or SFTP outbox: `<document type>-<idempotency key><ending>`. */
export function deliveryFileName(m: Pick<OutboundMessage, 'documentType' | 'idempotencyKey'>, extension: string): string {
  return `${safeName(m.documentType)}-${safeName(m.idempotencyKey)}${extension}`;
}

/** Temporary name, fsync, rename, fsync the folder: a reader sees the whole file or none of it. */
export async function writeAtomically(dir: string, name: string, data: Buffer): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, name));
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
