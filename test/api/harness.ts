import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { hashApiKey, startApiServer } from '../../src/api/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';

export const KEYS = {
  acme: 'acme-key-0123456789abcdef0123',
  globex: 'globex-key-0123456789abcdef012',
  operator: 'operator-key-0123456789abcdef0',
} as const;

export const SIGNING_SECRET = 'whsec_' + Buffer.from('partner-signing-secret-32-bytes!').toString('base64');

export interface TestApi {
  hub: Hub;
  url: string;
  dir: string;
  /** The alert rules and channels of the served hub; runOnce() checks and tells now. */
  alerting: import('../../src/console/alerts/index.ts').Alerting;
  /** fetch against the API; `key` picks the Authorization header (null: none). */
  call(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A hub on a real SQLite file in a temp folder with the API on a free loopback port: tenants
 * acme and globex, each with a key, and an operator key. `yaml` adds endpoints and flows.
 */
export async function startTestApi(yaml = '', options: { maxBodyBytes?: number; logger?: Logger; idleMs?: number; keys?: string[]; limits?: string } = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-api-'));
  const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
api:
  maxBodyBytes: ${options.maxBodyBytes ?? 65536}
${options.limits ? `  limits:${options.limits}\n` : ''}  keys:
    - { name: acme-erp, tenant: acme, key: ${KEYS.acme} }
    - { name: ops, tenant: "*", key: ${KEYS.operator} }
${(options.keys ?? []).map((k) => `    - ${k}\n`).join('')}retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 }
${yaml}
`, dir);
  const hub = await Hub.start(loaded, { logger: options.logger ?? pino({ level: 'silent' }), idleMs: options.idleMs ?? 20 });
  // globex's key lives in the store, as `causeway apikey add` would put it, not in the config.
  await hub.store.putApiKey({ id: 'k-globex', tenant: 'globex', name: 'globex-wms', hash: hashApiKey(KEYS.globex), role: 'operator', createdAt: Date.now() });
  const server = await startApiServer(hub, { listen: '127.0.0.1:0' });
  return {
    hub, url: server.url, dir, alerting: server.alerting,
    call(path, init = {}) {
      const { key = KEYS.acme, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null) headers.set('authorization', `Bearer ${key}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(server.url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async close() {
      await server.close();
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function problemOf(res: Response): Promise<{ type: string; title: string; status: number; detail: string; errors?: Array<{ code: string; path?: string; message: string }>; messageId?: number; documents?: number }> {
  if (!res.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected a problem, got ${res.status} ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  return res.json() as never;
}
