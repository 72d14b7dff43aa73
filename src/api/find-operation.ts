import type { Context } from 'hono';
import type { z } from 'zod';
import type { ApiEnv } from './context.ts';
import { operation, type BodySpec, type Operation } from './operation.ts';
import { notFound } from './problems.ts';

/**
 * An operation on one thing the path names (a message, an order, an inbound): a 404 saying which when
 * the tenant has none, else what `respond` makes of it. `find` may also act on it (hold, replay).
 */
export function findOperation<P extends z.ZodObject, T, B extends BodySpec | undefined = undefined>(
  op: Pick<Operation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'description'> & {
    params: P;
    body?: B;
    ok: Operation['responses'];
    /** The 404: its description, and its detail for the path's values. */
    missing: { description: string; detail(params: z.output<P>): string };
    find(c: Context<ApiEnv>, input: { params: z.output<P>; body: B extends { kind: 'json'; schema: infer S extends z.ZodType } ? z.output<S> : undefined }): Promise<T | undefined | null>;
    respond(c: Context<ApiEnv>, found: T): Response;
  },
): Operation {
  const { ok, missing, find, respond, ...rest } = op;
  return operation({
    ...rest,
    responses: { ...ok, 404: { description: missing.description, schema: 'Problem' } },
    async handle(c, input) {
      const found = await find(c, input as never);
      if (found === undefined || found === null) throw notFound(missing.detail(input.params as z.output<P>));
      return respond(c, found);
    },
  });
}
