import type { Logger } from 'pino';
import type { CanonicalDocument, CausewayError, DocumentType } from '../model/index.ts';
import type { EdiStore, EdiWrites, NewAlert } from '../store/index.ts';

/** What a decoder knows of where bytes came from. */
export interface DecodeContext<S = unknown> {
  tenant: string;
  endpoint: string;
  /** The endpoint's codecOptions. */
  options?: Record<string, unknown>;
  /** What the codec's configure made of the endpoint at start; absent when the codec is used on its own (a script, the command line). */
  settings?: S;
  /** Deepest nesting of arrays and objects to accept (config `maxJsonDepth`); deeper input is an error, never a throw. */
  maxDepth?: number;
}

export interface DecodeResult<E = unknown> {
  /** Canonical documents, possibly without the envelope fields the engine fills (id, tenant, receivedAt...). */
  documents: Array<Record<string, unknown>>;
  /**
   * Where each document came from (same index), as the codec's hooks need it back: interchange,
   * group, set, the acknowledgment owed. Kept beside the documents, never in them, so a document
   * sent in through another codec (the API's JSON) cannot pass for one this codec read.
   */
  envelopes?: Array<E | undefined>;
  /** Positioned errors; with documents present, the rest of the input still goes through. */
  errors: CausewayError[];
  /**
   * What was read with an assumption or left out (a unit taken as EA, a segment skipped): it goes
   * through, and the warnings are kept with the message for whoever looks at it.
   */
  warnings?: CausewayError[];
}

export interface EncodeContext<S = unknown> {
  tenant: string;
  endpoint: string;
  options?: Record<string, unknown>;
  settings?: S;
  /** To draw control numbers, which may leave gaps but are never reused. */
  store: Pick<EdiStore, 'nextControlNumber'>;
}

/** What a codec is given at start for each endpoint that uses it. */
export interface CodecSetup {
  tenant: string;
  endpoint: string;
  /** The endpoint's codecOptions. */
  options: Record<string, unknown>;
  /** The partner profiles of the endpoint's tenant (config `partners`), validated at load. */
  partners: Record<string, unknown>;
}

/**
 * A config as a codec's start-up check reads it: each endpoint with its codec settled (the
 * endpoint type's default when it names none), and the partner profiles (config `partners`),
 * validated at load. Codecs sit below config, so they are shown this much of it, not the config.
 */
export interface CodecConfig {
  endpoints: Record<string, { codec: string; tenant: string; options: Record<string, unknown> }>;
  partners: Record<string, unknown>;
}

/** An endpoint a codec sends to on its own, not as a flow's target, and where the config names it. */
export interface CodecSink {
  endpoint: string;
  /** The config path naming the endpoint, for an error about it. */
  path: string;
  /** What the codec sends there, as an error says it: "our acknowledgments". */
  carries: string;
}

/** An endpoint as a codec's hooks see it. */
export interface CodecEndpoint<S = unknown> {
  name: string;
  tenant: string;
  codec: string;
  settings?: S;
}

/** What a codec may ask of the store while a message is processed: reads, and control numbers. */
export type CodecStore = Pick<EdiStore, 'checkEdiReceipt' | 'nextControlNumber' | 'lastControlNumberSeen' | 'sentGroupDocument'>;

/**
 * What a hook is given. The store is there to read (and to draw control numbers, which may leave
 * gaps but are never reused); everything a hook wants written it returns as EdiWrites, committed
 * with the message's outcome.
 */
export interface HookContext<S = unknown> {
  /** The message being processed. */
  messageId: number;
  /** The endpoint the message came in on (afterDecode, routeDocument) or the one a payload was written for (afterEncode). */
  endpoint: CodecEndpoint<S>;
  /** Another endpoint of the same hub, by name (where acknowledgments go). */
  endpointNamed(name: string): CodecEndpoint | undefined;
  store: CodecStore;
  logger: Logger;
  now: number;
}

/** A valid document of the message being processed, with what its codec's decoder said of it. */
export interface DecodedDocument<E = unknown> {
  /** Its place in the message. */
  index: number;
  document: CanonicalDocument;
  envelope?: E;
}

export interface HookResult {
  /** Kept on the message (and dead-lettered with it), beside the decoder's own. */
  errors?: CausewayError[];
  writes?: EdiWrites;
}

export interface ScreenResult extends HookResult {
  /** Indexes of documents not to apply: already received. */
  skip?: number[];
  /**
   * Documents completed from what only the envelope's bookkeeping knows, in place of the decoded
   * ones (a 997 names the group it accepts; the hook names the order that group carried, so the
   * rules record the acknowledgment on that order).
   */
  resolved?: Array<{ index: number; document: CanonicalDocument }>;
}

/** A payload a hook sends on its own, to an endpoint of the document's tenant. */
export interface CodecSend {
  endpoint: string;
  /** The name the delivery goes under in lineage, in place of a flow's. */
  flow: string;
  payload: Buffer;
  /** The entity key its delivery is ordered by; absent: the document's. */
  entityKey?: string;
}

export interface RouteResult extends HookResult {
  /** When present, the document goes to these and to no flow (an acknowledgment we owe goes to the partner only). */
  deliverInstead?: CodecSend[];
}

/**
 * A document its codec read that will not be applied: the rules step refused it, or it is no valid
 * canonical document (validation, depth). Its message is dead-lettered with the errors either way.
 */
export interface RefusedDocument<E = unknown> {
  /** Its place in the message. */
  index: number;
  /** The document, when it was valid and the rules refused it; absent when it failed validation. */
  document?: CanonicalDocument;
  /** What the decoder said of it; absent for a refusal after its message was processed, when only the document as stored is left. */
  envelope?: E;
  /** Why it is refused: the rule's error, or what validation found. */
  errors: CausewayError[];
}

export interface RefusalResult extends HookResult {
  /** What the partner is owed for the refusal (an application acknowledgment), committed with the message's outcome. */
  send?: CodecSend[];
}

/**
 * A format's own envelope handling, called by the engine without knowing the format. Each is
 * optional; a codec without envelopes (JSON) has none.
 */
export interface CodecHooks<E = unknown, S = unknown> {
  /** After the message is decoded and validated, before routing: duplicates are skipped and recorded. */
  afterDecode?(documents: ReadonlyArray<DecodedDocument<E>>, ctx: HookContext<S>): Promise<ScreenResult>;
  /** Each document before flows: an acknowledgment we owe goes to its partner; a partner's acknowledgment settles what it acknowledges. */
  routeDocument?(doc: DecodedDocument<E>, ctx: HookContext<S>): Promise<RouteResult | undefined>;
  /** A document it read is refused (by the rules, or as invalid): what its partner is owed for that, sent to the codec's own endpoints. */
  afterRefusal?(refused: RefusedDocument<E>, ctx: HookContext<S>): Promise<RefusalResult | undefined>;
  /** After writing a payload for one of this codec's endpoints (a flow's target): what was sent, to be tracked. */
  afterEncode?(sent: { bytes: Buffer; deliveryKey: string }, ctx: HookContext<S>): Promise<HookResult | undefined>;
  /** The periodic check, one worker of the cluster at a time: what waited too long for its acknowledgment, as alerts to raise. */
  checkOverdue?(ctx: { store: Pick<EdiStore, 'markOverdueEdiGroups'>; now: number }): Promise<NewAlert[]>;
}

/** A place in a codec's input, as a person reads it ("row 7, column QTY") and as a machine does. */
export interface InputPlace {
  where: string;
  position: Record<string, string | number>;
}

export interface Codec<E = unknown, S = unknown> {
  name: string;
  contentType: string;
  /** Document types it can read out of bytes; absent: any. */
  reads?: readonly DocumentType[];
  /** Document types it can write; absent: any. An endpoint with this codec takes these only, unless a mapping reshapes them. */
  writes?: readonly DocumentType[];
  decode(body: Buffer, ctx: DecodeContext<S>): DecodeResult<E> | Promise<DecodeResult<E>>;
  /**
   * Reads a message too large to hold (a day's file) as it streams by, in parts of bounded size.
   * Each part is settled: what closes its documents (an X12 group's GE) has been read and checked,
   * so the engine may commit it before the rest is read. Parts come in message order, and the same
   * bytes always give the same parts, so a worker that takes a half-read message over skips the parts
   * committed already. Without it a large message is decoded whole, with decode. A chunk of `source`
   * may be overwritten once the next is asked for (a file is read into one reused buffer): copy what is kept.
   */
  decodeParts?(source: AsyncIterable<Buffer>, ctx: DecodeContext<S>): AsyncIterable<DecodeResult<E>>;
  encode(payload: unknown, ctx: EncodeContext<S>): Buffer | Promise<Buffer>;
  /**
   * At start, with the whole config (run by config's checkConfig, for `causeway validate` and the
   * hub's start alike): faults across its sections that concern this codec (an endpoint naming a
   * partner with no profile), and the endpoints it sends to on its own, which must be able to take
   * what it sends and which the hub opens as sinks even when no flow targets them.
   */
  checkConfig?(config: CodecConfig): { errors: CausewayError[]; sinks: CodecSink[] };
  /**
   * Where in the input a fault of a decoded document lies, for the engine's validation errors: the
   * row and column of a flat file, from the document's envelope and the field's path ("$.lines[2].quantity").
   */
  locate?(envelope: E, path: string): InputPlace | undefined;
  /** At start, once per endpoint using it: the settings handed back in every context of that endpoint. */
  configure?(setup: CodecSetup): S;
  hooks?: CodecHooks<E, S>;
}
