import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EdiReceiptConflict, type AlertStore, type EdiGroup, type EdiReceipt, type EdiStore, type MessageOutcome, type PipelineStore, type Store } from '../../../src/store/index.ts';
import { delivery, msg, type OpenStore } from './fixtures.ts';

/**
 * The EDI facet: control numbers, receipts and duplicate screening, outbound groups and their
 * acknowledgments, and the EDI writes a message's outcome commits with it (hence the pipeline facet,
 * and the alerts those writes raise).
 */
export function ediConformance(open: OpenStore<EdiStore & PipelineStore & AlertStore>): void {
  describe('EDI', () => {
    let store: EdiStore & PipelineStore & AlertStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    it('hands out control numbers that increase, survive reopening and wrap at the maximum', async () => {
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 999_999_999), 2);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'GS', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('other', 'partner-a', 'ISA', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 3), 3);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 3), 1);
      const many = await Promise.all(Array.from({ length: 50 }, () => store.nextControlNumber('acme', 'p', 'ST', 999_999_999)));
      assert.equal(new Set(many).size, 50);
    });

    it('recognises an X12 interchange or set seen again within the window, not a replay of the same message', async () => {
      const r = { tenant: 'acme', kind: 'interchange' as const, key: 'ZZ:ACME3PL:000000007', partner: 'acme-3pl', windowMs: 1000 };
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 1, at: 1000 }), { duplicate: false, firstMessageId: 1, count: 1 });
      assert.equal((await store.recordEdiReceipt({ ...r, messageId: 1, at: 1100 })).duplicate, false, 'a replay of the first message');
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 2, at: 1500 }), { duplicate: true, firstMessageId: 1, count: 2 });
      assert.equal((await store.recordEdiReceipt({ ...r, messageId: 2, at: 1600 })).count, 2, 'a replay of the duplicate is not counted twice');
      assert.equal((await store.recordEdiReceipt({ ...r, tenant: 'other', messageId: 3, at: 1600 })).duplicate, false, 'per tenant');
      assert.equal((await store.recordEdiReceipt({ ...r, kind: 'set', messageId: 3, at: 1600 })).duplicate, false, 'per kind');
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 4, at: 5000 }), { duplicate: false, firstMessageId: 4, count: 1 }, 'outside the window');
      await store.recordEdiReceipt({ ...r, messageId: 5, at: 5100 });
      const dups = await store.listEdiDuplicates('acme');
      assert.deepEqual(dups.map((d) => [d.kind, d.key, d.firstMessageId, d.lastMessageId, d.count]), [['interchange', 'ZZ:ACME3PL:000000007', 4, 5, 2]]);
      assert.equal((await store.listEdiDuplicates('other')).length, 0);
    });

    it('tracks outbound X12 groups until acknowledged, replaces a replay, marks overdue once', async () => {
      const g = (gcn: string, key: string, deadlineAt: number | null) => ({
        tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: `00000000${gcn}`, groupControlNumber: gcn, functionalId: 'OW',
        sets: [{ id: '940', controlNumber: `000${gcn}` }], deliveryKey: key, messageId: 1, endpoint: '3pl-out', sentAt: 1000, deadlineAt,
      });
      await store.recordEdiGroups([g('1', 'k1', 5000), g('2', 'k2', 3000), g('3', 'k3', null)]);
      // A replay reissued control numbers for k2: the group it wrote before is gone.
      await store.recordEdiGroups([g('4', 'k2', 3000)]);
      assert.deepEqual((await store.listEdiGroups({ tenant: 'acme' })).map((x) => [x.groupControlNumber, x.status]), [['4', 'sent'], ['3', 'sent'], ['1', 'sent']]);
      const acked = await store.reconcileEdiGroup('acme', 'acme-3pl', '000000001', { status: 'accepted_with_errors', messageId: 9, at: 2000, detail: { sets: [] } });
      assert.equal(acked!.status, 'accepted_with_errors');
      assert.equal(acked!.ackMessageId, 9);
      assert.deepEqual(acked!.ackDetail, { sets: [] });
      assert.deepEqual(acked!.sets, [{ id: '940', controlNumber: '0001' }]);
      assert.equal(await store.reconcileEdiGroup('acme', 'other-partner', '1', { status: 'accepted', messageId: 9, at: 2000 }), undefined);
      assert.equal(await store.reconcileEdiGroup('other', 'acme-3pl', '1', { status: 'accepted', messageId: 9, at: 2000 }), undefined);
      assert.deepEqual((await store.markOverdueEdiGroups(2999)).length, 0);
      assert.deepEqual((await store.markOverdueEdiGroups(3001)).map((x) => x.groupControlNumber), ['4']);
      assert.deepEqual((await store.markOverdueEdiGroups(9999)).length, 0, 'each group once; acknowledged and deadline-less ones never');
      assert.deepEqual((await store.listEdiGroups({ tenant: 'acme', status: 'overdue' })).map((x) => x.groupControlNumber), ['4']);
      // A late 997 still settles an overdue group.
      assert.equal((await store.reconcileEdiGroup('acme', 'acme-3pl', '4', { status: 'accepted', messageId: 10, at: 4000 }))!.status, 'accepted');
      assert.equal((await store.listEdiGroups({ tenant: 'acme', partner: 'nobody' })).length, 0);
    });

    it('finds the order an outbound group carried, through the delivery it was tracked under, its number compared as a number', async () => {
      const [{ messageId }] = await store.acceptMessages([msg()]);
      const order = delivery(messageId, { endpoint: '3pl-out', entityKey: 'order:SO-7', idempotencyKey: 'deliver-so-7' });
      await store.completeMessages([{
        messageId, status: 'processed',
        documents: [{ id: order.documentId, tenant: 'acme', messageId, type: 'sales_order', entityKey: 'order:SO-7', occurredAt: 900, receivedAt: 1000, body: { type: 'sales_order', orderNumber: 'SO-7' } }],
        deliveries: [order],
        edi: { groups: [{
          tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: '000000012', groupControlNumber: '12', functionalId: 'OW',
          sets: [{ id: '940', controlNumber: '0001' }], deliveryKey: 'deliver-so-7', messageId, endpoint: '3pl-out', sentAt: 1000, deadlineAt: null,
        }] },
      }], 2000);
      assert.deepEqual(await store.sentGroupDocument('acme', 'acme-3pl', '000012'), { documentId: order.documentId, documentType: 'sales_order', entityKey: 'order:SO-7', orderNumber: 'SO-7' });
      assert.equal(await store.sentGroupDocument('acme', 'acme-3pl', '13'), undefined);
      assert.equal(await store.sentGroupDocument('acme', 'other-partner', '12'), undefined);
      assert.equal(await store.sentGroupDocument('other', 'acme-3pl', '12'), undefined);
    });

    it('checks an X12 receipt without recording it', async () => {
      const r = { tenant: 'acme', kind: 'interchange' as const, key: 'ZZ:ACME3PL:000000008', partner: 'acme-3pl', windowMs: 1000 };
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 1, at: 1000 }), { duplicate: false, firstMessageId: 1, count: 1 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 1000 }), { duplicate: false, firstMessageId: 2, count: 1 }, 'nothing was recorded');
      await store.recordEdiReceipt({ ...r, messageId: 1, at: 1000 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 1500 }), { duplicate: true, firstMessageId: 1, count: 2 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 1, at: 1500 }), { duplicate: false, firstMessageId: 1, count: 1 }, 'a replay of the first message');
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 2500 }), { duplicate: false, firstMessageId: 2, count: 1 }, 'outside the window');
      assert.deepEqual(await store.listEdiDuplicates('acme'), []);
    });

    describe('EDI writes commit with the message outcome', () => {
      const receipt = (messageId: number, duplicate: boolean): EdiReceipt & { duplicate: boolean } => ({
        tenant: 'acme', kind: 'interchange', key: 'ZZ:ACME3PL:000000009', partner: 'acme-3pl', messageId, at: 1000 + messageId, windowMs: 60_000, duplicate,
      });
      const sent = (gcn: string, messageId: number) => ({
        tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: `00000000${gcn}`, groupControlNumber: gcn, functionalId: 'OW',
        sets: [{ id: '940', controlNumber: `000${gcn}` }], deliveryKey: `cw-${messageId}-0-f`, messageId, endpoint: '3pl-out', sentAt: 1000, deadlineAt: 9000,
      });
      const outcome = (messageId: number, edi: NonNullable<MessageOutcome['edi']>): MessageOutcome => ({
        messageId, status: 'processed', documents: [{ id: `doc-${messageId}`, tenant: 'acme', messageId, type: 'inventory_snapshot', entityKey: 'stock:AMS1', occurredAt: 900, receivedAt: 1000, body: {} }],
        deliveries: [delivery(messageId)], edi,
      });
      const rejectedAlert = (group: EdiGroup) => ({ tenant: group.tenant, kind: 'x12_rejected', subject: `group ${group.groupControlNumber}`, message: `rejected ${group.interchangeControlNumber}`, dedupeKey: `rejected:${group.groupControlNumber}`, createdAt: 2000 });

      it('records receipts, tracks and reconciles groups and raises alerts in the one transaction, and reports what it raised', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        const first = await store.completeMessages([outcome(a.messageId, {
          receipts: [receipt(a.messageId, false)], groups: [sent('1', a.messageId)],
          alerts: [{ tenant: 'acme', kind: 'x12_overdue', subject: 's', message: 'm', dedupeKey: 'once', createdAt: 1 }],
        })], 2000);
        assert.deepEqual(first.alerts.map((x) => x.dedupeKey), ['once']);
        assert.deepEqual((await store.listEdiGroups({ tenant: 'acme' })).map((g) => [g.groupControlNumber, g.status]), [['1', 'sent']]);
        const ack = { status: 'rejected' as const, messageId: b.messageId, at: 2000 };
        const second = await store.completeMessages([outcome(b.messageId, {
          receipts: [receipt(b.messageId, true)],
          reconciliations: [
            { tenant: 'acme', partner: 'acme-3pl', groupControlNumber: '000001', ack, alertFor: rejectedAlert },
            { tenant: 'acme', partner: 'acme-3pl', groupControlNumber: '77', ack, alertFor: rejectedAlert },
          ],
          alerts: [{ tenant: 'acme', kind: 'x12_overdue', subject: 's', message: 'm', dedupeKey: 'once', createdAt: 1 }],
        })], 2000);
        assert.deepEqual(second.alerts.map((x) => [x.kind, x.message]), [['x12_rejected', 'rejected 000000001']], 'an alert raised before is not reported again');
        assert.deepEqual(second.unknownGroups.map((r) => r.groupControlNumber), ['77']);
        assert.equal((await store.listEdiGroups({ tenant: 'acme' }))[0]!.status, 'rejected');
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.firstMessageId, d.lastMessageId, d.count]), [[a.messageId, b.messageId, 2]]);
        assert.deepEqual((await store.listAlerts('acme')).map((x) => x.dedupeKey), ['rejected:1', 'once']);
      });

      it('keeps the highest control number a partner sent per scope and kind, committed with the outcome', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        const scope = 'x12-in:acme-3pl:ZZ:ACME3PL';
        assert.equal(await store.lastControlNumberSeen('acme', scope, 'ISA'), null);
        await store.completeMessages([outcome(a.messageId, { controlNumbersSeen: [{ tenant: 'acme', scope, kind: 'ISA', value: 7 }, { tenant: 'acme', scope, kind: 'GS', value: 30 }] })], 2000);
        // A late arrival (a lower number) does not move the mark back.
        await store.completeMessages([outcome(b.messageId, { controlNumbersSeen: [{ tenant: 'acme', scope, kind: 'ISA', value: 5 }, { tenant: 'acme', scope, kind: 'GS', value: 31 }] })], 2000);
        assert.equal(await store.lastControlNumberSeen('acme', scope, 'ISA'), 7);
        assert.equal(await store.lastControlNumberSeen('acme', scope, 'GS'), 31);
        assert.equal(await store.lastControlNumberSeen('other', scope, 'ISA'), null, 'per tenant');
        // Our own outbound sequences live beside them untouched.
        assert.equal(await store.nextControlNumber('acme', 'x12:acme-3pl', 'ISA', 999_999_999), 1);
      });

      it('refuses the whole commit when a receipt\'s screened verdict no longer holds, naming the message', async () => {
        const [a, b, c] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' }), msg({ idempotencyKey: 'c' })]);
        await store.completeMessages([outcome(a.messageId, { receipts: [receipt(a.messageId, false)] })], 2000);
        // b was screened before a committed: it read "new". c screened after.
        await assert.rejects(
          store.completeMessages([outcome(c.messageId, { receipts: [receipt(c.messageId, true)] }), outcome(b.messageId, { receipts: [receipt(b.messageId, false)], groups: [sent('2', b.messageId)] })], 2000),
          (e: unknown) => e instanceof EdiReceiptConflict && e.code === 'EDI_RECEIPT_CONFLICT' && e.messageIds.join() === String(b.messageId),
        );
        for (const id of [b.messageId, c.messageId]) assert.equal((await store.getMessage('acme', id))!.status, 'pending', 'nothing of the batch committed');
        assert.deepEqual(await store.listEdiGroups({ tenant: 'acme' }), []);
        assert.deepEqual(await store.listEdiDuplicates('acme'), []);
        // Within one batch, an earlier outcome's receipt counts for a later one of the same key.
        await assert.rejects(store.completeMessages([outcome(b.messageId, { receipts: [receipt(b.messageId, true)] }), outcome(c.messageId, { receipts: [receipt(c.messageId, false)] })], 2000),
          (e: unknown) => e instanceof EdiReceiptConflict && e.messageIds.join() === String(c.messageId));
        await store.completeMessages([outcome(b.messageId, { receipts: [receipt(b.messageId, true)] }), outcome(c.messageId, { receipts: [receipt(c.messageId, true)] })], 2000);
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.firstMessageId, d.lastMessageId, d.count]), [[a.messageId, c.messageId, 3]]);
      });

      it('lets exactly one of two workers racing on one interchange record it as new', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        // Both screened before either committed, so both read "new".
        const results = await Promise.allSettled([a, b].map((m) => store.completeMessages([outcome(m.messageId, { receipts: [receipt(m.messageId, false)] })], 2000)));
        const won = results.findIndex((r) => r.status === 'fulfilled');
        const lost = results.findIndex((r) => r.status === 'rejected');
        assert.ok(won >= 0 && lost >= 0, `one commits, one is refused: ${results.map((r) => r.status).join(', ')}`);
        const refusal = (results[lost] as PromiseRejectedResult).reason;
        assert.ok(refusal instanceof EdiReceiptConflict, String(refusal));
        assert.deepEqual(refusal.messageIds, [[a, b][lost]!.messageId]);
        assert.equal((await store.getMessage('acme', [a, b][lost]!.messageId))!.status, 'pending');
        assert.deepEqual(await store.checkEdiReceipt(receipt([a, b][lost]!.messageId, false)), { duplicate: true, firstMessageId: [a, b][won]!.messageId, count: 2 }, 'screened again, it is the duplicate');
      });
    });
  });
}
