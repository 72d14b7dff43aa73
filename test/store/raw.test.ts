import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FILE_PIECE_BYTES, filePieces, RAW_CHUNK_BYTES, rawChunks } from '../../src/store/raw.ts';

// A large file is taken in without a new buffer per read or per chunk: each of those was garbage that
// piled up in malloc's heap until V8 next collected (docs/operations.md, "Large files").

const pattern = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 13)) & 0xff;
  return b;
};

describe('raw chunks of a large message', () => {
  const bytes = pattern(RAW_CHUNK_BYTES * 2 + 4321);

  it('cuts uneven pieces from a source that reuses its buffer into full chunks, all in one buffer', async () => {
    // A piece larger than a chunk, small ones, one that ends exactly on a chunk boundary.
    const sizes = [RAW_CHUNK_BYTES + 1000, 7, RAW_CHUNK_BYTES - 1007, 300_001, 200_000];
    const scratch = Buffer.alloc(RAW_CHUNK_BYTES + 1000);
    const source = {
      size: bytes.length,
      async *open() {
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = Math.min(sizes[i % sizes.length]!, bytes.length - at);
          bytes.copy(scratch, 0, at, at + n);
          yield scratch.subarray(0, n);
          // What the consumer kept must not change when the source reads its next piece.
          scratch.fill(0xee);
          at += n;
        }
      },
    };
    const copies: Buffer[] = [];
    const backing = new Set<ArrayBufferLike>();
    for await (const chunk of rawChunks(source)) {
      copies.push(Buffer.from(chunk));
      backing.add(chunk.buffer);
    }
    assert.deepEqual(copies.map((c) => c.length), [RAW_CHUNK_BYTES, RAW_CHUNK_BYTES, 4321]);
    assert.ok(Buffer.concat(copies).equals(bytes));
    assert.equal(backing.size, 1, 'every chunk is written into the same buffer');
  });

  it('gives nothing for an empty source and one short chunk for a small one', async () => {
    const of = async (b: Buffer) => {
      const out: Buffer[] = [];
      for await (const c of rawChunks({ size: b.length, async *open() { if (b.length) yield b; } })) out.push(Buffer.from(c));
      return out;
    };
    assert.deepEqual(await of(Buffer.alloc(0)), []);
    assert.deepEqual((await of(Buffer.from('UNB+UNOC:3'))).map(String), ['UNB+UNOC:3']);
  });

  it('reads a file verbatim into one reused buffer, and closes it when the reader stops early', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'causeway-raw-'));
    try {
      const file = join(dir, 'orders.edi');
      const content = pattern(FILE_PIECE_BYTES * 3 + 17);
      writeFileSync(file, content);
      const copies: Buffer[] = [];
      const backing = new Set<ArrayBufferLike>();
      for await (const piece of filePieces(file)) {
        assert.ok(piece.length <= FILE_PIECE_BYTES);
        copies.push(Buffer.from(piece));
        backing.add(piece.buffer);
      }
      assert.ok(Buffer.concat(copies).equals(content));
      assert.equal(backing.size, 1);
      const before = openFiles();
      for await (const piece of filePieces(file)) {
        assert.equal(piece.length, FILE_PIECE_BYTES);
        break;
      }
      assert.equal(openFiles(), before, 'the file handle is closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Descriptors open in this process (Linux); 0 where /proc has none, which makes the check vacuous. */
function openFiles(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}
