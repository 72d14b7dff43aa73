import type { ChangeReadType } from './profile.ts';

/**
 * The source's cursor, which the engine stores with the messages of each poll. One part per read
 * type, plus the last stock snapshot's fingerprints.
 *
 * Reading changes: a scan asks for resources changed at or after `since` and goes page by page.
 * `since` starts at the latest change seen by the last finished scan less an overlap, so a change
 * the warehouse stamped a little before one already seen (a late commit, a clock a little behind)
 * is still read; the resources read twice that way carry the same id and change stamp, hence the
 * same idempotency key, and the inbox drops the repeat. When the list comes oldest change first,
 * the next page continues from the last stamp read (>= that stamp, page one) rather than from the
 * next page number, so resources that change while the scan runs cannot shift one past a page
 * boundary unseen; only a page whose resources all carry the same stamp moves on by page number.
 * A list in another order is read page by page from the same `since` until it ends.
 *
 * What it cannot catch: a change stamped earlier than the overlap before the latest change seen.
 * The overlap is a setting (overlapMs) for that reason.
 */
export interface ChangeCursor {
  /** Latest change (epoch ms) seen by a finished scan. */
  high?: number;
  /** When the last scan finished (epoch ms): the next starts reconcileEveryMs later. */
  at?: number;
  scan?: ScanState;
}

export interface ScanState {
  since: number;
  /** Page number (page paging). */
  page?: number;
  /** The next page's token or URL (token and link paging). */
  next?: string;
  /** Latest change seen in this scan so far. */
  seen?: number;
}

export interface SnapshotCursor {
  /** When stock was last read (epoch ms). */
  at: number;
  /** Per facility, the fingerprint of the last snapshot handed to the inbox. */
  hashes: Record<string, string>;
}

export interface SourceCursor {
  reads: Partial<Record<ChangeReadType, ChangeCursor>>;
  snapshot?: SnapshotCursor;
}

export function parseSourceCursor(stored: string | null): SourceCursor {
  if (!stored) return { reads: {} };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    throw new TypeError(`not a wms-rest cursor (expected JSON): ${stored.slice(0, 200)}`);
  }
  if (value === null || typeof value !== 'object' || typeof (value as SourceCursor).reads !== 'object' || (value as SourceCursor).reads === null) {
    throw new TypeError(`not a wms-rest cursor (expected {"reads": {...}}): ${stored.slice(0, 200)}`);
  }
  return value as SourceCursor;
}

export function formatSourceCursor(cursor: SourceCursor): string {
  return JSON.stringify(cursor);
}

/** Where a new scan starts: the latest change seen less the overlap; the first time, the lookback. */
export function scanSince(cursor: ChangeCursor, now: number, overlapMs: number, lookbackMs: number): number {
  return cursor.high === undefined ? now - lookbackMs : cursor.high - overlapMs;
}

/** Whether a read type is due: a scan under way goes on at every poll, a new one waits its turn. */
export function scanDue(cursor: ChangeCursor, now: number, everyMs: number): boolean {
  return cursor.scan !== undefined || cursor.at === undefined || now - cursor.at >= everyMs;
}

export interface PageRead {
  /** Change stamps of the page's resources, in the order the API gave them. */
  stamps: number[];
  /** Whether the API has another page. */
  more: boolean;
  /** The next page's token or URL, for token and link paging. */
  next?: string;
}

/**
 * The cursor after one page of a scan: the scan goes on (from where), or it finished and the
 * latest change it saw becomes the high-water mark.
 */
export function afterPage(cursor: ChangeCursor, page: PageRead, paging: { kind: 'page' | 'token' | 'link'; first: number }, ascending: boolean, now: number): ChangeCursor {
  const scan = cursor.scan!;
  const seen = page.stamps.reduce((m, s) => Math.max(m, s), scan.seen ?? -Infinity);
  const seenOrNone = seen === -Infinity ? undefined : seen;
  if (!page.more) {
    const high = seenOrNone === undefined ? cursor.high : Math.max(cursor.high ?? -Infinity, seenOrNone);
    return { high, at: now };
  }
  if (paging.kind !== 'page') return { ...cursor, scan: { since: scan.since, next: page.next, seen: seenOrNone } };
  const last = page.stamps.at(-1);
  if (ascending && last !== undefined && last > scan.since) return { ...cursor, scan: { since: last, page: paging.first, seen: seenOrNone } };
  return { ...cursor, scan: { since: scan.since, page: (scan.page ?? paging.first) + 1, seen: seenOrNone } };
}
