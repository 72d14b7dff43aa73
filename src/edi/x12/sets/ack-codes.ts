// Code lists of the 997 and 999 (the X12 acknowledgment standard), and which of our error codes each means.
import type { X12ErrorCode } from '../errors.ts';

/** AK304 / IK304 segment syntax error codes. */
export const SEGMENT_ERRORS: Readonly<Record<string, string>> = {
  '1': 'Unrecognized segment id',
  '2': 'Unexpected segment',
  '3': 'Required segment missing',
  '4': 'Loop occurs over maximum times',
  '5': 'Segment exceeds maximum use',
  '6': 'Segment not in defined transaction set',
  '7': 'Segment not in proper sequence',
  '8': 'Segment has data element errors',
  I4: 'Implementation "not used" segment present',
  I6: 'Implementation dependent segment missing',
  I7: 'Implementation loop occurs under minimum times',
  I8: 'Implementation segment below minimum use',
  I9: 'Implementation dependent "not used" segment present',
};

/** AK403 / IK403 data element syntax error codes. */
export const ELEMENT_ERRORS: Readonly<Record<string, string>> = {
  '1': 'Required data element missing',
  '2': 'Conditional required data element missing',
  '3': 'Too many data elements',
  '4': 'Data element too short',
  '5': 'Data element too long',
  '6': 'Invalid character in data element',
  '7': 'Invalid code value',
  '8': 'Invalid date',
  '9': 'Invalid time',
  '10': 'Exclusion condition violated',
  '12': 'Too many repetitions',
  '13': 'Too many components',
  I10: 'Implementation "not used" data element present',
  I11: 'Implementation too few repetitions',
  I12: 'Implementation pattern match failure',
  I13: 'Implementation dependent "not used" data element present',
  I6: 'Code value not used in implementation',
  I9: 'Implementation dependent data element missing',
};

/** AK502-06 / IK502-06 transaction set syntax error codes. */
export const SET_ERRORS: Readonly<Record<string, string>> = {
  '1': 'Transaction set not supported',
  '2': 'Transaction set trailer missing',
  '3': 'Transaction set control number in header and trailer do not match',
  '4': 'Number of included segments does not match actual count',
  '5': 'One or more segments in error',
  '6': 'Missing or invalid transaction set identifier',
  '7': 'Missing or invalid transaction set control number',
  '23': 'Transaction set control number not unique within the functional group',
  I5: 'Implementation one or more segments in error',
  I6: 'Implementation convention not supported',
};

/** AK905-09 functional group syntax error codes. */
export const GROUP_ERRORS: Readonly<Record<string, string>> = {
  '1': 'Functional group not supported',
  '2': 'Functional group version not supported',
  '3': 'Functional group trailer missing',
  '4': 'Group control number in the functional group header and trailer do not agree',
  '5': 'Number of included transaction sets does not match actual count',
  '6': 'Group control number violates syntax',
  '10': 'Authentication key name unknown',
  '19': 'Functional group control number not unique within interchange',
  '23': 'Transaction set control number not unique within the functional group',
  '24': 'S3E security end segment missing for S3S security start segment',
};

/** Our set-level error codes as the AK5/IK5 code that reports them. */
export const SET_ERROR_CODE: Partial<Record<X12ErrorCode, string>> = {
  X12_SET_UNSUPPORTED: '1',
  X12_SET_NOT_EXCHANGED: '1',
  X12_SE_MISSING: '2',
  X12_SE_CONTROL: '3',
  X12_SE_COUNT: '4',
  X12_ST_INVALID: '6',
};

/** Our content error codes as the AK3/IK3 code for the segment. */
export const SEGMENT_ERROR_CODE: Partial<Record<X12ErrorCode, string>> = {
  X12_SEGMENT_UNKNOWN: '2',
  X12_SEGMENT_INVALID: '1',
  X12_SEGMENT_MISSING: '3',
  X12_SEGMENT_ORDER: '7',
  X12_HL_STRUCTURE: '7',
  X12_ELEMENT_MISSING: '8',
  X12_ELEMENT_INVALID: '8',
  X12_DATE_INVALID: '8',
  X12_TIME_INVALID: '8',
  X12_CODE_UNKNOWN: '8',
  X12_SEGMENT_UNRECOGNIZED: '1',
  X12_SEGMENT_NOT_IN_SET: '6',
  X12_LOOP_REPEAT: '4',
  X12_SEGMENT_REPEAT: '5',
};

/** Our element error codes as the AK4/IK4 code. */
export const ELEMENT_ERROR_CODE: Partial<Record<X12ErrorCode, string>> = {
  X12_ELEMENT_MISSING: '1',
  X12_ELEMENT_INVALID: '6',
  X12_DATE_INVALID: '8',
  X12_TIME_INVALID: '9',
  X12_CODE_UNKNOWN: '7',
  X12_ELEMENT_CONDITIONAL: '2',
  X12_ELEMENT_TOO_MANY: '3',
  X12_ELEMENT_TOO_SHORT: '4',
  X12_ELEMENT_TOO_LONG: '5',
  X12_CODE_INVALID: '7',
  X12_ELEMENT_EXCLUSION: '10',
  X12_ELEMENT_REPEATS: '12',
  X12_ELEMENT_COMPONENTS: '13',
};

/** Our group-level error codes as the AK9 code. */
export const GROUP_ERROR_CODE: Partial<Record<X12ErrorCode, string>> = {
  X12_GE_MISSING: '3',
  X12_GE_CONTROL: '4',
  X12_GE_COUNT: '5',
  X12_GS_INVALID: '6',
  X12_GS_VERSION: '2',
};
