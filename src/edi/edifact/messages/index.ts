// Which message module reads and writes which canonical document.
import type { Acknowledgment, CanonicalDocument, InventorySnapshot, OrderCancel, Receipt, SalesOrder, Shipment } from '../../../model/index.ts';
import { edifactError } from '../errors.ts';
import type { EdifactMessage } from '../reader.ts';
import { decodeAperak, encodeAperak } from './aperak.ts';
import type { DecodeContext, MessageDecodeResult, MessageEncodeResult, MessageOptions } from './common.ts';
import { decodeContrl, encodeContrl } from './contrl.ts';
import { decodeDesadv, encodeDesadv } from './desadv.ts';
import { decodeInvrpt, encodeInvrpt } from './invrpt.ts';
import { decodeOrders, encodeOrders } from './orders.ts';
import { decodeRecadv, encodeRecadv } from './recadv.ts';

export type { DecodeContext, MessageDecodeResult, MessageEncodeResult, MessageOptions } from './common.ts';
export { decodeAperak, decodeContrl, decodeDesadv, decodeInvrpt, decodeOrders, decodeRecadv };
export { encodeAperak, encodeContrl, encodeDesadv, encodeInvrpt, encodeOrders, encodeRecadv };

type Decoder = (m: EdifactMessage, ctx: DecodeContext) => MessageDecodeResult<CanonicalDocument>;

const DECODERS: Readonly<Record<string, Decoder>> = {
  ORDERS: decodeOrders,
  DESADV: decodeDesadv,
  RECADV: decodeRecadv,
  INVRPT: decodeInvrpt,
  CONTRL: decodeContrl,
  APERAK: decodeAperak,
};

export const SUPPORTED_MESSAGES: readonly string[] = Object.keys(DECODERS);

/** Turns one message's content into canonical documents; a message type we do not speak is an error, not a crash. */
export function decodeContent(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<CanonicalDocument> {
  const decode = DECODERS[m.header.type];
  if (decode) return decode(m, ctx);
  return {
    documents: [],
    errors: [
      edifactError('EDIFACT_MESSAGE_UNSUPPORTED', `Message type ${m.header.type || '(none)'} is not one Causeway reads (${SUPPORTED_MESSAGES.join(', ')}).`, {
        ...(m.interchange ? { interchange: m.interchange.controlReference } : {}),
        ...(m.group ? { group: m.group.reference } : {}),
        message: m.header.reference,
        messageType: m.header.type,
        segmentPosition: 1,
        segmentTag: 'UNH',
        offset: m.offset,
        element: 2,
        component: 1,
      }),
    ],
  };
}

/** Which message a document is written as. */
export function messageTypeFor(doc: CanonicalDocument): string | undefined {
  switch (doc.type) {
    case 'sales_order':
    case 'order_cancel':
      return 'ORDERS';
    case 'shipment':
      return 'DESADV';
    case 'receipt':
      return 'RECADV';
    case 'inventory_snapshot':
      return 'INVRPT';
    case 'acknowledgment':
      return doc.kind === 'application' ? 'APERAK' : 'CONTRL';
    default:
      return undefined;
  }
}

/** Writes a canonical document as a message body (UNH and UNT come from the generator). */
export function encodeContent(doc: CanonicalDocument, o: MessageOptions): MessageEncodeResult {
  switch (messageTypeFor(doc)) {
    case 'ORDERS':
      return encodeOrders(doc as SalesOrder | OrderCancel, o);
    case 'DESADV':
      return encodeDesadv(doc as Shipment, o);
    case 'RECADV':
      return encodeRecadv(doc as Receipt, o);
    case 'INVRPT':
      return encodeInvrpt(doc as InventorySnapshot, o);
    case 'CONTRL':
      return encodeContrl(doc as Acknowledgment);
    case 'APERAK':
      return encodeAperak(doc as Acknowledgment, o);
    default:
      return { type: '', segments: [], errors: [edifactError('EDIFACT_DOCUMENT_UNSUPPORTED', `A ${doc.type} document has no EDIFACT message in Causeway (it writes sales orders and cancels as ORDERS, shipments as DESADV, receipts as RECADV, inventory snapshots as INVRPT, acknowledgments as CONTRL or APERAK).`)] };
  }
}
