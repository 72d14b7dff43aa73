import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The plumbing the contract servers share: a real HTTP server on loopback with a route table,
 * tokens that expire, a rate limit that answers 429 with the vendor's Retry-After header, answers
 * that get lost (the request is carried out, the connection is then cut), and a log of every
 * request. The vendor files (contract-extensiv.ts, contract-shipbob.ts) put the documented API
 * on it. These are servers built from public documentation for tests, not the vendors' services.
 */
export interface ContractRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  body: unknown;
}

export interface ContractAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export type Handler = (req: ContractRequest, params: Record<string, string>) => ContractAnswer | Promise<ContractAnswer>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** Routes reached without a token (the token endpoint). */
  open: boolean;
}

export class ContractServer {
  readonly requests: ContractRequest[] = [];
  private readonly routes: Route[] = [];
  private server!: Server;
  url = '';
  /** Valid tokens and when each expires (epoch ms). */
  private readonly tokens = new Map<string, number>();
  private tokenCount = 0;
  /** Requests to answer 429 before any other work. */
  private throttled: Array<{ retryAfterSeconds: number; after: number }> = [];
  /** Sliding-window limit, when set. */
  private limit: { perWindow: number; windowMs: number; seen: number[] } | undefined;
  private readonly drops: Array<{ method: string; pattern: RegExp }> = [];
  private readonly failures: number[] = [];

  constructor(private readonly o: {
    /** Checks the credentials of a non-open route; undefined lets it through. */
    authorise: (req: ContractRequest, server: ContractServer) => ContractAnswer | undefined;
    /** Header names the vendor's 429 carries the wait in (seconds). */
    retryAfterHeaders: string[];
    contentType: string;
  }) {}

  route(method: string, path: string, handler: Handler, open = false): this {
    const names: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler, open });
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8')).then(({ answer, drop }) => {
          if (drop) {
            // The work is done; the answer never reaches the client.
            req.socket.destroy();
            return;
          }
          const headers: Record<string, string> = { ...answer.headers };
          let payload = '';
          if (answer.body !== undefined) {
            headers['content-type'] = answer.contentType ?? this.o.contentType;
            payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          }
          res.writeHead(answer.status, headers);
          res.end(payload);
        });
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  // Tokens

  issueToken(ttlSeconds: number): string {
    this.tokenCount++;
    const token = `tok-${this.tokenCount}-${Date.now()}`;
    this.tokens.set(token, Date.now() + ttlSeconds * 1000);
    return token;
  }

  tokenValid(token: string | undefined): boolean {
    const until = token === undefined ? undefined : this.tokens.get(token);
    return until !== undefined && Date.now() < until;
  }

  /** Every token issued so far stops working, as when they expire or are revoked. */
  expireTokens(): void {
    this.tokens.clear();
  }

  get tokensIssued(): number {
    return this.tokenCount;
  }

  // Rate limit and failures

  /** After `after` more requests, the next `count` are answered 429 with this wait. */
  throttleNext(count: number, retryAfterSeconds: number, after = 0): void {
    for (let i = 0; i < count; i++) this.throttled.push({ retryAfterSeconds, after: i === 0 ? after : 0 });
  }

  /** The next `count` requests are answered with this status (a 5xx: the warehouse is down). */
  failNext(count: number, status: number): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  /** At most `perWindow` requests in any `windowMs`; more are answered 429. */
  limitRate(perWindow: number, windowMs: number): void {
    this.limit = { perWindow, windowMs, seen: [] };
  }

  /** The next request matching is carried out and its answer lost (the connection is cut). */
  dropAnswerOnce(method: string, path: RegExp): void {
    this.drops.push({ method, pattern: path });
  }

  /** Requests other than the token endpoint's, as "METHOD /path". */
  calls(filter?: RegExp): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`).filter((c) => !filter || filter.test(c));
  }

  private async handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, text: string): Promise<{ answer: ContractAnswer; drop: boolean }> {
    const url = new URL(rawUrl, 'http://contract');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (text && body === undefined && /json/.test(String(headers['content-type'] ?? ''))) {
      return { answer: { status: 400, body: { message: 'malformed JSON' } }, drop: false };
    }
    const req: ContractRequest = { method, path: url.pathname, query: url.searchParams, headers, text, body };
    const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (route && !route.open) this.requests.push(req);
    if (!route) return { answer: { status: 404, body: { message: `no route ${method} ${url.pathname}` } }, drop: false };
    if (!route.open) {
      const refused = this.o.authorise(req, this);
      if (refused) return { answer: refused, drop: false };
      const failure = this.failures.shift();
      if (failure !== undefined) return { answer: { status: failure, body: { message: 'Service Unavailable' } }, drop: false };
      const throttle = this.throttled[0];
      if (throttle && throttle.after > 0) throttle.after--;
      else if (throttle) {
        this.throttled.shift();
        return { answer: this.tooMany(throttle.retryAfterSeconds), drop: false };
      }
      if (this.limit) {
        const now = Date.now();
        this.limit.seen = this.limit.seen.filter((t) => now - t < this.limit!.windowMs);
        if (this.limit.seen.length >= this.limit.perWindow) {
          return { answer: this.tooMany(Math.ceil((this.limit.seen[0] + this.limit.windowMs - now) / 1000)), drop: false };
        }
        this.limit.seen.push(now);
      }
    }
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(route.pattern.exec(url.pathname)![i + 1])]));
    const answer = await route.handler(req, params);
    const dropAt = this.drops.findIndex((d) => d.method === method && d.pattern.test(url.pathname));
    if (dropAt >= 0 && answer.status < 300) {
      this.drops.splice(dropAt, 1);
      return { answer, drop: true };
    }
    return { answer, drop: false };
  }

  private tooMany(seconds: number): ContractAnswer {
    return {
      status: 429,
      headers: Object.fromEntries(this.o.retryAfterHeaders.map((h) => [h, String(seconds)])),
      body: { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
      contentType: 'application/json',
    };
  }
}

/** The bearer token of a request, if it has one. */
export function bearerOf(req: ContractRequest): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

/** An ETag of a resource version, quoted as RFC 9110 wants. */
export function etagOf(version: number): string {
  return `"v${version}"`;
}
