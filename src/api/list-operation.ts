import type { z } from 'zod';
import { operation, type Operation } from './operation.ts';
import { page } from './present.ts';

/** ISO-8601 query bounds (from, to) as the epoch milliseconds the store filters on. */
export function timeWindow<Q extends { from?: string; to?: string }>(query: Q): Omit<Q, 'from' | 'to'> & { from?: number; to?: number } {
  return { ...query, from: query.from === undefined ? undefined : Date.parse(query.from), to: query.to === undefined ? undefined : Date.parse(query.to) };
}

/**
 * A GET that lists the caller's rows newest first, a page at a time: the query holds the filters and
 * ?limit/?before, the answer the presented rows and nextBefore. Every list route is this one shape.
 */
export function listOperation<Q extends z.ZodObject, R extends { id: number }, T extends { id: number }>(op: {
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
}): Operation {
  const { items, schema, list, present, ...rest } = op;
  return operation({
    method: 'get',
    ...rest,
    responses: { 200: { description: `A page of ${items}`, schema }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
    async handle(c, { query }) {
      const rows = await list(c.get('tenant'), query as z.output<Q>);
      return c.json(page(rows.map(present), (query as { limit?: number }).limit));
    },
  });
}
