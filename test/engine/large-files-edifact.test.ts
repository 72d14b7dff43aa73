// A large EDIFACT file through a folder endpoint: stored in chunks, read by the EDIFACT codec part by
// part (an interchange at a time, its UNZ checked first) and committed in bounded checkpoints; a
// broken message is rejected alone, and an interchange whose UNZ rejects it commits nothing.
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore, type MessageOutcome } from '../../src/store/index.ts';
import { INBOUND_FILE_BYTES } from '../../src/transports/index.ts';
import { countSegments } from '../edi/edifact-helpers.ts';
import { waitFor } from '../support/receiver.ts';

const PER_COMMIT = 400;
const PER_INTERCHANGE = 150;

/** ORDERS in interchanges of PER_INTERCHANGE, about `mb` megabytes; `broken` orders carry a bad quantity, `badUnz` interchanges a wrong UNZ count. */
async function generate(path: string, mb: number, broken: Set<number>, badUnz: Set<number>): Promise<{ bytes: number; orders: number; rejected: Set<number> }> {
  const out = createWriteStream(path);
  let bytes = 0;
  let n = 0;
  const rejected = new Set<number>();
  for (let ic = 1; bytes < mb * 1048576; ic++) {
    let chunk = `UNA:+.? 'UNB+UNOC:3+5412345000013:14+4000000000003:14+260301:0930+${ic}'\n`;
    for (let i = 0; i < PER_INTERCHANGE; i++) {
      n++;
      if (badUnz.has(ic)) rejected.add(n);
      const body = `BGM+220+SO${n}+9'\nDTM+137:20260301:102'\nNAD+BY+4012345000016::9'\nNAD+ST+++Store ${n}+Harbour Road 1+Hamburg++20457+DE'\nLIN+1++MUG-${n % 97}:SA'\nQTY+21:${broken.has(n) ? 'x' : 2}:PCE'\nUNS+S'\nCNT+2:1'\n`;
      chunk += `UNH+${i + 1}+ORDERS:D:96A:UN'\n${body}UNT+${countSegments(body) + 2}+${i + 1}'\n`;
    }
    chunk += `UNZ+${PER_INTERCHANGE + (badUnz.has(ic) ? 1 : 0)}+${ic}'\n`;
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, orders: n, rejected };
}

describe('a large EDIFACT file through a folder endpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-large-edifact-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('commits every accepted interchange in bounded checkpoints, none of a rejected one, and a broken message alone', async () => {
    mkdirSync(join(dir, 'drop'));
    const store = new SqliteStore({ path: join(dir, 'hub.db'), synchronous: 'NORMAL' });
    await store.migrate();
    const commits: Array<{ documents: number; checkpoint: boolean }> = [];
    const complete = store.completeMessages.bind(store);
    store.completeMessages = (outcomes: MessageOutcome[], now: number) => {
      for (const o of outcomes) commits.push({ documents: o.status === 'processed' ? o.documents.length : 0, checkpoint: o.status === 'processed' && !!o.checkpoint });
      return complete(outcomes, now);
    };
    const hub = await Hub.start(parseConfig(`
defaultTenant: acme
worker: { documentsPerCommit: ${PER_COMMIT}, leaseMs: 60000, idleMs: 20 }
endpoints:
  retailer-orders: { type: folder, inbox: ${join(dir, 'drop')}, minAgeMs: 0, pollIntervalMs: 20, codec: edifact }
flows: []
`, dir), { store, logger: pino({ level: 'silent' }), idleMs: 20 });
    try {
      const made = await generate(join(dir, 'orders.edi'), 3, new Set([1234]), new Set([5]));
      assert.ok(made.bytes > 2 * INBOUND_FILE_BYTES, 'the file is larger than a message read whole');
      renameSync(join(dir, 'orders.edi'), join(dir, 'drop', 'orders.edi'));
      const stored = await waitFor(() => store.listMessages({ tenant: 'acme' }).then((l) => l[0]), 120_000, 'the file stored');
      const m = await waitFor(async () => {
        const x = await store.getMessage('acme', stored.id);
        return x && x.status !== 'pending' ? x : undefined;
      }, 300_000, 'the file processed');
      assert.equal(m.chunked, true);
      assert.equal(m.status, 'processed');
      assert.deepEqual([...new Set(m.errors.map((e) => e.code))].sort(), ['EDIFACT_ELEMENT_INVALID', 'EDIFACT_UNZ_COUNT'], JSON.stringify(m.errors.slice(0, 3)));
      const lineage = (await store.lineage('acme', m.id))!;
      const seen = new Set(lineage.documents.filter((d) => d.type === 'sales_order').map((d) => Number((d.body as { orderNumber: string }).orderNumber.slice(2))));
      assert.equal(seen.size, made.orders - made.rejected.size - 1, 'every order of an accepted interchange, once');
      assert.equal(seen.has(1234), false, 'the broken message is rejected alone');
      assert.ok(seen.has(1233) && seen.has(1235));
      for (const r of made.rejected) assert.equal(seen.has(r), false, `order SO${r} of the rejected interchange is not committed`);
      assert.ok(commits.filter((c) => c.checkpoint).length >= 2, `${commits.length} commits`);
      // A checkpoint is taken once a part (one interchange) brings the batch to documentsPerCommit.
      for (const c of commits) assert.ok(c.documents < PER_COMMIT + PER_INTERCHANGE, `${c.documents} documents in one commit`);
    } finally {
      await hub.stop();
      await store.close();
    }
  });
});
