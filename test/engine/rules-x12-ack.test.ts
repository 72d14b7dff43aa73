// A warehouse that speaks only X12 acknowledges an order with a 997 for the group its 940 came in:
// the rules record it on the order's ledger (accepted: acknowledged, so never ACK_OVERDUE;
// rejected: an alert), on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { contentHash, Hub } from '../../src/engine/index.ts';
import { findStuck, parseRulesPolicy, type OrderLedger } from '../../src/engine/rules/index.ts';
import { syncSent } from '../../src/engine/rules-step.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = (dir: string) => `
defaultTenant: acme
partners:
  acme-3pl:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    sets: { '940': outbound, '945': inbound }
    acknowledgments: { send: false, deadline: 1h }
endpoints:
  3pl-out: { type: folder, outbox: ${join(dir, 'out')}, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ${join(dir, 'in')}, codec: x12, codecOptions: { partner: acme-3pl } }
flows:
  - { name: orders-to-3pl, types: [sales_order], to: 3pl-out }
`;

/** A 997 from the 3PL answering one of our groups, with one set in it. */
function ack997(isa13: number, group: { control: string; setControl: string }, status: 'A' | 'R'): Buffer {
  const ic = String(isa13).padStart(9, '0');
  const body = [`AK1*OW*${group.control}`, `AK2*940*${group.setControl}`, ...(status === 'R' ? ['AK3*W05*2**8'] : []), `AK5*${status}${status === 'R' ? '*5' : ''}`, `AK9*${status}*1*1*${status === 'A' ? 1 : 0}`];
  const text = [
    ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*'),
    `GS*FA*ACME3PL*CAUSEWAY*20261122*1200*${isa13}*X*004010`, 'ST*997*0001', ...body, `SE*${body.length + 2}*0001`, `GE*1*${isa13}`, `IEA*1*${ic}`,
  ];
  return Buffer.from(text.join('~\n') + '~\n', 'latin1');
}

const pgSkip = await postgresUnavailable();
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`a 997 for the group that carried a 940 acknowledges the order on its ledger (${dialect})`, { skip: dialect === 'postgres' ? pgSkip : undefined }, () => {
    async function open(): Promise<{ store: Store; hub: Hub; receive(endpoint: string, codec: string, body: Buffer): Promise<number>; close(): Promise<void> }> {
      const dir = mkdtempSync(join(tmpdir(), 'causeway-x12-ack-'));
      dirs.push(dir);
      const store = dialect === 'postgres' ? await openTestPostgresStore() : await openStore(`sqlite:${join(dir, 'hub.db')}`);
      const hub = await Hub.start(parseConfig(CONFIG(dir), dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
      let key = 0;
      const receive = async (endpoint: string, codec: string, body: Buffer) => {
        const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint, codec, body, contentHash: contentHash(body), idempotencyKey: `k-${++key}`, receivedAt: Date.now() }]);
        const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
        await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
        return a!.messageId;
      };
      return { store, hub, receive, close: async () => { await hub.stop(); await store.close(); } };
    }

    /** Sends an order as the ERP does, delivers its 940, and gives the group it went in. */
    async function sendOrder(store: Store, receive: (e: string, c: string, b: Buffer) => Promise<number>, orderNumber: string) {
      await receive('api', 'json', Buffer.from(JSON.stringify(salesOrder(orderNumber, 1))));
      const [delivery] = await store.listDeliveries({ tenant: 'acme', entityKey: `order:${orderNumber}` });
      const claimed = await store.claimDueDeliveries('w', 10, 60_000, Date.now());
      const mine = claimed.find((d) => d.id === delivery!.id)!;
      await store.recordAttempts([{ deliveryId: mine.id, tenant: 'acme', startedAt: Date.now(), finishedAt: Date.now(), outcome: 'delivered' }], Date.now());
      const group = (await store.listEdiGroups({ tenant: 'acme' })).find((g) => g.deliveryKey === delivery!.idempotencyKey)!;
      return { control: group.groupControlNumber, setControl: group.sets[0]!.controlNumber };
    }

    const ledgerOf = async (store: Store, orderNumber: string) => (await store.getLedgers('acme', [`order:${orderNumber}`]))[0]!.body as OrderLedger;
    const verdictsOf = async (store: Store, messageId: number) => (await store.lineage('acme', messageId))!.verdicts.map((v) => `${v.verdict} ${v.rule} ${v.entityKey}`);

    it('an accepting 997 records the acknowledgment: the order is not stuck for want of one', async () => {
      const { store, receive, close } = await open();
      try {
        const group = await sendOrder(store, receive, 'SO-1');
        const ack = await receive('3pl-in', 'x12', ack997(501, group, 'A'));
        assert.deepEqual(await verdictsOf(store, ack), ['apply ACK_RECORDED order:SO-1']);
        const ledger = await ledgerOf(store, 'SO-1');
        assert.equal(ledger.send.state, 'sent');
        assert.deepEqual(ledger.acknowledgments.map((a) => [a.kind, a.status, a.documentType, a.reference]), [['functional', 'accepted', 'sales_order', 'SO-1']]);
        const policy = parseRulesPolicy({});
        const dayLater = new Date(Date.now() + 86_400_000).toISOString();
        assert.deepEqual(findStuck([ledger], policy.stuck, dayLater).filter((s) => s.rule === 'ACK_OVERDUE'), []);
        // The group is settled as before.
        assert.equal((await store.listEdiGroups({ tenant: 'acme', status: 'accepted' })).length, 1);
        // Another order, never acknowledged, is stuck then: the check can fail.
        await sendOrder(store, receive, 'SO-2');
        const unacknowledged = await syncSent(store, 'acme', await ledgerOf(store, 'SO-2'));
        assert.deepEqual(findStuck([unacknowledged], policy.stuck, dayLater).map((s) => s.rule), ['ACK_OVERDUE']);
      } finally {
        await close();
      }
    });

    it('a rejecting 997 records the rejection on the order and raises the alert', async () => {
      const { store, receive, close } = await open();
      try {
        const group = await sendOrder(store, receive, 'SO-3');
        const ack = await receive('3pl-in', 'x12', ack997(502, group, 'R'));
        assert.deepEqual(await verdictsOf(store, ack), ['apply ORDER_REJECTED_BY_WAREHOUSE order:SO-3']);
        const ledger = await ledgerOf(store, 'SO-3');
        assert.deepEqual(ledger.acknowledgments.map((a) => [a.kind, a.status]), [['functional', 'rejected']]);
        const alerts = await store.listAlerts('acme');
        assert.ok(alerts.some((a) => a.kind === 'rules_order_rejected_by_warehouse' && a.subject === 'order:SO-3'), alerts.map((a) => a.kind).join(', '));
        assert.equal((await store.listEdiGroups({ tenant: 'acme', status: 'rejected' })).length, 1);
      } finally {
        await close();
      }
    });
  });
}
