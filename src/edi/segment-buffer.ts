// The input a streaming tokenizer (X12, EDIFACT) holds: what is not yet cut into segments, as one flat
// latin1 string. Both tokenizers keep their text, position and offset in their own fields (the hot loops
// read them there); this is only the per-chunk join, where the two formats do the same thing.

/** Joins the unread tail of a tokenizer's text to each new chunk. */
export class ChunkJoiner {
  /** Kept for the next chunk: no new buffer per chunk. */
  private joined: Buffer = Buffer.alloc(0);

  /**
   * The tail of `text` from `pos`, then the chunk's bytes, as one string. The tail (usually part of one
   * segment) is re-encoded and joined to the chunk before the one latin1 decode: a chunk costs one copy,
   * not a rope, a re-encode of it all and a second decode. The tail is taken from the string, not the
   * previous chunk, in case a source reuses its buffers.
   */
  bytes(text: string, pos: number, chunk: Buffer): string {
    const rest = text.length - pos;
    if (rest === 0) return chunk.toString('latin1');
    const need = rest + chunk.length;
    if (this.joined.length < need) this.joined = Buffer.allocUnsafe(Math.max(need, this.joined.length * 2));
    this.joined.write(text.slice(pos), 0, rest, 'latin1');
    chunk.copy(this.joined, rest);
    return this.joined.toString('latin1', 0, need);
  }
}

/**
 * The tail of `text` from `pos`, then a chunk already in latin1. Concatenation makes a rope (ConsString)
 * that V8 walks slowly in charCodeAt; copying through a Buffer gives one flat one-byte string. It costs one
 * copy per chunk, not per segment.
 */
export function joinText(text: string, pos: number, chunk: string): string {
  if (pos >= text.length) return chunk;
  return Buffer.from(text.slice(pos) + chunk, 'latin1').toString('latin1');
}
