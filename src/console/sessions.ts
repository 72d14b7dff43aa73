import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { allows, type KeyIdentity } from '../api/auth.ts';
import type { ConsoleSessionRow, ConsoleStore } from '../store/index.ts';

/** A signed-in person: the key they signed in with (never the key itself), and the tenant they look at. */
export interface Session {
  /** The cookie's id: held only while a request is answered; the store knows its hash. */
  id: string;
  idHash: string;
  /** Sent back with every state-changing request; compared in constant time. */
  csrf: string;
  keyName: string;
  /** The key's scopes: reading needs read, every change (replay, correct, resolve) operate. */
  scopes: readonly string[];
  /** What the page header calls the key: its role, or its scopes when it was given scopes. */
  grant: string;
  /** The key's tenant: '*' lets the session switch between tenants. */
  keyTenant: string;
  tenant: string;
  expiresAt: number;
  /** What the last action said, shown once on the page it leads to. */
  flash?: { notice?: string; error?: string };
}

export type SessionStore = Pick<ConsoleStore, 'putConsoleSession' | 'getConsoleSession' | 'updateConsoleSession' | 'deleteConsoleSession' | 'purgeConsoleSessions'>;

/** The store keeps a session under this: a leaked table (a backup, a replica) signs nobody in. */
export const sessionIdHash = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * Sessions live in the store, keyed by the SHA-256 of 256 random bits, so a restart, or another
 * process serving the console over the same store, keeps people signed in, and a sign-out ends
 * the session everywhere at once. The cookie carries nothing but the id.
 */
export class Sessions {
  constructor(private readonly store: SessionStore, private readonly ttlMs: number) {}

  async open(who: KeyIdentity, tenant: string, now = Date.now()): Promise<Session> {
    // Expired sessions go as new ones come: the table holds only live ones (and an index finds the rest).
    await this.store.purgeConsoleSessions(now);
    const id = randomBytes(32).toString('base64url');
    const row: ConsoleSessionRow = {
      idHash: sessionIdHash(id), csrf: randomBytes(32).toString('base64url'),
      keyName: who.name, scopes: [...who.scopes], grant: who.role ?? who.scopes.join(', '), keyTenant: who.tenant, tenant, flash: null, createdAt: now,
      // A key that expires ends the session with it.
      expiresAt: Math.min(now + this.ttlMs, who.expiresAt ?? Number.MAX_SAFE_INTEGER),
    };
    await this.store.putConsoleSession(row);
    return sessionOf(id, row);
  }

  async find(id: string | undefined, now = Date.now()): Promise<Session | undefined> {
    if (!id || id.length > 100) return undefined;
    const row = await this.store.getConsoleSession(sessionIdHash(id), now);
    return row && sessionOf(id, row);
  }

  async close(session: Session): Promise<void> {
    await this.store.deleteConsoleSession(session.idHash);
  }

  async switchTenant(session: Session, tenant: string): Promise<void> {
    session.tenant = tenant;
    await this.store.updateConsoleSession(session.idHash, { tenant });
  }

  /** Keeps what an action said for the page it redirects to (null: shown, forget it). */
  async setFlash(session: Session, flash: { notice?: string; error?: string } | null): Promise<void> {
    await this.store.updateConsoleSession(session.idHash, { flash });
  }
}

function sessionOf(id: string, r: ConsoleSessionRow): Session {
  return {
    id, idHash: r.idHash, csrf: r.csrf, keyName: r.keyName, scopes: r.scopes, grant: r.grant, keyTenant: r.keyTenant, tenant: r.tenant, expiresAt: r.expiresAt,
    flash: r.flash ?? undefined,
  };
}

/** Whether the session's key may change things: the operate scope, as in the API. */
export function mayOperate(session: Session): boolean {
  return allows(session.scopes, 'operate');
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
