import type { Hub } from '../../engine/index.ts';
import { computeKpis } from '../../engine/index.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { KPI_WINDOWS, kpisQuery } from '../schemas.ts';

export function opsOperations(hub: Hub, openapi: () => Record<string, unknown>): Operation[] {
  const { store, metrics } = hub;
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
        return c.json(computeKpis(await store.kpiSample(c.get('tenant'), from, now), from, now));
      },
    }),
    operation({
      method: 'get', path: '/health', operationId: 'getHealth', tag: 'Operations', open: true,
      summary: 'Whether the store answers',
      responses: { 200: { description: 'Healthy', schema: 'Health' }, 503: { description: 'The store does not answer', schema: 'Problem' } },
      async handle(c) {
        try {
          await store.getCursor('_health', '_health');
        } catch (e) {
          hub.logger.error({ err: e }, 'health check: the store does not answer');
          throw new ApiProblem(503, 'unavailable', 'the store does not answer');
        }
        return c.json({ status: 'ok' as const });
      },
    }),
    operation({
      method: 'get', path: '/metrics', operationId: 'getMetrics', tag: 'Operations', open: true,
      summary: 'Prometheus metrics (causeway_*)',
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
      async handle() {
        // The backlog lives in the store, shared by every worker: read it at scrape, not kept in memory.
        const now = Date.now();
        const sample = await store.kpiSample(undefined, now, now);
        metrics.backlog.reset();
        for (const b of sample.backlog) metrics.backlog.set({ endpoint: b.endpoint }, b.pending);
        return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
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
