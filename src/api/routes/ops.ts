import type { HubFacade } from '../../engine/index.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { KPI_WINDOWS, kpisQuery } from '../schemas.ts';

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
      method: 'get', path: '/openapi.json', operationId: 'getOpenApi', tag: 'Operations', open: true,
      summary: 'This API described as OpenAPI 3.1',
      responses: { 200: { description: 'The OpenAPI document' } },
      handle: (c) => c.json(openapi()),
    }),
  ];
}
