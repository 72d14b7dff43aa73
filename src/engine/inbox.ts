import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { filePieces, type AcceptedMessage, type NewMessage, type PipelineStore, type StoredMessage } from '../store/index.ts';
import { MAX_IDEMPOTENCY_KEY, type Accepted, type InboundFile, type InboundMessage } from '../transports/index.ts';

const EMPTY = Buffer.alloc(0);
import { GroupCommitter } from './group-commit.ts';
import type { HubMetrics } from './metrics.ts';
import type { Wakeup } from './wakeup.ts';

export function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** What the inbox answers for one message. */
export interface InboxReceipt extends Accepted {
  /** For a duplicate: the message first stored under the key. */
  original?: StoredMessage;
  /**
   * The key came again with other bytes (its content hash differs from the stored message's): not
   * a retry but another message under a key already used. It is not stored; the sender must be told.
   */
  keyReused: boolean;
}

/**
 * The front door: every inbound message is stored raw, deduplicated, before anything else looks
 * at it. Single messages (API calls) share group commits; a source's batch commits with its cursor.
 */
export class Inbox {
  private readonly single: GroupCommitter<NewMessage, AcceptedMessage>;

  constructor(private readonly store: PipelineStore, private readonly metrics: HubMetrics, private readonly processorWakeup: Wakeup) {
    this.single = new GroupCommitter((batch) => store.acceptMessages(batch), 500, 2);
  }

  toNewMessage(tenant: string, endpoint: string, codec: string, m: InboundMessage, receivedAt = Date.now()): NewMessage {
    const hash = contentHash(m.body);
    return {
      tenant, endpoint, codec: m.codec ?? codec, contentType: m.contentType, body: m.body, contentHash: hash,
      idempotencyKey: sourceKey(m.idempotencyKey, hash), partnerRef: m.partnerRef, receivedAt,
    };
  }

  /**
   * A source's batch: messages given as files (large ones) are hashed as they stream by and stored
   * in chunks, never read whole; temporary files are deleted whether the batch is stored or refused.
   */
  async acceptFromSource(tenant: string, endpoint: string, codec: string, messages: InboundMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<Accepted[]> {
    try {
      const now = Date.now();
      const prepared: NewMessage[] = [];
      for (const m of messages) prepared.push(m.file ? await this.fileMessage(tenant, endpoint, codec, m, m.file, now) : this.toNewMessage(tenant, endpoint, codec, m, now));
      return await this.acceptBatch(prepared, cursor);
    } finally {
      for (const m of messages) if (m.file?.temporary) await unlink(m.file.path).catch(() => undefined);
    }
  }

  private async fileMessage(tenant: string, endpoint: string, codec: string, m: InboundMessage, file: InboundFile, receivedAt: number): Promise<NewMessage> {
    // Read twice (hashed here, stored later), each time into one reused buffer: see rawChunks.
    const open = () => filePieces(file.path);
    const h = createHash('sha256');
    for await (const piece of open()) h.update(piece);
    const hash = h.digest('hex');
    return {
      tenant, endpoint, codec: m.codec ?? codec, contentType: m.contentType, body: EMPTY, stream: { size: file.size, open }, contentHash: hash,
      idempotencyKey: sourceKey(m.idempotencyKey, hash), partnerRef: m.partnerRef, receivedAt,
    };
  }

  async acceptOne(message: NewMessage): Promise<InboxReceipt> {
    const r = await this.single.submit(message);
    const original = r.duplicate ? await this.store.getMessage(message.tenant, r.messageId) : undefined;
    const keyReused = original !== undefined && original.contentHash !== message.contentHash;
    if (!keyReused) this.count([message], [r]);
    return { ...r, original, keyReused };
  }

  async acceptBatch(messages: NewMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<Accepted[]> {
    if (messages.length === 0 && cursor) {
      await this.store.setCursor(cursor.tenant, cursor.endpoint, cursor.value);
      return [];
    }
    const r = await this.store.acceptMessages(messages, cursor);
    this.count(messages, r);
    return r;
  }

  private count(messages: NewMessage[], results: AcceptedMessage[]): void {
    let fresh = false;
    results.forEach((r, i) => {
      const labels = { tenant: this.metrics.tenant(messages[i].tenant), endpoint: messages[i].endpoint };
      if (r.duplicate) this.metrics.messagesDuplicate.inc(labels);
      else {
        this.metrics.messagesReceived.inc(labels);
        fresh = true;
      }
    });
    if (fresh) this.processorWakeup.notify();
  }

  drain(): Promise<void> {
    return this.single.drain();
  }
}

/**
 * The key a source's message is known by: the sender's own (a NATS Nats-Msg-Id, a connector's
 * record version), else the content hash. A sender's key longer than MAX_IDEMPOTENCY_KEY is kept
 * as the hash of itself: the same key still names the same message, and one a publisher made
 * thousands of characters long cannot fail the store's index (PostgreSQL refuses index entries
 * over about 2,700 bytes) and with it every batch behind it, for ever.
 */
export function sourceKey(given: string | undefined, contentHash: string): string {
  if (given === undefined) return `sha256:${contentHash}`;
  return given.length <= MAX_IDEMPOTENCY_KEY ? given : `key-sha256:${createHash('sha256').update(given, 'utf8').digest('hex')}`;
}
