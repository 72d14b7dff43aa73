// The EDIFACT codec: files to canonical documents and back, with partner profiles, and its envelope
// hooks: duplicates, the CONTRLs owed both ways, APERAKs for refused messages, tracking of what we send until acknowledged.

import type { DocumentType } from '../../model/index.ts';
import type { Codec } from '../contract.ts';
import { decodeEdifactMessage, decodeEdifactParts, encodeEdifactDocument, type EdifactMeta } from './codec.ts';
import { overdueInterchanges, routeEdifactAcknowledgment, screenEdifactDuplicates, trackSentInterchanges } from './hooks.ts';
import { answerRefusal } from './aperak.ts';
import { checkEdifactConfig, configureEdifact, type EdifactSettings } from './settings.ts';

/** The documents EDIFACT speaks: ORDERS, DESADV, RECADV, INVRPT, and CONTRL/APERAK as acknowledgments. */
const EDIFACT_DOCUMENT_TYPES: readonly DocumentType[] = ['sales_order', 'shipment', 'receipt', 'inventory_snapshot', 'acknowledgment'];

export const edifactCodec: Codec<EdifactMeta, EdifactSettings> = {
  name: 'edifact',
  contentType: 'application/edifact',
  reads: EDIFACT_DOCUMENT_TYPES,
  writes: EDIFACT_DOCUMENT_TYPES,
  decode: decodeEdifactMessage,
  decodeParts: decodeEdifactParts,
  encode: encodeEdifactDocument,
  checkConfig: checkEdifactConfig,
  configure: configureEdifact,
  hooks: { afterDecode: screenEdifactDuplicates, routeDocument: routeEdifactAcknowledgment, afterRefusal: answerRefusal, afterEncode: trackSentInterchanges, checkOverdue: overdueInterchanges },
};

export { CONTRL_FLOW } from './hooks.ts';
export { APERAK_FLOW } from './aperak.ts';
export { DEFAULT_MAX_HELD_MESSAGES, decodeEdifactMessage, decodeEdifactParts, encodeEdifactDocument, encodeForPartner, type EdifactAckMarker, type EdifactEnvelope, type EdifactMeta } from './codec.ts';
export { edifactPartnerSchema, type EdifactPartner, type EdifactSettings } from './settings.ts';
