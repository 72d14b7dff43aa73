// Raw messages too large to hold in memory are stored in chunks, both stores alike. The chunks are
// written first under an upload id of their own, each in a short transaction, and the message row
// that names the upload is inserted last, with the source's cursor: a crash mid-upload leaves
// chunks no message names (swept later), never a message without its bytes. A message stored
// inline keeps its bytes in messages.body as before.
import { randomUUID } from 'node:crypto';
import type { NewMessage, RawSource } from './types.ts';

/** Bytes per stored chunk: large enough that a 1 GB file is ~1,000 rows, small enough to hold one at a time. */
export const RAW_CHUNK_BYTES = 1024 * 1024;

/** Chunks of an upload no message names, older than this, are deleted (a crash mid-upload; a duplicate found at the end). */
export const ORPHAN_UPLOAD_MS = 24 * 3600_000;

export function newUploadId(): string {
  return randomUUID();
}

/** A source's bytes as chunks of at most RAW_CHUNK_BYTES, copied so a reused read buffer cannot change a stored chunk. */
export async function* rawChunks(source: RawSource): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of source.open()) {
    let b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (b.length > 0) {
      const take = Math.min(b.length, RAW_CHUNK_BYTES - size);
      pending.push(Buffer.from(b.subarray(0, take)));
      size += take;
      b = b.subarray(take);
      if (size === RAW_CHUNK_BYTES) {
        yield Buffer.concat(pending, size);
        pending = [];
        size = 0;
      }
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}

/** What staging chunks needs of a store: whether a message is stored already, one chunk's insert, the undoing of uploads. */
export interface ChunkStaging {
  stored(m: NewMessage): boolean | Promise<boolean>;
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
