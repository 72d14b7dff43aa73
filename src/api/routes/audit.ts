import { z } from 'zod';
import type { EngineFacade } from '../../engine/index.ts';
import type { AuditEntry } from '../../store/index.ts';
import { listOperation } from '../list-operation.ts';
import { before, limit, pageOf } from '../schemas.ts';

// The audit log: who did what to a tenant's data, when and from where, written for every operator
// and admin action taken through the API (replays, holds, decisions, corrections) and the console.

const auditEntry = z.object({
  id: z.number().int(),
  at: z.string().meta({ description: 'When (ISO-8601)' }),
  actor: z.string().meta({ description: 'The API key\'s name (the console: the key the session was opened with)' }),
  action: z.string().meta({ description: 'What: the API operation (e.g. replayMessage) or the console\'s verb' }),
  subject: z.string().meta({ description: 'What it was done to: the request\'s path, or the console\'s subject' }),
  detail: z.unknown().meta({ description: 'The answer\'s status, the client address it came from, and what the action named' }),
});

const present = (e: AuditEntry) => ({ id: e.id, at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, subject: e.subject, detail: e.detail ?? null });

export function auditOperations(engine: EngineFacade) {
  return [
    listOperation({
      path: '/v1/audit-log', operationId: 'listAuditLog', tag: 'Operations', scope: 'operate',
      summary: 'Who did what, when and from where: every operator and admin action on this tenant, newest first',
      query: z.object({ limit, before }), items: 'audit entries', schema: pageOf(auditEntry),
      list: (tenant, query) => engine.listAudit(tenant, query),
      present,
    }),
  ];
}
