import { z } from 'zod';
import { decimal, nonNegativeDecimal, positiveDecimal } from './decimal.ts';

export const SCHEMA_VERSION = 1;

/** ISO-8601 with an offset (or Z): a time means nothing in a warehouse without its zone. */
export const timestamp = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date-time with its offset, such as "2026-11-22T14:05:00+01:00" or "2026-11-22T13:05:00Z"' })
  .meta({ description: 'ISO-8601 date-time with offset', examples: ['2026-11-22T14:05:00+01:00'] });
export const isoDate = z.iso.date({ error: 'expected a calendar date that exists, as YYYY-MM-DD, such as "2026-12-01"' }).meta({ description: 'ISO-8601 calendar date', examples: ['2026-12-01'] });

/**
 * Codes and numbers travel into every system and file format the hub writes, where a line break
 * ends a record and a NUL ends a string: they may hold any character but a control character.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** The same class, as a pattern a whole value must match (JSON Schema carries it as `pattern`). */
// eslint-disable-next-line no-control-regex
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const NO_CONTROL_MESSAGE = 'expected no control characters (a line break, tab or NUL) in a code or number';
/** Blank is no code: "   " would be an order number or SKU no system can match, and a flat file trims it to nothing. */
const NOT_BLANK = /^(?:|.*\S.*)$/s;
const NOT_BLANK_MESSAGE = 'expected a code with a character other than spaces';
const printable = (min: number, max: number) => z.string().min(min).max(max).regex(NO_CONTROL, NO_CONTROL_MESSAGE).regex(NOT_BLANK, NOT_BLANK_MESSAGE);

const code = (description: string) => printable(1, 128).meta({ description });

export const sku = code('Stock keeping unit, the item code both sides agree on');
export const facility = code('Facility (warehouse) code; mapped to each side\'s own code by code tables');
export const uom = printable(1, 16).meta({ description: 'Unit of measure code, e.g. EA, CS, KG', examples: ['EA'] });
/** A document's own number (order, shipment, receipt, PO, ASN, RMA, transfer, adjustment) or a serial number. */
export const documentNumber = printable(1, 80);
export const lotCode = printable(0, 80);
export const lineNumber = z.union([z.string().min(1).max(32), z.number().int().nonnegative()]).transform(String).meta({ description: 'Line number as the source numbered it' });

export const address = z.strictObject({
  name: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
  lines: z.array(z.string().max(200)).max(4).default([]).meta({ description: 'Street address lines' }),
  city: z.string().max(100).optional(),
  region: z.string().max(100).optional().meta({ description: 'State, province or region code' }),
  postalCode: z.string().max(20).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as "US"').optional(),
  phone: z.string().max(40).optional(),
  email: z.string().max(200).optional(),
});
export type Address = z.infer<typeof address>;

export const party = z.strictObject({
  code: z.string().max(80).optional().meta({ description: 'The party\'s code in the source system (customer, supplier, depositor)' }),
  name: z.string().max(200).optional(),
  address: address.optional(),
});
export type Party = z.infer<typeof party>;

export const carrier = z.strictObject({
  scac: z.string().regex(/^[A-Z0-9]{2,4}$/, 'expected a 2 to 4 character SCAC').optional().meta({ description: 'Standard Carrier Alpha Code' }),
  code: z.string().max(80).optional().meta({ description: 'Carrier code in the source system' }),
  service: z.string().max(80).optional().meta({ description: 'Service level, e.g. GROUND, 2DAY' }),
  account: z.string().max(80).optional().meta({ description: 'Third-party billing account' }),
  paymentTerms: z.enum(['prepaid', 'collect', 'third_party']).optional().meta({ description: 'Who pays the freight (X12 W66-01 PP, CC, TP)' }),
  transportMode: z.string().max(8).optional().meta({ description: 'Transportation method code, e.g. M motor, A air (X12 W66-02)' }),
});

export const measure = z.strictObject({ value: nonNegativeDecimal, unit: z.string().min(1).max(8) });

export const lotQuantity = z.strictObject({
  lot: printable(1, 80),
  quantity: nonNegativeDecimal,
  expiryDate: isoDate.optional(),
});

export const reference = z.strictObject({ qualifier: z.string().min(1).max(16), value: z.string().min(1).max(128) });

export const source = z.strictObject({
  endpoint: z.string().min(1).max(128).meta({ description: 'The endpoint the document came in through' }),
  partnerRef: z.string().max(256).optional().meta({ description: 'The partner\'s own reference (file name, control number, record id)' }),
});

/** Fields every canonical document carries. */
export const envelopeShape = {
  schemaVersion: z.literal(SCHEMA_VERSION).default(SCHEMA_VERSION),
  tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id: lower-case letters, digits, - and _'),
  id: z.string().min(1).max(128).meta({ description: 'Causeway\'s id of this document' }),
  source,
  entityKey: z.string().min(1).max(256).meta({ description: 'Deliveries with the same entity key reach a target in order' }),
  occurredAt: timestamp.meta({ description: 'When the event happened at the source' }),
  receivedAt: timestamp.meta({ description: 'When Causeway received it' }),
  references: z.array(reference).default([]).meta({ description: 'Other references (PO, BOL, customer order...)' }),
  extensions: z.record(z.string(), z.unknown()).optional().meta({ description: 'Partner-specific data with no canonical field, kept for round trips' }),
};

export { decimal, nonNegativeDecimal, positiveDecimal };

/** Work the warehouse did beyond picking and receiving (kitting, labelling, gift wrap), as it reports it: billed per code (docs/3pl.md). */
export const valueAddedService = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'expected a service code: letters, digits, ".", "-" and "_"').meta({ description: 'The warehouse\'s code for the service', examples: ['KITTING', 'LABEL'] }),
  quantity: positiveDecimal.meta({ description: 'How many times, units or minutes, as the service is counted' }),
  description: z.string().max(200).optional(),
});
