import { z } from 'zod';
import { DOCUMENT_TYPES, type DocumentType } from '../../model/index.ts';

/**
 * The business rules' settings, as they will sit in the config under `rules:` for a flow or a
 * partner. Every field has a default, so `{}` is a complete policy; docs/rules.md explains each
 * rule in a warehouse manager's words.
 */

const overQuantity = (what: 'shipment' | 'receipt', action: 'refuse' | 'accept_and_flag') => z.object({
  action: z.enum(['refuse', 'accept_and_flag', 'tolerance']).default(action).meta({
    description: what === 'shipment'
      ? 'What a shipment that takes an order line past its ordered quantity (all shipments of the order counted) does: refuse it, accept it with a flag and an alert, or accept it up to tolerancePercent and refuse beyond'
      : 'What a receipt that takes an inbound line past its expected quantity (all receipts counted) does: refuse it, accept it with a flag and an alert, or accept it up to tolerancePercent and refuse beyond',
  }),
  tolerancePercent: z.number().min(0).max(1000).default(0).meta({
    description: 'With action "tolerance": how far past the ordered quantity a line may go, in percent of it', examples: [10],
  }),
}).strict();

export const ORDER_WATCHED_FIELDS = ['lines', 'shipTo', 'carrier', 'requestedShipDate', 'priority'];

const owner = z.enum(['erp', 'warehouse']);

export const rulesPolicySchema = z.object({
  overShipment: overQuantity('shipment', 'refuse').prefault({}).meta({
    description: 'Over-shipments are refused by default: goods nobody ordered would be invoiced or written off',
  }),
  overReceipt: overQuantity('receipt', 'accept_and_flag').prefault({}).meta({
    description: 'Over-receipts are accepted and flagged by default: the goods are in the building, and refusing the record would hide stock that exists',
  }),
  underShipment: z.enum(['backorder', 'short_close']).default('backorder').meta({
    description: 'A shipment marked complete that ships less than ordered: keep the rest open as a backorder, or close the order short and tell the ERP',
  }),
  outOfOrder: z.object({
    holdWindowMinutes: z.number().int().min(1).default(24 * 60).meta({
      description: 'How long a shipment, status, cancel or receipt for an order or inbound not seen yet is held waiting for it before it is refused',
    }),
    futureToleranceMinutes: z.number().int().min(0).default(24 * 60).meta({
      description: 'How far after Causeway received it a document may say it happened (a snapshot: the time its counts are true for). One stamped later is refused: applied, it would make every later update of its order, inbound, item or stock look older and be ignored. The default lets a sender\'s time zone be wrong by a whole day, not a date',
    }),
  }).strict().prefault({}),
  orderHolds: z.object({
    invalidAddress: z.enum(['hold', 'ignore']).default('hold').meta({
      description: 'An order whose ship-to address has no street line, no city, or neither postal code nor country: hold it before it is sent, or send it as it is',
    }),
  }).strict().prefault({}),
  lots: z.object({
    expired: z.enum(['flag', 'refuse']).default('flag').meta({
      description: 'A lot shipped or received past its expiry date: apply it with a flag and an alert, or refuse it. A lot-tracked SKU without a lot is always refused',
    }),
  }).strict().prefault({}),
  documentChain: z.enum(['flag', 'refuse']).default('flag').meta({
    description: 'A shipment or receipt whose lines differ from the order or purchase order (line number, SKU, unit, requested lot): apply it with the line at fault flagged, or refuse it',
  }),
  changes: z.object({
    watchedFields: z.array(z.string().min(1)).default(ORDER_WATCHED_FIELDS).meta({
      description: 'Fields of a sales order the warehouse cares about (dot paths). A new version of an order already sent that changes none of them is not sent; one that does is sent as a change',
      examples: [ORDER_WATCHED_FIELDS],
    }),
  }).strict().prefault({}),
  ownership: z.object({
    fields: z.partialRecord(z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]]), z.record(z.string().min(1), owner)).default({}).meta({
      description: 'Which system owns which field, per document type: a dot path and "erp" or "warehouse". An update from the other system does not carry that field on',
      examples: [{ item: { description: 'erp', weight: 'warehouse', dimensions: 'warehouse' } }],
    }),
    alertOnConflict: z.boolean().default(false).meta({ description: 'Raise an alert when a system sends a different value for a field it does not own' }),
  }).strict().prefault({}),
  stuck: z.object({
    acknowledgeWithinMinutes: z.number().int().min(1).default(60).meta({
      description: 'An order sent to the warehouse and not acknowledged (997, acceptance or any status) within this many minutes is stuck',
    }),
    shipByRequestedDate: z.boolean().default(true).meta({ description: 'An order not shipped in full by the end of its requested ship date is stuck' }),
    utcOffset: z.string().regex(/^(Z|[+-]\d{2}:\d{2})$/, 'expected Z or an offset such as +01:00').default('Z').meta({
      description: 'The offset in which a requested ship date ends (the facility\'s)', examples: ['-05:00'],
    }),
  }).strict().prefault({}),
}).strict();

export type RulesPolicy = z.output<typeof rulesPolicySchema>;
export type StuckPolicy = RulesPolicy['stuck'];

/** A policy from config (or `{}` for every default); throws zod's error naming the field at fault. */
export function parseRulesPolicy(input: unknown = {}): RulesPolicy {
  return rulesPolicySchema.parse(input);
}

export const DEFAULT_RULES_POLICY: RulesPolicy = parseRulesPolicy({});
