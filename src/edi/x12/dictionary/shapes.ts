// The segment-id sequences of a set that the check has already walked without a finding. A file repeats a
// few shapes (orders of three, four or five lines), and the walk's verdict on a set's structure depends on
// its ids alone: a set whose ids match a remembered shape has only its elements left to check.

/** A sequence of segment numbers (see segmentNumber) and the definition (D) each segment was checked by. */
interface Shape<D> {
  hash: number;
  sids: Int16Array;
  defs: readonly D[];
}

/** Shapes kept per compiled set: enough for the variants of one partner's files, few enough to scan. */
const KEPT = 16;
/** Longer sets are walked every time: the walk then costs little beside their elements, and a memo of them much. */
export const LONGEST_SHAPE = 512;

/** Hash of a sequence of segment numbers, built one number at a time. */
export function nextShapeHash(hash: number, sid: number): number {
  return (Math.imul(hash, 31) + sid) | 0;
}

export class ShapeMemo<D> {
  private readonly shapes: Shape<D>[] = [];
  /** Where the next shape goes once the memo is full (oldest first). */
  private replace = 0;

  /** The definitions of a remembered shape equal to sids[0, n), or null. */
  find(sids: Int16Array, n: number, hash: number): readonly D[] | null {
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s]!;
      if (shape.hash !== hash || shape.sids.length !== n) continue;
      const known = shape.sids;
      let k = 0;
      while (k < n && known[k] === sids[k]) k++;
      if (k === n) return shape.defs;
    }
    return null;
  }

  /** Remembers sids[0, n), walked without a finding, with the definition of each segment. */
  remember(sids: Int16Array, n: number, hash: number, defs: readonly D[]): void {
    const shape: Shape<D> = { hash, sids: sids.slice(0, n), defs: defs.slice(0, n) };
    if (this.shapes.length < KEPT) this.shapes.push(shape);
    else {
      this.shapes[this.replace] = shape;
      this.replace = (this.replace + 1) % KEPT;
    }
  }
}
