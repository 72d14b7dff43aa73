// The X12 codec: files to canonical documents and back, with partner profiles, and its envelope
// hooks: duplicates, the acknowledgments owed both ways, tracking of what we send until acknowledged.
import { DEFAULT_SET_FOR } from '../../edi/x12/index.ts';
import type { DocumentType } from '../../model/index.ts';
import type { Codec, DecodedDocument, HookContext, ScreenResult } from '../contract.ts';
import { resolveAcknowledgedOrders, routeAcknowledgment } from './acknowledgments.ts';
import { decodeX12Message, decodeX12Parts, encodeX12Document, type X12Meta } from './codec.ts';
import { screenDuplicates } from './duplicates.ts';
import { checkX12Config, configureX12, type X12Settings } from './settings.ts';
import { overdueGroups, trackSentGroups } from './tracking.ts';

/** Each document type X12 speaks has the set it is written as, and is read from that set (and its alternatives). */
const X12_DOCUMENT_TYPES = Object.keys(DEFAULT_SET_FOR) as DocumentType[];

/** Duplicates are screened out; the partner's acknowledgments left are completed with the order their group carried. */
async function screenAndResolve(documents: ReadonlyArray<DecodedDocument<X12Meta>>, ctx: HookContext<X12Settings>): Promise<ScreenResult> {
  const screened = await screenDuplicates(documents, ctx);
  const skip = new Set(screened.skip);
  const resolved = await resolveAcknowledgedOrders(documents.filter((d) => !skip.has(d.index)), ctx);
  return resolved.length ? { ...screened, resolved } : screened;
}

export const x12Codec: Codec<X12Meta, X12Settings> = {
  name: 'x12',
  contentType: 'application/edi-x12',
  reads: X12_DOCUMENT_TYPES,
  writes: X12_DOCUMENT_TYPES,
  decode: decodeX12Message,
  decodeParts: (source, ctx) => decodeX12Parts(source, ctx),
  async encode(payload, ctx) {
    return Buffer.from((await encodeX12Document(payload, ctx)).text, 'latin1');
  },
  checkConfig: checkX12Config,
  configure: configureX12,
  hooks: { afterDecode: screenAndResolve, routeDocument: routeAcknowledgment, afterEncode: trackSentGroups, checkOverdue: overdueGroups },
};

export { ACK_FLOW } from './acknowledgments.ts';
export {
  decodeX12Message, decodeX12Parts, DEFAULT_MAX_HELD_SETS, encodeForPartner, encodeX12Document, translateCodes,
  type X12AckMarker, type X12DecodeOptions, type X12EncodeOptions, type X12Envelope, type X12Meta,
} from './codec.ts';
export type { X12Settings } from './settings.ts';
