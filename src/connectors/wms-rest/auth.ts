import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { outboundRefusal } from '../../transports/index.ts';
import { WmsError } from './errors.ts';

/**
 * How requests to the warehouse are authorised: an API-key header, a bearer token (a personal
 * access token), HTTP basic, or OAuth2 client credentials. Secrets come from ${ENV} in the config;
 * none of them is ever put in an error message or a log line.
 */
const secret = (description: string, example: string) => z.string().min(1).meta({ description: `${description}; use \${ENV} so it never sits in the file`, examples: [example] });

export const authSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('api-key'),
    header: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected a header name').optional()
      .meta({ description: 'Header that carries the key; default the profile\'s', examples: ['x-api-key'] }),
    key: secret('The API key', '${WMS_API_KEY}'),
  }).strict(),
  z.object({ kind: z.literal('bearer'), token: secret('The bearer token (a personal access token)', '${WMS_TOKEN}') }).strict(),
  z.object({ kind: z.literal('basic'), user: z.string().min(1), password: secret('The password', '${WMS_PASSWORD}') }).strict(),
  z.object({
    kind: z.literal('oauth2'),
    tokenUrl: z.string().min(1).optional().meta({ description: 'Token endpoint, absolute or relative to url; default the profile\'s', examples: ['/AuthServer/api/Token'] }),
    clientId: z.string().min(1),
    clientSecret: secret('The client secret', '${WMS_CLIENT_SECRET}'),
    scope: z.string().optional(),
    params: z.record(z.string(), z.string()).optional().meta({ description: 'Extra fields of the token request (Extensiv: user_login_id)', examples: [{ user_login_id: '17' }] }),
    clientAuth: z.enum(['basic', 'body']).optional().meta({ description: 'Client id and secret in a Basic header or in the body; default the profile\'s' }),
    bodyFormat: z.enum(['form', 'json']).optional().meta({ description: 'Token request body as a form (RFC 6749) or JSON; default the profile\'s' }),
  }).strict(),
]);

export type AuthSettings = z.infer<typeof authSchema>;

/** What a profile says about auth when the endpoint's settings do not. */
export interface AuthDefaults {
  apiKeyHeader?: string;
  tokenPath?: string;
  clientAuth?: 'basic' | 'body';
  bodyFormat?: 'form' | 'json';
  params?: Record<string, string>;
}

export interface Authoriser {
  /** Headers for the next request; fetches or refreshes a token when needed. */
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /** Whether a 401 may be cured by a fresh token (then the request is sent once more). */
  readonly refreshable: boolean;
  /** Forgets the token that was refused, so the next headers() fetches another. */
  refused(headers: Record<string, string>): void;
}

export function authoriser(settings: AuthSettings, defaults: AuthDefaults, baseUrl: string, timeoutMs: number, now: () => number = Date.now, dispatcher?: Dispatcher): Authoriser {
  switch (settings.kind) {
    case 'api-key': {
      const header = settings.header ?? defaults.apiKeyHeader ?? 'x-api-key';
      return fixed({ [header.toLowerCase()]: settings.key });
    }
    case 'bearer': return fixed({ authorization: `Bearer ${settings.token}` });
    case 'basic': return fixed({ authorization: `Basic ${Buffer.from(`${settings.user}:${settings.password}`).toString('base64')}` });
    case 'oauth2': {
      const tokenUrl = settings.tokenUrl ?? defaults.tokenPath;
      if (!tokenUrl) throw new WmsError('WMS_PROFILE', 'oauth2 needs a tokenUrl: neither the endpoint nor its profile gives one');
      return new ClientCredentials({
        tokenUrl: new URL(tokenUrl, baseUrl).toString(), clientId: settings.clientId, clientSecret: settings.clientSecret, scope: settings.scope,
        params: { ...defaults.params, ...settings.params }, clientAuth: settings.clientAuth ?? defaults.clientAuth ?? 'body',
        bodyFormat: settings.bodyFormat ?? defaults.bodyFormat ?? 'form', timeoutMs, dispatcher,
      }, now);
    }
  }
}

function fixed(headers: Record<string, string>): Authoriser {
  return { headers: async () => headers, refreshable: false, refused() {} };
}

interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  params: Record<string, string>;
  clientAuth: 'basic' | 'body';
  bodyFormat: 'form' | 'json';
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

/**
 * OAuth2 client credentials with one cached token per endpoint. The token is renewed before it
 * expires (a tenth of its life early, at most a minute), so requests seldom meet an expired one;
 * concurrent requests share one token request. A 401 makes the client forget the token it used
 * and the request goes once more with a fresh one.
 */
class ClientCredentials implements Authoriser {
  readonly refreshable = true;
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly o: ClientCredentialsOptions, private readonly now: () => number) {}

  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    const current = this.token && this.now() < this.token.renewAt ? this.token.value : await this.renew(signal);
    return { authorization: `Bearer ${current}` };
  }

  refused(headers: Record<string, string>): void {
    if (this.token && headers.authorization === `Bearer ${this.token.value}`) this.token = undefined;
  }

  private renew(signal: AbortSignal): Promise<string> {
    this.pending ??= this.request(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async request(signal: AbortSignal): Promise<string> {
    const { o } = this;
    const fields: Record<string, string> = { grant_type: 'client_credentials', ...o.params };
    if (o.scope) fields.scope = o.scope;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.clientAuth === 'basic') headers.authorization = `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`;
    else Object.assign(fields, { client_id: o.clientId, client_secret: o.clientSecret });
    let body: string;
    if (o.bodyFormat === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(fields);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(fields).toString();
    }
    const startedAt = this.now();
    let res: Response;
    try {
      res = await fetch(o.tokenUrl, { method: 'POST', headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]), dispatcher: o.dispatcher } as RequestInit);
    } catch (error) {
      const refused = outboundRefusal(error);
      if (refused) throw new WmsError('WMS_ADDRESS_REFUSED', `requesting an access token: ${refused.message}`, { cause: error });
      throw new WmsError('WMS_NETWORK', `requesting an access token from ${new URL(o.tokenUrl).host}: ${(error as Error).message}`, { cause: error });
    }
    const text = await res.text();
    let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      answer = text ? JSON.parse(text) : {};
    } catch {
      // An answer that is not JSON is reported by its status below.
    }
    if (!res.ok || typeof answer.access_token !== 'string') {
      // Only the OAuth2 error fields are quoted: the rest of the answer is not ours to log.
      const why = [answer.error, answer.error_description].filter((v) => typeof v === 'string').join(': ');
      throw new WmsError(res.status >= 500 ? 'WMS_UNAVAILABLE' : 'WMS_UNAUTHORIZED',
        `the token endpoint ${new URL(o.tokenUrl).host} answered HTTP ${res.status}${why ? ` (${why})` : ''} to the client credentials`, { status: res.status });
    }
    const lifetimeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : 3_600_000;
    this.token = { value: answer.access_token, renewAt: startedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return answer.access_token;
  }
}
