import { z } from 'zod';
import { envelopeShape } from '../common.ts';

const ackError = z.strictObject({
  code: z.string().max(40),
  message: z.string().max(1000),
  path: z.string().max(256).optional(),
  segmentId: z.string().max(3).optional().meta({ description: 'X12 segment at fault (AK3-01 / IK3-01)' }),
  segmentPosition: z.number().int().positive().optional().meta({ description: 'Its position in the set, ST being 1 (AK3-02)' }),
  loopId: z.string().max(6).optional(),
  elementPosition: z.number().int().positive().optional().meta({ description: 'Element position in the segment (AK4-01)' }),
  componentPosition: z.number().int().positive().optional(),
  elementReference: z.string().max(4).optional().meta({ description: 'Data element reference number (AK4-02)' }),
  badValue: z.string().max(99).optional().meta({ description: 'Copy of the bad data element (AK4-04)' }),
});

/** A partner's (or our) answer to a message: an X12 997/999 (functional), a TA1 (interchange), an API acknowledgement. */
export const acknowledgment = z.strictObject({
  type: z.literal('acknowledgment'),
  ...envelopeShape,
  kind: z.enum(['functional', 'interchange', 'application']).default('functional'),
  status: z.enum(['accepted', 'accepted_with_errors', 'partially_accepted', 'rejected']),
  acknowledges: z.strictObject({
    documentType: z.string().max(40).optional(),
    reference: z.string().max(128).optional().meta({ description: 'What is acknowledged: a document id or an X12 group control number' }),
    senderId: z.string().max(40).optional(),
    receiverId: z.string().max(40).optional(),
    senderQualifier: z.string().max(4).optional().meta({ description: 'Identification code qualifier of senderId (EDIFACT UNB S002 0007, X12 ISA05): 14 GLN, 1 DUNS, ZZZ mutually defined' }),
    receiverQualifier: z.string().max(4).optional().meta({ description: 'Identification code qualifier of receiverId (EDIFACT UNB S003 0007, X12 ISA07)' }),
    functionalId: z.string().max(4).optional().meta({ description: 'X12 GS01 of the acknowledged group' }),
    groupControlNumber: z.string().max(16).optional(),
    version: z.string().max(16).optional(),
    declaredSets: z.number().int().nonnegative().optional().meta({ description: 'X12 GE01: how many sets the acknowledged group said it holds (AK902)' }),
    interchangeAt: z.string().max(32).optional().meta({ description: 'X12 ISA09/ISA10 of the acknowledged interchange (TA102/TA103)' }),
  }),
  sets: z.array(z.strictObject({
    transactionSetId: z.string().max(8),
    controlNumber: z.string().max(16),
    status: z.enum(['accepted', 'accepted_with_errors', 'rejected']),
    errors: z.array(ackError).default([]),
  })).default([]),
  errors: z.array(ackError).default([]),
});
export type Acknowledgment = z.infer<typeof acknowledgment>;
