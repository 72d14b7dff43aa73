import type { Dispatcher } from 'undici';
import { outboundRefusal } from '../../transports/index.ts';
import { TrytonError } from './errors.ts';
import { decodeValue, encodeValue } from './values.ts';

export interface TrytonConnection {
  /** Server root, e.g. "http://127.0.0.1:8000". */
  url: string;
  database: string;
  user: string;
  /** Only ever sent in the login call; never logged or put into an error message. */
  password: string;
  language?: string;
  /** Per-call time limit; a call that takes longer fails as retryable. Default 30 s. */
  timeoutMs?: number;
  /** Carries every call: the endpoint's outbound guard agent (absent: fetch's own). */
  dispatcher?: Dispatcher;
}

export type TrytonContext = Record<string, unknown>;
export type Domain = unknown[];

/** Time spent in Tryton calls, so the cost of a document can be measured. */
export interface RpcStats {
  calls: number;
  milliseconds: number;
  logins: number;
}

interface Session {
  userId: number;
  header: string;
}

/**
 * A JSON-RPC client for Tryton 6.0. It logs in with common.db.login (a session costs one
 * password check; HTTP Basic would pay it on every call), renews the session once on HTTP 401,
 * and passes the user's preferences as context, which every Tryton call takes as its last
 * parameter. Failures are TrytonErrors, classified retryable or permanent.
 */
export class TrytonRpc {
  readonly stats: RpcStats = { calls: 0, milliseconds: 0, logins: 0 };
  private readonly connection: TrytonConnection;
  private readonly databaseUrl: string;
  private session: Promise<Session> | undefined;
  private userContext: Promise<TrytonContext> | undefined;
  private requestId = 0;

  constructor(connection: TrytonConnection) {
    this.connection = connection;
    this.databaseUrl = `${connection.url.replace(/\/+$/, '')}/${encodeURIComponent(connection.database)}/`;
  }

  get database(): string {
    return this.connection.database;
  }

  /** The Tryton login calls are made as. */
  get user(): string {
    return this.connection.user;
  }

  /** The user's context (language, company, timezone), fetched once per client. */
  async context(): Promise<TrytonContext> {
    this.userContext ??= this.callWithSession<TrytonContext>('model.res.user.get_preferences', [true, {}]).catch((error: unknown) => {
      this.userContext = undefined;
      throw error;
    });
    return this.userContext;
  }

  /** Calls `method` with `args` and the user's context (merged with `extraContext`) appended. */
  async call<T = unknown>(method: string, args: unknown[], extraContext: TrytonContext = {}): Promise<T> {
    const context = { ...(await this.context()), ...extraContext };
    return this.callWithSession<T>(method, [...args, context]);
  }

  async searchRead<T = Record<string, unknown>>(
    model: string, domain: Domain, fields: string[],
    options: { offset?: number; limit?: number | null; order?: Array<[string, 'ASC' | 'DESC']>; context?: TrytonContext } = {},
  ): Promise<T[]> {
    return this.call<T[]>(`model.${model}.search_read`,
      [domain, options.offset ?? 0, options.limit ?? null, options.order ?? null, fields], options.context);
  }

  async search(model: string, domain: Domain, options: { limit?: number; order?: Array<[string, 'ASC' | 'DESC']> } = {}): Promise<number[]> {
    return this.call<number[]>(`model.${model}.search`, [domain, 0, options.limit ?? null, options.order ?? null]);
  }

  async read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[], context?: TrytonContext): Promise<T[]> {
    if (ids.length === 0) return [];
    return this.call<T[]>(`model.${model}.read`, [ids, fields], context);
  }

  async create(model: string, values: Array<Record<string, unknown>>, context?: TrytonContext): Promise<number[]> {
    return this.call<number[]>(`model.${model}.create`, [values], context);
  }

  async write(model: string, ids: number[], values: Record<string, unknown>, context?: TrytonContext): Promise<void> {
    if (ids.length === 0) return;
    await this.call(`model.${model}.write`, [ids, values], context);
  }

  async delete(model: string, ids: number[], context?: TrytonContext): Promise<void> {
    if (ids.length === 0) return;
    await this.call(`model.${model}.delete`, [ids], context);
  }

  /** A workflow button such as `pick` on stock.shipment.out; silent when the state does not allow it. */
  async button<T = unknown>(model: string, name: string, ids: number[], context?: TrytonContext): Promise<T | undefined> {
    if (ids.length === 0) return undefined;
    return this.call<T>(`model.${model}.${name}`, [ids], context);
  }

  /**
   * Presses a button that may stop on a UserWarning (a question Tryton asks a person, such as
   * "ship without a carrier?"). The document reports a fact the warehouse already made true, so
   * the warning is acknowledged for this one case (res.user.warning, not "always") and the button
   * pressed again.
   */
  async buttonAcknowledgingWarnings(model: string, name: string, ids: number[]): Promise<void> {
    // A button may check several things in turn (unpacked moves, then no carrier): each warning
    // is acknowledged once; the same one coming back means acknowledging does not help.
    const acknowledged = new Set<string>();
    for (;;) {
      try {
        await this.button(model, name, ids);
        return;
      } catch (error) {
        if (!(error instanceof TrytonError) || error.code !== 'TRYTON_USER_WARNING' || !error.warningName || acknowledged.has(error.warningName)) throw error;
        acknowledged.add(error.warningName);
        const { userId } = await this.currentSession();
        await this.create('res.user.warning', [{ user: userId, name: error.warningName, always: false }]);
      }
    }
  }

  private async login(): Promise<Session> {
    const { user, password, language } = this.connection;
    this.stats.logins += 1;
    const result = await this.post<unknown>('common.db.login', [user, { password }, language ?? 'en'], undefined);
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') {
      throw new TrytonError('TRYTON_AUTH', `logging in to Tryton database ${this.connection.database} as ${user}: login refused`, { call: 'common.db.login' });
    }
    const [userId, key] = result as [number, string];
    const token = Buffer.from(`${user}:${userId}:${key}`).toString('base64');
    return { userId, header: `Session ${token}` };
  }

  private currentSession(): Promise<Session> {
    this.session ??= this.login().catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  private async callWithSession<T>(method: string, params: unknown[]): Promise<T> {
    const session = this.currentSession();
    try {
      return await this.post<T>(method, params, (await session).header);
    } catch (error) {
      if (!(error instanceof SessionExpired)) throw error;
    }
    // The session expired or the server forgot it (restart): log in again once, then retry.
    if (this.session === session) this.session = undefined;
    try {
      return await this.post<T>(method, params, (await this.currentSession()).header);
    } catch (error) {
      if (error instanceof SessionExpired) {
        throw new TrytonError('TRYTON_AUTH', `calling ${method}: Tryton refused a fresh session for ${this.connection.user}`, { call: method });
      }
      throw error;
    }
  }

  private async post<T>(method: string, params: unknown[], authorization: string | undefined): Promise<T> {
    const id = ++this.requestId;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(method === 'common.db.login' || authorization ? this.databaseUrl : this.connection.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id, method, params: encodeValue(params) }),
        signal: AbortSignal.timeout(this.connection.timeoutMs ?? 30_000),
        dispatcher: this.connection.dispatcher,
      } as RequestInit);
      text = await response.text();
    } catch (error) {
      const refused = outboundRefusal(error);
      if (refused) throw new TrytonError('TRYTON_ADDRESS_REFUSED', `calling ${method}: ${refused.message}`, { call: method, cause: error });
      throw new TrytonError('TRYTON_NETWORK', `calling ${method} on ${this.connection.url}: ${describeNetworkError(error)}`, { call: method, cause: error });
    } finally {
      this.stats.calls += 1;
      this.stats.milliseconds += performance.now() - started;
    }
    if (method === 'common.db.login' && (response.status === 401 || response.status === 403)) {
      throw new TrytonError('TRYTON_AUTH', `logging in to Tryton database ${this.connection.database} as ${this.connection.user}: wrong user or password`, { call: method });
    }
    if (response.status === 401) throw new SessionExpired();
    if (response.status === 429 || response.status >= 500) {
      throw new TrytonError('TRYTON_UNAVAILABLE', `calling ${method}: Tryton answered HTTP ${response.status}`, { call: method });
    }
    if (!response.ok) {
      throw new TrytonError('TRYTON_PROTOCOL', `calling ${method}: Tryton answered HTTP ${response.status} ${response.statusText}`, { call: method });
    }
    let body: { id?: number; result?: unknown; error?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (error) {
      throw new TrytonError('TRYTON_PROTOCOL', `calling ${method}: Tryton's answer is not JSON`, { call: method, cause: error });
    }
    if (body.error !== undefined && body.error !== null) throw classifyApplicationError(method, body.error);
    return decodeValue(body.result) as T;
  }
}

class SessionExpired extends Error {}

/** Tryton puts application errors in the body of an HTTP 200: [kind, args] or [text, traceback]. */
function classifyApplicationError(method: string, error: unknown): TrytonError {
  const [kind, args] = Array.isArray(error) ? (error as [unknown, unknown]) : [error, undefined];
  const list = Array.isArray(args) ? (args as unknown[]) : [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const join = (...parts: string[]) => parts.filter(Boolean).join(' — ');
  switch (kind) {
    case 'UserError':
      return new TrytonError('TRYTON_USER_ERROR', join(text(list[0]), text(list[1])), { call: method });
    case 'UserWarning':
      return new TrytonError('TRYTON_USER_WARNING', join(text(list[1]), text(list[2])), { call: method, warningName: text(list[0]) });
    case 'LoginException':
      return new TrytonError('TRYTON_AUTH', `calling ${method}: Tryton asks for ${text(list[0]) || 'credentials'}`, { call: method });
    case 'ConcurrencyException':
      return new TrytonError('TRYTON_CONCURRENCY', `calling ${method}: ${text(args) || 'record changed meanwhile'}`, { call: method });
    default: {
      const message = text(kind) || JSON.stringify(error);
      // SQLite lets one writer in at a time; Tryton retries a few times and then gives up.
      const code = /database is locked|could not serialize|deadlock/i.test(message) ? 'TRYTON_UNAVAILABLE' : 'TRYTON_SERVER_FAULT';
      return new TrytonError(code, `calling ${method}: Tryton failed: ${message}`, { call: method });
    }
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
