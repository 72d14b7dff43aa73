import type { Dispatcher } from 'undici';
import { outboundRefusal } from '../../transports/index.ts';
import type { Authoriser } from './auth.ts';
import { retryAfterMs, type RequestBudget } from './budget.ts';

/** The longest a partner's Retry-After pauses an endpoint's requests. */
export const MAX_PAUSE_MS = 15 * 60_000;
import { codeForStatus, WmsError } from './errors.ts';

/** One call to the warehouse's API, as the profile spells it. */
export interface WmsRequest {
  method: string;
  /** A path below the endpoint's url (`/orders/12`), or a link the API gave (a next page), same origin only. */
  target: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface WmsAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text (undefined when empty). */
  body: unknown;
}

export interface WmsClientOptions {
  /** The endpoint's url: the API's root, with any path prefix its paths hang below. */
  baseUrl: string;
  authoriser: Authoriser;
  budget: RequestBudget;
  /** Sent with every request (the profile's headers, its variables filled in). */
  headers: Record<string, string>;
  timeoutMs: number;
  /** Headers that may say how long to wait after a 429 or 503, first found wins. */
  retryAfterHeaders: string[];
  now?: () => number;
  /** Carries every request: the outbound guard's agent. */
  dispatcher?: Dispatcher;
}

/** How much of a refusal is kept to explain it. */
const SNIPPET = 500;

/**
 * The warehouse's API over fetch: authorised, within the request budget, one answer per call. It
 * sends a request once, except after a 401 from an OAuth2 token, when it fetches a new token and
 * sends it once more; everything else (429, 5xx, a lost connection) comes back as a WmsError for
 * the engine to decide on. It never waits.
 */
export class WmsClient {
  private readonly base: URL;
  private readonly now: () => number;

  constructor(private readonly o: WmsClientOptions) {
    this.base = new URL(o.baseUrl);
    this.now = o.now ?? Date.now;
  }

  /** The URL a request goes to; a link from an answer must stay on the API's own origin. */
  urlOf(request: Pick<WmsRequest, 'target' | 'query'>): URL {
    let url: URL;
    if (/^https?:\/\//i.test(request.target) || request.target.startsWith('//')) {
      url = new URL(request.target);
      if (url.origin !== this.base.origin) throw new WmsError('WMS_PROTOCOL', `refusing to follow a link to ${url.origin}: the endpoint's API is at ${this.base.origin}`);
    } else if (request.target.startsWith('/') && this.isBelowBase(request.target)) {
      url = new URL(request.target, this.base);
    } else {
      url = new URL(this.base.pathname.replace(/\/$/, '') + (request.target.startsWith('/') ? '' : '/') + request.target, this.base);
    }
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    return url;
  }

  async send(request: WmsRequest, signal: AbortSignal): Promise<WmsAnswer> {
    const url = this.urlOf(request);
    const what = `${request.method} ${url.pathname}`;
    let auth = await this.take(what, signal);
    let res = await this.call(request, url, auth, what, signal);
    if (res.status === 401 && this.o.authoriser.refreshable) {
      // The token expired or was revoked before we renewed it: one fresh token, one more try.
      await res.body?.cancel();
      this.o.authoriser.refused(auth);
      auth = await this.take(what, signal);
      res = await this.call(request, url, auth, what, signal);
    }
    const text = await res.text();
    if (!res.ok) throw this.refusal(res, text, what);
    return { status: res.status, headers: res.headers, body: parseBody(res.headers, text, what) };
  }

  private async take(what: string, signal: AbortSignal): Promise<Record<string, string>> {
    const budget = this.o.budget.take();
    if (!budget.ok) {
      throw new WmsError('WMS_THROTTLED', `${what} not sent: the endpoint's request budget is spent for now (next request in ${budget.retryAfterMs} ms)`, { retryAfterMs: budget.retryAfterMs });
    }
    return this.o.authoriser.headers(signal);
  }

  private async call(request: WmsRequest, url: URL, auth: Record<string, string>, what: string, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...lower(this.o.headers), ...lower(request.headers ?? {}), ...auth };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    try {
      return await fetch(url, { method: request.method, headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)]), dispatcher: this.o.dispatcher } as RequestInit);
    } catch (error) {
      const refused = outboundRefusal(error);
      if (refused) throw new WmsError('WMS_ADDRESS_REFUSED', `${what}: ${refused.message}`, { cause: error });
      const e = error as Error;
      if (e.name === 'TimeoutError') throw new WmsError('WMS_TIMEOUT', `${what}: no answer within ${this.o.timeoutMs} ms`, { cause: e });
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new WmsError('WMS_NETWORK', `${what}: ${cause?.code ?? cause?.message ?? e.message}`, { cause: e });
    }
  }

  private refusal(res: Response, text: string, what: string): WmsError {
    const now = this.now();
    const asked = this.o.retryAfterHeaders.map((h) => retryAfterMs(res.headers.get(h), now)).find((v) => v !== undefined);
    // A partner asking for a day (or a year) would stop every request of the endpoint that long: it is asked again after MAX_PAUSE_MS.
    const wait = asked === undefined ? undefined : Math.min(asked, MAX_PAUSE_MS);
    if (res.status === 429) this.o.budget.pauseUntil(now + (wait ?? 1000));
    const snippet = text.slice(0, SNIPPET);
    const code = codeForStatus(res.status);
    const message = res.status === 429
      ? `${what}: the warehouse's rate limit was reached (HTTP 429${wait !== undefined ? `, retry after ${wait} ms` : ''})`
      : `${what} answered HTTP ${res.status}${snippet ? `: ${snippet.replace(/\s+/g, ' ')}` : ''}`;
    return new WmsError(code, message, { status: res.status, retryAfterMs: wait, response: snippet || undefined });
  }

  private isBelowBase(target: string): boolean {
    const prefix = this.base.pathname.replace(/\/$/, '');
    return prefix !== '' && (target === prefix || target.startsWith(`${prefix}/`));
  }
}

/** What an expression reading an answer sees: its body and its headers, names lower-cased. */
export function answerInput(answer: WmsAnswer): { body: unknown; headers: Record<string, string> } {
  return { body: answer.body, headers: Object.fromEntries(answer.headers.entries()) };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function parseBody(headers: Headers, text: string, what: string): unknown {
  if (text === '') return undefined;
  if (!/json/i.test(headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new WmsError('WMS_PROTOCOL', `${what} answered malformed JSON: ${(error as Error).message}`, { response: text.slice(0, SNIPPET) });
  }
}
