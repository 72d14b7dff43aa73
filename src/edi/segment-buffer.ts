// The input a streaming tokenizer (X12, EDIFACT) holds: what is not yet cut into segments, as one flat
// latin1 string, with the read position and the byte offset of the text's start. The tokenizers extend
// SegmentBuffer: their hot loops read text and pos as their own fields, and feeding is written once.

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

/** Text, read position and offset of a pull tokenizer fed in chunks (streaming) or at once (in memory). */
export abstract class SegmentBuffer<S> {
  protected text = '';
  protected pos = 0;
  /** Byte offset of text[0] in the whole input. */
  protected base = 0;
  /** No more input will come: an unterminated last segment is taken as is. */
  protected final = false;
  /** Shared by the segments cut from the current text; made on first use. */
  protected src: S | null = null;
  /** Entries of src.bounds taken by segments already returned. */
  protected used = 0;
  private readonly joiner = new ChunkJoiner();

  /** Adds input as bytes: the unread tail and the chunk become one flat string (see ChunkJoiner). */
  feedBytes(chunk: Buffer, final: boolean): void {
    this.text = this.joiner.bytes(this.text, this.pos, chunk);
    this.restart(final);
  }

  /** Adds input already as a latin1 byte view. `final` says no more will come. */
  feed(chunk: string, final: boolean): void {
    this.text = joinText(this.text, this.pos, chunk);
    this.restart(final);
  }

  /** After a join: the text now starts at what was the read position. */
  protected restart(final: boolean): void {
    this.base += this.pos;
    this.pos = 0;
    this.src = null;
    this.used = 0;
    this.final = final;
  }

  /** Characters held but not yet returned as segments. */
  get pending(): number {
    return this.text.length - this.pos;
  }

  /** Byte offset of the next character to be read. */
  get offset(): number {
    return this.base + this.pos;
  }
}
