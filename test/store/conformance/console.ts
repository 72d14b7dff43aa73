import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AlertStore, ConsoleStore, PipelineStore, Store } from '../../../src/store/index.ts';
import { delivery, msg, settling, type OpenStore } from './fixtures.ts';

type Facets = ConsoleStore & PipelineStore & AlertStore;

/** The console's facet: audit log, corrections, resolved dead letters, search and figures; and the alert states. */
export function consoleConformance(open: OpenStore<Facets>): void {
  describe('console', () => {
    let store: Facets & Pick<Store, 'close'>;
    const settle = settling(() => store);
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    const quarantine = async (over: Parameters<typeof msg>[0] = {}) => {
      const [a] = await store.acceptMessages([msg(over)]);
      await store.completeMessages([{ messageId: a!.messageId, status: 'quarantined', errors: [{ code: 'DOC_INVALID', path: '$.lines[0].sku', message: 'required' }] }], 2000);
      return a!.messageId;
    };

    it('keeps an audit log per tenant, newest first, paged', async () => {
      for (let i = 1; i <= 3; i++) await store.recordAudit({ tenant: 'acme', actor: 'ops', action: 'replay-message', subject: `message ${i}`, detail: { i }, at: i });
      await store.recordAudit({ tenant: 'other', actor: 'x', action: 'sign-in', subject: 'console', at: 9 });
      const page = await store.listAudit('acme', { limit: 2 });
      assert.deepEqual(page.map((e) => e.subject), ['message 3', 'message 2']);
      assert.deepEqual(page[0]!.detail, { i: 3 });
      assert.deepEqual((await store.listAudit('acme', { before: page[1]!.id })).map((e) => e.subject), ['message 1']);
      assert.deepEqual((await store.listAudit('other')).map((e) => [e.actor, e.action, e.at]), [['x', 'sign-in', 9]]);
    });

    it('corrects a quarantined message as its next generation and keeps the quarantined body', async () => {
      const id = await quarantine({ body: Buffer.from('{"bad":1}') });
      const done = await store.correctMessage({ tenant: 'acme', messageId: id, body: Buffer.from('{"good":1}'), contentHash: 'h2', codec: 'json', contentType: 'application/json', editedBy: 'ops', note: 'sku', at: 3000 });
      assert.deepEqual(done, { generation: 2 });
      const m = (await store.getMessage('acme', id))!;
      assert.equal(m.status, 'pending');
      assert.equal(m.body.toString(), '{"good":1}');
      assert.equal(m.generation, 2);
      const [edit] = await store.listMessageEdits('acme', id);
      assert.equal(edit!.bodyBefore.toString(), '{"bad":1}');
      assert.deepEqual([edit!.generation, edit!.editedBy, edit!.note, edit!.codecBefore], [1, 'ops', 'sku', 'json']);
      assert.equal((await store.listDeadLetters('acme')).length, 0, 'the dead letter is closed by the correction');
      // Only a quarantined message can be corrected, and only by its tenant.
      assert.equal(await store.correctMessage({ tenant: 'acme', messageId: id, body: Buffer.from('x'), contentHash: 'h3', codec: 'json', contentType: null, editedBy: 'ops', note: '', at: 4000 }), undefined);
      const other = await quarantine({ idempotencyKey: 'k2' });
      assert.equal(await store.correctMessage({ tenant: 'globex', messageId: other, body: Buffer.from('x'), contentHash: 'h3', codec: 'json', contentType: null, editedBy: 'x', note: '', at: 4000 }), undefined);
      assert.equal((await store.getMessage('acme', other))!.status, 'quarantined');
      assert.deepEqual(await store.listMessageEdits('globex', id), []);
    });

    it('searches messages by entity key, partner reference, id, type, status and endpoint', async () => {
      const [a, b, c] = await store.acceptMessages([msg(), msg({ idempotencyKey: 'k2', partnerRef: 'PO-77', endpoint: 'ftp' }), msg({ idempotencyKey: 'k3' })]);
      await settle.processed(a!.messageId, [delivery(a!.messageId, { entityKey: 'SO-1001' })]);
      await settle.processed(b!.messageId, [delivery(b!.messageId, { entityKey: 'PO-77', documentType: 'purchase_order' })]);
      const ids = async (s: Omit<Parameters<Facets['searchMessages']>[0], 'tenant'>) => (await store.searchMessages({ tenant: 'acme', ...s })).map((m) => m.id);
      assert.deepEqual(await ids({ text: 'SO-1001' }), [a!.messageId]);
      assert.deepEqual(await ids({ text: 'PO-77' }), [b!.messageId]);
      assert.deepEqual(await ids({ text: String(c!.messageId) }), [c!.messageId]);
      assert.deepEqual(await ids({ type: 'purchase_order' }), [b!.messageId]);
      assert.deepEqual(await ids({ status: 'pending' }), [c!.messageId]);
      assert.deepEqual(await ids({ endpoint: 'ftp' }), [b!.messageId]);
      assert.deepEqual(await ids({ limit: 2 }), [c!.messageId, b!.messageId]);
      assert.deepEqual(await ids({ before: b!.messageId }), [a!.messageId]);
      assert.deepEqual(await ids({ text: 'nothing' }), []);
      assert.deepEqual((await store.searchMessages({ tenant: 'globex', text: 'SO-1001' })), []);
      const [hit] = await store.searchMessages({ tenant: 'acme', text: 'SO-1001' });
      assert.equal(hit!.size, 7);
    });

    it('lists open dead letters with their errors and resolves them once, per tenant', async () => {
      const id = await quarantine();
      const [dl] = await store.listOpenDeadLetters('acme', 100);
      assert.deepEqual([dl!.kind, dl!.refId, dl!.errors[0]!.code, dl!.errors[0]!.path], ['message', id, 'DOC_INVALID', '$.lines[0].sku']);
      assert.equal(await store.resolveDeadLetters('globex', [dl!.id], 'x', 5), 0);
      assert.equal(await store.resolveDeadLetters('acme', [dl!.id], 'ops', 5), 1);
      assert.equal(await store.resolveDeadLetters('acme', [dl!.id], 'ops', 6), 0);
      assert.deepEqual(await store.listOpenDeadLetters('acme', 100), []);
      assert.equal(await store.countOpenDeadLetters('acme', 'message'), 0, 'a resolved dead letter is not open');
      assert.equal(await store.countDeadLetters('acme', 2000), 1, 'but it was created in the window');
      assert.equal(await store.countDeadLetters('acme', 2001), 0);
      assert.equal(await store.countDeadLetters('acme', 0, 'other-endpoint'), 0);
      await quarantine({ idempotencyKey: 'k2' });
      assert.equal(await store.countOpenDeadLetters('acme', 'message'), 1);
      assert.equal(await store.countOpenDeadLetters('acme', 'delivery'), 0);
      assert.equal(await store.countOpenDeadLetters('globex', 'message'), 0);
      // A dead delivery carries the partner's HTTP status as its reason names it.
      const [b] = await store.acceptMessages([msg({ idempotencyKey: 'k3' })]);
      await settle.processed(b!.messageId, [delivery(b!.messageId)]);
      const [d] = await store.listDeliveries({ tenant: 'acme' });
      await store.recordAttempts([{ deliveryId: d!.id, tenant: 'acme', startedAt: 3000, finishedAt: 3000, outcome: 'permanent', statusCode: 422, error: 'receiver answered HTTP 422: {"code":500}' }], 3000);
      const dead = (await store.listOpenDeadLetters('acme', 100)).find((x) => x.kind === 'delivery')!;
      assert.deepEqual([dead.refId, dead.statusCode, dead.errors], [d!.id, 422, []]);
    });

    it('gives each endpoint its deliveries, last success and last error, and buckets a trend', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await settle.processed(a!.messageId, [delivery(a!.messageId), delivery(a!.messageId, { documentId: 'd2', endpoint: 'ftp', idempotencyKey: 'i2' })]);
      const [wms, ftp] = await store.listDeliveries({ tenant: 'acme' }).then((ds) => [ds.find((d) => d.endpoint === 'wms')!, ds.find((d) => d.endpoint === 'ftp')!]);
      await settle.delivered(wms!, 5000);
      await store.recordAttempts([{ deliveryId: ftp!.id, tenant: 'acme', startedAt: 5100, finishedAt: 5100, outcome: 'retryable', statusCode: 503, error: 'HTTP 503', retryAt: 9000 }], 5100);
      const figures = await store.endpointFigures('acme', ['wms', 'ftp'], 0);
      assert.deepEqual(figures.map((f) => [f.endpoint, f.delivered, f.lastSuccessAt, f.lastErrorAt, f.lastError]), [['ftp', 0, null, 5100, 'HTTP 503'], ['wms', 1, 5000, null, null]]);
      assert.deepEqual(await store.endpointFigures('globex', [], 0), []);
      const trend = await store.trend('acme', 0, 2500, 4);
      assert.deepEqual(trend.map((b) => [b.at, b.delivered, b.attempts, b.failedAttempts, b.messages]), [[0, 0, 0, 0, 1], [2500, 0, 0, 0, 0], [5000, 1, 2, 1, 0], [7500, 0, 0, 0, 0]]);
      assert.equal(trend[2]!.meanSyncMs, 5000 - 900);
      // The tenant's own KPI sample is the pipeline's, read through the tenant's indexes.
      assert.deepEqual(await store.tenantKpiSample('acme', 0, 10_000), await store.kpiSample('acme', 0, 10_000));
      assert.deepEqual(await store.tenantKpiSample('globex', 0, 10_000), await store.kpiSample('globex', 0, 10_000));
    });

    it('acknowledges and resolves alerts, tells which the channels have not heard of, and frees a rule alert\'s key', async () => {
      const a = { tenant: 'acme', kind: 'dead_letters', subject: 'wms', message: 'over 5', dedupeKey: 'rule:dl:wms', createdAt: 1 };
      await store.raiseAlert(a);
      const [raised] = await store.listAlerts('acme');
      assert.deepEqual([raised!.acknowledgedAt, raised!.resolvedAt, raised!.notifiedAt], [null, null, null]);
      assert.deepEqual((await store.alertsToNotify(10)).map((x) => x.id), [raised!.id]);
      await store.markAlertNotified(raised!.id, 'raised', 2);
      assert.deepEqual(await store.alertsToNotify(10), []);
      assert.equal(await store.acknowledgeAlert('globex', raised!.id, 'x', 3), false);
      assert.equal(await store.acknowledgeAlert('acme', raised!.id, 'ops', 3), true);
      assert.equal(await store.acknowledgeAlert('acme', raised!.id, 'ops', 4), false);
      assert.equal(await store.raiseAlert(a), false, 'open: the key is taken');
      assert.equal(await store.resolveAlert('acme', raised!.id, 5, { reopenable: true }), true);
      assert.equal(await store.resolveAlert('acme', raised!.id, 6), false);
      assert.deepEqual((await store.alertsToNotify(10)).map((x) => x.resolvedAt), [5]);
      await store.markAlertNotified(raised!.id, 'resolved', 7);
      assert.deepEqual(await store.alertsToNotify(10), []);
      assert.equal(await store.raiseAlert({ ...a, createdAt: 8 }), true, 'resolved and reopenable: raised anew');
      assert.deepEqual((await store.listAlerts('acme', { open: true })).map((x) => x.createdAt), [8]);
      assert.deepEqual((await store.listAlerts('acme', { open: false })).map((x) => [x.acknowledgedBy, x.resolvedAt, x.resolvedNotifiedAt]), [['ops', 5, 7]]);
      // An event's alert keeps its key when resolved: it is never raised twice.
      const e = { ...a, kind: 'x12_rejected', dedupeKey: 'x12:1', createdAt: 9 };
      await store.raiseAlert(e);
      const [ev] = await store.listAlerts('acme', { kind: 'x12_rejected' });
      await store.resolveAlert('acme', ev!.id, 10);
      assert.equal(await store.raiseAlert(e), false);
    });

    it('keeps console sessions by the hash of their id until they expire, with their tenant and flash', async () => {
      const row = { idHash: 'h1', csrf: 'c1', keyName: 'ops', scopes: ['read', 'operate'], grant: 'operator', keyTenant: '*', tenant: 'acme', flash: null, createdAt: 1000, expiresAt: 5000 };
      await store.putConsoleSession(row);
      await store.putConsoleSession({ ...row, idHash: 'h2', expiresAt: 2000 });
      assert.deepEqual(await store.getConsoleSession('h1', 1500), row);
      assert.equal(await store.getConsoleSession('h2', 2000), undefined, 'expired at its time');
      await store.updateConsoleSession('h1', { tenant: 'globex', flash: { notice: 'done' } });
      assert.deepEqual(await store.getConsoleSession('h1', 1500), { ...row, tenant: 'globex', flash: { notice: 'done' } });
      await store.updateConsoleSession('h1', { flash: null });
      assert.equal((await store.getConsoleSession('h1', 1500))!.flash, null);
      assert.equal(await store.purgeConsoleSessions(3000), 1);
      await store.deleteConsoleSession('h1');
      assert.equal(await store.getConsoleSession('h1', 1500), undefined);
    });

    it('keeps closed trend hours per tenant, a later sum replacing an earlier one', async () => {
      const hour = (at: number, delivered: number, computedAt: number) => ({ at, delivered, meanSyncMs: delivered ? 100 : null, syncMsTotal: delivered * 100, attempts: delivered, failedAttempts: 0, messages: delivered, quarantined: 0, computedAt });
      await store.saveTrendHours('acme', [hour(3_600_000, 2, 10), hour(7_200_000, 0, 10)]);
      await store.saveTrendHours('acme', [hour(3_600_000, 5, 20)]);
      await store.saveTrendHours('other', [hour(3_600_000, 9, 10)]);
      assert.deepEqual(await store.listTrendHours('acme', 0, 10_800_000), [hour(3_600_000, 5, 20), hour(7_200_000, 0, 10)]);
      assert.deepEqual(await store.listTrendHours('acme', 7_200_000, 10_800_000), [hour(7_200_000, 0, 10)]);
    });
  });
}
