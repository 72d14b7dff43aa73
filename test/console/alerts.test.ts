import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isQuiet, startAlerting } from '../../src/console/alerts/index.ts';
import { HubFacade } from '../../src/engine/index.ts';
import { firing, isNotified } from '../../src/console/alerts/rules.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startSmtp } from '../support/smtp.ts';
import { KEYS, startTestApi, type TestApi } from '../api/harness.ts';
import { signIn } from './client.ts';

const SECRET = 'hook-signing-secret-0123456789';

describe('alerts: rules raise, channels are told once, resolution is told', () => {
  let api: TestApi;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  before(async () => {
    hook = await startReceiver();
    smtp = await startSmtp();
    api = await startTestApi(`
alerts:
  evaluateEveryMs: 600000
  rules:
    - { type: quarantined, tenant: acme }
  channels:
    - { type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }
    - { type: email, name: ops-mail, host: 127.0.0.1, port: ${smtp.port}, secure: false, requireTLS: false, auth: { user: alerts, pass: smtp-secret }, from: causeway@example.com, to: [ops@example.com] }
`);
  });
  after(async () => {
    await api.close();
    await hook.close();
    await smtp.close();
  });

  it('tells a quarantined message by signed webhook and by email once, and again when it is resolved', async () => {
    const broken = { ...salesOrder('SO-8001'), orderNumber: undefined };
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: broken })).json();
    await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status === 'quarantined', 10_000, 'quarantine');
    await api.alerting.runOnce();
    await api.alerting.runOnce();
    assert.equal(hook.received.length, 1, 'told once, not every round');
    assert.equal(smtp.mails.length, 1);
    const [call] = hook.received;
    const body = call!.body.toString();
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(call!.headers['x-causeway-signature']))!;
    assert.equal(v1, createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex'));
    const payload = JSON.parse(body);
    assert.match(payload.text, /\[ALERT\] \[acme\] quarantined/);
    assert.equal(payload.state, 'raised');
    const mail = smtp.mails[0]!;
    assert.equal(mail.user, 'alerts');
    assert.deepEqual(mail.to, ['ops@example.com']);
    assert.match(mail.raw, /Subject: \[ALERT\] \[acme\] quarantined: quarantine/);
    assert.match(mail.raw, /1 quarantined message waiting/);

    // Listed in the API and the console, acknowledged there.
    const listed = await (await api.call('/v1/alerts?state=open')).json();
    const alert = listed.items.find((a: { kind: string }) => a.kind === 'quarantined');
    assert.ok(alert);
    const user = await signIn(api);
    assert.match((await user.get('/alerts')).text, /1 quarantined message waiting/);
    assert.equal((await user.post(`/alerts/${alert.id}/acknowledge`)).status, 303);
    assert.equal((await (await api.call('/v1/alerts?state=open')).json()).items[0].acknowledgedBy, 'acme-erp');

    // The operator deals with it: the condition clears, the alert resolves, and that is told once.
    const key = (await (await import('../../src/engine/dead-letter-patterns.ts')).groupDeadLetters(await api.hub.store.listOpenDeadLetters('acme', 10)))[0]!.key;
    assert.equal((await user.post('/dead-letters/resolve', { group: key })).status, 303);
    await api.alerting.runOnce();
    await api.alerting.runOnce();
    assert.equal(hook.received.length, 2);
    assert.equal(JSON.parse(hook.received[1]!.body.toString()).state, 'resolved');
    assert.equal(smtp.mails.length, 2);
    assert.match(smtp.mails[1]!.raw, /Subject: \[RESOLVED\] \[acme\] quarantined/);
    assert.equal((await (await api.call('/v1/alerts?state=resolved')).json()).items[0].kind, 'quarantined');

    // Another tenant's quarantine raises nothing: the rule is acme's.
    await api.call('/v1/documents', { method: 'POST', json: { ...broken, customer: { code: 'G', name: 'G' } }, key: KEYS.globex });
    await api.alerting.runOnce();
    assert.equal(hook.received.length, 2);
  });
});

describe('alert rules and quiet hours', () => {
  const facts = (over: Partial<Parameters<typeof firing>[2]> = {}) => ({
    countDeadLetters: async () => 0, openQuarantined: async () => 0, backlog: async () => [], circuits: () => [], stuckOrders: async () => [], latestReconciliation: async () => undefined, ...over,
  });

  it('raises dead letters over N in M minutes, a circuit open longer than T and a backlog older than T, per endpoint', async () => {
    const now = 10_000_000;
    const rules = [
      { type: 'dead_letters' as const, over: 5, withinMinutes: 10 },
      { type: 'circuit_open' as const, longerThanMinutes: 5 },
      { type: 'backlog_age' as const, olderThanMinutes: 30, endpoint: 'wms' },
    ];
    let since = 0;
    const raised = await firing('acme', rules, facts({
      countDeadLetters: async (s) => { since = s; return 6; },
      circuits: () => [{ endpoint: 'wms', state: 'open', openedAt: now - 6 * 60_000 }, { endpoint: 'erp', state: 'half_open', openedAt: now - 60_000 }, { endpoint: 'ftp', state: 'closed', openedAt: null }],
      backlog: async () => [{ endpoint: 'wms', pending: 3, oldestAgeMs: 31 * 60_000 }, { endpoint: 'erp', pending: 9, oldestAgeMs: 99 * 60_000 }],
    }), now);
    assert.equal(since, now - 10 * 60_000);
    assert.deepEqual([...raised.keys()].sort(), ['rule:backlog_age:wms', 'rule:circuit_open:wms', 'rule:dead_letters:all endpoints']);
    assert.match(raised.get('rule:circuit_open:wms')!.message, /open for 6 min/);
    const calm = await firing('acme', rules, facts({ countDeadLetters: async () => 5 }), now);
    assert.equal(calm.size, 0, 'five is not over five');
    assert.equal((await firing('globex', [{ type: 'quarantined', tenant: 'acme' }], facts({ openQuarantined: async () => 3 }), now)).size, 0);
  });

  it('leaves a failing source to the worker that polls it, and tells of it and of a file left aside when a source_down rule asks', async () => {
    const rules = [{ type: 'source_down' as const, longerThanMinutes: 10, tenant: 'acme' }];
    // The evaluator raises nothing for it, so it never resolves the poller's alert as "cleared" either.
    assert.equal((await firing('acme', rules, facts(), 10_000_000)).size, 0);
    assert.equal(isNotified(rules, 'acme', 'source_down'), true);
    assert.equal(isNotified(rules, 'acme', 'source_file_skipped'), true);
    assert.equal(isNotified(rules, 'globex', 'source_down'), false);
    assert.equal(isNotified([], 'acme', 'source_file_skipped'), false);
  });

  it('knows quiet hours across midnight in their time zone', () => {
    const q = { from: '22:00', to: '07:00', timeZone: 'Europe/Amsterdam' };
    // 2026-01-15 is in winter time: Amsterdam is UTC+1.
    assert.equal(isQuiet(q, Date.parse('2026-01-15T21:30:00Z')), true, '22:30 local');
    assert.equal(isQuiet(q, Date.parse('2026-01-15T05:59:00Z')), true, '06:59 local');
    assert.equal(isQuiet(q, Date.parse('2026-01-15T06:00:00Z')), false, '07:00 local');
    assert.equal(isQuiet(q, Date.parse('2026-01-15T12:00:00Z')), false);
    assert.equal(isQuiet({ from: '12:00', to: '13:00', timeZone: 'UTC' }, Date.parse('2026-01-15T12:30:00Z')), true);
    assert.equal(isQuiet(undefined, Date.now()), false);
  });
});

describe('alerts in quiet hours', () => {
  let api: TestApi;
  let hook: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    hook = await startReceiver();
    api = await startTestApi(`
alerts:
  evaluateEveryMs: 600000
  quietHours: { from: "22:00", to: "07:00", timeZone: UTC }
  rules: [{ type: quarantined }]
  channels: [{ type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: ${SECRET} }]
`);
  });
  after(async () => {
    await api.close();
    await hook.close();
  });

  it('holds notifications until the quiet hours end, and drops an alert raised and resolved within them', async () => {
    // A clock of the test's own: a night and the morning after, whatever day the test runs.
    const night = Date.UTC(2026, 0, 15, 23, 0);
    let now = night;
    const alerting = startAlerting(HubFacade.of(api.hub), { now: () => now });
    try {
      const quarantine = async (n: string) => {
        const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: { ...salesOrder(n), orderNumber: undefined, customer: { code: n, name: 'N' } } })).json();
        await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status === 'quarantined', 10_000, 'quarantine');
      };
      await quarantine('SO-Q1');
      await alerting.runOnce();
      const [first] = await api.hub.store.listAlerts('acme', { open: true });
      assert.ok(first, 'raised at night');
      assert.equal(hook.received.length, 0, 'but not told at night');
      // Resolved within the night: never told.
      await api.hub.store.resolveAlert('acme', first!.id, now, { reopenable: true });
      // Raised again and still open when the morning comes: told once, then.
      await quarantine('SO-Q2');
      now = night + 3_600_000;
      await alerting.runOnce();
      assert.equal(hook.received.length, 0);
      now = night + 9 * 3_600_000;
      await alerting.runOnce();
      await alerting.runOnce();
      assert.equal(hook.received.length, 1);
      const told = JSON.parse(hook.received[0]!.body.toString());
      assert.equal(told.state, 'raised');
      assert.notEqual(told.alert.id, first!.id);
      const dropped = (await api.hub.store.listAlerts('acme', { open: false })).find((a) => a.id === first!.id)!;
      assert.ok(dropped.notifiedAt !== null && dropped.resolvedNotifiedAt !== null, 'the dropped alert is not pending any more');
    } finally {
      await alerting.stop();
    }
  });
});
