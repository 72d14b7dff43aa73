import type { Context } from 'hono';
import type { z } from 'zod';
import { closestFieldName, fieldNamesAt, jsonPath, type CausewayError } from '../model/index.ts';
import type { ApiEnv } from './context.ts';
import { ApiProblem, badRequest } from './problems.ts';

/** A response an operation can give, for the OpenAPI document. */
export interface ResponseSpec {
  description: string;
  /** A named component (e.g. "Message") or a zod schema; absent: no body described. */
  schema?: string | z.ZodType;
  /** Defaults to application/json; problems are application/problem+json. */
  contentType?: string;
}

/** What the request body is: JSON parsed with a schema, or bytes the handler reads itself. */
export type BodySpec =
  | { kind: 'json'; schema: z.ZodType; component?: string; description?: string }
  | { kind: 'raw'; description: string; content: Record<string, { schema?: string | Record<string, unknown> }> };

export interface Operation {
  method: 'get' | 'post';
  /** OpenAPI form: /v1/messages/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Open routes need no API key. */
  open?: boolean;
  /** The key's scope it needs; default read for GET, operate otherwise. */
  scope?: 'read' | 'ingest' | 'operate' | 'admin';
  /** Over every client at once: an operator key (tenant "*") only, and no ?tenant=. */
  allTenants?: boolean;
  /** Open unless metrics.requireKey is set; then an operator key or one with the metrics scope. */
  metricsKey?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  body?: BodySpec;
  responses: Record<number, ResponseSpec>;
  handle(c: Context<ApiEnv>, input: { params: any; query: any; body: any }): Promise<Response> | Response;
}

/** Ties a handler's input types to the schemas that parse them. */
export function operation<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends BodySpec | undefined = undefined>(
  op: Omit<Operation, 'params' | 'query' | 'body' | 'handle'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(c: Context<ApiEnv>, input: {
      params: P extends z.ZodObject ? z.output<P> : Record<string, never>;
      query: Q extends z.ZodObject ? z.output<Q> : Record<string, never>;
      body: B extends { kind: 'json'; schema: infer S extends z.ZodType } ? z.output<S> : undefined;
    }): Promise<Response> | Response;
  },
): Operation {
  return op as Operation;
}

/** Hono's path syntax for an OpenAPI path. */
export function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

function issues(error: z.ZodError, where: string): CausewayError[] {
  return error.issues.map((i) => {
    const path = where === '$' ? jsonPath(i.path) : `${where}.${i.path.join('.')}`;
    return { code: 'REQUEST_INVALID', path: path.endsWith('.') ? path.slice(0, -1) : path, message: i.message };
  });
}

/** Taken by every route: the tenant an operator key works on (requireKey). */
const EVERY_ROUTE = ['tenant'];

/**
 * Query parameters the operation does not take. Ignoring one would answer another question than
 * the one asked: `?stauts=quarantined` would list every message, not the quarantined ones.
 */
function unknownParameters(given: Record<string, string>, schema: z.ZodType | undefined): CausewayError[] {
  const names = Object.keys(given).filter((k) => !EVERY_ROUTE.includes(k));
  if (names.length === 0) return [];
  const allowed = schema ? fieldNamesAt(schema, []) : [];
  return names.filter((k) => !allowed.includes(k)).map((k) => {
    const meant = closestFieldName(k, allowed);
    const hint = meant ? `; did you mean "${meant}"?` : allowed.length ? `; it takes ${[...allowed, ...EVERY_ROUTE].join(', ')}` : `; it takes only ${EVERY_ROUTE.join(', ')}`;
    return { code: 'QUERY_UNKNOWN_PARAMETER', path: `query.${k}`, message: `this operation has no query parameter "${k}"${hint}` };
  });
}

/** A parameter given more than once: every parameter takes one value, and which one counts cannot be guessed. */
function repeatedParameters(all: Record<string, string[]>): CausewayError[] {
  return Object.entries(all).filter(([, values]) => values.length > 1).map(([k, values]) => ({
    code: 'QUERY_PARAMETER_REPEATED', path: `query.${k}`, message: `"${k}" is given ${values.length} times (${values.slice(0, 3).map((v) => JSON.stringify(v)).join(', ')}${values.length > 3 ? ', ...' : ''}); it takes one value`,
  }));
}

/** Parses path, query and JSON body with the operation's schemas; faults become a 400 problem naming the field. */
export async function parseInput(c: Context<ApiEnv>, op: Operation): Promise<{ params: unknown; query: unknown; body: unknown }> {
  const params = op.params ? op.params.safeParse(c.req.param()) : undefined;
  if (params && !params.success) throw notFoundOrBad(params.error);
  const given = c.req.query();
  const unknown = [...unknownParameters(given, op.query), ...repeatedParameters(c.req.queries())];
  if (unknown.length) throw badRequest('the query parameters are not valid', unknown);
  const query = op.query ? op.query.safeParse(given) : undefined;
  if (query && !query.success) throw badRequest('the query parameters are not valid', issues(query.error, 'query'));
  let body: unknown;
  if (op.body?.kind === 'json') {
    const text = await c.req.text();
    let value: unknown;
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch (e) {
      throw badRequest(`the request body is not JSON: ${(e as Error).message}`, [{ code: 'BODY_MALFORMED', path: '$', message: (e as Error).message }]);
    }
    const parsed = op.body.schema.safeParse(value);
    if (!parsed.success) throw badRequest('the request body is not valid', issues(parsed.error, '$'));
    body = parsed.data;
  }
  return { params: params?.data ?? {}, query: query?.data ?? {}, body };
}

/** A path id that is not a number names nothing: 404, as for an id that does not exist. */
function notFoundOrBad(error: z.ZodError): ApiProblem {
  return new ApiProblem(404, 'not-found', 'no such resource', issues(error, 'path'));
}
