// src/edi/x12: our own X12 engine. Read files set by set (in memory or streamed), check envelopes,
// turn sets into canonical documents and back, and write interchanges with the store's control numbers.
import type { CanonicalDocument } from '../../model/index.ts';
import { hasRejectingError, type X12Error } from './errors.ts';
import { mayHoldUtf8, readX12, readX12StreamBatches, type TransactionSet, type X12Item } from './reader.ts';
import { decodeSet, type DecodeContext } from './sets/index.ts';
import { withUtf8Text } from './text.ts';
import { compiledSet, STANDARD_GUIDELINES, validateSet, versionOf } from './dictionary/index.ts';

export { DEFAULT_DELIMITERS, checkDelimiters, type Delimiters } from './delimiters.ts';
export { describePosition, hasRejectingError, x12Error, type X12Error, type X12ErrorCode, type X12Position } from './errors.ts';
export { FUNCTIONAL_ID_BY_SET, type GroupHeader, type InterchangeHeader } from './envelope.ts';
export { readX12, readX12Stream, readX12StreamBatches, EnvelopeReader, type TransactionSet, type X12Item } from './reader.ts';
export { X12Tokenizer, Segment } from './tokenizer.ts';
export { readTa1, ta1For, ta1Segment, TA1_NOTES, type Ta1 } from './ta1.ts';
export {
  writeInterchange,
  writeSegment,
  type GroupToWrite,
  type InterchangeOptions,
  type NextControlNumber,
  type PartyId,
  type SetToWrite,
  type WrittenInterchange,
  type X12Element,
  type X12SegmentData,
} from './generator.ts';
export { decodeSet, encodeDocument, DEFAULT_SET_FOR, SUPPORTED_SETS, type DecodeContext, type EncodeOptions, type SetDecodeResult, type SetEncodeResult } from './sets/index.ts';
export { acknowledgeGroup, acknowledgeInterchange, ta1Of, type AcknowledgmentDraft, type SetOutcome } from './acknowledge.ts';
export * from './profile.ts';
export * as ackCodes from './sets/ack-codes.ts';
export { guidelinesSchema, STANDARD_GUIDELINES, validateOutbound, validateSet, versionOf, type Guidelines } from './dictionary/index.ts';

/** A decoded set: its documents, and every error about it (envelope and content). Any 'error' rejects it. */
export interface DecodedSet {
  kind: 'set';
  set: TransactionSet;
  documents: CanonicalDocument[];
  errors: X12Error[];
  accepted: boolean;
}

export type X12DecodeItem = DecodedSet | Exclude<X12Item, { kind: 'set' }>;

/** Decodes one reader item: a set into documents (with its envelope and content errors); envelope items pass through. */
export function decodeItem(item: X12Item, ctx: DecodeContext): X12DecodeItem {
  if (item.kind !== 'set') return item;
  const set = item.set;
  // A set whose envelope is broken is not read further: its contents cannot be trusted to be whole.
  const envelopeRejected = hasRejectingError(set.errors);
  if (envelopeRejected && hasCode(set.errors, 'X12_SE_MISSING')) return { kind: 'set', set, documents: [], errors: set.errors, accepted: false };
  // The dictionary first: a set it rejects is not read further, so its 997 names the dictionary's errors
  // and no reader's error about the same element follows them.
  const checked = validateSet(set, ctx.guidelines);
  if (hasRejectingError(checked)) return { kind: 'set', set, documents: [], errors: set.errors.concat(checked), accepted: false };
  const result = decodeSet(set, ctx);
  const errors = set.errors.concat(checked, dictionaryDecides(set, ctx, result.errors));
  const accepted = !hasRejectingError(errors);
  // Only an input with bytes above ASCII can hold UTF-8: the common all-ASCII file costs nothing here.
  const documents = !accepted ? [] : mayHoldUtf8(set) ? result.documents.map(withUtf8Text) : result.documents;
  return { kind: 'set', set, documents, errors, accepted };
}

/**
 * Where the dictionary holds the set, it decides which segments belong: a reader's "not part of this set"
 * for a segment the dictionary accepted (or the partner's guidelines allow) is dropped.
 */
function dictionaryDecides(set: TransactionSet, ctx: DecodeContext, errors: X12Error[]): X12Error[] {
  if (errors.length === 0 || !(ctx.guidelines ?? STANDARD_GUIDELINES).validate || compiledSet(versionOf(set.group.version), set.id) === null) return errors;
  return errors.filter((e) => e.code !== 'X12_SEGMENT_UNKNOWN');
}

function hasCode(errors: readonly X12Error[], code: X12Error['code']): boolean {
  for (const e of errors) if (e.code === code) return true;
  return false;
}

/** Decodes X12 already in memory, set by set, into canonical documents (envelope items pass through). */
export function* decodeX12(input: Buffer | Uint8Array | string, ctx: DecodeContext): Generator<X12DecodeItem> {
  for (const item of readX12(input)) yield decodeItem(item, ctx);
}

/** Decodes a stream of any size set by set, in bounded memory. */
export async function* decodeX12Stream(source: AsyncIterable<Buffer | Uint8Array | string>, ctx: DecodeContext): AsyncGenerator<X12DecodeItem> {
  for await (const batch of readX12StreamBatches(source)) for (const item of batch) yield decodeItem(item, ctx);
}

/** Decodes a stream in bounded memory, one array of decoded items per input chunk (the fastest way to stream). */
export async function* decodeX12StreamBatches(source: AsyncIterable<Buffer | Uint8Array | string>, ctx: DecodeContext): AsyncGenerator<X12DecodeItem[]> {
  for await (const batch of readX12StreamBatches(source)) {
    for (let i = 0; i < batch.length; i++) batch[i] = decodeItem(batch[i]!, ctx) as X12Item;
    yield batch as X12DecodeItem[];
  }
}
