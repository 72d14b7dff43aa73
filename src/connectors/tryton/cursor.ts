import type { Domain, TrytonRpc } from './rpc.ts';
import { TrytonDateTime } from './values.ts';

/**
 * Incremental polling by last change. Tryton leaves write_date empty until a record is first
 * written, so "last change" is write_date, else create_date. Records are read in (stamp, id) order
 * and the cursor is the last (stamp, id) read: a record with the same stamp as the cursor but a
 * higher id is still found, so nothing is missed or read twice. The cursor is an opaque string
 * for the engine to store: "<ISO stamp with microseconds>|<id>".
 */
export interface PollPosition {
  stamp: TrytonDateTime;
  id: number;
}

export function parseCursor(cursor: string | undefined): PollPosition | undefined {
  if (!cursor) return undefined;
  const [stamp, id] = cursor.split('|');
  if (!stamp || !id || !/^\d+$/.test(id)) throw new TypeError(`not a Tryton cursor: ${cursor}`);
  return { stamp: TrytonDateTime.parse(stamp), id: Number(id) };
}

export function formatCursor(position: PollPosition): string {
  return `${position.stamp.toISOString()}|${position.id}`;
}

export interface ChangedRecord {
  id: number;
  write_date: TrytonDateTime | null;
  create_date: TrytonDateTime;
}

export function lastChange(record: ChangedRecord): TrytonDateTime {
  return record.write_date ?? record.create_date;
}

/** Reads the next page of records of `model` changed after `cursor`, oldest change first. */
export async function readChangedSince<T extends ChangedRecord>(
  rpc: TrytonRpc, model: string, cursor: string | undefined, fields: string[], limit: number, filter: Domain = [],
): Promise<{ records: T[]; nextCursor: string | undefined }> {
  const after = parseCursor(cursor);
  const since = (field: string): Domain => after
    ? [['OR', [field, '>', after.stamp], [[field, '=', after.stamp], ['id', '>', after.id]]]]
    : [];
  const wanted = [...new Set(['id', 'write_date', 'create_date', ...fields])];
  // Sorting by "write_date, else create_date" is not possible in a domain, so read both sorted
  // streams; the first `limit` of their merge is the first `limit` overall.
  const [written, neverWritten] = await Promise.all([
    rpc.searchRead<T>(model, [['write_date', '!=', null], ...since('write_date'), ...filter], wanted,
      { limit, order: [['write_date', 'ASC'], ['id', 'ASC']] }),
    rpc.searchRead<T>(model, [['write_date', '=', null], ...since('create_date'), ...filter], wanted,
      { limit, order: [['create_date', 'ASC'], ['id', 'ASC']] }),
  ]);
  const records = [...written, ...neverWritten]
    .sort((a, b) => lastChange(a).compare(lastChange(b)) || a.id - b.id)
    .slice(0, limit);
  const last = records.at(-1);
  return { records, nextCursor: last ? formatCursor({ stamp: lastChange(last), id: last.id }) : cursor };
}
