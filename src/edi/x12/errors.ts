// Errors are values: a stable code for machines, a sentence for people, and where it happened.
import { describeWhere, type EdiError } from '../error-position.ts';

/** Where in an X12 file something was found. Every field is optional because an error may sit above the set level. */
export interface X12Position {
  /** ISA13 of the interchange. */
  interchange?: string;
  /** GS06 of the functional group. */
  group?: string;
  /** ST02 of the transaction set. */
  set?: string;
  /** ST01, e.g. '940'. */
  setId?: string;
  /** 1-based position of the segment within its set (ST is 1), as a 997 AK3-02 / 999 IK3-02 reports it. */
  segmentPosition?: number;
  /** Byte offset of the segment's first character in the input. */
  offset?: number;
  /** Segment id, e.g. 'W01'. */
  segmentId?: string;
  /** 1-based element position within the segment (W01-01 is 1). */
  element?: number;
  /** 1-based component position within a composite element. */
  component?: number;
  /** X12 data element reference number of the element at fault, e.g. '128' (997 AK4-02), when the dictionary knows it. */
  elementReference?: string;
}

export type X12ErrorCode =
  // input and delimiters
  | 'X12_NO_ISA'
  | 'X12_ISA_INVALID'
  | 'X12_ISA_WIDTH'
  | 'X12_ISA_VALUE'
  | 'X12_DELIMITERS'
  | 'X12_SEGMENT_INVALID'
  | 'X12_SEGMENT_TOO_LONG'
  | 'X12_TRUNCATED'
  // interchange envelope
  | 'X12_IEA_MISSING'
  | 'X12_IEA_CONTROL'
  | 'X12_IEA_COUNT'
  | 'X12_ISA_DATE'
  // group envelope
  | 'X12_GS_INVALID'
  | 'X12_GS_DATE'
  | 'X12_GE_MISSING'
  | 'X12_GE_CONTROL'
  | 'X12_GE_COUNT'
  | 'X12_GS_VERSION'
  // set envelope
  | 'X12_ST_INVALID'
  | 'X12_SE_MISSING'
  | 'X12_SE_CONTROL'
  | 'X12_SE_COUNT'
  | 'X12_SET_MISMATCH'
  | 'X12_UNEXPECTED_SEGMENT'
  // set content
  | 'X12_SET_UNSUPPORTED'
  | 'X12_SEGMENT_MISSING'
  | 'X12_SEGMENT_UNKNOWN'
  | 'X12_SEGMENT_ORDER'
  | 'X12_ELEMENT_MISSING'
  | 'X12_ELEMENT_INVALID'
  | 'X12_DATE_INVALID'
  | 'X12_TIME_INVALID'
  | 'X12_CODE_UNKNOWN'
  | 'X12_HL_STRUCTURE'
  // dictionary checks (each is one 997 AK304 or AK403 code)
  | 'X12_SEGMENT_UNRECOGNIZED'
  | 'X12_SEGMENT_NOT_IN_SET'
  | 'X12_LOOP_REPEAT'
  | 'X12_SEGMENT_REPEAT'
  | 'X12_ELEMENT_CONDITIONAL'
  | 'X12_ELEMENT_TOO_MANY'
  | 'X12_ELEMENT_TOO_SHORT'
  | 'X12_ELEMENT_TOO_LONG'
  | 'X12_CODE_INVALID'
  | 'X12_DATE_INVALID'
  | 'X12_TIME_INVALID'
  | 'X12_ELEMENT_EXCLUSION'
  | 'X12_ELEMENT_REPEATS'
  | 'X12_ELEMENT_COMPONENTS'
  // control numbers
  | 'X12_CONTROL_GAP'
  // writing
  | 'X12_VALUE_HAS_DELIMITER'
  | 'X12_VALUE_HAS_CONTROL'
  | 'X12_VALUE_UNENCODABLE'
  | 'X12_VALUE_TOO_LONG'
  | 'X12_DOCUMENT_UNSUPPORTED'
  | 'X12_DOCUMENT_INVALID'
  // partner profile
  | 'X12_PARTNER_UNKNOWN'
  | 'X12_PARTNER_MISMATCH'
  | 'X12_TEST_INTERCHANGE'
  | 'X12_SET_NOT_EXCHANGED';

export type X12Error = EdiError<X12ErrorCode, X12Position>;

export function x12Error(code: X12ErrorCode, message: string, position: X12Position = {}, severity: 'error' | 'warning' = 'error'): X12Error {
  return { code, message, position, severity };
}

/** "segment W01 at position 6 of set 940 #20066 (byte 312)" — the where-part of a sentence, shared by all messages. */
export function describePosition(p: X12Position): string {
  return describeWhere(p, p.segmentId, 'set', p.setId, p.set);
}

export { hasRejectingError } from '../error-position.ts';
