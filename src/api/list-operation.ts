import type { z } from 'zod';
import { operation, type Operation } from './operation.ts';
import { isFullPage, page } from './present.ts';

/** ISO-8601 query bounds (from, to) as the epoch milliseconds the store filters on. */
export function timeWindow<Q extends { from?: string; to?: string }>(query: Q): Omit<Q, 'from' | 'to'> & { from?: number; to?: number } {
  return { ...query, from: query.from === undefined ? undefined : Date.parse(query.from), to: query.to === undefined ? undefined : Date.parse(query.to) };
}

/** What a list route says of itself: its place, its filters, and how it reads and presents its rows. */
interface ListSpec<Q extends z.ZodObject, R, T> {
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** The key's scope it needs (default read). */
  scope?: 'read' | 'operate' | 'admin';
  query: Q;
  /** What a page holds, for its description: "A page of messages". */
  items: string;
  /** The page's response schema: a component name or a zod schema. */
  schema: string | z.ZodType;
  list(tenant: string, query: z.output<Q>): Promise<R[]>;
  present(row: R): T;
}

/** A GET answering a page of the caller's rows, `pageOf` saying how the next page is asked for. */
function pagedList<Q extends z.ZodObject, R, T>(op: ListSpec<Q, R, T>, pageOf: (rows: R[], items: T[], limit: number | undefined) => object): Operation {
  const { items, schema, list, present, ...rest } = op;
  return operation({
    method: 'get',
    ...rest,
    responses: { 200: { description: `A page of ${items}`, schema }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
    async handle(c, { query }) {
      const rows = await list(c.get('tenant'), query as z.output<Q>);
      return c.json(pageOf(rows, rows.map(present), (query as { limit?: number }).limit));
    },
  });
}

/**
 * A GET that lists the caller's rows newest first, a page at a time: the query holds the filters and
 * ?limit/?before, the answer the presented rows and nextBefore. Every list of stored rows is this shape.
 */
export function listOperation<Q extends z.ZodObject, R extends { id: number }, T extends { id: number }>(op: ListSpec<Q, R, T>): Operation {
  return pagedList(op, (_rows, items, limit) => page(items, limit));
}

/**
 * A GET that lists the caller's rows in the order of a key (an order number, a reference), a page at a
 * time: the answer's nextAfter, the key of a full page's last row, is the next page's ?after.
 */
export function keyedListOperation<Q extends z.ZodObject, R, T>(op: ListSpec<Q, R, T> & { key(row: R): string }): Operation {
  const { key, ...rest } = op;
  return pagedList(rest, (rows, items, limit) => ({ items, nextAfter: isFullPage(rows.length, limit) ? key(rows[rows.length - 1]!) : null }));
}
