import { z } from 'zod';
import type { EngineFacade } from '../../engine/index.ts';
import type { Alert } from '../../store/index.ts';
import { listOperation } from '../list-operation.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { before, limit, pageOf } from '../schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const alert = z.object({
  id: z.number().int(),
  kind: z.string().meta({ description: 'A rule\'s type (dead_letters, quarantined, circuit_open, backlog_age) or an EDI event (x12_rejected, x12_accepted_with_errors, x12_overdue)' }),
  subject: z.string(),
  message: z.string(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable().meta({ description: 'Null while the alert is open' }),
  detail: z.unknown(),
});

const present = (a: Alert) => ({
  id: a.id, kind: a.kind, subject: a.subject, message: a.message, createdAt: iso(a.createdAt), acknowledgedAt: iso(a.acknowledgedAt),
  acknowledgedBy: a.acknowledgedBy, resolvedAt: iso(a.resolvedAt), detail: a.detail ?? null,
});

const alertId = z.object({ id: z.coerce.number().int().positive().meta({ description: 'Alert id' }) });

export function alertOperations(engine: EngineFacade): Operation[] {
  const noSuch = (id: number) => new ApiProblem(404, 'not-found', `no open alert ${id} for this tenant`);
  return [
    listOperation({
      path: '/v1/alerts', operationId: 'listAlerts', tag: 'Alerts',
      summary: 'Alerts raised by the rules of the config and by EDI tracking (rejected or overdue acknowledgments), newest first',
      query: z.object({ kind: z.string().optional(), state: z.enum(['open', 'resolved']).optional().meta({ description: 'Default: both' }), limit, before }),
      items: 'alerts', schema: pageOf(alert),
      list: (tenant, { state, ...query }) => engine.listAlerts(tenant, { ...query, open: state === undefined ? undefined : state === 'open' }),
      present,
    }),
    operation({
      method: 'post', path: '/v1/alerts/{id}/acknowledge', operationId: 'acknowledgeAlert', tag: 'Alerts',
      summary: 'Say that someone is on it: the alert stays open until resolved',
      params: alertId,
      responses: { 204: { description: 'Acknowledged' }, 404: { description: 'No open, unacknowledged alert of that id for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        if (!(await engine.acknowledgeAlert(c.get('tenant'), params.id, c.get('keyName')))) throw noSuch(params.id);
        return c.body(null, 204);
      },
    }),
    operation({
      method: 'post', path: '/v1/alerts/{id}/resolve', operationId: 'resolveAlert', tag: 'Alerts',
      summary: 'Close an alert; the channels are told it is resolved',
      params: alertId,
      responses: { 204: { description: 'Resolved' }, 404: { description: 'No open alert of that id for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        if (!(await engine.resolveAlert(c.get('tenant'), params.id))) throw noSuch(params.id);
        return c.body(null, 204);
      },
    }),
  ];
}
