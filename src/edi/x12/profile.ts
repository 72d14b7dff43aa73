// X12 partner profiles: who we are to a trading partner and who they are, what we exchange and how we
// write it. Config section `partners.<name>`; validated at start with the path of each fault.
import { z } from 'zod';
import { codeTablesSchema, duration, findProfileWith, readProfilesWith } from '../partner-profile.ts';
import { checkDelimiters, DEFAULT_DELIMITERS, type Delimiters } from './delimiters.ts';
import { SUPPORTED_SETS } from './sets/index.ts';
import { guidelinesSchema } from './dictionary/guidelines.ts';

const party = z.object({
  qualifier: z.string().regex(/^[0-9A-Z]{2}$/, 'expected a two-character ISA id qualifier such as ZZ, 01, 08, 12').default('ZZ')
    .meta({ description: 'ISA05 / ISA07 interchange id qualifier', examples: ['ZZ', '01'] }),
  id: z.string().min(1).max(15).regex(/^[^*~>^|]+$/, 'an ISA id may not hold a delimiter character')
    .meta({ description: 'ISA06 / ISA08 interchange sender or receiver id (padded to 15 on output)', examples: ['ACME3PL'] }),
  gs: z.string().min(2).max(15).optional().meta({ description: 'GS02 / GS03 application code (default: the ISA id)' }),
}).strict();

const oneChar = z.string().length(1, 'a delimiter is one character');

const direction = z.enum(['inbound', 'outbound', 'both']);


export const partnerProfileSchema = z.object({
  tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id: lower-case letters, digits, - and _').optional()
    .meta({ description: 'The tenant this partner trades with; default: the tenant of the endpoints that use the profile' }),
  ours: party.meta({ description: 'Our ids as this partner knows them (ISA06/GS02 when we send)' }),
  theirs: party.meta({ description: 'The partner\'s ids (ISA08/GS03 when we send; ISA06 of what they send)' }),
  version: z.enum(['004010', '005010']).default('004010').meta({ description: 'GS08 version we write; ISA12 follows (00401 / 00501)' }),
  usage: z.enum(['P', 'T']).default('P').meta({ description: 'ISA15 we write: T while certifying the partner in test mode, P in production' }),
  delimiters: z.object({
    element: oneChar.default(DEFAULT_DELIMITERS.element),
    component: oneChar.default(DEFAULT_DELIMITERS.component),
    repetition: oneChar.nullable().default(DEFAULT_DELIMITERS.repetition).meta({ description: 'ISA11 from 00402 on; ignored for 004010' }),
    segment: oneChar.default(DEFAULT_DELIMITERS.segment),
  }).strict().optional().meta({ description: 'Delimiters to write (reading always takes them from the ISA)' }),
  lineBreaks: z.boolean().default(true).meta({ description: 'A line break after each segment terminator' }),
  sets: z.record(z.string().regex(/^\d{3}$/, 'expected a set id such as 940'), direction).optional()
    .meta({ description: 'Sets exchanged and their direction (outbound: we send). Absent: any set we speak', examples: [{ '940': 'outbound', '945': 'inbound' }] }),
  writeAs: z.record(z.string(), z.string().regex(/^\d{3}$/)).default({})
    .meta({ description: 'Which set a document type is written as when not the default', examples: [{ shipment: '856' }] }),
  asn856As: z.enum(['shipment', 'purchase_order']).default('shipment').meta({ description: 'How this partner\'s 856s are read' }),
  utcOffset: z.string().regex(/^(Z|[+-]\d\d:\d\d)$/, 'expected Z or an offset such as -05:00').default('Z')
    .meta({ description: 'The partner\'s clock: X12 dates and times carry no zone' }),
  acknowledgments: z.object({
    send: z.boolean().default(true).meta({ description: 'Answer every inbound functional group with a 997 (999 for 005010)' }),
    set: z.enum(['997', '999']).optional().meta({ description: 'Which acknowledgment we send (default: 999 for 005010, else 997)' }),
    endpoint: z.string().optional().meta({ description: 'The outbound endpoint our acknowledgments are written to (the partner\'s inbox)' }),
    expect: z.boolean().default(true).meta({ description: 'The partner acknowledges our groups: track each until its 997/999 comes' }),
    deadline: duration.default('24h').meta({ description: 'How long a sent group may wait for its acknowledgment before it is overdue' }),
  }).strict().default({ send: true, expect: true, deadline: '24h' }),
  duplicateWindow: duration.default('30d').meta({ description: 'An ISA13 (or a set) seen again from this partner within this window is a duplicate' }),
  codeTables: codeTablesSchema({
    units: 'Our unit -> the partner\'s unit code',
    carriers: 'Our SCAC/carrier -> the partner\'s',
    facilities: 'Our facility id -> the partner\'s warehouse code',
  }),
  guidelines: guidelinesSchema.default(guidelinesSchema.parse({}))
    .meta({ description: 'How strictly this partner\'s sets are checked against the X12 dictionary, and what it requires beyond the standard (docs/x12.md)' }),
  qualifiers: z.object({
    allocated: z.string().min(1).max(3).optional().meta({ description: '846 QTY-01 code for allocated stock (default QC)' }),
  }).strict().default({}),
}).strict().superRefine((p, ctx) => {
  if (p.delimiters) {
    const problem = checkDelimiters(delimitersOf(p as PartnerProfile));
    if (problem) ctx.addIssue({ code: 'custom', path: ['delimiters'], message: problem });
  }
  for (const id of Object.keys(p.sets ?? {})) {
    if (!SUPPORTED_SETS.includes(id)) ctx.addIssue({ code: 'custom', path: ['sets', id], message: `Causeway does not speak set ${id} (${SUPPORTED_SETS.join(', ')})` });
  }
  if (p.acknowledgments.set === '999' && p.version === '004010') ctx.addIssue({ code: 'custom', path: ['acknowledgments', 'set'], message: 'a 999 acknowledges 005010 groups; a 004010 partner gets 997s' });
});

export type PartnerProfile = z.output<typeof partnerProfileSchema> & { name?: string };

export function delimitersOf(p: Pick<PartnerProfile, 'delimiters' | 'version'>): Delimiters {
  const d = p.delimiters ?? DEFAULT_DELIMITERS;
  // 004010 has no repetition separator: ISA11 is the standards id 'U' there.
  return { element: d.element, component: d.component, segment: d.segment, repetition: p.version === '004010' ? null : d.repetition };
}

/** ISA12 for a GS08 version. */
export function isaVersionOf(p: Pick<PartnerProfile, 'version'>): string {
  return p.version === '005010' ? '00501' : '00401';
}

export function ackSetOf(p: Pick<PartnerProfile, 'version' | 'acknowledgments'>): '997' | '999' {
  return p.acknowledgments.set ?? (p.version === '005010' ? '999' : '997');
}

/** Whether a set may go this way with this partner ('outbound': we send it). */
export function exchanges(p: PartnerProfile, setId: string, way: 'inbound' | 'outbound'): boolean {
  if (!p.sets) return true;
  // Acknowledgments follow the acknowledgment settings, not the set list.
  if (setId === '997' || setId === '999') return way === 'outbound' ? p.acknowledgments.send : p.acknowledgments.expect;
  const d = p.sets[setId];
  return d === way || d === 'both';
}

/** Reads profiles from the raw config section (already schema-checked at config load; parsed again when used from the CLI). */
export function readProfiles(raw: unknown): Map<string, PartnerProfile> {
  return readProfilesWith(partnerProfileSchema, raw);
}

/** The profile an endpoint names, or the one whose partner id sent this interchange (ISA05/06; the qualifier always set, ZZ by default). */
export function findProfile(profiles: Map<string, PartnerProfile>, name: string | undefined, sender?: { qualifier: string; id: string }): PartnerProfile | undefined {
  return findProfileWith(profiles, name, sender);
}

export { durationMs, translate } from '../partner-profile.ts';
