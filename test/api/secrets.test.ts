import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { signWebhook } from '../../src/transports/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, startTestApi, type TestApi } from './harness.ts';

/**
 * Every secret a config holds, read from files and the environment as docs/security.md says, and
 * then every failure that could carry one out: a receiver that refuses, a WMS that refuses, a
 * forged push. None may show in a log line at trace, an API answer or the store's files.
 */
describe('secrets never leave the hub', () => {
  const secrets = {
    hookSigning: 'whsec_' + Buffer.from('hook-signing-secret-0123456789ab').toString('base64'),
    hookToken: 'hook-bearer-token-zq81mx0s7cv6',
    wmsToken: 'wms-personal-access-token-4hb2kq9d',
    inboundSigning: 'whsec_' + Buffer.from('inbound-signing-secret-0123456789').toString('base64'),
  };
  const files = mkdtempSync(join(tmpdir(), 'causeway-secrets-'));
  const logged: string[] = [];
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const answers: string[] = [];

  before(async () => {
    writeFileSync(join(files, 'hook-signing'), `${secrets.hookSigning}\n`);
    writeFileSync(join(files, 'wms-token'), `${secrets.wmsToken}\n`);
    process.env.CAUSEWAY_TEST_HOOK_TOKEN = secrets.hookToken;
    process.env.CAUSEWAY_TEST_INBOUND_SECRET = secrets.inboundSigning;
    // Refuses everything, as a partner that is down or does not know us.
    receiver = await startReceiver(() => 500);
    const sink = new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } });
    api = await startTestApi(`
endpoints:
  hook:
    type: webhook
    allowPrivateNetworks: true
    url: ${receiver.url}/hook
    secret: "\${file:${join(files, 'hook-signing')}}"
    headers: { authorization: "Bearer \${env:CAUSEWAY_TEST_HOOK_TOKEN}" }
  wms:
    type: wms-rest
    allowPrivateNetworks: true
    url: ${receiver.url}
    profile: shipbob
    auth: { kind: bearer, token: "\${file:${join(files, 'wms-token')}}" }
    vars: { channelId: "1" }
    facilities: { ONT: "228" }
  partner-in: { type: http, secret: "\${env:CAUSEWAY_TEST_INBOUND_SECRET}" }
flows:
  - { name: to-hook, from: [api], types: [sales_order], to: hook }
  - { name: to-wms, from: [api], types: [sales_order], to: wms }
`, { logger: pino({ level: 'trace' }, sink) });
  });
  after(async () => {
    await api?.close();
    await receiver?.close();
    rmSync(files, { recursive: true, force: true });
    delete process.env.CAUSEWAY_TEST_HOOK_TOKEN;
    delete process.env.CAUSEWAY_TEST_INBOUND_SECRET;
  });

  const keep = async (res: Response) => {
    const text = await res.text();
    answers.push(text);
    return text;
  };

  it('reads secrets from ${file:...} and ${env:...}, and sends them where they belong', async () => {
    const res = await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-S1', 1, { facility: 'ONT' }) });
    assert.equal(res.status, 202, await keep(res));
    await waitFor(() => receiver.received.some((r) => r.path === '/hook') && receiver.received.some((r) => r.path !== '/hook'));
    const hook = receiver.received.find((r) => r.path === '/hook')!;
    assert.equal(hook.headers.authorization, `Bearer ${secrets.hookToken}`);
    const wms = receiver.received.find((r) => r.path !== '/hook')!;
    assert.equal(wms.headers.authorization, `Bearer ${secrets.wmsToken}`);
  });

  it('keeps them out of the log, the API\'s answers and the store, through refusals and dead letters', async () => {
    await waitFor(async () => (await (await api.call('/v1/dead-letters')).json()).items.length >= 2, 15_000, 'both deliveries dead-lettered');
    const body = Buffer.from('{"type":"shipment"}');
    const forged = signWebhook('whsec_' + Buffer.from('not-the-inbound-secret-0123456789').toString('base64'), 'msg_1', Math.floor(Date.now() / 1000), body);
    const refused = await api.call('/v1/endpoints/partner-in/messages', { method: 'POST', body, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': forged } });
    assert.equal(refused.status, 401);
    await keep(refused);
    for (const path of ['/v1/messages', '/v1/deliveries', '/v1/dead-letters', '/openapi.json', '/metrics', '/v1/kpis']) await keep(await api.call(path, { key: KEYS.acme }));
    for (const m of JSON.parse(answers[answers.length - 6]!).items as Array<{ id: number }>) await keep(await api.call(`/v1/messages/${m.id}/lineage`));
    assert.ok(answers.some((a) => a.includes('HTTP 500')), 'the refusals are in the answers');
    assert.ok(logged.length > 0);
    const stored = readdirSync(api.dir).filter((f) => f.startsWith('hub.db')).map((f) => readFileSync(join(api.dir, f)).toString('latin1'));
    for (const [name, secret] of Object.entries(secrets)) {
      const needle = secret.startsWith('whsec_') ? secret.slice(6) : secret;
      assert.ok(!logged.some((l) => l.includes(needle)), `${name} reached the log`);
      assert.ok(!answers.some((a) => a.includes(needle)), `${name} is in an API answer`);
      assert.ok(!stored.some((s) => s.includes(needle)), `${name} is in the store`);
    }
  });
});
