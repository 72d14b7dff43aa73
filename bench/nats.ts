/**
 * NATS JetStream through Causeway vs the bare nats client, in the same run against the same server:
 *  - publish: bare js.publish with a Nats-Msg-Id and awaited acks, vs Causeway delivering documents
 *    from its outbox to a nats target (inbox -> decode -> outbox -> publish ack recorded);
 *  - consume: bare durable pull consumer fetch + ack, vs Causeway's nats source (fetch -> inbox
 *    commit -> ack).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, headers as natsHeaders, type JetStreamClient, type NatsConnection } from 'nats';
import pino from 'pino';
import { parseConfig } from '../src/endpoints.ts';
import { Hub } from '../src/engine/index.ts';
import { salesOrder } from '../test/support/documents.ts';
import { natsUnavailable, TEST_NATS_URL, uniqueName } from '../test/support/nats.ts';

export interface NatsFigures {
  barePublishPerSec: number;
  causewayPublishPerSec: number;
  bareConsumePerSec: number;
  causewayConsumePerSec: number;
}

const silent = pino({ level: 'silent' });
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const body = (i: number) => Buffer.from(JSON.stringify(salesOrder(`SO-${i}`, 10)));

async function publishAll(js: JetStreamClient, subject: string, count: number, window: number, prefix: string): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < count) {
      const i = next++;
      const h = natsHeaders();
      h.set('Content-Type', 'application/json');
      await js.publish(subject, body(i), { msgID: `${prefix}-${i}`, headers: h });
    }
  }));
}

async function streamCount(nc: NatsConnection, stream: string): Promise<number> {
  return (await (await nc.jetstreamManager()).streams.info(stream)).state.messages;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runNatsBench(options: { count?: number } = {}): Promise<NatsFigures | undefined> {
  const unavailable = await natsUnavailable().catch((e: Error) => e.message);
  if (unavailable) {
    console.log(`nats: skipped — ${unavailable}`);
    return undefined;
  }
  const count = options.count ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-nats-'));
  const nc = await connect({ servers: TEST_NATS_URL });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const streams: string[] = [];
  const stream = (prefix: string) => {
    const name = uniqueName(prefix);
    streams.push(name);
    return name;
  };
  try {
    // Bare publish: 64 publishes in flight, each awaiting its ack, as Causeway's sink does at concurrency 64.
    const bareOut = stream('BENCH_BARE');
    await jsm.streams.add({ name: bareOut, subjects: [`${bareOut}.>`] });
    let t = performance.now();
    await publishAll(js, `${bareOut}.bench.sales_order`, count, 64, 'bare');
    const barePublishPerSec = count / ((performance.now() - t) / 1000);

    // Bare consume: durable pull consumer, 100-message fetches, explicit acks.
    await jsm.consumers.add(bareOut, { durable_name: 'bare', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(bareOut, 'bare');
    t = performance.now();
    let consumed = 0;
    while (consumed < count) {
      const batch = await consumer.fetch({ max_messages: 100, expires: 1000 });
      for await (const m of batch) { m.ack(); consumed++; }
    }
    await nc.flush();
    const bareConsumePerSec = count / ((performance.now() - t) / 1000);

    // Causeway consume: the nats source fills the inbox from the stream the bare client filled.
    const consumeHub = await Hub.start(parseConfig(`
store: sqlite:${join(dir, 'consume.db')}
defaultTenant: bench
worker: { batchSize: 1000, leaseMs: 600000, idleMs: 5 }
endpoints:
  events:
    type: nats
    servers: [${TEST_NATS_URL}]
    stream: { name: ${bareOut}, create: false }
    consume: { durable: causeway, batchSize: 500 }
flows: []
`, dir), { logger: silent, processor: false, delivery: false });
    t = performance.now();
    try {
      await until(async () => (await consumeHub.store.kpiSample('bench', 0, Date.now())).messages >= count, 120_000, `${count} messages in the inbox`);
    } finally {
      await consumeHub.stop();
    }
    const causewayConsumePerSec = count / ((performance.now() - t) / 1000);

    // Causeway publish: documents accepted into the inbox, decoded, delivered to a nats target, acks recorded.
    const out = stream('BENCH_OUT');
    const publishHub = await Hub.start(parseConfig(`
store: sqlite:${join(dir, 'publish.db')}
defaultTenant: bench
worker: { batchSize: 1000, leaseMs: 600000, idleMs: 5 }
endpoints:
  bus:
    type: nats
    servers: [${TEST_NATS_URL}]
    subjectPrefix: ${out}
    stream: { name: ${out} }
    concurrency: 64
flows:
  - { name: to-bus, types: [sales_order], to: bus }
`, dir), { logger: silent, idleMs: 5 });
    try {
      const now = Date.now();
      const messages = Array.from({ length: count }, (_, i) => publishHub.inbox.toNewMessage('bench', 'api', 'json', { body: body(i) }, now));
      t = performance.now();
      for (let i = 0; i < count; i += 1000) await publishHub.inbox.acceptBatch(messages.slice(i, i + 1000));
      await until(async () => (await publishHub.store.kpiSample('bench', 0, Date.now() + 1)).delivered >= count, 120_000, `${count} publishes acknowledged`);
    } finally {
      await publishHub.stop();
    }
    const causewayPublishPerSec = count / ((performance.now() - t) / 1000);
    if ((await streamCount(nc, out)) !== count) throw new Error(`benchmark: ${await streamCount(nc, out)} messages on ${out}, expected ${count}`);

    console.log(`nats publish, bare client (64 in flight, acks awaited): ${fmt(barePublishPerSec)} msgs/s`);
    console.log(`nats publish through Causeway (inbox -> decode -> outbox -> publish ack recorded): ${fmt(causewayPublishPerSec)} docs/s = ${(causewayPublishPerSec / barePublishPerSec).toFixed(2)} x bare`);
    console.log(`nats consume, bare durable pull consumer (fetch 100, ack): ${fmt(bareConsumePerSec)} msgs/s`);
    console.log(`nats consume through Causeway (fetch 500 -> inbox commit -> ack): ${fmt(causewayConsumePerSec)} msgs/s = ${(causewayConsumePerSec / bareConsumePerSec).toFixed(2)} x bare`);
    return { barePublishPerSec, causewayPublishPerSec, bareConsumePerSec, causewayConsumePerSec };
  } finally {
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runNatsBench();
