import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { decodeContentEncoding } from './content-encoding.ts';
import { HTTPException } from 'hono/http-exception';
import { startAlerting } from '../console/alerts/index.ts';
import { consoleApp, warmConsole } from '../console/index.tsx';
import { HubFacade, type Hub } from '../engine/index.ts';
import { KeyRing, requireKey, requireMetricsKey, requireOperatorKey } from './auth.ts';
import type { ApiEnv } from './context.ts';
import { buildOpenApi } from './openapi.ts';
import { honoPath, parseInput, type Operation } from './operation.ts';
import { ApiProblem } from './problems.ts';
import { recordApiAction } from './audit.ts';
import { TenantLimiter } from './limits.ts';
import { alertOperations } from './routes/alerts.ts';
import { auditOperations } from './routes/audit.ts';
import { billingOperations } from './routes/billing.ts';
import { deliveryOperations } from './routes/deliveries.ts';
import { ediOperations } from './routes/edi.ts';
import { ingestOperations } from './routes/ingest.ts';
import { inventoryOperations } from './routes/inventory.ts';
import { messageOperations } from './routes/messages.ts';
import { opsOperations } from './routes/ops.ts';
import { orderOperations } from './routes/orders.ts';

export { hashApiKey, KeyRing } from './auth.ts';
export { buildOpenApi } from './openapi.ts';
export { ApiProblem, PROBLEM_CONTENT_TYPE, type ProblemBody } from './problems.ts';
export type { ApiEnv } from './context.ts';
export type { Operation } from './operation.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every operation of the API: mounted from this list and described from it, so the two agree. */
export function apiOperations(hub: Hub): Operation[] {
  // The engine's public face is all the routes see of the hub.
  const engine = HubFacade.of(hub);
  let document: Record<string, unknown> | undefined;
  const operations: Operation[] = [
    ...ingestOperations(engine),
    ...messageOperations(engine),
    ...deliveryOperations(engine),
    ...ediOperations(engine),
    ...inventoryOperations(engine),
    ...orderOperations(engine),
    ...alertOperations(engine),
    ...auditOperations(engine),
    ...billingOperations(engine),
    ...opsOperations(engine, () => (document ??= buildOpenApi(operations, { version: VERSION }))),
  ];
  return operations;
}

/** The HTTP API of a hub, on the web platform's Request/Response (any Hono adapter can serve it). */
export function createApi(hub: Hub): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const engine = HubFacade.of(hub);
  const settings = engine.apiSettings;
  const log = engine.logger.child({ component: 'api' });
  const keys = new KeyRing(settings.keys, engine);
  const auth = { read: requireKey(keys, 'read'), ingest: requireKey(keys, 'ingest'), operate: requireKey(keys, 'operate'), admin: requireKey(keys, 'admin') };

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // Never the headers: they carry keys and signatures.
    const line = { method: c.req.method, path: c.req.routePath, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10, tenant: c.get('tenant'), key: c.get('keyName') };
    if (c.res.status >= 500) log.error(line, 'request failed');
    else log.debug(line, 'request');
  });
  const maxBody = settings.maxBodyBytes;
  const tooLarge = () => {
    throw new ApiProblem(413, 'payload-too-large', `the body is larger than ${maxBody} bytes (api.maxBodyBytes)`, [{ code: 'BODY_TOO_LARGE', path: '$', message: `at most ${maxBody} bytes` }]);
  };
  const streamedLimit = bodyLimit({ maxSize: maxBody, onError: tooLarge });
  app.use('*', async (c, next) => {
    // A declared length is checked without touching the body (touching it makes the adapter build
    // a web stream for every request); a streamed (chunked) body is counted as it arrives.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) return Number(declared) > maxBody ? tooLarge() : next();
    return streamedLimit(c, next);
  });
  app.use('*', decodeContentEncoding(maxBody, tooLarge));

  // The operations console shares the port; its routes never overlap the API's (/v1, /health, /metrics, /openapi.json).
  if (engine.consoleSettings.enabled) app.route('/', consoleApp(engine, keys) as unknown as Hono<ApiEnv>);

  const limiter = new TenantLimiter(settings.limits, engine);
  for (const op of apiOperations(hub)) {
    const scope = op.scope ?? (op.method === 'get' ? 'read' : 'operate');
    const handler = async (c: Context<ApiEnv>) => {
      if (op.open) return op.handle(c, await parseInput(c, op));
      // Limits are the clients' own: an operator key (all tenants) is the 3PL at work, not held to them.
      if (!c.get('allTenants')) limiter.admitRequest(c.get('tenant'));
      if (scope === 'ingest') await limiter.admitIngest(c.get('tenant'));
      if (scope !== 'operate' && scope !== 'admin') return op.handle(c, await parseInput(c, op));
      // Operator and admin actions are written to the audit log, refused ones too.
      let status = 500;
      try {
        const response = await op.handle(c, await parseInput(c, op));
        status = response.status;
        return response;
      } catch (e) {
        if (e instanceof ApiProblem) status = e.status;
        throw e;
      } finally {
        await recordApiAction(engine, c, op.operationId, status).catch((e) => log.error({ err: e }, 'could not write the audit log'));
      }
    };
    if (op.allTenants) app.on(op.method.toUpperCase(), honoPath(op.path), requireOperatorKey(keys, scope), handler);
    else if (op.metricsKey && engine.metricsSettings.requireKey) app.on(op.method.toUpperCase(), honoPath(op.path), requireMetricsKey(keys), handler);
    else if (op.open) app.on(op.method.toUpperCase(), honoPath(op.path), handler);
    else app.on(op.method.toUpperCase(), honoPath(op.path), auth[op.scope ?? (op.method === 'get' ? 'read' : 'operate')], handler);
  }

  app.notFound((c) => new ApiProblem(404, 'not-found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`).toResponse());
  app.onError((err) => {
    if (err instanceof ApiProblem) return err.toResponse();
    if (err instanceof HTTPException) return new ApiProblem(err.status, err.status === 413 ? 'payload-too-large' : 'bad-request', err.message || 'the request was refused').toResponse();
    log.error({ err }, 'unexpected error answering a request');
    return new ApiProblem(500, 'internal', 'an unexpected error occurred; it has been logged').toResponse();
  });
  return app;
}

export interface ApiServer {
  url: string;
  /** How long reading the console's pages once took before the port answered, ms. */
  warmMs: number;
  /** The alert rules and channels, checked every alerts.evaluateEveryMs (runOnce: now). */
  alerting: import('../console/alerts/index.ts').Alerting;
  close(): Promise<void>;
}

/** Serves the API on `host:port` (port 0 picks a free one); resolves once it listens. */
export async function startApiServer(hub: Hub, options: { listen?: string } = {}): Promise<ApiServer> {
  const engine = HubFacade.of(hub);
  const listen = options.listen ?? engine.apiSettings.listen;
  const at = listen.lastIndexOf(':');
  const hostname = listen.slice(0, at);
  const port = Number(listen.slice(at + 1));
  const app = createApi(hub);
  // The console's first views would otherwise pay for preparing statements, summing a week of
  // trend hours and a cold cache: done here, before the port answers.
  const warmMs = engine.consoleSettings.enabled
    ? await warmConsole(engine).catch((err: unknown) => {
      // A page that fails here fails when asked too, with its own error: never a reason not to start.
      engine.logger.warn({ err }, 'reading the console\'s pages once before listening failed');
      return 0;
    })
    : 0;
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, (info) => resolve({ server, address: info }));
    server.once('error', reject);
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  engine.logger.info({ url: `http://${host}:${address.port}`, consoleWarmMs: Math.round(warmMs) }, engine.consoleSettings.enabled ? 'API and console listening' : 'API listening');
  // The process that serves the console tells the alert channels (one such process at a time, by lease).
  const alerting = startAlerting(engine);
  return {
    url: `http://${host}:${address.port}`,
    warmMs,
    alerting,
    close: async () => {
      await alerting.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Keep-alive connections would hold close() open until they time out.
        (server as import('node:http').Server).closeIdleConnections?.();
      });
    },
  };
}
