import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { EngineFacade } from '../engine/index.ts';
import type { ApiEnv } from './context.ts';

/** Where the request came from: the peer's address (behind a proxy, the proxy's). */
function clientAddress(c: Context<ApiEnv>): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // Not served by the Node adapter (a test calling app.request()).
  }
}

/** Writes one operator or admin action taken through the API: who, what, to what, when, from where, and how it ended. */
export async function recordApiAction(engine: EngineFacade, c: Context<ApiEnv>, operationId: string, status: number): Promise<void> {
  const tenant = c.get('tenant');
  if (!tenant) return;
  const url = new URL(c.req.url);
  // The query may name the tenant (operator keys) but never carries a secret: keys travel in headers.
  await engine.recordAudit({
    tenant, actor: c.get('keyName') ?? 'unknown', action: operationId, subject: `${c.req.method} ${url.pathname}`,
    detail: { status, from: clientAddress(c), via: 'api', ...(url.search ? { query: url.search.slice(1) } : {}) },
    at: Date.now(),
  });
}
