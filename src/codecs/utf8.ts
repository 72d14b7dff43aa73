// Where UTF-8 text goes wrong, for the errors that name the byte and the line a sender must correct.

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence (the length when none). */
export function firstInvalidUtf8(b: Buffer, from: number): number {
  for (let i = from; i < b.length;) {
    const c = b[i];
    const need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return b.length;
}

/** The line (from 1) that the byte at `upTo` is on. */
export function countLines(b: Buffer, upTo: number): number {
  let n = 1;
  for (let i = 0; i < upTo; i++) if (b[i] === 0x0a) n++;
  return n;
}
