import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type SftpClient from 'ssh2-sftp-client';
import { z } from 'zod';
import { alertSkippedFile } from '../skipped-file.ts';
import { codecWhen, defineEndpoint, INBOUND_FILE_BYTES, type DeliveryOutcome, type EndpointContext, type InboundMessage, type OutboundMessage, type PollResult, type SinkRuntime, type SourceRuntime } from '../contract.ts';
import { deliveryFileName } from '../folder/index.ts';
import { SFTP_NO_SUCH_FILE, SftpConnection, SftpFailure, classify } from './connection.ts';
import { advanceCursor, newFiles, parseCursor, takenStillPresent, type RemoteFile } from './cursor.ts';

const EMPTY = Buffer.alloc(0);

const remoteFolder = z.string().min(1).regex(/^[^\0]+$/);
const ending = z.string().regex(/^\.[\w.-]+$/);

const config = z.object({
  host: z.string().min(1).meta({ description: 'SFTP server name or address', examples: ['sftp.3pl.example.com'] }),
  port: z.number().int().min(1).max(65535).default(22).meta({ description: 'SSH port' }),
  username: z.string().min(1).meta({ description: 'Login name the partner gave us', examples: ['acme'] }),
  privateKey: z.string().min(1).optional()
    .meta({ description: 'Private key text (OpenSSH or PEM); use ${ENV} so it never sits in the file. Line breaks lost to spaces or written as \\n are restored', examples: ['${WMS_SFTP_KEY}'] }),
  privateKeyPath: z.string().min(1).optional().meta({ description: 'Or a file holding the private key (relative to the config file)', examples: ['./keys/wms_ed25519'] }),
  passphrase: z.string().optional().meta({ description: 'Passphrase of an encrypted private key, from ${ENV}', examples: ['${WMS_SFTP_KEY_PASSPHRASE}'] }),
  password: z.string().min(1).optional().meta({ description: 'Password login instead of (or as well as) a key, from ${ENV}', examples: ['${WMS_SFTP_PASSWORD}'] }),
  hostKey: z.string().regex(/^(SHA256:)?[A-Za-z0-9+/]{43}=?$/, 'expected a SHA256 fingerprint as `ssh-keygen -lf` prints it').optional()
    .meta({ description: 'The server key\'s SHA256 fingerprint; a server offering another key is refused. Unset: any key is accepted (and its fingerprint logged)', examples: ['SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'] }),
  remoteInbox: remoteFolder.optional().meta({ description: 'Remote folder polled for files; each file is one message', examples: ['/out'] }),
  remoteArchive: remoteFolder.optional().meta({ description: 'Remote folder read files are moved to once stored; unset: they stay and the cursor remembers them', examples: ['/out/archive'] }),
  remoteOutbox: remoteFolder.optional().meta({ description: 'Remote folder delivered documents are uploaded to', examples: ['/in'] }),
  extensions: z.array(ending).default([]).meta({ description: 'Only read files with these endings (empty: all)', examples: [['.edi', '.x12']] }),
  uploadTempSuffix: ending.default('.part').meta({ description: 'Uploads are written under <name><suffix> and renamed when whole; files with this ending are never read' }),
  connectTimeoutMs: z.number().int().positive().max(300_000).default(15_000).meta({ description: 'Time allowed to connect, verify the server and log in' }),
  maxFileBytes: z.number().int().positive().default(4 * 1024 * 1024 * 1024).meta({ description: 'Larger remote files are left in the inbox, with an alert. Files over 1 MB are downloaded to spoolDir, never held in memory, and stored in chunks' }),
  spoolDir: z.string().min(1).optional().meta({ description: 'Local folder where files over 1 MB are downloaded before they are stored, then deleted (default: the system temporary folder; relative to the config file)', examples: ['./spool'] }),
  batchSize: z.number().int().positive().max(5000).default(100).meta({ description: 'Files downloaded per poll' }),
  stableListings: z.boolean().default(true)
    .meta({ description: 'Take a file only once two listings in a row show it with the same size and time: a partner that writes straight to the final name may still be writing it. false: take files at the first listing (partners that upload to a temporary name and rename)' }),
  cursorMaxNames: z.number().int().min(10).default(10_000)
    .meta({ description: 'Files taken but still in the inbox that the cursor names; beyond it the oldest seconds are folded into a high-water mark (see docs)' }),
  fileExtension: ending.default('.json').meta({ description: 'Ending of uploaded files', examples: ['.edi'] }),
}).strict()
  .refine((c) => c.remoteInbox || c.remoteOutbox, { message: 'an sftp endpoint needs a remoteInbox, a remoteOutbox or both' })
  .refine((c) => c.privateKey || c.privateKeyPath || c.password, { message: 'give privateKey, privateKeyPath or password' })
  .refine((c) => !(c.privateKey && c.privateKeyPath), { message: 'give privateKey or privateKeyPath, not both' })
  .refine((c) => !c.remoteArchive || !c.remoteInbox || posix.normalize(`${c.remoteArchive}/`) !== posix.normalize(`${c.remoteInbox}/`), { message: 'remoteArchive must differ from remoteInbox', path: ['remoteArchive'] });

export type SftpConfig = z.infer<typeof config>;

export const sftpEndpoint = defineEndpoint({
  type: 'sftp',
  description: 'Polls a remote SFTP folder (cursor: no file missed or taken twice across restarts; optional archive) and uploads delivered documents atomically (temporary name, then rename). Key or password login, pinned server key.',
  config,
  defaultPollIntervalMs: 5000,
  produces: codecWhen((c: SftpConfig) => c.remoteInbox),
  accepts: codecWhen((c: SftpConfig) => c.remoteOutbox),
  createSource: sftpSource,
  createSink: sftpSink,
});

function openConnection(c: SftpConfig, ctx: EndpointContext): SftpConnection {
  return new SftpConnection(c, ctx.baseDir, ctx.logger);
}

function sftpSource(c: SftpConfig, ctx: EndpointContext): SourceRuntime {
  if (!c.remoteInbox) throw new Error(`endpoint ${ctx.name}: an sftp endpoint read as a source needs "remoteInbox"`);
  const inbox = posix.normalize(c.remoteInbox);
  const conn = openConnection(c, ctx);
  const spool = c.spoolDir ? resolve(ctx.baseDir, c.spoolDir) : tmpdir();
  /** Size and time of each file at the last listing, by name. */
  let seen = new Map<string, string>();
  const wanted = (name: string): boolean =>
    !name.startsWith('.') && !name.endsWith(c.uploadTempSuffix) && (!c.extensions.length || c.extensions.includes(posix.extname(name).toLowerCase()));

  async function archive(files: RemoteFile[]): Promise<void> {
    for (const f of files) {
      const from = posix.join(inbox, f.name);
      const to = posix.join(posix.normalize(c.remoteArchive!), f.name);
      try {
        await conn.run(`archiving ${from}`, async (sftp) => {
          // A plain SFTP rename refuses an existing target: a file of that name was archived before.
          await sftp.rename(from, to).catch(async () => {
            if (!(await sftp.exists(to))) throw new Error(`cannot rename ${from} to ${to}`);
            await sftp.rename(from, `${to}.${f.mtime}-${Date.now()}`);
          });
        });
      } catch (e) {
        // Stored already; the cursor keeps the file from being taken again and the next poll retries the move.
        ctx.logger.warn({ endpoint: ctx.name, file: from, error: (e as Error).message }, 'moving a read file to the archive failed; trying again next poll');
      }
    }
  }

  return {
    async poll(cursorValue: string | null): Promise<PollResult> {
      const cursor = parseCursor(cursorValue);
      const listing = await conn.run(`listing ${inbox}`, (sftp) => sftp.list(inbox));
      const files: RemoteFile[] = listing
        .filter((f) => f.type === '-' && wanted(f.name))
        .map((f) => ({ name: f.name, mtime: Math.floor(f.modifyTime / 1000), size: f.size }));
      // Taken in an earlier poll whose archive step did not finish: stored, so safe to move now.
      if (c.remoteArchive) await archive(takenStillPresent(files, cursor));

      const fresh = newFiles(files, cursor);
      // What this listing saw, for the next poll's stability check; a file first seen now waits for it.
      const seenBefore = seen;
      seen = new Map(files.map((f) => [f.name, `${f.size}:${f.mtime}`]));
      const messages: InboundMessage[] = [];
      const taken: RemoteFile[] = [];
      const skipped: RemoteFile[] = [];
      const done = new Set<RemoteFile>();
      let failure: SftpFailure | undefined;
      for (const f of fresh) {
        if (taken.length >= c.batchSize) break;
        // Still being written, or not yet seen twice: left for the next poll (the cursor's fold never passes it).
        if (c.stableListings && seenBefore.get(f.name) !== `${f.size}:${f.mtime}`) continue;
        const path = posix.join(inbox, f.name);
        if (f.size > c.maxFileBytes) {
          ctx.logger.warn({ endpoint: ctx.name, file: path, bytes: f.size, maxFileBytes: c.maxFileBytes }, 'remote file larger than maxFileBytes left in the inbox and skipped');
          await alertSkippedFile(ctx, { name: path, mtime: f.mtime * 1000, size: f.size }, `it is larger than maxFileBytes (${c.maxFileBytes.toLocaleString('en-US')} bytes); it is left in the remote inbox`);
          skipped.push(f);
          done.add(f);
          continue;
        }
        try {
          if (f.size > INBOUND_FILE_BYTES) {
            const file = await conn.run(`downloading ${path}`, (sftp) => downloadToSpool(sftp, path, f.size, c.maxFileBytes, spool));
            messages.push({ body: EMPTY, file: { path: file, size: f.size, temporary: true }, partnerRef: path });
          } else {
            const body = await conn.run(`downloading ${path}`, (sftp) => download(sftp, path, f.size, c.maxFileBytes));
            messages.push({ body, partnerRef: path });
          }
          taken.push(f);
          done.add(f);
        } catch (e) {
          const err = e as SftpFailure;
          if (err.sftpStatus === SFTP_NO_SUCH_FILE) {
            done.add(f); // removed by the partner between listing and reading
            continue;
          }
          if (err.permanent && !err.connectionLost) {
            // One unreadable file (permissions) must not hold up the files behind it.
            ctx.logger.warn({ endpoint: ctx.name, file: path, error: err.message }, 'remote file cannot be read; skipped');
            await alertSkippedFile(ctx, { name: path, mtime: f.mtime * 1000, size: f.size }, `it cannot be read (${err.message}); it is left in the remote inbox and not tried again until it changes`);
            skipped.push(f);
            done.add(f);
            continue;
          }
          failure = err;
          break;
        }
      }
      if (failure && taken.length === 0) throw failure;
      if (failure) ctx.logger.warn({ endpoint: ctx.name, error: failure.message }, 'download failed; storing the files read so far, the rest next poll');

      const next = JSON.stringify(advanceCursor(cursor, files, taken, skipped, fresh.filter((f) => !done.has(f)), c.cursorMaxNames));
      return {
        messages,
        cursor: next === cursorValue ? undefined : next,
        afterStored: c.remoteArchive && taken.length ? () => archive(taken) : undefined,
      };
    },
    close: () => conn.close(),
  };
}

/**
 * A read stream on a remote file that never throws out of the process. ssh2 closes the remote handle
 * when the stream is destroyed and emits that close's failure as 'error' after the reader has
 * let go: a connection lost at that moment (a hub stopping mid-poll) would otherwise end the whole
 * process. Failures while reading still reach the reader through its iteration.
 */
export function openRemoteFile(sftp: SftpClient, path: string): ReturnType<SftpClient['createReadStream']> {
  const stream = sftp.createReadStream(path);
  stream.on('error', () => undefined);
  return stream;
}

/** Reads a whole remote file, refusing one that outgrows maxFileBytes or changes size while read. */
async function download(sftp: SftpClient, path: string, listedSize: number, maxBytes: number): Promise<Buffer> {
  const stream = openRemoteFile(sftp, path);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new SftpFailure(`downloading ${path}: grew past maxFileBytes (${maxBytes}) while read`, false, false);
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  // A short read is a lost connection or a partner still writing in place: read it again later.
  if (size !== listedSize) throw new SftpFailure(`downloading ${path}: read ${size} bytes, the listing said ${listedSize}`, false, false);
  return Buffer.concat(chunks, size);
}

/**
 * Downloads a large remote file to a new file in the spool folder, with the same checks as download.
 * A failed download leaves no file behind.
 */
async function downloadToSpool(sftp: SftpClient, path: string, listedSize: number, maxBytes: number, spool: string): Promise<string> {
  await mkdir(spool, { recursive: true });
  const local = join(spool, `causeway-sftp-${process.pid}-${randomUUID()}`);
  const stream = openRemoteFile(sftp, path);
  const out = createWriteStream(local);
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new SftpFailure(`downloading ${path}: grew past maxFileBytes (${maxBytes}) while read`, false, false);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
    if (size !== listedSize) throw new SftpFailure(`downloading ${path}: read ${size} bytes, the listing said ${listedSize}`, false, false);
    return local;
  } catch (e) {
    out.destroy();
    await unlink(local).catch(() => undefined);
    throw e;
  } finally {
    (stream as { destroy?: () => void }).destroy?.();
  }
}

function sftpSink(c: SftpConfig, ctx: EndpointContext): SinkRuntime {
  if (!c.remoteOutbox) throw new Error(`endpoint ${ctx.name}: an sftp endpoint written as a target needs "remoteOutbox"`);
  const outbox = posix.normalize(c.remoteOutbox);
  const conn = openConnection(c, ctx);
  return {
    async deliver(m: OutboundMessage): Promise<DeliveryOutcome> {
      // Named by the idempotency key: a redelivery replaces the same file instead of adding one.
      const final = posix.join(outbox, deliveryFileName(m, c.fileExtension));
      const temporary = `${final}${c.uploadTempSuffix}`;
      try {
        await conn.run(`uploading ${final}`, async (sftp) => {
          try {
            await sftp.put(m.payload, temporary);
            await replace(sftp, temporary, final);
          } catch (e) {
            await sftp.delete(temporary, true).catch(() => undefined);
            throw e;
          }
        });
      } catch (e) {
        const failure = e instanceof SftpFailure ? e : classify(e, `uploading ${final} on ${c.host}:${c.port}`);
        return { kind: failure.permanent ? 'permanent' : 'retryable', error: failure.message };
      }
      return { kind: 'delivered', partnerRef: final };
    },
    close: () => conn.close(),
  };
}

/**
 * Moves the finished upload to its final name in one step. OpenSSH's posix-rename replaces an
 * existing file atomically (a redelivery); a server without it gets remove-then-rename, where
 * the poller may briefly see no file but never a partial one.
 */
async function replace(sftp: SftpClient, from: string, to: string): Promise<void> {
  try {
    await sftp.posixRename(from, to);
    return;
  } catch (e) {
    if (!/not support/i.test((e as Error).message)) throw e;
  }
  await sftp.delete(to, true);
  await sftp.rename(from, to);
}
