// Raw messages too large to hold in memory are stored in chunks, both stores alike. The chunks are
// written first under an upload id of their own, each in a short transaction, and the message row
// that names the upload is inserted last, with the source's cursor: a crash mid-upload leaves
// chunks no message names (swept later), never a message without its bytes. A message stored
// inline keeps its bytes in messages.body as before.
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { NewMessage, RawSource } from './types.ts';

/** Bytes per stored chunk: large enough that a 1 GB file is ~1,000 rows, small enough to hold one at a time. */
export const RAW_CHUNK_BYTES = 1024 * 1024;

/** Chunks of an upload no message names, older than this, are deleted (a crash mid-upload; a duplicate found at the end). */
export const ORPHAN_UPLOAD_MS = 24 * 3600_000;

export function newUploadId(): string {
  return randomUUID();
}

/** Bytes read from a file at a time (below glibc's default threshold for giving an allocation its own mapping). */
export const FILE_PIECE_BYTES = 64 * 1024;

/**
 * A source's bytes as chunks of RAW_CHUNK_BYTES (the last one shorter), every one in the same buffer: a
 * chunk is good until the next is asked for, and a store copies it into its insert before that. A
 * new megabyte per chunk (and a copy of each piece on the way) was garbage that V8 frees only at its
 * next collection: while a large file was taken in, 30-35 MB of them were alive at once, in malloc's
 * main heap, which then stayed that size, fragmented, for the life of the process (docs/operations.md,
 * "Large files").
 */
export async function* rawChunks(source: RawSource): AsyncGenerator<Buffer> {
  const chunk = Buffer.allocUnsafeSlow(RAW_CHUNK_BYTES);
  let size = 0;
  for await (const piece of source.open()) {
    // Copied before the next piece is asked for, so a source may reuse its read buffer.
    for (let at = 0; at < piece.byteLength;) {
      const take = Math.min(piece.byteLength - at, RAW_CHUNK_BYTES - size);
      chunk.set(piece.subarray(at, at + take), size);
      size += take;
      at += take;
      if (size === RAW_CHUNK_BYTES) {
        yield chunk;
        size = 0;
      }
    }
  }
  if (size > 0) yield chunk.subarray(0, size);
}

/**
 * A file's bytes, read into one buffer reused for every read: a piece is good until the next is asked
 * for (hash it or copy it). Nothing is allocated per read, unlike a read stream's new buffer each time.
 */
export async function* filePieces(path: string, pieceBytes = FILE_PIECE_BYTES): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(pieceBytes);
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, pieceBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** What staging chunks needs of a store: whether a message is stored already, one chunk's insert, the undoing of uploads. */
export interface ChunkStaging {
  stored(m: NewMessage): boolean | Promise<boolean>;
  /** The chunk's buffer is reused for the next one once the returned promise (if any) settles. */
  put(upload: string, seq: number, chunk: Buffer): unknown;
  drop(uploads: string[]): unknown;
}

/**
 * Writes each streamed body's chunks under a new upload id, before the messages' transaction; one already
 * stored under its key is not uploaded again. A body whose size is not the one announced fails the batch,
 * and the uploads begun are dropped. Returns the upload id by the message's index.
 */
export async function stageLargeBodies(messages: NewMessage[], store: ChunkStaging): Promise<Map<number, string>> {
  const uploads = new Map<number, string>();
  try {
    for (const [i, m] of messages.entries()) {
      if (!m.stream || (await store.stored(m))) continue;
      const upload = newUploadId();
      uploads.set(i, upload);
      let seq = 0;
      let bytes = 0;
      for await (const chunk of rawChunks(m.stream)) {
        bytes += chunk.length;
        await store.put(upload, seq++, chunk);
      }
      if (bytes !== m.stream.size) throw new Error(`storing ${m.partnerRef ?? 'a message'}: read ${bytes} bytes where ${m.stream.size} were announced (the file changed while it was stored)`);
    }
  } catch (e) {
    if (uploads.size) await Promise.resolve().then(() => store.drop([...uploads.values()])).catch(() => undefined);
    throw e;
  }
  return uploads;
}

/**
 * The checkpoint of a large message was refused: its lease lapsed and another worker took it over
 * (or it was completed or replayed meanwhile). Nothing was written; this worker stops reading it.
 */
export class MessageLeaseLost extends Error {
  readonly code = 'MESSAGE_LEASE_LOST';

  constructor(readonly messageId: number) {
    super(`message ${messageId} is no longer leased by this worker: another worker took it over, or it was completed or replayed`);
    this.name = 'MessageLeaseLost';
  }
}
