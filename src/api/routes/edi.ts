import { z } from 'zod';
import type { EngineFacade } from '../../engine/index.ts';
import { listOperation } from '../list-operation.ts';
import type { Operation } from '../operation.ts';
import { before, limit, pageOf } from '../schemas.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const groupStatus = z.enum(['sent', 'accepted', 'accepted_with_errors', 'partially_accepted', 'rejected', 'overdue']);

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

export function ediOperations(engine: EngineFacade): Operation[] {
  return [
    listOperation({
      path: '/v1/edi/groups', operationId: 'listEdiGroups', tag: 'EDI',
      summary: 'X12 functional groups sent to partners and where their acknowledgment stands',
      description: 'sent: waiting for the partner\'s 997/999; overdue: past the profile\'s acknowledgments.deadline. Newest first.',
      query: z.object({ status: groupStatus.optional(), partner: z.string().optional(), limit, before }),
      items: 'groups', schema: pageOf(ediGroup),
      list: (tenant, query) => engine.listEdiGroups(tenant, query),
      present: (g) => ({
        id: g.id, partner: g.partner, status: g.status, interchangeControlNumber: g.interchangeControlNumber, groupControlNumber: g.groupControlNumber,
        functionalId: g.functionalId, sets: g.sets, endpoint: g.endpoint, messageId: g.messageId, sentAt: iso(g.sentAt), deadlineAt: iso(g.deadlineAt),
        acknowledgedAt: iso(g.ackedAt), acknowledgmentMessageId: g.ackMessageId, acknowledgment: g.ackDetail,
      }),
    }),
    listOperation({
      path: '/v1/edi/duplicates', operationId: 'listEdiDuplicates', tag: 'EDI',
      summary: 'X12 interchanges and sets received more than once and not applied again',
      query: z.object({ limit, before }), items: 'duplicates', schema: pageOf(ediDuplicate),
      list: (tenant, query) => engine.listEdiDuplicates(tenant, query),
      present: (d) => ({ ...d, tenant: undefined, firstSeenAt: iso(d.firstSeenAt), lastSeenAt: iso(d.lastSeenAt) }),
    }),
  ];
}
