// Retention as a client sees it: the hub's scheduled pruner takes a message's raw bytes, then its
// documents; the API answers 410 with what was kept, refuses a replay it could not decode, and
// still tells another tenant only 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { message as messageSchema } from '../../src/api/schemas.ts';
import { salesOrder } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';
import { KEYS, problemOf, startTestApi, type TestApi } from './harness.ts';

describe('API: messages pruned by retention', () => {
  let api: TestApi;

  before(async () => {
    // Periods of about 1 and 3 seconds, checked every 200 ms: the scheduled pruner does the work.
    api = await startTestApi(`
retention: { rawDays: 0.000012, documentsDays: 0.000035, everyMs: 200, pauseMs: 0 }
`);
  });
  after(async () => { await api.close(); });

  it('answers 410 for the parts retention removed, naming what was kept', async () => {
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-OLD') })).json();
    const raw = await waitFor(async () => {
      const r = await api.call(`/v1/messages/${messageId}/raw`);
      return r.status === 410 ? r : undefined;
    }, 20_000, 'the raw bytes pruned');
    const problem = await problemOf(raw) as Awaited<ReturnType<typeof problemOf>> & { kept: { message: unknown; archive: string | null } };
    assert.equal(problem.type, 'https://causeway.dev/problems/gone');
    assert.match(problem.detail, new RegExp(`raw bytes of message ${messageId} were pruned by retention on \\d{4}-`));
    const kept = messageSchema.parse(problem.kept.message);
    assert.equal(kept.id, messageId);
    assert.ok(kept.size > 0, 'the size received is kept');
    assert.ok(kept.pruned?.rawAt);

    const replay = await api.call(`/v1/messages/${messageId}/replay`, { method: 'POST' });
    assert.equal(replay.status, 410, 'a message without its bytes cannot be decoded again');
    assert.equal((await api.call(`/v1/messages/${messageId}/raw`, { key: KEYS.globex })).status, 404, 'another tenant learns nothing');

    await waitFor(async () => ((await api.call(`/v1/messages/${messageId}/lineage`)).status === 410 ? true : undefined), 20_000, 'the documents pruned');
    const lineage = await problemOf(await api.call(`/v1/messages/${messageId}/lineage`));
    assert.match(lineage.detail, /documents, deliveries and attempts of message \d+ were pruned/);
    const summary = messageSchema.parse(await (await api.call(`/v1/messages/${messageId}`)).json());
    assert.ok(summary.pruned?.documentsAt, 'the message itself still answers, saying what went');
  });
});
