import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CausewayError, DocumentType } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import type { OutboundPolicy } from './outbound/index.ts';

/**
 * The small contract every transport and application connector implements. A component
 * describes itself (name, config schema with descriptions, what it produces and accepts), and then
 * only moves bytes: retries, ordering, idempotency, cursors, logging and metrics are the engine's.
 */

/** One inbound message a source hands to the inbox, raw bytes as received. */
export interface InboundMessage {
  /** The bytes; empty when `file` holds them. */
  body: Buffer;
  /**
   * Or a large message left where it lies, never read whole: the inbox hashes it and the store
   * copies it in chunks (docs/operations.md, "Large files"). `temporary`: a copy the source made
   * (an SFTP download), deleted once stored or refused.
   */
  file?: InboundFile;
  /** Codec that decodes the body (json, x12). Defaults to the endpoint's codec. */
  codec?: string;
  contentType?: string;
  /** The sender's idempotency key; the content hash is used when absent. */
  idempotencyKey?: string;
  /** The partner's reference: a file name, a control number, a record id. */
  partnerRef?: string;
}

export interface InboundFile {
  path: string;
  size: number;
  temporary?: boolean;
}

/** The longest idempotency key (or webhook-id) kept as given: the API refuses longer ones, the inbox hashes a source's. */
export const MAX_IDEMPOTENCY_KEY = 256;

/** Files above this size are handed to the inbox as files, not read into memory. */
export const INBOUND_FILE_BYTES = 1024 * 1024;

/** What a source gets back for each message: stored (new or duplicate), after the commit. */
export interface Accepted {
  messageId: number;
  duplicate: boolean;
}

/** Hands messages to the inbox; resolves only once they are durably stored (and the cursor with them). */
export type AcceptFn = (messages: InboundMessage[], cursor?: string) => Promise<Accepted[]>;

export interface PollResult {
  messages: InboundMessage[];
  /** The cursor to store with these messages; a restart resumes from it. */
  cursor?: string;
  /** Called after the messages are stored: archive files, ack a queue. Not called if storing failed. */
  afterStored?: (accepted: Accepted[]) => Promise<void>;
}

export interface SourceRuntime {
  /** Poll once from the cursor the engine stored last (null the first time). */
  poll?(cursor: string | null, signal: AbortSignal): Promise<PollResult>;
  /** Or listen for pushed messages until the signal aborts, handing each batch to accept. */
  listen?(accept: AcceptFn, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** One encoded document to deliver. */
export interface OutboundMessage {
  deliveryId: number;
  tenant: string;
  endpoint: string;
  documentType: string;
  documentId: string;
  entityKey: string;
  idempotencyKey: string;
  contentType: string;
  payload: Buffer;
  attempt: number;
}

/** A delivery's outcome, as a value: the engine decides what happens next. */
export type DeliveryOutcome =
  | { kind: 'delivered'; partnerRef?: string; statusCode?: number; response?: string }
  | {
      kind: 'retryable'; error: string; statusCode?: number; response?: string; retryAfterMs?: number;
      /**
       * The partner asked us to slow down (HTTP 429, or its request budget is spent): it is up and
       * answering, so the attempt is retried but never counts toward opening the circuit.
       */
      throttled?: boolean;
    }
  | { kind: 'permanent'; error: string; statusCode?: number; response?: string };

export interface SinkRuntime {
  deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome>;
  /**
   * Optional: delivers several messages at once, e.g. all of them sent before the first answer is
   * awaited, and answers one outcome per message in the same order. The engine then hands over up
   * to the endpoint's concurrency in one call. A batch never holds two messages of one entity key
   * (the engine claims a key's next delivery only once the one before is settled), so the
   * messages may go out in any order; each one's outcome stands alone, and a failure retries only
   * that message.
   */
  deliverBatch?(messages: OutboundMessage[], signal: AbortSignal): Promise<DeliveryOutcome[]>;
  close?(): Promise<void>;
}

/** A request a partner pushed to POST /v1/endpoints/{name}/messages: its headers and raw body. */
export interface Push {
  headers: Headers;
  body: Buffer;
}

/** What an endpoint's receiver makes of one push; the transport stores, the API answers. */
export type PushVerdict =
  /**
   * Store this message. With versionKey its idempotency key names a version of a resource (the
   * same key a poll of that version uses): the same key with other bytes is that version again,
   * a duplicate, not a conflicting reuse of the key.
   */
  | { kind: 'store'; message: InboundMessage; versionKey: boolean }
  /** Taken: the endpoint fetches what the push named (a thin event) at its next poll. */
  | { kind: 'queued'; detail: string }
  /** Taken and let be: nothing the endpoint reads (a topic it was not set up for). */
  | { kind: 'ignored'; detail: string }
  /** Refused: 401 for a missing or wrong signature, 400 for a push that cannot be read. */
  | { kind: 'refused'; status: 400 | 401; error: CausewayError };

/**
 * How an application connector takes its partner's pushes (webhooks) itself: it checks them and
 * says what to store, without calling out (a fetch the push asks for belongs to its source).
 */
export interface PushReceiver {
  receive(push: Push, nowSeconds: number): Promise<PushVerdict>;
}

export interface EndpointContext {
  name: string;
  tenant: string;
  logger: Logger;
  store: Store;
  /** Folder the config file lives in: relative paths in a config resolve against it. */
  baseDir: string;
  /** Which non-public addresses its outbound requests may reach (absent: public addresses only); see OutboundGuard. */
  outbound?: OutboundPolicy;
}

/**
 * Document types an endpoint hands to the inbox or takes for delivery: these, or `codec` for
 * whatever its codec reads (or writes). A transport moves any bytes, so its codec decides; an
 * application connector names the documents its API calls make or apply.
 */
export type DocumentTypes = readonly DocumentType[] | 'codec';

export interface EndpointSpec<C = any> {
  /** The `type` that selects this component in causeway.yaml. */
  type: string;
  description: string;
  config: z.ZodType<C>;
  /** Codec of what it produces or accepts when the config does not say (x12); unset: json. */
  defaultCodec?: string;
  /** How often the engine polls a poll-based source, unless the config says `pollIntervalMs`. */
  defaultPollIntervalMs?: number;
  /**
   * What it produces with this config; none ([]) makes it no source. A folder produces what its
   * codec reads once it has an inbox; the Tryton connector what its `produce` setting lists.
   */
  produces: DocumentTypes | ((config: C) => DocumentTypes);
  /** What it takes as a flow's target with this config; none ([]) makes it no target. */
  accepts: DocumentTypes | ((config: C) => DocumentTypes);
  /**
   * It applies canonical documents through an API, as they are: no mapping may reshape what a flow
   * sends it, and its codec is its own (defaultCodec). Default: false (a folder or a webhook writes
   * whatever a mapping made).
   */
  canonicalOnly?: boolean;
  createSource?(config: C, ctx: EndpointContext): SourceRuntime | Promise<SourceRuntime>;
  createSink?(config: C, ctx: EndpointContext): SinkRuntime | Promise<SinkRuntime>;
  /**
   * Takes pushes at POST /v1/endpoints/{name}/messages with these settings (undefined: it takes
   * none). Without it only an `http` endpoint takes pushes.
   */
  createPushReceiver?(config: C, ctx: EndpointContext): PushReceiver | undefined;
}

export function defineEndpoint<C>(spec: EndpointSpec<C>): EndpointSpec<C> {
  return spec;
}

/** The codec an endpoint of this spec uses when its config names none. */
export function defaultCodecOf(spec: Pick<EndpointSpec, 'defaultCodec'>): string {
  return spec.defaultCodec ?? 'json';
}

/**
 * For a transport: whatever its codec reads or writes, once the setting that opens that side (an
 * inbox, an outbox, a stream to consume) is there; nothing without it.
 */
export function codecWhen<C>(opened: (config: C) => unknown): (config: C) => DocumentTypes {
  return (config) => (opened(config) ? 'codec' : []);
}

/** What a spec declares it produces or accepts with these settings (`codec` still to be resolved). */
export function declaredTypes<C>(declared: EndpointSpec<C>['produces'], config: C): DocumentTypes {
  return typeof declared === 'function' ? declared(config) : declared;
}

/** Whether the engine reads from it: it has a source and, with these settings, produces something. */
export function isSource<C>(spec: EndpointSpec<C>, config: C): boolean {
  return !!spec.createSource && declaresAny(declaredTypes(spec.produces, config));
}

/** Whether a flow may deliver to it: it has a sink and, with these settings, accepts something. */
export function isTarget<C>(spec: EndpointSpec<C>, config: C): boolean {
  return !!spec.createSink && declaresAny(declaredTypes(spec.accepts, config));
}

function declaresAny(types: DocumentTypes): boolean {
  return types === 'codec' || types.length > 0;
}
