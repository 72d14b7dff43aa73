import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How far V8 may let the heap grow past what survived its last full collection before it collects
 * again, in percent. Left to itself, V8 grows a heap whose collections are cheap by up to four times
 * the live size: a hub whose live heap is 50 MB while it commits a large file in checkpoints (every
 * checkpoint's documents outlive the young generation and die old) would sit at 200-250 MB of heap,
 * and over 256 MB resident. At 30% the heap stays within about 100 MB on the same work, for a few
 * percent more time spent collecting.
 */
export const HEAP_GROWTH_PERCENT = 30;

let bounded = false;

/** Whether this process bounded its heap's growth (the hub and `causeway decode` do on start). */
export function heapGrowthBounded(): boolean {
  return bounded;
}

/**
 * Bounds the heap's growth for this process (once; a later call does nothing). The flag is read each
 * time V8 sets its next collection limit, so it takes effect in a running process. NODE_OPTIONS cannot
 * carry it, which is why the hub sets it itself. The young generation's size cannot be bounded the same
 * way: V8 sizes it when the process starts, and a later `--max-semi-space-size` leaves it at its default
 * (two 16 MB semi-spaces, checked on Node 20), so that one is a launch flag (NODE_OPTIONS).
 */
export function boundHeapGrowth(percent: number = HEAP_GROWTH_PERCENT): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  collectNow();
}

/**
 * One full collection, now. V8 applies the growth bound when it sets its next limit after a full
 * collection; until its first one it lets the heap fill to its initial limit. A hub that starts on a
 * large file got there in seconds (127 MB of heap, 301 MB resident on a 40 MB file) before its first
 * full collection brought it back to 60 MB: collecting at start sets the bounded limit from the start.
 */
function collectNow(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    exposed();
    return;
  }
  // gc() is exposed only to contexts made while the flag is on; the flag is turned off again at once.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  gc();
}
