import { randomBytes, timingSafeEqual } from 'node:crypto';
import { allows, type KeyIdentity } from '../api/auth.ts';

/** A signed-in person: the key they signed in with (never the key itself), and the tenant they look at. */
export interface Session {
  id: string;
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

/** Beyond this many live sessions the oldest is signed out: memory stays bounded whatever is sent. */
const MAX_SESSIONS = 10_000;

/**
 * Sessions live in the serving process, keyed by 256 random bits. A restart signs everyone out,
 * which a console can afford; the cookie carries nothing but the id.
 */
export class Sessions {
  private readonly live = new Map<string, Session>();

  constructor(private readonly ttlMs: number) {}

  open(who: KeyIdentity, tenant: string, now = Date.now()): Session {
    if (this.live.size >= MAX_SESSIONS) this.live.delete(this.live.keys().next().value!);
    const session: Session = {
      id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'),
      keyName: who.name, scopes: who.scopes, grant: who.role ?? who.scopes.join(', '), keyTenant: who.tenant, tenant,
      // A key that expires ends the session with it.
      expiresAt: Math.min(now + this.ttlMs, who.expiresAt ?? Infinity),
    };
    this.live.set(session.id, session);
    return session;
  }

  find(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const s = this.live.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= now) {
      this.live.delete(id);
      return undefined;
    }
    return s;
  }

  close(id: string): void {
    this.live.delete(id);
  }
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
