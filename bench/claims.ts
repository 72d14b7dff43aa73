/**
 * The SQLite store's two claims, the statements the processor and the outbox run most: pending
 * messages (1,000 a claim, as the worker's batch) and due deliveries (128 a claim, twice an
 * endpoint's concurrency of 64), as the pipeline meets them. 20,000 messages are claimed and each
 * completed with one delivery (its own entity key, a 700-byte payload); then the deliveries are
 * claimed and each recorded delivered. Only the claims are timed; figures are medians over the
 * claims. The raw limit, in the same run on a second store filled alike: a bare lease update of
 * the same rows that returns only their ids.
 *   npm run bench -- --only claims
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type MessageOutcome } from '../src/store/index.ts';

export interface ClaimFigures {
  messageUs: number;
  bareMessageUs: number;
  deliveryUs: number;
  bareDeliveryUs: number;
}

const ROWS = 20_000;
const START = 1_000_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** How one side claims: the store's own statements, or the bare lease updates. Each returns the ids it leased. */
interface Claimer {
  messages(limit: number, now: number): Promise<number[]>;
  deliveries(limit: number, now: number): Promise<number[]>;
}

/** Runs both claims over a fresh store; returns µs of CPU per claimed message and per claimed delivery. */
async function claimAll(dir: string, name: string, claimerOf: (store: SqliteStore, path: string) => Claimer & { close(): void }): Promise<{ message: number; delivery: number }> {
  const path = join(dir, `${name}.db`);
  const store = new SqliteStore({ path });
  await store.migrate();
  const claimer = claimerOf(store, path);
  try {
    // A sales order's raw body and a mapped payload of the sizes the pipeline benchmark's orders have.
    const body = Buffer.alloc(1_200, 'x');
    const payload = Buffer.alloc(700, 'y');
    for (let i = 0; i < ROWS; i += 1000) {
      await store.acceptMessages(Array.from({ length: 1000 }, (_, k) => ({
        tenant: 'bench', endpoint: 'api', codec: 'json', idempotencyKey: `m-${i + k}`, contentHash: `h-${i + k}`, body, receivedAt: START,
      })));
    }
    const timed = async (claim: () => Promise<number[]>, per: number[]) => {
      const t = process.cpuUsage();
      const ids = await claim();
      const u = process.cpuUsage(t);
      if (ids.length) per.push((u.user + u.system) / ids.length);
      return ids;
    };
    const now = START + 1000;
    const perMessage: number[] = [];
    for (let ids; (ids = await timed(() => claimer.messages(1000, now), perMessage)).length > 0;) {
      await store.completeMessages(ids.map((id): MessageOutcome => ({
        messageId: id, status: 'processed', documents: [], deliveries: [{
          tenant: 'bench', documentId: `d-${id}`, documentType: 'sales_order', messageId: id, flow: 'orders', endpoint: 'wms',
          entityKey: `order:SO-${id}`, payload, contentType: 'application/json', idempotencyKey: `i-${id}`, occurredAt: START, receivedAt: START, maxAttempts: 3,
        }],
      })), now);
    }
    const perDelivery: number[] = [];
    for (let ids; (ids = await timed(() => claimer.deliveries(128, now + 1), perDelivery)).length > 0;) {
      await store.recordAttempts(ids.map((id) => ({ deliveryId: id, tenant: 'bench', startedAt: now + 1, finishedAt: now + 1, outcome: 'delivered' as const })), now + 1);
    }
    if (perMessage.length !== ROWS / 1000 || perDelivery.length < ROWS / 128) throw new Error(`benchmark: ${name} claimed ${perMessage.length} and ${perDelivery.length} times`);
    return { message: median(perMessage), delivery: median(perDelivery) };
  } finally {
    claimer.close();
    await store.close();
  }
}

export async function runClaimsBench(): Promise<ClaimFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-claims-'));
  try {
    const causeway = await claimAll(dir, 'causeway', (store) => ({
      messages: async (limit, now) => (await store.claimPendingMessages('bench', limit, 600_000, now)).map((m) => m.id),
      deliveries: async (limit, now) => (await store.claimDueDeliveries('bench', limit, 600_000, now)).map((d) => d.id),
      close: () => undefined,
    }));
    const bare = await claimAll(dir, 'bare', (_store, path) => {
      const db = new Database(path);
      db.pragma('busy_timeout = 5000');
      const messages = db.prepare(`UPDATE messages SET lease_owner = 'bare', lease_until = @until
        WHERE id IN (SELECT id FROM messages WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < @now) ORDER BY id LIMIT @limit) RETURNING id`).pluck();
      const deliveries = db.prepare(`UPDATE deliveries SET lease_owner = 'bare', lease_until = @until
        WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND available_at <= @now AND (lease_until IS NULL OR lease_until < @now)
          ORDER BY available_at, id LIMIT @limit) RETURNING id`).pluck();
      return {
        messages: async (limit, now) => messages.all({ until: now + 600_000, now, limit }) as number[],
        deliveries: async (limit, now) => deliveries.all({ until: now + 600_000, now, limit }) as number[],
        close: () => db.close(),
      };
    });
    const f = (x: number) => x.toFixed(1);
    console.log(`claim pending messages, 1,000 a claim: ${f(causeway.message)} µs CPU per message = ${(causeway.message / bare.message).toFixed(1)} x a bare lease update returning ids (${f(bare.message)} µs)`);
    console.log(`claim due deliveries, 128 a claim: ${f(causeway.delivery)} µs CPU per delivery = ${(causeway.delivery / bare.delivery).toFixed(1)} x a bare lease update returning ids (${f(bare.delivery)} µs); `
      + `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    return { messageUs: causeway.message, bareMessageUs: bare.message, deliveryUs: causeway.delivery, bareDeliveryUs: bare.delivery };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runClaimsBench();
