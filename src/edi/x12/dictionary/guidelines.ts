// Per-partner guidelines: how strictly a partner's sets are held to the dictionary, and what the partner
// requires beyond the standard. Set in the partner profile (partners.<name>.guidelines); the defaults are
// the standard's own rules, which is what an EDI network checks before it passes a file on.
import { z } from 'zod';

const setId = z.string().regex(/^\d{3}$/, 'expected a set id such as 940');
/** 'W05-03' (an element) or 'G62' (a segment). */
export const REQUIRED_REF = /^[A-Z][A-Z0-9]{1,2}(-\d{2})?$/;
const elementRef = z.string().regex(/^[A-Z][A-Z0-9]{1,2}-\d{2}$/, 'expected an element such as W66-01');

export const guidelinesSchema = z.object({
  validate: z.boolean().default(true)
    .meta({ description: 'Check every set, inbound and outbound, against the X12 dictionary of its version (segment order, use, element types, lengths, codes)' }),
  allowUnknownSegments: z.boolean().default(false)
    .meta({ description: 'Pass over segments the set does not define (997 AK304 1, 2 and 6) instead of rejecting the set' }),
  enforceSegmentOrder: z.boolean().default(true)
    .meta({ description: 'Reject a segment out of its place in the set (AK304 7); when false it is taken where it stands' }),
  acceptExtraRepeats: z.boolean().default(false)
    .meta({ description: 'Accept a segment or loop repeated more often than the standard allows (AK304 5 and 4), noting it as a warning' }),
  required: z.record(setId, z.array(z.string().regex(REQUIRED_REF, 'expected a segment (G62) or an element (W05-03)'))).default({})
    .meta({ description: 'Segments and elements this partner requires beyond the standard, per set', examples: [{ '940': ['W05-03', 'G62', 'W66-10'] }] }),
  extraCodes: z.record(elementRef, z.array(z.string().regex(/^[0-9A-Z]{1,3}$/, 'expected a code of 1 to 3 letters or digits'))).default({})
    .meta({ description: 'Codes agreed with this partner beyond an element\'s standard code list', examples: [{ 'W66-01': ['ZZ'] }] }),
}).strict();

export type Guidelines = z.output<typeof guidelinesSchema>;

/** The standard's rules, no more and no less. */
export const STANDARD_GUIDELINES: Guidelines = Object.freeze(guidelinesSchema.parse({}));
