import { AckPolicy, connect, DeliverPolicy, nanos, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import type { NatsConfig } from './config.ts';

/** Opens a connection that reconnects on its own; a refusal is returned to the caller, which decides. */
export async function connectNats(c: NatsConfig, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: c.servers, name: `causeway:${name}`, user: c.user, pass: c.password, token: c.token,
      timeout: c.connectTimeoutMs, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500,
      // Without this the client makes an Error (a stack trace) for every publish, to say where a timeout
      // began; our errors name the endpoint and the delivery themselves.
      noAsyncTraces: true,
    });
  } catch (e) {
    throw new Error(`connecting to NATS at ${c.servers.join(', ')}: ${(e as Error).message}`, { cause: e });
  }
}

/** Creates the stream when the config asks for it and it does not exist; an existing stream is left as it is. */
export async function ensureStream(jsm: JetStreamManager, c: NatsConfig): Promise<void> {
  const s = c.stream;
  if (!s.create) return;
  try {
    await jsm.streams.info(s.name);
    return;
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`looking up JetStream stream ${s.name}: ${(e as Error).message}`, { cause: e });
  }
  try {
    await jsm.streams.add({
      name: s.name, subjects: s.subjects ?? [`${c.subjectPrefix}.>`], storage: s.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: s.replicas, max_age: nanos(s.maxAgeMs), duplicate_window: nanos(s.duplicateWindowMs),
      ...(s.maxBytes ? { max_bytes: s.maxBytes } : {}),
    });
  } catch (e) {
    // Another worker created it first.
    if (!/already in use|already exists/i.test((e as Error).message)) throw new Error(`creating JetStream stream ${s.name}: ${(e as Error).message}`, { cause: e });
  }
}

/** Creates the durable pull consumer with explicit acks unless it exists; an existing one is used as it is. */
export async function ensureConsumer(jsm: JetStreamManager, c: NatsConfig): Promise<void> {
  const k = c.consume!;
  try {
    await jsm.consumers.info(c.stream.name, k.durable);
    return;
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`looking up JetStream consumer ${k.durable}: ${(e as Error).message}`, { cause: e });
  }
  try {
    await jsm.consumers.add(c.stream.name, {
      durable_name: k.durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(k.ackWaitMs), max_ack_pending: k.maxAckPending,
      deliver_policy: k.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All, max_deliver: -1,
      ...(k.filterSubject ? { filter_subject: k.filterSubject } : {}),
    });
  } catch (e) {
    if (!/already (in use|exists)/i.test((e as Error).message)) throw new Error(`creating JetStream consumer ${k.durable} on ${c.stream.name}: ${(e as Error).message}`, { cause: e });
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { code?: number }; message?: string };
  return err.api_error?.code === 404 || err.code === '404' || /not found/i.test(err.message ?? '');
}
