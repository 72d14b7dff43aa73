import { z } from 'zod';
import type { Context } from 'hono';
import type { EngineFacade } from '../../engine/index.ts';
import type { Alert } from '../../store/index.ts';
import type { ApiEnv } from '../context.ts';
import { listOperation } from '../list-operation.ts';
import { operation, type Operation } from '../operation.ts';
import { ApiProblem } from '../problems.ts';
import { before, limit, pageOf } from '../schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const alert = z.object({
  id: z.number().int(),
  kind: z.string().meta({ description: 'A rule\'s type (dead_letters, quarantined, circuit_open, backlog_age, source_down), a file a source left (source_file_skipped) or an EDI event (x12_rejected, x12_accepted_with_errors, x12_overdue)' }),
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

/** POST /v1/alerts/{id}/<action>: 204 when the alert was in a state to take it, else a 404 saying so. */
function alertAction(action: 'acknowledge' | 'resolve', summary: string, missing: string, act: (c: Context<ApiEnv>, id: number) => Promise<boolean>): Operation {
  return operation({
    method: 'post', path: `/v1/alerts/{id}/${action}`, operationId: `${action}Alert`, tag: 'Alerts', summary,
    params: alertId,
    responses: { 204: { description: action === 'resolve' ? 'Resolved' : 'Acknowledged' }, 404: { description: missing, schema: 'Problem' } },
    async handle(c, { params }) {
      if (!(await act(c, params.id))) throw new ApiProblem(404, 'not-found', `no open alert ${params.id} for this tenant`);
      return c.body(null, 204);
    },
  });
}

export function alertOperations(engine: EngineFacade): Operation[] {
  return [
    listOperation({
      path: '/v1/alerts', operationId: 'listAlerts', tag: 'Alerts',
      summary: 'Alerts raised by the rules of the config and by EDI tracking (rejected or overdue acknowledgments), newest first',
      query: z.object({ kind: z.string().optional(), state: z.enum(['open', 'resolved']).optional().meta({ description: 'Default: both' }), limit, before }),
      items: 'alerts', schema: pageOf(alert),
      list: (tenant, { state, ...query }) => engine.listAlerts(tenant, { ...query, open: state === undefined ? undefined : state === 'open' }),
      present,
    }),
    alertAction('acknowledge', 'Say that someone is on it: the alert stays open until resolved', 'No open, unacknowledged alert of that id for this tenant',
      (c, id) => engine.acknowledgeAlert(c.get('tenant'), id, c.get('keyName'))),
    alertAction('resolve', 'Close an alert; the channels are told it is resolved', 'No open alert of that id for this tenant',
      (c, id) => engine.resolveAlert(c.get('tenant'), id)),
  ];
}
