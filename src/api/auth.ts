import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { CausewayConfig } from '../config/index.ts';
import { scopesOfKey, type KeyRole } from '../config/schema.ts';
import type { ApiKeyRecord } from '../store/index.ts';
import type { ApiEnv } from './context.ts';
import { ApiProblem } from './problems.ts';

/** The form keys are kept and compared in: the plain key never leaves the request that carried it. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export interface KeyIdentity {
  name: string;
  /** A tenant id, or '*' for an operator key that names the tenant per request. */
  tenant: string;
  /** What it may do (read, ingest, operate, admin, metrics): its role's scopes, or its own. */
  scopes: readonly string[];
  /** The role it was given (viewer, operator), when it was given one rather than scopes. */
  role?: KeyRole;
  /** Epoch ms after which it is refused; undefined: never. */
  expiresAt?: number;
}

/** Whether a key with these scopes may use a route that needs `scope`. */
export function allows(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(scope) || (scopes.includes('admin') && scope !== 'metrics');
}

/** Where keys made with `causeway apikey create` are kept: looked up by hash. */
export interface StoredKeys {
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
}

/**
 * Keys from the config (hashed once here) and from the store's api_keys table. A lookup is by
 * the SHA-256 of the presented key; a timing difference can only reveal something about a hash.
 */
export class KeyRing {
  private readonly configured = new Map<string, KeyIdentity>();

  constructor(keys: CausewayConfig['api']['keys'], private readonly stored: StoredKeys) {
    for (const k of keys) {
      this.configured.set(k.hash ?? hashApiKey(k.key!), {
        name: k.name, tenant: k.tenant, scopes: scopesOfKey(k), role: k.role,
        expiresAt: k.expires === undefined ? undefined : Date.parse(k.expires),
      });
    }
  }

  async identify(presented: string): Promise<KeyIdentity | undefined> {
    const hash = hashApiKey(presented);
    const known = this.configured.get(hash);
    if (known) return known;
    const record = await this.stored.findApiKey(hash);
    // Keys made with `causeway apikey create` are given a role.
    return record && { name: record.name, tenant: record.tenant, role: record.role, scopes: scopesOfKey({ role: record.role }) };
  }
}

export const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  return headers.get('x-api-key')?.trim() || undefined;
}

const unauthorized = (detail: string) =>
  new ApiProblem(401, 'unauthorized', detail, undefined, { headers: { 'www-authenticate': 'Bearer realm="causeway"' } });

/**
 * For GET /metrics when metrics.requireKey is set: the figures are the whole hub's, so only an
 * operator key or a key given the metrics scope (the scraper's) reads them. No tenant is chosen.
 */
export function requireMetricsKey(keys: KeyRing): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = await knownKey(keys, c.req.raw.headers, '/metrics asks for an API key (metrics.requireKey): send it as "Authorization: Bearer <key>"');
    if (who.tenant !== '*' && !who.scopes.includes('metrics')) {
      throw new ApiProblem(403, 'forbidden', 'reading /metrics needs an operator key or a key with the metrics scope', [{ code: 'SCOPE_REQUIRED', path: 'header.Authorization', message: 'needs the metrics scope' }]);
    }
    c.set('keyName', who.name);
    await next();
  };
}

/**
 * A route over every client at once (the 3PL's operator view): only an operator key (tenant "*")
 * with the scope may ask; a client's key is refused whatever its scopes.
 */
export function requireOperatorKey(keys: KeyRing, scope: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = await knownKey(keys, c.req.raw.headers, 'send an operator API key as "Authorization: Bearer <key>"');
    if (who.tenant !== '*' || !allows(who.scopes, scope)) {
      throw new ApiProblem(403, 'forbidden', `every client's figures need an operator key (tenant "*") that may ${scope}`, [{ code: 'OPERATOR_KEY_REQUIRED', path: 'header.Authorization', message: 'needs an operator key' }]);
    }
    c.set('keyName', who.name);
    c.set('allTenants', true);
    await next();
  };
}

/** The caller's key: presented, known and not expired, else a 401 (`missing` says how to send one). */
async function knownKey(keys: KeyRing, headers: Headers, missing: string): Promise<KeyIdentity> {
  const key = presentedKey(headers);
  if (!key) throw unauthorized(missing);
  const who = await keys.identify(key);
  if (!who) throw unauthorized('the API key is not known');
  refuseExpired(who);
  return who;
}

export function refuseExpired(who: KeyIdentity, now = Date.now()): void {
  if (who.expiresAt !== undefined && now >= who.expiresAt) throw unauthorized(`the API key "${who.name}" expired at ${new Date(who.expiresAt).toISOString()}`);
}

/**
 * Resolves the caller's tenant: the key's own, or for an operator key the `?tenant=` it names; the
 * key must not have expired and must have the route's scope.
 */
export function requireKey(keys: KeyRing, scope: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = await knownKey(keys, c.req.raw.headers, 'send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    if (!allows(who.scopes, scope)) {
      throw new ApiProblem(403, 'forbidden', `the API key "${who.name}" may not ${scope} (its scopes: ${who.scopes.join(', ')})`, [{ code: 'SCOPE_REQUIRED', path: 'header.Authorization', message: `needs the ${scope} scope` }]);
    }
    const asked = c.req.query('tenant');
    let tenant = who.tenant;
    if (who.tenant === '*') {
      if (!asked) throw new ApiProblem(400, 'bad-request', 'an operator key must name the tenant with ?tenant=', [{ code: 'TENANT_REQUIRED', path: 'query.tenant', message: 'required for operator keys' }]);
      if (!TENANT.test(asked)) throw new ApiProblem(400, 'bad-request', 'not a tenant id', [{ code: 'TENANT_INVALID', path: 'query.tenant', message: 'expected lower-case letters, digits, - and _' }]);
      tenant = asked;
    } else if (asked !== undefined && asked !== who.tenant) {
      throw new ApiProblem(403, 'forbidden', `this key belongs to tenant "${who.tenant}"`, [{ code: 'TENANT_FORBIDDEN', path: 'query.tenant', message: `this key may only see tenant "${who.tenant}"` }]);
    }
    c.set('tenant', tenant);
    c.set('keyName', who.name);
    c.set('allTenants', who.tenant === '*');
    await next();
  };
}
