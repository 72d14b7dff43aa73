// Which set module reads and writes which canonical document.
import type { Acknowledgment, CanonicalDocument, InventorySnapshot } from '../../../model/index.ts';
import { x12Error } from '../errors.ts';
import type { TransactionSet } from '../reader.ts';
import { decode846, encode846 } from './846.ts';
import { decode850, encode850 } from './850.ts';
import { decode856, encode856 } from './856.ts';
import { decode940, encode940 } from './940.ts';
import { decode943, encode943 } from './943.ts';
import { decode944, encode944 } from './944.ts';
import { decode945, encode945 } from './945.ts';
import { decode947, encode947 } from './947.ts';
import { decode997, encode997 } from './997.ts';
import type { DecodeContext, EncodeOptions, SetDecodeResult, SetEncodeResult } from './common.ts';

export type { DecodeContext, EncodeOptions, SetDecodeResult, SetEncodeResult } from './common.ts';
export { decode846, decode850, decode856, decode940, decode943, decode944, decode945, decode947, decode997 };
export { encode846, encode850, encode856, encode940, encode943, encode944, encode945, encode947, encode997 };

type Decoder = (set: TransactionSet, ctx: DecodeContext) => SetDecodeResult<CanonicalDocument>;

const DECODERS: Readonly<Record<string, Decoder>> = {
  '846': decode846,
  '850': decode850,
  '856': decode856,
  '940': decode940,
  '943': decode943,
  '944': decode944,
  '945': decode945,
  '947': decode947,
  '997': decode997,
  '999': decode997,
};

export const SUPPORTED_SETS: readonly string[] = Object.keys(DECODERS);

/** Turns one transaction set into canonical documents; a set we do not speak is an error, not a crash. */
export function decodeSet(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<CanonicalDocument> {
  const decode = DECODERS[set.id];
  if (!decode) {
    return {
      documents: [],
      errors: [
        x12Error('X12_SET_UNSUPPORTED', `Transaction set ${set.id} is not one Causeway reads (${SUPPORTED_SETS.join(', ')}).`, {
          interchange: set.interchange.controlNumber,
          group: set.group.controlNumber,
          set: set.controlNumber,
          setId: set.id,
          segmentPosition: 1,
          segmentId: 'ST',
          offset: set.offset,
          element: 1,
        }),
      ],
    };
  }
  return decode(set, ctx);
}

/** Which set a document is written as, when the partner profile does not say. */
export const DEFAULT_SET_FOR: Readonly<Record<string, string>> = {
  sales_order: '940',
  order_cancel: '940',
  shipment: '945',
  purchase_order: '943',
  receipt: '944',
  inventory_snapshot: '846',
  inventory_adjustment: '947',
  acknowledgment: '997',
};

/** A set's writer, as encodeDocument calls it: the document, the set id (997 or 999), the partner's options. */
type Writer = (doc: never, setId: string, options: EncodeOptions) => SetEncodeResult;

/** `type:set` -> the writer of that document as that set. */
const WRITERS: Readonly<Record<string, Writer>> = {
  'sales_order:940': encode940,
  'order_cancel:940': encode940,
  'sales_order:850': encode850,
  'shipment:945': encode945,
  'shipment:856': encode856,
  'purchase_order:856': encode856,
  'purchase_order:943': encode943,
  'receipt:944': encode944,
  'inventory_snapshot:846': (doc: InventorySnapshot, _id, options) => encode846(doc, options),
  'inventory_adjustment:947': encode947,
  'acknowledgment:997': (doc: Acknowledgment) => encode997(doc, '997'),
  'acknowledgment:999': (doc: Acknowledgment) => encode997(doc, '999'),
};

/** Writes a canonical document as the body of a set (ST/SE come from the generator). */
export function encodeDocument(doc: CanonicalDocument, setId?: string, options: EncodeOptions = {}): SetEncodeResult {
  const id = setId ?? DEFAULT_SET_FOR[doc.type] ?? '';
  const write = Object.hasOwn(WRITERS, `${doc.type}:${id}`) ? WRITERS[`${doc.type}:${id}`]! : undefined;
  if (write) return write(doc as never, id, options);
  return {
    id,
    segments: [],
    errors: [x12Error('X12_DOCUMENT_UNSUPPORTED', `A ${doc.type} document cannot be written as an X12 ${id || '(no set)'}; Causeway writes it as ${DEFAULT_SET_FOR[doc.type] ?? 'no X12 set'}.`)],
  };
}
