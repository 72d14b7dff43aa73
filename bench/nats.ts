/**
 * NATS JetStream through Causeway vs the bare nats client, in the same run against the same server:
 *  - publish: bare js.publish with a Nats-Msg-Id and awaited acks, vs Causeway delivering documents
 *    to a nats target, end to end (inbox -> decode -> outbox -> publish ack recorded) and from the
 *    outbox alone (documents decoded beforehand, delivery only);
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
  outboxPublishPerSec: number;
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

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
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
  // The bare client gets the connection options Causeway's own connections use, so the ratio is Causeway's work alone.
  const nc = await connect({ servers: TEST_NATS_URL, noAsyncTraces: true });
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
    const publishHub = (db: string, out: string, parts: { processor?: boolean; delivery?: boolean } = {}) => Hub.start(parseConfig(`
store: sqlite:${join(dir, db)}
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
`, dir), { logger: silent, idleMs: 5, ...parts });
    const accept = async (hub: Hub) => {
      const now = Date.now();
      const messages = Array.from({ length: count }, (_, i) => hub.inbox.toNewMessage('bench', 'api', 'json', { body: body(i) }, now));
      for (let i = 0; i < count; i += 1000) await hub.inbox.acceptBatch(messages.slice(i, i + 1000));
    };
    // Watched through the hub's own attempt counter until the last ack is in, not by asking its
    // store: a KPI query every few milliseconds on the hub's thread (SQLite answers synchronously)
    // took most of the time it measured, and the server's stream info answers late under load.
    const acked = async (hub: Hub) => (await hub.metrics.attempts.get()).values.filter((v) => v.labels.outcome === 'delivered').reduce((n, v) => n + v.value, 0);
    const published = async (hub: Hub, out: string, before = 0) => {
      const total = count + before;
      await until(async () => (await acked(hub)) >= total, 120_000, `${total} publishes acknowledged`);
      await until(async () => (await hub.store.kpiSample('bench', 0, Date.now() + 1)).delivered >= total, 120_000, `${total} acknowledgements recorded`, 50);
      if ((await streamCount(nc, out)) !== total) throw new Error(`benchmark: ${await streamCount(nc, out)} messages on ${out}, expected ${total}`);
    };
    const out = stream('BENCH_OUT');
    const whole = await publishHub('publish.db', out);
    try {
      // One order first, so the timing starts with the connection and the stream up, as in a hub that has been running.
      await whole.inbox.acceptBatch([whole.inbox.toNewMessage('bench', 'api', 'json', { body: body(-1) }, Date.now())]);
      await until(async () => (await acked(whole)) >= 1, 60_000, 'the first publish');
      t = performance.now();
      await accept(whole);
      await published(whole, out, 1);
    } finally {
      await whole.stop();
    }
    const causewayPublishPerSec = count / ((performance.now() - t) / 1000);

    // The outbox alone: the documents decoded first with delivery off, then a hub that only delivers.
    const outboxOut = stream('BENCH_OUTBOX');
    const filling = await publishHub('outbox.db', outboxOut, { delivery: false });
    try {
      await accept(filling);
      await until(async () => ((await filling.store.kpiSample('bench', 0, Date.now() + 1)).backlog.find((b) => b.endpoint === 'bus')?.pending ?? 0) >= count, 120_000, `${count} deliveries in the outbox`, 50);
    } finally {
      await filling.stop();
    }
    t = performance.now();
    const delivering = await publishHub('outbox.db', outboxOut, { processor: false });
    try {
      await published(delivering, outboxOut);
    } finally {
      await delivering.stop();
    }
    const outboxPublishPerSec = count / ((performance.now() - t) / 1000);

    console.log(`nats publish, bare client (64 in flight, acks awaited): ${fmt(barePublishPerSec)} msgs/s`);
    console.log(`nats publish through Causeway (inbox -> decode -> outbox -> publish ack recorded): ${fmt(causewayPublishPerSec)} docs/s = ${(causewayPublishPerSec / barePublishPerSec).toFixed(2)} x bare`);
    console.log(`nats publish through Causeway's outbox alone (documents already decoded -> publish ack recorded): ${fmt(outboxPublishPerSec)} docs/s = ${(outboxPublishPerSec / barePublishPerSec).toFixed(2)} x bare`);
    console.log(`nats consume, bare durable pull consumer (fetch 100, ack): ${fmt(bareConsumePerSec)} msgs/s`);
    console.log(`nats consume through Causeway (fetch 500 -> inbox commit -> ack): ${fmt(causewayConsumePerSec)} msgs/s = ${(causewayConsumePerSec / bareConsumePerSec).toFixed(2)} x bare`);
    return { barePublishPerSec, causewayPublishPerSec, outboxPublishPerSec, bareConsumePerSec, causewayConsumePerSec };
  } finally {
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runNatsBench();
