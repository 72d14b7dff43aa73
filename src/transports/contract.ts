import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Store } from '../store/index.ts';

/**
 * The small contract every transport and application connector implements. A component
 * describes itself (name, config schema with descriptions, what it produces and accepts), and then
 * only moves bytes: retries, ordering, idempotency, cursors, logging and metrics are the engine's.
 */

/** One inbound message a source hands to the inbox, raw bytes as received. */
export interface InboundMessage {
  body: Buffer;
  /** Codec that decodes the body (json, x12). Defaults to the endpoint's codec. */
  codec?: string;
  contentType?: string;
  /** The sender's idempotency key; the content hash is used when absent. */
  idempotencyKey?: string;
  /** The partner's reference: a file name, a control number, a record id. */
  partnerRef?: string;
}

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
  | { kind: 'retryable'; error: string; statusCode?: number; response?: string; retryAfterMs?: number }
  | { kind: 'permanent'; error: string; statusCode?: number; response?: string };

export interface SinkRuntime {
  deliver(message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome>;
  close?(): Promise<void>;
}

export interface EndpointContext {
  name: string;
  tenant: string;
  logger: Logger;
  store: Store;
  /** Folder the config file lives in: relative paths in a config resolve against it. */
  baseDir: string;
}

export interface EndpointSpec<C = any> {
  /** The `type` that selects this component in causeway.yaml. */
  type: string;
  description: string;
  config: z.ZodType<C>;
  /** Codec of what it produces or accepts when the config does not say (json, x12). */
  defaultCodec?: string;
  /** How often the engine polls a poll-based source, unless the config says `pollIntervalMs`. */
  defaultPollIntervalMs?: number;
  /** Whether this config makes the endpoint a source (a folder with an inbox); default: when createSource exists. */
  isSource?(config: C): boolean;
  createSource?(config: C, ctx: EndpointContext): SourceRuntime | Promise<SourceRuntime>;
  createSink?(config: C, ctx: EndpointContext): SinkRuntime | Promise<SinkRuntime>;
}

export function defineEndpoint<C>(spec: EndpointSpec<C>): EndpointSpec<C> {
  return spec;
}
