/**
 * A real NATS server with JetStream for tests: the one at 127.0.0.1:4222, or the one
 * CAUSEWAY_TEST_NATS_URL names. Each test uses streams of its own (random names), deleted afterwards.
 *
 * Without a server the tests are skipped with the reason; with CAUSEWAY_REQUIRE_NATS=1 or CI set they
 * fail instead, so a CI run can never pass by silently skipping them.
 */
import { randomBytes } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { peerRequired } from './peers.ts';

export const TEST_NATS_URL = process.env.CAUSEWAY_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

let availability: Promise<string | undefined> | undefined;

/** Why NATS JetStream cannot be used by the tests, or undefined when it can. */
export function natsUnavailable(): Promise<string | undefined> {
  availability ??= checkAvailability();
  return availability;
}

async function checkAvailability(): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 2000, reconnect: false });
    try {
      await (await nc.jetstreamManager({ timeout: 2000 })).getAccountInfo();
    } finally {
      await nc.close();
    }
  } catch (error) {
    reason = `NATS with JetStream is not reachable at ${TEST_NATS_URL} (${(error as Error).message}); set CAUSEWAY_TEST_NATS_URL to use another server`;
  }
  if (reason && peerRequired('NATS')) throw new Error(reason);
  return reason;
}

/** A name no other test run uses, for a stream, a subject prefix or a consumer. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestNats {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Streams to delete when the test is done. */
  cleanup(...streams: string[]): void;
  close(): Promise<void>;
}

export async function openTestNats(): Promise<TestNats> {
  const nc = await connect({ servers: TEST_NATS_URL });
  const jsm = await nc.jetstreamManager();
  const streams = new Set<string>();
  return {
    nc, jsm,
    cleanup: (...names) => names.forEach((n) => streams.add(n)),
    close: async () => {
      for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
      await nc.close();
    },
  };
}
