// EDIFACT partner profiles: who we are to a trading partner and who they are, the syntax and directory we
// write, EANCOM or plain UN usage, acknowledgments and code tables. Validated at start with the path of each fault.
import { z } from 'zod';
import { codeTablesSchema, duration, findProfileWith, readProfilesWith } from '../partner-profile.ts';
import { SUPPORTED_CHARSETS } from './charsets.ts';
import { checkServiceChars, DEFAULT_SERVICE_CHARS, forVersion, type ServiceChars } from './syntax.ts';

const party = z.object({
  id: z.string().min(1).max(35).meta({ description: 'UNB S002 0004 / S003 0010: the interchange sender or recipient id (a GLN for GS1 partners)', examples: ['5412345000013'] }),
  qualifier: z.string().regex(/^[0-9A-Z]{1,4}$/, 'expected a partner id code qualifier such as 14 (GS1 location number), 1 (DUNS) or ZZZ').optional()
    .meta({ description: 'UNB 0007 partner identification code qualifier', examples: ['14', 'ZZZ'] }),
  internalId: z.string().max(35).optional().meta({ description: 'UNB S002 0008 / S003 0014 routing address' }),
}).strict();

const oneChar = z.string().length(1, 'a service character is one character');
const direction = z.enum(['inbound', 'outbound', 'both']);

/** Message types Causeway reads and writes. */
export const MESSAGE_TYPES = ['ORDERS', 'DESADV', 'RECADV', 'INVRPT', 'CONTRL', 'APERAK'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Directories written and read (others are read as the closest of them, with a warning). */
export const DIRECTORIES = ['D96A', 'D01B'] as const;
export type Directory = (typeof DIRECTORIES)[number];

export const partnerProfileSchema = z.object({
  tenant: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected a tenant id: lower-case letters, digits, - and _').optional()
    .meta({ description: 'The tenant this partner trades with; default: the tenant of the endpoints that use the profile' }),
  ours: party.meta({ description: 'Our ids as this partner knows them (UNB S002 when we send)' }),
  theirs: party.meta({ description: 'The partner\'s ids (UNB S003 when we send; S002 of what they send)' }),
  syntax: z.object({
    identifier: z.enum(SUPPORTED_CHARSETS as [string, ...string[]]).default('UNOC').meta({ description: 'UNB S001 0001: the character set we write (UNOA, UNOB, UNOC, UNOD..UNOK, UNOW, UNOY)' }),
    version: z.union([z.literal(3), z.literal(4)]).default(3).meta({ description: 'UNB S001 0002: syntax version 3, or 4 (repetition separator, CCYYMMDD in UNB)' }),
  }).strict().default({ identifier: 'UNOC', version: 3 }),
  directory: z.enum(DIRECTORIES).default('D96A').meta({ description: 'The UN directory of the messages we write (UNH S009 0052/0054)' }),
  eancom: z.boolean().default(false).meta({ description: 'Write and hold inbound messages to the GS1 EANCOM guides (association code EANnnn, mandatory segments and qualifiers)' }),
  associationCodes: z.record(z.string(), z.string().max(6)).default({})
    .meta({ description: 'UNH S009 0057 per message type when the partner\'s guide names another subset version', examples: [{ ORDERS: 'EAN010' }] }),
  test: z.boolean().default(false).meta({ description: 'UNB 0035 test indicator on what we write (while certifying); inbound test interchanges are refused by a production profile' }),
  una: z.enum(['always', 'when-needed']).default('always').meta({ description: 'Write the UNA service string advice always, or only when the service characters are not the defaults' }),
  serviceChars: z.object({
    component: oneChar.default(DEFAULT_SERVICE_CHARS.component),
    element: oneChar.default(DEFAULT_SERVICE_CHARS.element),
    decimal: z.enum(['.', ',']).default('.'),
    release: oneChar.default(DEFAULT_SERVICE_CHARS.release),
    repetition: oneChar.default(DEFAULT_SERVICE_CHARS.repetition).meta({ description: 'Syntax version 4 only' }),
    segment: oneChar.default(DEFAULT_SERVICE_CHARS.segment),
  }).strict().optional().meta({ description: 'Service characters to write (reading always takes them from the UNA or the defaults)' }),
  groups: z.boolean().default(false).meta({ description: 'Write UNG/UNE functional groups around the messages' }),
  lineBreaks: z.boolean().default(false).meta({ description: 'A line break after each segment terminator' }),
  applicationReference: z.string().max(14).optional().meta({ description: 'UNB 0026 application reference' }),
  agreementId: z.string().max(35).optional().meta({ description: 'UNB 0032 interchange agreement identifier (EANCOM partners often want EANCOM)' }),
  messages: z.partialRecord(z.enum(MESSAGE_TYPES), direction).optional()
    .meta({ description: 'Messages exchanged and their direction (outbound: we send). Absent: any message we speak', examples: [{ ORDERS: 'outbound', DESADV: 'inbound' }] }),
  utcOffset: z.string().regex(/^(Z|[+-]\d\d:\d\d)$/, 'expected Z or an offset such as +01:00').default('Z')
    .meta({ description: 'The partner\'s clock for dates without a zone (UNB, DTM without 303 offsets)' }),
  acknowledgments: z.object({
    contrl: z.object({
      send: z.boolean().default(true).meta({ description: 'Answer inbound interchanges with a CONTRL (when they ask in UNB 0031, or always when requireRequest is false)' }),
      requireRequest: z.boolean().default(true).meta({ description: 'Send a CONTRL only when the interchange asks for one (UNB 0031 = 1); reports of errors are sent regardless' }),
      expect: z.boolean().default(false).meta({ description: 'The partner answers our interchanges with a CONTRL: ask for it (UNB 0031) and track each until it comes' }),
      deadline: duration.default('24h').meta({ description: 'How long a sent interchange may wait for its CONTRL before it is overdue' }),
    }).strict().default({ send: true, requireRequest: true, expect: false, deadline: '24h' }),
    aperak: z.object({
      send: z.boolean().default(false).meta({ description: 'Answer a message the rules or the target refuse with an APERAK' }),
      expect: z.boolean().default(false).meta({ description: 'The partner answers our messages with APERAKs: track each until it comes' }),
      deadline: duration.default('24h'),
    }).strict().default({ send: false, expect: false, deadline: '24h' }),
  }).strict().default({ contrl: { send: true, requireRequest: true, expect: false, deadline: '24h' }, aperak: { send: false, expect: false, deadline: '24h' } }),
  duplicateWindow: duration.default('30d').meta({ description: 'An interchange key or message content hash seen again within this window is a duplicate' }),
  codeTables: codeTablesSchema({
    units: 'Our unit -> the partner\'s (UN/ECE rec. 20) unit code, e.g. EA -> PCE',
    carriers: 'Our SCAC/carrier -> the partner\'s carrier code',
    facilities: 'Our facility id -> the partner\'s location (GLN)',
  }),
}).strict().superRefine((p, ctx) => {
  if (p.serviceChars) {
    const problem = checkServiceChars(forVersion(serviceCharsOf(p as PartnerProfile), p.syntax.version));
    if (problem) ctx.addIssue({ code: 'custom', path: ['serviceChars'], message: problem });
  }
});

export type PartnerProfile = z.output<typeof partnerProfileSchema> & { name?: string };
export type PartnerProfileInput = z.input<typeof partnerProfileSchema>;

/** A profile from config values, with every default filled. */
export function profileOf(input: PartnerProfileInput, name?: string): PartnerProfile {
  return { ...partnerProfileSchema.parse(input), ...(name ? { name } : {}) };
}

export function serviceCharsOf(p: Pick<PartnerProfile, 'serviceChars'>): ServiceChars {
  const s = p.serviceChars;
  return s ? { component: s.component, element: s.element, decimal: s.decimal, release: s.release, repetition: s.repetition, segment: s.segment } : DEFAULT_SERVICE_CHARS;
}

/**
 * EANCOM subset versions (UNH S009 0057) per message: EANCOM 1997 is written on D96A, EANCOM 2002 on D01B.
 * A partner's guide may name a later subset version; set it in associationCodes.
 */
export const EANCOM_ASSOCIATION: Readonly<Record<Directory, Readonly<Partial<Record<MessageType, string>>>>> = {
  D96A: { ORDERS: 'EAN008', DESADV: 'EAN005', RECADV: 'EAN003', INVRPT: 'EAN006', APERAK: 'EAN002' },
  D01B: { ORDERS: 'EAN010', DESADV: 'EAN007', RECADV: 'EAN005', INVRPT: 'EAN008', APERAK: 'EAN004' },
};

export function associationOf(p: Pick<PartnerProfile, 'eancom' | 'directory' | 'associationCodes'>, type: MessageType): string {
  if (p.associationCodes[type]) return p.associationCodes[type]!;
  return p.eancom ? (EANCOM_ASSOCIATION[p.directory][type] ?? '') : '';
}

/** Whether a message may go this way with this partner ('outbound': we send it). */
export function exchanges(p: PartnerProfile, type: string, way: 'inbound' | 'outbound'): boolean {
  if (type === 'CONTRL') return way === 'outbound' ? p.acknowledgments.contrl.send : p.acknowledgments.contrl.expect || !p.messages;
  if (type === 'APERAK' && !p.messages?.APERAK) return way === 'outbound' ? p.acknowledgments.aperak.send : p.acknowledgments.aperak.expect || !p.messages;
  if (!p.messages) return true;
  const d = p.messages[type as MessageType];
  return d === way || d === 'both';
}

/** Reads profiles from the raw config section; entries that fail the schema are left out (config load reports them). */
export function readProfiles(raw: unknown): Map<string, PartnerProfile> {
  return readProfilesWith(partnerProfileSchema, raw);
}

/** The profile an endpoint names, or the one whose partner sent this interchange (UNB S002). */
export function findProfile(profiles: Map<string, PartnerProfile>, name: string | undefined, sender?: { id: string; qualifier: string }): PartnerProfile | undefined {
  return findProfileWith(profiles, name, sender);
}

export { durationMs, translate } from '../partner-profile.ts';
