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
import { SourceOutage } from '../../src/engine/source-outage.ts';
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

describe('a source that keeps failing is logged on a change of state, not on every poll', () => {
  it('logs going down once with the reason, coming back once with how long it was down, and nothing per poll', async () => {
    const state = { down: true, polls: 0 };
    const dir = mkdtempSync(join(tmpdir(), 'causeway-source-outage-'));
    dirs.push(dir);
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  erp: { type: flaky-source, pollIntervalMs: 2 }
`, dir, createRegistry({ endpoints: [flakySourceSpec(state)] }, builtIns));
    const { logger, lines } = capturingLogger();
    const hub = await Hub.start(loaded, { logger, idleMs: 10 });
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
