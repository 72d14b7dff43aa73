// Duplicate screening is part of a message's outcome: what an interchange was seen in is recorded in
// the transaction that commits its documents, or not at all. A worker that dies (or a store that
// refuses the outcome) after screening must not leave a receipt behind that makes the partner's
// resend of the same interchange a duplicate of documents that were never applied.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { contentHash, Hub } from '../../src/engine/index.ts';
import { openStore, type MessageOutcome, type Store } from '../../src/store/index.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';
import { envelope } from '../edi/x12-helpers.ts';

const BODY_846 = 'BIA*00*DD*INV-1*20260301*2300~N1*WH**9*AMS1~LIN*1*VN*SKU-1~QTY*17*40*EA~QTY*QC*4*EA~QTY*33*36*EA~CTT*1~';
/** Interchange 000000905 from DEPOSITOR; `minute` changes ISA10 only, so a resend has other bytes and the same ISA13. */
const stock = (minute: string) => envelope('IB', [{ id: '846', body: BODY_846 }]).replace('*260301*1000*', `*260301*${minute}*`);

/** When the files arrive, `at` ms on: after the snapshot's own time (BIA 2026-03-01 23:00), as a real one would. */
const RECEIVED = Date.parse('2026-03-02T00:00:00Z');

const CONFIG = `
defaultTenant: acme
partners:
  depositor:
    ours: { qualifier: ZZ, id: WAREHOUSE }
    theirs: { qualifier: ZZ, id: DEPOSITOR }
    usage: T
    acknowledgments: { send: false }
endpoints:
  wh-in: { type: http, codec: x12, codecOptions: { partner: depositor } }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: "http://127.0.0.1:9/stock" }
flows:
  - { name: stock-to-erp, from: [wh-in], types: [inventory_snapshot], to: erp-hook }
`;

/** A store that refuses the outcomes `refuse` picks, as a full disk or a lost connection would. */
function refusing(store: Store, refuse: (outcomes: MessageOutcome[]) => boolean): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'completeMessages') {
        return async (outcomes: MessageOutcome[], now: number) => {
          if (refuse(outcomes)) throw new Error('could not write to the documents table');
          return target.completeMessages(outcomes, now);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const pgSkip = await postgresUnavailable();
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`X12 duplicate screening commits with the outcome (${dialect})`, { skip: dialect === 'postgres' ? pgSkip : undefined }, () => {
    let dir: string;
    let run = 0;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'causeway-screening-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function open(wrap: (s: Store) => Store = (s) => s) {
      const store = dialect === 'postgres' ? await openTestPostgresStore() : await openStore(`sqlite:${join(dir, `hub-${++run}.db`)}`);
      // No loops: the test is the worker, so it decides when a worker dies.
      const hub = await Hub.start(parseConfig(CONFIG, dir), { store: wrap(store), logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
      let key = 0;
      const receive = async (body: string, at: number) => {
        const bytes = Buffer.from(body, 'latin1');
        const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'wh-in', codec: 'x12', body: bytes, contentHash: contentHash(bytes), idempotencyKey: `k-${++key}`, receivedAt: RECEIVED + at }]);
        return a!.messageId;
      };
      const close = async () => {
        await hub.stop();
        await store.close();
      };
      return { store, hub, receive, close };
    }

    it('a worker that dies after screening leaves nothing behind: the resent interchange is applied, the first copy is then the duplicate', async () => {
      const { store, hub, receive, close } = await open();
      try {
        const first = await receive(stock('1000'), 1000);
        const dying = await store.claimPendingMessages('w1', 10, 60_000, 1000);
        assert.deepEqual(dying.map((m) => m.id), [first]);
        // w1 screens and routes the message, then dies before completeMessages.
        await hub.processor.processBatch(dying);

        const resent = await receive(stock('1001'), 2000);
        const claimed = await store.claimPendingMessages('w2', 10, 60_000, 2000);
        assert.deepEqual(claimed.map((m) => m.id), [resent], 'the first copy is still leased to the dead worker');
        await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
        const applied = await store.lineage('acme', resent);
        assert.deepEqual(applied!.message.errors.map((e) => e.code), [], 'not a duplicate of documents that were never committed');
        assert.deepEqual(applied!.documents.map((d) => d.type), ['inventory_snapshot']);
        assert.deepEqual(await store.listEdiDuplicates('acme'), []);

        // The dead worker's lease lapses: its message is taken over and is now the repeat.
        const takenOver = await store.claimPendingMessages('w2', 10, 60_000, 70_000);
        assert.deepEqual(takenOver.map((m) => m.id), [first]);
        await hub.processor.commitOutcomes(takenOver, await hub.processor.processBatch(takenOver));
        const repeat = await store.getMessage('acme', first);
        assert.equal(repeat!.status, 'quarantined');
        assert.deepEqual(repeat!.errors.map((e) => e.code), ['X12_DUPLICATE_INTERCHANGE']);
        assert.match(repeat!.errors[0]!.message, new RegExp(`already received in message ${resent}`));
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.kind, d.firstMessageId, d.lastMessageId, d.count]), [['interchange', resent, first, 2]]);
      } finally {
        await close();
      }
    });

    it('two copies in one batch both read "new"; the second is screened again once the first commits, and is the duplicate', async () => {
      const { store, hub, receive, close } = await open();
      try {
        const first = await receive(stock('1000'), 1000);
        const second = await receive(stock('1001'), 1001);
        const batch = await store.claimPendingMessages('w1', 10, 60_000, 2000);
        const outcomes = await hub.processor.processBatch(batch);
        assert.deepEqual(outcomes.map((o) => o.status), ['processed', 'processed'], 'neither is committed yet, so neither looks like a repeat');
        const committed = await hub.processor.commitOutcomes(batch, outcomes);
        assert.deepEqual(committed.map((o) => [o.messageId, o.status]), [[first, 'processed'], [second, 'quarantined']]);
        assert.deepEqual((await store.lineage('acme', first))!.documents.map((d) => d.type), ['inventory_snapshot']);
        const repeat = await store.getMessage('acme', second);
        assert.deepEqual(repeat!.errors.map((e) => e.code), ['X12_DUPLICATE_INTERCHANGE']);
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.firstMessageId, d.lastMessageId, d.count]), [[first, second, 2]]);
      } finally {
        await close();
      }
    });

    it('an outcome the store refuses records no receipt: the partner\'s resend is applied', async () => {
      let refuseFirst = true;
      let first = 0;
      const { store, hub, receive, close } = await open((s) => refusing(s, (outcomes) => refuseFirst && outcomes.some((o) => o.messageId === first && o.status === 'processed')));
      try {
        first = await receive(stock('1000'), 1000);
        const claimed = await store.claimPendingMessages('w1', 10, 60_000, 1000);
        const [outcome] = await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
        assert.equal(outcome!.status, 'quarantined');
        assert.deepEqual((await store.getMessage('acme', first))!.errors.map((e) => e.code), ['OUTCOME_NOT_STORED']);
        refuseFirst = false;

        const resent = await receive(stock('1001'), 2000);
        const again = await store.claimPendingMessages('w1', 10, 60_000, 2000);
        await hub.processor.commitOutcomes(again, await hub.processor.processBatch(again));
        const applied = await store.lineage('acme', resent);
        assert.equal(applied!.message.status, 'processed');
        assert.deepEqual(applied!.message.errors, []);
        assert.deepEqual(applied!.documents.map((d) => d.type), ['inventory_snapshot']);
      } finally {
        await close();
      }
    });
  });
}
