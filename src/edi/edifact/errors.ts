// Errors are values: a stable code for machines, a sentence for people, and where it happened.
import { describeWhere, type EdiError } from '../error-position.ts';

/** Where in an EDIFACT interchange something was found. Every field is optional: an error may sit above the message. */
export interface EdifactPosition {
  /** UNB 0020, the interchange control reference. */
  interchange?: string;
  /** UNG 0048, the group reference. */
  group?: string;
  /** UNH 0062, the message reference number. */
  message?: string;
  /** UNH S009 0065, e.g. 'ORDERS'. */
  messageType?: string;
  /** 1-based position of the segment within its message (UNH is 1), as CONTRL UCS 0096 reports it. */
  segmentPosition?: number;
  /** Byte offset of the segment's first character in the input. */
  offset?: number;
  /** Segment tag, e.g. 'LIN'. */
  segmentTag?: string;
  /** 1-based data element position within the segment (the tag is 0). */
  element?: number;
  /** 1-based component position within a composite element. */
  component?: number;
}

export type EdifactErrorCode =
  // input, service string advice, characters
  | 'EDIFACT_NO_INTERCHANGE'
  | 'EDIFACT_UNA_INVALID'
  | 'EDIFACT_SEGMENT_INVALID'
  | 'EDIFACT_SEGMENT_TOO_LONG'
  | 'EDIFACT_TERMINATOR_MISSING'
  | 'EDIFACT_RELEASE_TRAILING'
  | 'EDIFACT_RELEASE_UNNEEDED'
  | 'EDIFACT_CHARACTER_INVALID'
  | 'EDIFACT_CHARSET_UNSUPPORTED'
  | 'EDIFACT_SYNTAX_VERSION'
  // interchange
  | 'EDIFACT_UNB_INVALID'
  | 'EDIFACT_UNB_DATE'
  | 'EDIFACT_UNZ_MISSING'
  | 'EDIFACT_UNZ_REFERENCE'
  | 'EDIFACT_UNZ_COUNT'
  | 'EDIFACT_GROUPS_AND_MESSAGES_MIXED'
  // group
  | 'EDIFACT_UNG_INVALID'
  | 'EDIFACT_UNE_MISSING'
  | 'EDIFACT_UNE_REFERENCE'
  | 'EDIFACT_UNE_COUNT'
  // message envelope
  | 'EDIFACT_UNH_INVALID'
  | 'EDIFACT_UNH_VERSION'
  | 'EDIFACT_UNT_MISSING'
  | 'EDIFACT_UNT_REFERENCE'
  | 'EDIFACT_UNT_COUNT'
  | 'EDIFACT_UNEXPECTED_SEGMENT'
  // message content
  | 'EDIFACT_MESSAGE_UNSUPPORTED'
  | 'EDIFACT_DIRECTORY_UNSUPPORTED'
  | 'EDIFACT_SEGMENT_MISSING'
  | 'EDIFACT_SEGMENT_UNKNOWN'
  | 'EDIFACT_SEGMENT_REPEATED'
  | 'EDIFACT_SEGMENT_ORDER'
  | 'EDIFACT_ELEMENT_MISSING'
  | 'EDIFACT_ELEMENT_INVALID'
  | 'EDIFACT_TOO_MANY_COMPONENTS'
  | 'EDIFACT_CODE_UNKNOWN'
  | 'EDIFACT_PACK_STRUCTURE'
  // writing
  | 'EDIFACT_CHARACTER_UNENCODABLE'
  | 'EDIFACT_SERVICE_CHARS'
  | 'EDIFACT_DOCUMENT_UNSUPPORTED'
  | 'EDIFACT_DOCUMENT_INVALID'
  | 'EDIFACT_VALUE_MISSING'
  | 'EDIFACT_REFERENCE_RANGE'
  // partner profile
  | 'EDIFACT_PARTNER_UNKNOWN'
  | 'EDIFACT_PARTNER_MISMATCH'
  | 'EDIFACT_TEST_INTERCHANGE'
  | 'EDIFACT_MESSAGE_NOT_EXCHANGED';

export type EdifactError = EdiError<EdifactErrorCode, EdifactPosition>;

export function edifactError(code: EdifactErrorCode, message: string, position: EdifactPosition = {}, severity: 'error' | 'warning' = 'error'): EdifactError {
  return { code, message, position, severity };
}

/** "element LIN-03-1 of segment LIN at position 12 of message ORDERS #1 in interchange #807 (byte 312)". */
export function describePosition(p: EdifactPosition): string {
  return describeWhere(p, p.segmentTag, 'message', p.messageType, p.message);
}

export { hasRejectingError } from '../error-position.ts';
