// Duplicate screening's rule, the same in both stores: a store only reads and writes the rows.
import type { EdiReceipt, EdiReceiptVerdict } from './types.ts';

/** A receipt key's row as stored. PostgreSQL inserts a placeholder with count 0 to lock a new key. */
export interface ReceiptRow {
  firstMessageId: number;
  lastMessageId: number;
  lastSeenAt: number;
  count: number;
}

/** What recording a receipt does to its row: start it afresh, count one more sighting, or nothing. */
export type ReceiptWrite = 'start' | 'count' | 'none';

/** The verdict on a receipt given its key's row (undefined: never seen), and the write that records it. */
export function judgeReceipt(row: ReceiptRow | undefined, r: EdiReceipt): EdiReceiptVerdict & { write: ReceiptWrite } {
  // First sighting, or the last one is outside the window: control numbers may be reused after it.
  if (!row || row.count === 0 || row.lastSeenAt < r.at - r.windowMs) return { duplicate: false, firstMessageId: r.messageId, count: 1, write: 'start' };
  // The same message processed again (a replay) is not its own duplicate.
  if (row.firstMessageId === r.messageId) return { duplicate: false, firstMessageId: r.messageId, count: row.count, write: 'none' };
  // A replay of the duplicate is not counted twice.
  if (row.lastMessageId === r.messageId) return { duplicate: true, firstMessageId: row.firstMessageId, count: row.count, write: 'none' };
  return { duplicate: true, firstMessageId: row.firstMessageId, count: row.count + 1, write: 'count' };
}

/**
 * Outcomes whose duplicate screening no longer holds: between the screening's read and the commit,
 * another message was recorded under one of their receipt keys. Nothing was committed; the engine
 * commits the other outcomes and screens these messages again.
 */
export class EdiReceiptConflict extends Error {
  readonly code = 'EDI_RECEIPT_CONFLICT';

  constructor(readonly messageIds: number[]) {
    super(`duplicate screening of message(s) ${messageIds.join(', ')} is out of date: another message was recorded under the same interchange or set`);
    this.name = 'EdiReceiptConflict';
  }
}
