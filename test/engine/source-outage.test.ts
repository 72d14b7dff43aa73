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
import { SourceDownAlert, sourceDownAfterMs } from '../../src/engine/source-alert.ts';
import { SourceOutage } from '../../src/engine/source-outage.ts';
import { openStore } from '../../src/store/index.ts';
import type { EndpointSpec } from '../../src/transports/index.ts';
import { waitFor } from '../support/receiver.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A source whose partner is down while `state.down` is set: each poll fails as a refused connection does. */
function flakySourceSpec(state: { down: boolean; polls: number }): EndpointSpec {
  return {
    type: 'flaky-source',
    description: 'test source that fails while its partner is down',
    config: z.object({}).strict(),
    defaultPollIntervalMs: 5,
    produces: ['sales_order'],
    accepts: [],
    createSource: () => ({
      async poll() {
        state.polls += 1;
        if (state.down) throw Object.assign(new Error('calling model.stock.shipment.out.search_read on http://erp: ECONNREFUSED'), { code: 'TRYTON_NETWORK' });
        return { messages: [] };
      },
    }),
  };
}

function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

/** A hub polling the flaky source as `erp` every 2 ms; `more` goes on below its endpoints. */
async function flakyHub(state: { down: boolean; polls: number }, logger: pino.Logger, more = ''): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-source-outage-'));
  dirs.push(dir);
  const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  erp: { type: flaky-source, pollIntervalMs: 2 }
${more}`, dir, createRegistry({ endpoints: [flakySourceSpec(state)] }, builtIns));
  return Hub.start(loaded, { logger, idleMs: 10 });
}

describe('a source that keeps failing is logged on a change of state, not on every poll', () => {
  it('logs going down once with the reason, coming back once with how long it was down, and nothing per poll', async () => {
    const state = { down: true, polls: 0 };
    const { logger, lines } = capturingLogger();
    const hub = await flakyHub(state, logger);
    const ofSource = () => lines.filter((l) => l.endpoint === 'erp' && l.level >= 30);
    try {
      await waitFor(() => state.polls >= 40, 10_000, 'forty failed polls');
      const down = ofSource();
      assert.equal(down.length, 1, `one line for forty failed polls: ${JSON.stringify(down.map((l) => l.msg))}`);
      assert.equal(down[0]!.level, 40);
      assert.match(down[0]!.msg, /ECONNREFUSED/, 'the reason is in the line');

      state.down = false;
      const up = await waitFor(() => ofSource().find((l) => l.level === 30), 10_000, 'the recovery logged');
      assert.equal(typeof up.downForMs, 'number');
      assert.ok(up.failures >= 40, `counts the failed polls: ${up.failures}`);
      const polled = state.polls;
      await waitFor(() => state.polls >= polled + 20, 10_000, 'twenty good polls');
      assert.equal(ofSource().length, 2, 'good polls say nothing');

      state.down = true;
      await waitFor(() => ofSource().length === 3, 10_000, 'going down again logged');
      const again = state.polls;
      await waitFor(() => state.polls >= again + 20, 10_000, 'twenty more failed polls');
      assert.equal(ofSource().length, 3);
    } finally {
      await hub.stop();
    }
  });
});

describe('a source that keeps failing raises an alert, and its recovery resolves it', () => {
  it('raises one alert per outage once it lasts longer than the source_down rule allows, and resolves it at the first good poll', async () => {
    const state = { down: true, polls: 0 };
    // 0.002 min: 120 ms, so that the test sees the outage outlast it.
    const hub = await flakyHub(state, pino({ level: 'silent' }), `
  quiet: { type: flaky-source, pollIntervalMs: 2 }
alerts:
  rules:
    - { type: source_down, longerThanMinutes: 0.002, endpoint: erp }
`);
    const alerts = (open: boolean) => hub.store.listAlerts('acme', { kind: 'source_down', open });
    try {
      const [raised] = await waitFor(async () => { const a = await alerts(true); return a.length ? a : undefined; }, 10_000, 'the alert raised');
      assert.equal(raised!.subject, 'endpoint erp');
      assert.match(raised!.message, /^polling erp has failed for \d+ (s|min) \(\d+ failed polls\); nothing comes in from it: .*ECONNREFUSED/);
      assert.equal((raised!.detail as { endpoint: string }).endpoint, 'erp');
      const polled = state.polls;
      await waitFor(() => state.polls >= polled + 40, 10_000, 'forty more failed polls');
      // The other source fails as long, but no rule covers it: it waits for the default of 15 minutes.
      assert.deepEqual((await alerts(true)).map((a) => a.subject), ['endpoint erp'], 'one alert for the outage, none for quiet yet');

      state.down = false;
      await waitFor(async () => (await alerts(true)).length === 0, 10_000, 'the alert resolved');
      assert.equal((await alerts(false)).length, 1);

      state.down = true;
      await waitFor(async () => (await alerts(true)).length === 1, 10_000, 'a new outage, a new alert');
      assert.equal((await alerts(false)).length, 1);
    } finally {
      await hub.stop();
    }
  });

  it('lets a worker that takes a source over keep the open alert of the outage, and resolve it', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      const log = pino({ level: 'silent' });
      let now = 1_000_000;
      const first = new SourceDownAlert(store, 'acme', 'sftp-3pl', 60_000, log, () => now);
      await first.failed({ since: now - 61_000, failures: 60, message: 'connect ECONNREFUSED' });
      await first.failed({ since: now - 61_000, failures: 61, message: 'connect ECONNREFUSED' });
      assert.equal((await store.listAlerts('acme', { kind: 'source_down' })).length, 1);
      // The worker died; another took the source over, and its own outage began later.
      now += 120_000;
      const second = new SourceDownAlert(store, 'acme', 'sftp-3pl', 60_000, log, () => now);
      await second.failed({ since: now - 61_000, failures: 61, message: 'connect ECONNREFUSED' });
      assert.equal((await store.listAlerts('acme', { kind: 'source_down' })).length, 1, 'not raised twice');
      await second.succeeded(true);
      assert.equal((await store.listAlerts('acme', { kind: 'source_down', open: true })).length, 0);
      // A worker that never saw the outage resolves an alert left open at its first good poll.
      await store.raiseAlert({ tenant: 'acme', kind: 'source_down', subject: 'endpoint sftp-3pl', message: 'm', dedupeKey: 'source_down:sftp-3pl:1', createdAt: now });
      const third = new SourceDownAlert(store, 'acme', 'sftp-3pl', 60_000, log, () => now);
      await third.succeeded(false);
      assert.equal((await store.listAlerts('acme', { kind: 'source_down', open: true })).length, 0);
    } finally {
      await store.close();
    }
  });

  it('tries to raise it again a minute after the store refused, not at every failed poll', async () => {
    let now = 10_000_000;
    let tries = 0;
    const down = { raiseAlert: async () => { tries++; throw new Error('the store is down too'); }, listAlerts: async () => [], resolveAlert: async () => false };
    const lines: string[] = [];
    const alert = new SourceDownAlert(down, 'acme', 'erp', 1000, pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }), () => now);
    const outage = { since: now - 5000, failures: 5, message: 'ECONNREFUSED' };
    for (let i = 0; i < 30; i++, now += 1000) await alert.failed(outage);
    assert.equal(tries, 1, 'once in the first half minute');
    for (let i = 0; i < 40; i++, now += 1000) await alert.failed(outage);
    assert.equal(tries, 2, 'and once more after the minute');
    assert.equal(lines.length, 2);
  });

  it('waits as long as the shortest source_down rule that covers the source says, 15 minutes without one', () => {
    const rules = [
      { type: 'source_down', longerThanMinutes: 30 },
      { type: 'source_down', longerThanMinutes: 5, endpoint: 'sftp-3pl' },
      { type: 'source_down', longerThanMinutes: 1, tenant: 'other' },
      { type: 'circuit_open', longerThanMinutes: 1 },
    ];
    assert.equal(sourceDownAfterMs(rules, 'acme', 'sftp-3pl'), 5 * 60_000);
    assert.equal(sourceDownAfterMs(rules, 'acme', 'erp'), 30 * 60_000);
    assert.equal(sourceDownAfterMs([], 'acme', 'erp'), 15 * 60_000);
  });
});

describe('SourceOutage', () => {
  it('summarises a long outage at most once per interval, and names a new reason when it changes', () => {
    const { logger, lines } = capturingLogger();
    let now = 1_000_000;
    const outage = new SourceOutage(logger, 300_000, () => now);
    const refused = Object.assign(new Error('ECONNREFUSED'), { code: 'TRYTON_NETWORK' });
    for (let second = 0; second < 900; second++, now += 1000) outage.failed(refused);
    assert.deepEqual(lines.map((l) => [l.level, l.failures ?? null]), [[40, null], [40, 301], [40, 601]], 'down, then a summary every five minutes');
    assert.match(lines[1]!.msg, /still failing/);
    assert.equal(lines[1]!.downForMs, 300_000);

    outage.failed(Object.assign(new Error('wrong user or password'), { code: 'TRYTON_AUTH' }));
    assert.equal(lines.length, 4, 'a different reason is a change of state');
    assert.match(lines[3]!.msg, /wrong user or password/);

    now += 1000;
    outage.succeeded();
    outage.succeeded();
    assert.equal(lines.length, 5);
    assert.equal(lines[4]!.level, 30);
    assert.equal(lines[4]!.downForMs, 901_000);
    assert.equal(lines[4]!.failures, 901);
  });
});
