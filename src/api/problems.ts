import type { CausewayError } from '../model/index.ts';

/**
 * RFC 9457 problem details. Every error the API answers is one of these, with a stable `type`
 * per kind of problem and `errors` naming the fields at fault, so a client can act on it.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: CausewayError[];
  /** Set when the request's raw input was stored: it can be looked at and replayed. */
  messageId?: number;
  /** Valid documents of that message, which go on while the faulty ones are kept aside. */
  documents?: number;
  /** For a 410: what retention kept of what was asked for. */
  kept?: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://causeway.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<string, string> = {
  'bad-request': 'The request is not valid',
  unauthorized: 'Authentication is required',
  forbidden: 'This key may not do that',
  'not-found': 'Not found',
  gone: 'Pruned by retention',
  'payload-too-large': 'The request body is too large',
  'invalid-documents': 'The documents are not valid',
  'idempotency-key-conflict': 'The Idempotency-Key was already used for another request',
  'unsupported-media-type': 'Unsupported content type',
  replayed: 'This signed request was received before',
  'rate-limited': 'Too many requests for this tenant',
  'storage-quota': 'The tenant\'s storage quota is used up',
  unavailable: 'The service is unavailable',
  'no-rate-card': 'The client has no rate card',
  'period-open': 'The billing period has not ended',
  'bad-period': 'Not a billing period',
  busy: 'Busy on another worker; try again shortly',
  internal: 'Internal error',
};

/** Thrown by handlers and middleware; the error handler turns it into the response. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: keyof typeof TITLES | string,
    readonly detail: string,
    readonly errors?: CausewayError[],
    readonly extra: { messageId?: number; documents?: number; kept?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  get body(): ProblemBody {
    const body: ProblemBody = { type: PROBLEM_TYPE_BASE + this.kind, title: TITLES[this.kind] ?? this.kind, status: this.status, detail: this.detail };
    if (this.errors?.length) body.errors = this.errors;
    if (this.extra.messageId !== undefined) body.messageId = this.extra.messageId;
    if (this.extra.documents !== undefined) body.documents = this.extra.documents;
    if (this.extra.kept !== undefined) body.kept = this.extra.kept;
    return body;
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.body), {
      status: this.status,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...(this.extra.headers ?? {}) },
    });
  }
}

export const badRequest = (detail: string, errors?: CausewayError[]) => new ApiProblem(400, 'bad-request', detail, errors);
export const notFound = (detail: string) => new ApiProblem(404, 'not-found', detail);
/** Retention removed what was asked for; `kept` says what is left (the message as a list shows it, where it was archived). */
export const gone = (detail: string, kept: unknown) => new ApiProblem(410, 'gone', detail, undefined, { kept });

/**
 * A key sent again with other content (draft-ietf-httpapi-idempotency-key-header: 422). Taking it
 * as a duplicate would drop the new content without a word; storing it would break the promise
 * that one key is one message. `messageId` names the message the key belongs to.
 */
export const idempotencyKeyConflict = (key: string, path: string, original: number) => new ApiProblem(422, 'idempotency-key-conflict',
  `the idempotency key ${JSON.stringify(key)} was already used for message ${original}, whose content differs; a retry must send the same bytes, another message needs another key`,
  [{ code: 'IDEMPOTENCY_KEY_REUSED', path, message: `already used for message ${original} with other content` }], { messageId: original });
