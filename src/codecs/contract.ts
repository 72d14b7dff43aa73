import type { CausewayError, DocumentType } from '../model/index.ts';
import type { Store } from '../store/index.ts';

/** What a decoder knows of where bytes came from. */
export interface DecodeContext {
  tenant: string;
  endpoint: string;
  /** Partner profile or codec options from the endpoint's config. */
  options?: Record<string, unknown>;
  /** Deepest nesting of arrays and objects to accept (config `maxJsonDepth`); deeper input is an error, never a throw. */
  maxDepth?: number;
}

export interface DecodeResult {
  /** Canonical documents, possibly without the envelope fields the engine fills (id, tenant, receivedAt...). */
  documents: Array<Record<string, unknown>>;
  /** Positioned errors; with documents present, the rest of the input still goes through. */
  errors: CausewayError[];
}

export interface EncodeContext {
  tenant: string;
  endpoint: string;
  options?: Record<string, unknown>;
  store: Store;
}

export interface Codec {
  name: string;
  contentType: string;
  /** Document types it can read out of bytes; absent: any. */
  reads?: readonly DocumentType[];
  /** Document types it can write; absent: any. An endpoint with this codec takes these only, unless a mapping reshapes them. */
  writes?: readonly DocumentType[];
  decode(body: Buffer, ctx: DecodeContext): DecodeResult | Promise<DecodeResult>;
  encode(payload: unknown, ctx: EncodeContext): Buffer | Promise<Buffer>;
}
