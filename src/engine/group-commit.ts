/**
 * Gathers work from many callers into one store transaction. SQLite commits ~2,600 single-row
 * transactions/s but ~70,000 rows/s in batches, so callers wait a few milliseconds to share a
 * commit; each is answered only after the commit that holds its work is on disk.
 *
 * Under concurrent load the wait follows the commit's own cost: after a commit of several callers'
 * work that took longer than `maxWaitMs`, the next batch gathers for as long as that commit took
 * (at most `maxAdaptiveMs`). A commit's cost is mostly fixed (the fsync, the index pages
 * rewritten), so the store then spends at most about half its time committing; a caller who came
 * alone (nothing to share the commit with) is still answered within `maxWaitMs`.
 */
export class GroupCommitter<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** How long the last commit took, when it held more than one caller's work; else 0. */
  private sharedCommitMs = 0;

  constructor(
    private readonly commit: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
    private readonly maxWaitMs = 2,
    private readonly maxAdaptiveMs = 10 * maxWaitMs,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flushSoon(0);
      else this.flushSoon(Math.max(this.maxWaitMs, Math.min(this.sharedCommitMs, this.maxAdaptiveMs)));
    });
  }

  private flushSoon(delay: number): void {
    if (delay === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delay);
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const started = performance.now();
      try {
        const results = await this.commit(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (e) {
        for (const b of batch) b.reject(e);
      } finally {
        this.sharedCommitMs = batch.length > 1 ? performance.now() - started : 0;
      }
    }
  }

  /** Waits for everything submitted so far to be committed. */
  async drain(): Promise<void> {
    if (this.timer) this.flushSoon(0);
    await this.flushing;
  }
}
