/**
 * Which files of a remote inbox have been taken: the cursor the engine stores with the messages.
 *
 * Remote mtimes have one-second resolution and say when a file was last written, not when it
 * appeared: a partner that uploads to a temporary name and renames later makes a file appear with
 * an mtime older than files already taken. A bare (mtime, name) high-water mark would miss it, so
 * the cursor lists the files taken, by (mtime, name), for as long as they are still in the inbox:
 *
 *   { v: 1, below: <mtime>, taken: [[mtime, name], ...], skipped: [[mtime, name], ...] }
 *
 * - A file is new when its (mtime, name) is in neither list and its mtime is not below `below`.
 *   A file rewritten under the same name gets a new mtime and so is new again.
 * - An entry is dropped once its file has left the inbox (archived, or removed by the partner), so
 *   with an archive folder the lists hold about one batch.
 * - Without an archive the inbox keeps every file; past `maxNames` entries the oldest whole seconds
 *   are folded into `below` (everything strictly older counts as taken). Names at the boundary
 *   second stay listed, so a file that appears later in that same second is still taken; only a
 *   file that turns up with an mtime older than the folded seconds is missed.
 * - `skipped` holds files passed over on purpose (too large): never taken, never archived.
 *
 * Files are taken in (mtime, name) order, so a batch cut short leaves the rest for the next poll.
 */

export interface RemoteFile {
  name: string;
  /** Seconds since the epoch, as the SFTP server reports them. */
  mtime: number;
  size: number;
}

type Entry = [mtime: number, name: string];

export interface InboxCursor {
  v: 1;
  below: number;
  taken: Entry[];
  skipped: Entry[];
}

export function parseCursor(value: string | null): InboxCursor {
  if (value === null) return { v: 1, below: 0, taken: [], skipped: [] };
  let c: Partial<InboxCursor>;
  try {
    c = JSON.parse(value) as Partial<InboxCursor>;
  } catch {
    c = {};
  }
  if (c.v !== 1 || typeof c.below !== 'number' || !Array.isArray(c.taken) || !Array.isArray(c.skipped)) {
    throw new Error(`the stored cursor is not an SFTP inbox cursor: ${value.slice(0, 80)}`);
  }
  return { v: 1, below: c.below, taken: c.taken, skipped: c.skipped };
}

const key = (mtime: number, name: string): string => `${mtime}\u0000${name}`;

export function byMtimeThenName(a: RemoteFile, b: RemoteFile): number {
  return a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The files not taken yet, oldest first: what the next batch is cut from. */
export function newFiles(listing: RemoteFile[], cursor: InboxCursor): RemoteFile[] {
  const known = new Set([...cursor.taken, ...cursor.skipped].map(([m, n]) => key(m, n)));
  return listing.filter((f) => f.mtime >= cursor.below && !known.has(key(f.mtime, f.name))).sort(byMtimeThenName);
}

/** Files the cursor says were taken that are still in the inbox: stored, but not archived yet. */
export function takenStillPresent(listing: RemoteFile[], cursor: InboxCursor): RemoteFile[] {
  const taken = new Set(cursor.taken.map(([m, n]) => key(m, n)));
  return listing.filter((f) => taken.has(key(f.mtime, f.name)));
}

/**
 * The cursor after taking `taken` and passing over `skipped` from `listing`. `pending` are the new
 * files left for later polls: the fold never passes them.
 */
export function advanceCursor(cursor: InboxCursor, listing: RemoteFile[], taken: RemoteFile[], skipped: RemoteFile[], pending: RemoteFile[], maxNames: number): InboxCursor {
  const present = new Set(listing.map((f) => key(f.mtime, f.name)));
  const keep = (entries: Entry[], added: RemoteFile[]): Entry[] => {
    const out = new Map<string, Entry>();
    for (const [m, n] of entries) if (present.has(key(m, n))) out.set(key(m, n), [m, n]);
    for (const f of added) out.set(key(f.mtime, f.name), [f.mtime, f.name]);
    return [...out.values()];
  };
  let below = cursor.below;
  let takenEntries = keep(cursor.taken, taken);
  let skippedEntries = keep(cursor.skipped, skipped);
  const total = takenEntries.length + skippedEntries.length;
  if (total > maxNames) {
    const mtimes = [...takenEntries, ...skippedEntries].map(([m]) => m).sort((a, b) => a - b);
    let fold = mtimes[total - maxNames];
    for (const f of pending) fold = Math.min(fold, f.mtime);
    if (fold > below) {
      below = fold;
      takenEntries = takenEntries.filter(([m]) => m >= below);
      skippedEntries = skippedEntries.filter(([m]) => m >= below);
    }
  }
  return { v: 1, below, taken: takenEntries, skipped: skippedEntries };
}
