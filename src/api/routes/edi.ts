import { z } from 'zod';
import type { EngineFacade } from '../../engine/index.ts';
import { operation, type Operation } from '../operation.ts';
import { page } from '../present.ts';

const limit = z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many, newest first (default 100)' });
const before = z.coerce.number().int().positive().optional().meta({ description: 'Only ids below this (the previous page\'s nextBefore)' });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const groupStatus = z.enum(['sent', 'accepted', 'accepted_with_errors', 'partially_accepted', 'rejected', 'overdue']);
const nextBefore = z.number().int().nullable().meta({ description: 'Pass as ?before= for the next (older) page; null on the last page' });

const ediGroup = z.object({
  id: z.number().int(),
  partner: z.string(),
  status: groupStatus,
  interchangeControlNumber: z.string().meta({ description: 'ISA13 of the interchange the group went in' }),
  groupControlNumber: z.string().meta({ description: 'GS06, which the partner\'s AK1-02 names' }),
  functionalId: z.string().meta({ description: 'GS01, e.g. OW for 940s' }),
  sets: z.array(z.object({ id: z.string(), controlNumber: z.string() })).meta({ description: 'ST01 and ST02 of each set' }),
  endpoint: z.string(),
  messageId: z.number().int().nullable().meta({ description: 'The message whose documents were written' }),
  sentAt: z.string(),
  deadlineAt: z.string().nullable().meta({ description: 'Overdue after this without a 997/999; null when none is expected' }),
  acknowledgedAt: z.string().nullable(),
  acknowledgmentMessageId: z.number().int().nullable().meta({ description: 'The message that carried the partner\'s 997/999' }),
  acknowledgment: z.unknown().meta({ description: 'Set statuses and errors as the partner reported them' }),
});

const ediDuplicate = z.object({
  id: z.number().int(),
  kind: z.enum(['interchange', 'set']),
  key: z.string().meta({ description: 'Sender qualifier:id:ISA13, or sender:set id:content hash' }),
  partner: z.string(),
  firstMessageId: z.number().int(),
  lastMessageId: z.number().int(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  count: z.number().int().meta({ description: 'Times received within the window, the first included' }),
});

const alert = z.object({
  id: z.number().int(),
  kind: z.string().meta({ description: 'x12_rejected, x12_partially_accepted, x12_accepted_with_errors, x12_overdue' }),
  subject: z.string(),
  message: z.string(),
  createdAt: z.string(),
  detail: z.unknown(),
});

export function ediOperations(engine: EngineFacade): Operation[] {
  return [
    operation({
      method: 'get', path: '/v1/edi/groups', operationId: 'listEdiGroups', tag: 'EDI',
      summary: 'X12 functional groups sent to partners and where their acknowledgment stands',
      description: 'sent: waiting for the partner\'s 997/999; overdue: past the profile\'s acknowledgments.deadline. Newest first.',
      query: z.object({ status: groupStatus.optional(), partner: z.string().optional(), limit, before }),
      responses: { 200: { description: 'A page of groups', schema: z.object({ items: z.array(ediGroup), nextBefore }) }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const rows = await engine.listEdiGroups(c.get('tenant'), { status: query.status, partner: query.partner, limit: query.limit, before: query.before });
        return c.json(page(rows.map((g) => ({
          id: g.id, partner: g.partner, status: g.status, interchangeControlNumber: g.interchangeControlNumber, groupControlNumber: g.groupControlNumber,
          functionalId: g.functionalId, sets: g.sets, endpoint: g.endpoint, messageId: g.messageId, sentAt: iso(g.sentAt), deadlineAt: iso(g.deadlineAt),
          acknowledgedAt: iso(g.ackedAt), acknowledgmentMessageId: g.ackMessageId, acknowledgment: g.ackDetail,
        })), query.limit));
      },
    }),
    operation({
      method: 'get', path: '/v1/edi/duplicates', operationId: 'listEdiDuplicates', tag: 'EDI',
      summary: 'X12 interchanges and sets received more than once and not applied again',
      query: z.object({ limit, before }),
      responses: { 200: { description: 'A page of duplicates', schema: z.object({ items: z.array(ediDuplicate), nextBefore }) } },
      async handle(c, { query }) {
        const rows = await engine.listEdiDuplicates(c.get('tenant'), { limit: query.limit, before: query.before });
        return c.json(page(rows.map((d) => ({ ...d, tenant: undefined, firstSeenAt: iso(d.firstSeenAt), lastSeenAt: iso(d.lastSeenAt) })), query.limit));
      },
    }),
    operation({
      method: 'get', path: '/v1/alerts', operationId: 'listAlerts', tag: 'EDI',
      summary: 'Alerts: partner acknowledgments that rejected or noted errors, acknowledgments overdue',
      query: z.object({ kind: z.string().optional(), limit, before }),
      responses: { 200: { description: 'A page of alerts', schema: z.object({ items: z.array(alert), nextBefore }) } },
      async handle(c, { query }) {
        const rows = await engine.listAlerts(c.get('tenant'), { kind: query.kind, limit: query.limit, before: query.before });
        return c.json(page(rows.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject, message: a.message, createdAt: iso(a.createdAt), detail: a.detail ?? null })), query.limit));
      },
    }),
  ];
}
