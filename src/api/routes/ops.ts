import { z } from 'zod';
import type { HubFacade } from '../../engine/index.ts';
import { CausewayFault } from '../../model/index.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { KPI_WINDOWS, kpisQuery } from '../schemas.ts';

const reloadResult = z.object({
  tenant: z.string(),
  status: z.enum(['applied', 'unchanged']),
  endpoints: z.array(z.string()).optional().meta({ description: 'The tenant\'s endpoints now, each restarted' }),
  flows: z.number().int().optional().meta({ description: 'The tenant\'s flows now' }),
});

const percentileMs = z.number().nullable();
const clientsOverview = z.object({
  window: z.object({ from: z.string(), to: z.string() }),
  clients: z.array(z.object({
    tenant: z.string(),
    throughput: z.object({ delivered: z.number(), perMinute: z.number(), messages: z.number() }),
    errorRate: z.object({ failedAttemptsPerThousand: z.number(), deadLettersPerThousandDeliveries: z.number(), quarantinedPerThousandMessages: z.number() }),
    rules: z.object({ apply: z.number(), hold: z.number(), refuse: z.number(), stale: z.number(), superseded: z.number() }),
    syncLatencyP95Ms: percentileMs, orderToShipmentP95Ms: percentileMs,
    openDeadLetters: z.object({ deliveries: z.number().int(), messages: z.number().int() }),
    backlog: z.object({ pending: z.number().int(), oldestAgeMs: percentileMs }),
  })),
  backlog: z.array(z.object({ tenant: z.string(), endpoint: z.string(), pending: z.number().int(), oldestAgeMs: percentileMs })).meta({ description: 'Every client\'s waiting deliveries per endpoint, the oldest first' }),
});

export function opsOperations(engine: HubFacade, openapi: () => Record<string, unknown>): Operation[] {
  return [
    operation({
      method: 'get', path: '/v1/kpis', operationId: 'getKpis', tag: 'Operations',
      summary: 'The measures the product exists for, over a window',
      description: 'Data synchronisation time (p50/p95/p99), order to shipment time, throughput, integration error rate and backlog per endpoint.',
      query: kpisQuery,
      responses: { 200: { description: 'KPIs of the tenant', schema: 'Kpis' }, 400: { description: 'Unknown window', schema: 'Problem' } },
      async handle(c, { query }) {
        const now = Date.now();
        const from = now - KPI_WINDOWS[query.window];
        return c.json(await engine.kpis(c.get('tenant'), from, now));
      },
    }),
    operation({
      method: 'get', path: '/health', operationId: 'getHealth', tag: 'Operations', open: true,
      summary: 'Whether the store answers',
      responses: { 200: { description: 'Healthy', schema: 'Health' }, 503: { description: 'The store does not answer', schema: 'Problem' } },
      async handle(c) {
        try {
          await engine.checkStore();
        } catch (e) {
          engine.logger.error({ err: e }, 'health check: the store does not answer');
          throw new ApiProblem(503, 'unavailable', 'the store does not answer');
        }
        return c.json({ status: 'ok' as const });
      },
    }),
    operation({
      method: 'get', path: '/metrics', operationId: 'getMetrics', tag: 'Operations', open: true, metricsKey: true,
      summary: 'Prometheus metrics (causeway_*)',
      description: 'The whole hub\'s figures. Open unless metrics.requireKey is set; then an operator key or a key with the metrics scope. '
        + 'With metrics.tenantLabels false, series are summed over tenants and name none.',
      responses: {
        200: { description: 'Prometheus text exposition format', contentType: 'text/plain' },
        401: { description: 'No or unknown API key (metrics.requireKey)', schema: 'Problem' },
        403: { description: 'The key is neither an operator key nor given the metrics scope', schema: 'Problem' },
      },
      async handle() {
        const { contentType, text } = await engine.metricsExposition();
        return new Response(text, { headers: { 'content-type': contentType } });
      },
    }),
    operation({
      method: 'get', path: '/v1/clients', operationId: 'getClientsOverview', tag: 'Operations', allTenants: true,
      summary: 'Every client at once: per-client KPIs and the cross-client backlog (operator keys only)',
      description: 'For the 3PL\'s operator: each client\'s throughput, error rates, 95th percentiles, rules verdicts, open dead letters and backlog over the window, '
        + 'and every client\'s waiting deliveries per endpoint in one list, the oldest first. Needs an operator key (tenant "*") and no ?tenant=; a client\'s key is refused.',
      query: kpisQuery,
      responses: {
        200: { description: 'Every client\'s figures', schema: clientsOverview },
        403: { description: 'Not an operator key', schema: 'Problem' },
      },
      async handle(c, { query }) {
        const now = Date.now();
        return c.json(await engine.clientsOverview(now - KPI_WINDOWS[query.window], now));
      },
    }),
    operation({
      method: 'post', path: '/v1/config/reload', operationId: 'reloadClientConfig', tag: 'Operations', scope: 'admin',
      summary: 'Reads this tenant\'s client config again and applies it without a restart',
      description: 'With clients.folder set (docs/3pl.md): the tenant\'s file or folder is read and checked as `causeway validate` checks a config; '
        + 'when valid, only the tenant\'s endpoints restart and its flows, mappings and code tables apply from the next batch. '
        + 'A config that fails is refused with its errors and the running one kept. Either way the tenant\'s audit log records it. '
        + 'It reloads the process that answers; the others follow through their watch of the folder, or SIGHUP.',
      responses: {
        200: { description: 'Applied, or unchanged', schema: reloadResult },
        404: { description: 'The config names no clients folder, or the folder has no config for this tenant', schema: 'Problem' },
        422: { description: 'The client\'s config failed its checks; the running one is kept', schema: 'Problem' },
      },
      async handle(c) {
        try {
          return c.json(await engine.reloadClientConfig(c.get('tenant'), c.get('keyName') ?? 'unknown'));
        } catch (e) {
          if (!(e instanceof CausewayFault)) throw e;
          if (e.errors.some((x) => x.code === 'CONFIG_NO_CLIENTS' || x.code === 'CONFIG_NO_CLIENT')) throw new ApiProblem(404, 'not-found', e.errors[0]!.message);
          throw new ApiProblem(422, 'config-invalid', 'the client\'s config was refused; the running one is kept', e.errors);
        }
      },
    }),
    operation({
      method: 'get', path: '/openapi.json', operationId: 'getOpenApi', tag: 'Operations', open: true,
      summary: 'This API described as OpenAPI 3.1',
      responses: { 200: { description: 'The OpenAPI document' } },
      handle: (c) => c.json(openapi()),
    }),
  ];
}
