import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { z } from 'zod';
import { createRegistry, parseConfig } from '../../src/config/index.ts';
import { builtIns } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import type { DeliveryOutcome, EndpointSpec } from '../../src/transports/index.ts';
import { salesOrder } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A partner that answers "too many requests" to the first two attempts of every order, as a
 * warehouse API over its request budget does, then takes it.
 */
function throttlingSpec(attempts: Map<string, number>): EndpointSpec {
  return {
    type: 'throttling-partner',
    description: 'test partner that rate-limits',
    config: z.object({}).strict(),
    produces: [],
    accepts: ['sales_order'],
    createSink: () => ({
      async deliver(m): Promise<DeliveryOutcome> {
        const n = (attempts.get(m.entityKey) ?? 0) + 1;
        attempts.set(m.entityKey, n);
        if (n <= 2) return { kind: 'retryable', throttled: true, statusCode: 429, error: 'over the request budget', retryAfterMs: 10 };
        return { kind: 'delivered', partnerRef: `W-${m.entityKey}` };
      },
    }),
  };
}

function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

describe('outbox: a partner\'s rate limit (429) is retried and never counts toward the circuit breaker', () => {
  it('keeps the circuit closed while many orders are throttled, and delivers each once', async () => {
    const attempts = new Map<string, number>();
    const dir = mkdtempSync(join(tmpdir(), 'causeway-throttled-'));
    dirs.push(dir);
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 20, multiplier: 1 }
circuitBreaker: { failureThreshold: 3, cooldownMs: 60000 }
endpoints:
  wms: { type: throttling-partner, concurrency: 8 }
flows:
  - { name: orders, types: [sales_order], to: wms }
`, dir, createRegistry({ endpoints: [throttlingSpec(attempts)] }, builtIns));
    const { logger, lines } = capturingLogger();
    const hub = await Hub.start(loaded, { logger, idleMs: 10 });
    try {
      for (let i = 1; i <= 10; i++) {
        const body = Buffer.from(JSON.stringify(salesOrder(`SO-T${i}`, 1)));
        await hub.inbox.acceptOne(hub.inbox.toNewMessage('acme', 'api', 'json', { body }));
      }
      // A circuit opened by the throttling would hold everything for a minute: all ten arrive only if it stayed closed.
      const delivered = await waitFor(async () => {
        const d = await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' });
        return d.length === 10 ? d : undefined;
      }, 10_000, 'all ten orders delivered');
      assert.deepEqual(delivered.map((d) => d.attempts).sort(), Array(10).fill(3));
      assert.equal(lines.filter((l) => l.msg === 'circuit opened').length, 0, 'a throttled attempt says nothing about the partner being down');
      assert.equal((await hub.store.listDeadLetters('acme')).length, 0);
    } finally {
      await hub.stop();
    }
  });
});

describe('outbox: a Retry-After longer than the retry policy allows', () => {
  it('is honoured only up to retry.maxDelayMs, so a receiver asking for a year does not park the delivery for a year', async () => {
    const attempts = new Map<string, number>();
    const dir = mkdtempSync(join(tmpdir(), 'causeway-retry-after-'));
    dirs.push(dir);
    const spec: EndpointSpec = {
      ...throttlingSpec(attempts),
      type: 'far-retry-after',
      createSink: () => ({
        async deliver(m): Promise<DeliveryOutcome> {
          const n = (attempts.get(m.entityKey) ?? 0) + 1;
          attempts.set(m.entityKey, n);
          if (n === 1) return { kind: 'retryable', statusCode: 503, error: 'down for maintenance', retryAfterMs: 365 * 86_400_000 };
          return { kind: 'delivered' };
        },
      }),
    };
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50, multiplier: 1 }
endpoints:
  wms: { type: far-retry-after }
flows:
  - { name: orders, types: [sales_order], to: wms }
`, dir, createRegistry({ endpoints: [spec] }, builtIns));
    const hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 10 });
    try {
      await hub.inbox.acceptOne(hub.inbox.toNewMessage('acme', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder('SO-RA1', 1))) }));
      const [d] = await waitFor(async () => {
        const l = await hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' });
        return l.length ? l : undefined;
      }, 10_000, 'delivered on the second attempt, within the policy\'s longest wait');
      assert.equal(d!.attempts, 2);
    } finally {
      await hub.stop();
    }
  });
});
