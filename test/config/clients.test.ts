// A 3PL keeps one config per client in a folder. Each is read with the main file, checked as a
// whole, and reloaded on its own: a change to one client restarts that client's endpoints only,
// a config that fails its checks is refused and the running one kept, and deliveries waiting for
// the client's endpoints stay in the outbox across the reload.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createApi } from '../../src/api/index.ts';
import { createRegistry, parseConfig as parseConfigWith } from '../../src/config/index.ts';
import { builtIns } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { CausewayFault } from '../../src/model/index.ts';
import { folderEndpoint, type EndpointSpec } from '../../src/transports/index.ts';
import { salesOrder } from '../support/documents.ts';
import { messageSender } from '../support/process.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

/** The folder transport under another type, counting how often each endpoint's source and sink are opened. */
const opened = new Map<string, number>();
const countedFolder: EndpointSpec = {
  ...(folderEndpoint as unknown as EndpointSpec),
  type: 'counted-folder',
  createSource: (c, ctx) => {
    opened.set(`${ctx.name}:source`, (opened.get(`${ctx.name}:source`) ?? 0) + 1);
    return folderEndpoint.createSource!(c as never, ctx);
  },
  createSink: (c, ctx) => {
    opened.set(`${ctx.name}:sink`, (opened.get(`${ctx.name}:sink`) ?? 0) + 1);
    return folderEndpoint.createSink!(c as never, ctx);
  },
};
const ACME_ADMIN = 'acme-admin-key-0123456789abcdef';
const ACME_OPERATOR = 'acme-operator-key-0123456789abcdef';
const registry = createRegistry({ endpoints: [countedFolder] }, builtIns);

const faultOf = (f: () => unknown): CausewayFault => {
  try {
    f();
  } catch (e) {
    if (e instanceof CausewayFault) return e;
    throw e;
  }
  assert.fail('expected the config to be refused');
};
const messagesOf = (e: CausewayFault) => e.errors.map((x) => `${x.path}: ${x.message}`);

/** Writes a file under the config's folder, making its folders. */
function writeUnder(dir: string, path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const loadFrom = (dir: string) => parseConfigWith(readFileSync(join(dir, 'causeway.yaml'), 'utf8'), dir, registry, {});

/** Client acme's file: a folder in and out, and its orders mapped by `mapping` on the way. */
const acmeClient = (mapping: string, more = '') => `
endpoints:
  acme-in: { type: folder, inbox: acme/in }
  acme-out: { type: folder, outbox: acme/out }
flows:
  - { name: acme-orders, from: [acme-in], types: [sales_order], to: acme-out, mapping: acme-order }
${more}mappings:
  acme-order: ${mapping}
`;

describe('client configs: one file or folder per client tenant', () => {
  let dir: string;
  const write = (path: string, text: string) => writeUnder(dir, path, text);
  const load = () => loadFrom(dir);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-clients-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('puts each client\'s endpoints, flows, mappings and profiles into the config under its tenant', () => {
    rmSync(join(dir, 'clients'), { recursive: true, force: true });
    write('causeway.yaml', 'store: ":memory:"\nclients: { folder: clients }\ncodeTables:\n  shared: { A: B }\n');
    write('clients/acme.yaml', acmeClient('{ fields: { no: orderNumber, via: { from: carrier.scac, table: shared } } }'));
    // A folder of files is one client too, read in name order.
    write('clients/globex/endpoints.yaml', 'endpoints:\n  globex-in: { type: folder, inbox: globex/in }\n  globex-out: { type: folder, outbox: globex/out }\n');
    write('clients/globex/flows.yaml', 'flows:\n  - { name: globex-orders, from: [globex-in], types: [sales_order], to: globex-out }\n');
    write('clients/.acme.yaml.swp', 'not a config');
    const { config, clients } = load();
    assert.deepEqual([...clients!.parts.keys()].sort(), ['acme', 'globex']);
    assert.equal(config.endpoints['acme-in']!.tenant, 'acme');
    assert.equal(config.endpoints['globex-out']!.tenant, 'globex');
    assert.deepEqual(config.flows.map((f) => [f.name, f.tenant]), [['acme-orders', 'acme'], ['globex-orders', 'globex']]);
    assert.equal(clients!.parts.get('globex')!.source, join('clients', 'globex'));
  });

  it('refuses what a client\'s file may not hold, names taken twice and references to another client, naming each file', () => {
    write('clients/acme.yaml', `
endpoints:
  acme-in: { type: folder, inbox: acme/in }
  globex-in: { type: folder, inbox: elsewhere }
  acme-out: { type: folder, outbox: acme/out, tenant: globex }
flows:
  - { name: acme-orders, from: [acme-in], types: [sales_order], to: acme-out, mapping: globex-order }
routing:
  policy: split
`);
    write('clients/globex/mappings.yaml', 'mappings:\n  globex-order: { fields: { no: orderNumber } }\n');
    const messages = messagesOf(faultOf(load));
    const has = (needle: string) => assert.ok(messages.some((m) => m.includes(needle)), `expected "${needle}" in:\n${messages.join('\n')}`);
    has(`${join('clients', 'acme.yaml')} $.routing: a client's config holds only endpoints, flows`);
    has(`${join('clients', 'acme.yaml')} $.endpoints.acme-out.tenant: client acme's config may only hold tenant acme's endpoints, not tenant globex's`);
    has(`${join('clients', 'globex')} $.endpoints.globex-in: endpoints name "globex-in" is taken by ${join('clients', 'acme.yaml')}`);
    has(`${join('clients', 'acme.yaml')} $.flows[0].mapping: mapping "globex-order" is client globex's`);
  });

  it('names a client\'s own problem by its file and its path there, as `causeway validate` finds it', () => {
    write('clients/acme.yaml', 'endpoints:\n  acme-in: { type: folder, inbox: acme/in }\nflows:\n  - { name: acme-orders, types: [sales_order], to: nowhere }\n');
    rmSync(join(dir, 'clients', 'globex', 'mappings.yaml'));
    assert.deepEqual(messagesOf(faultOf(load)), [`${join('clients', 'acme.yaml')} $.flows[0].to: no endpoint named "nowhere"`]);
  });
});

describe('client configs: a JSONata mapping reads only its own client\'s code tables and the main file\'s', () => {
  let dir: string;
  const write = (path: string, text: string) => writeUnder(dir, path, text);
  const load = () => loadFrom(dir);
  const acme = (jsonata: string) => acmeClient(`{ jsonata: ${JSON.stringify(jsonata)} }`, 'codeTables:\n  acme-carriers: { UPSN: ACME-UPS }\n');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-client-tables-'));
    write('causeway.yaml', `store: sqlite:${join(dir, 'hub.db')}\nclients: { folder: clients, watch: false }\nconsole: { enabled: false }\ncodeTables:\n  shared: { A: B }\n`);
    write('clients/globex.yaml', 'codeTables:\n  globex-carriers: { UPSN: GLOBEX-SECRET }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a client\'s $table() naming another client\'s table or no table it may read, naming the file and the path', () => {
    write('clients/acme.yaml', acme('{ "via": $table("globex-carriers", carrier.scac), "x": $table("nowhere", "A"), "ok": $table("acme-carriers", "UPSN") & $table("shared", "A") }'));
    assert.deepEqual(messagesOf(faultOf(load)).sort(), [
      `${join('clients', 'acme.yaml')} $.mappings.acme-order.jsonata: $table("globex-carriers", ...): code table "globex-carriers" is client globex's; a client's mapping may use its own code tables or the main config's`,
      `${join('clients', 'acme.yaml')} $.mappings.acme-order.jsonata: $table("nowhere", ...): code table "nowhere" is no code table of this client or the main config; a client's mapping may use its own code tables or the main config's`,
    ]);
  });

  it('scopes the lookup to the tenant at run time: a computed name reaches no other client\'s table', async () => {
    write('clients/acme.yaml', acme('{ "no": orderNumber, "mine": $table("acme-" & "carriers", "UPSN"), "main": $table("sha" & "red", "A"), "theirs": $table("globex-" & "carriers", "UPSN") }'));
    const hub = await Hub.start(load(), { logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    try {
      await messageSender(hub.store, hub, 'acme', 'acme-in')({ ...salesOrder('SO-TABLES', 1), tenant: undefined });
      const [delivery] = await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'acme-out' });
      assert.ok(delivery, 'the order was mapped and queued for acme-out');
      assert.deepEqual(JSON.parse(delivery.payload.toString('utf8')), { no: 'SO-TABLES', mine: 'ACME-UPS', main: 'B' }, 'globex\'s table reads as absent for acme');
    } finally {
      await hub.stop();
    }
  });
});

describe('client configs: reloaded one client at a time, without a restart', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let acmeAnswers = 503;
  const write = (path: string, text: string) => writeFileSync(join(dir, path), text);
  const outFiles = (folder: string) => (existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)).filter((f) => f.endsWith('.json')).sort() : []);
  const acmeConfig = (via: string) => `
endpoints:
  acme-in: { type: counted-folder, inbox: acme-in, minAgeMs: 0 }
  acme-out: { type: counted-folder, outbox: acme-out }
  acme-erp: { type: webhook, url: ${receiver.url}/acme, secret: "whsec_YWNtZS1zaWduaW5nLXNlY3JldC1vZi0zMi1ieXRlcyE=", allowPrivateNetworks: true }
flows:
  - { name: acme-orders, from: [acme-in], types: [sales_order], to: acme-out, mapping: acme-order }
  - { name: acme-orders-erp, from: [acme-in], types: [sales_order], to: acme-erp }
codeTables:
  acme-carriers: { UPSN: ${via} }
mappings:
  acme-order: { fields: { no: orderNumber, via: { from: carrier.scac, table: acme-carriers } } }
`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-client-reload-'));
    for (const f of ['clients', 'acme-in', 'globex-in']) mkdirSync(join(dir, f));
    receiver = await startReceiver((r) => (r.path === '/acme' ? acmeAnswers : 200));
    write('causeway.yaml', `store: sqlite:${join(dir, 'hub.db')}
clients: { folder: clients, watch: false }
retry: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 1000 }
api:
  keys:
    - { name: acme-admin, tenant: acme, key: ${ACME_ADMIN}, scopes: [admin] }
    - { name: acme-operator, tenant: acme, key: ${ACME_OPERATOR}, role: operator }
console: { enabled: false }
`);
    write('clients/acme.yaml', acmeConfig('UPS-GROUND'));
    write('clients/globex.yaml', `
endpoints:
  globex-in: { type: counted-folder, inbox: globex-in, minAgeMs: 0 }
  globex-out: { type: counted-folder, outbox: globex-out }
flows:
  - { name: globex-orders, from: [globex-in], types: [sales_order], to: globex-out }
`);
    hub = await Hub.start(parseConfigWith(readFileSync(join(dir, 'causeway.yaml'), 'utf8'), dir, registry, {}), { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const mappedVia = async (orderNumber: string) => {
    write(`acme-in/${orderNumber}.json`, JSON.stringify({ ...salesOrder(orderNumber, 1), tenant: undefined }));
    const file = await waitFor(() => outFiles('acme-out').find((f) => JSON.parse(readFileSync(join(dir, 'acme-out', f), 'utf8')).no === orderNumber), 10_000, `order ${orderNumber} in acme-out`);
    return JSON.parse(readFileSync(join(dir, 'acme-out', file), 'utf8')).via as string;
  };

  it('applies a changed client config at once, restarting that client\'s endpoints and no other', async () => {
    assert.equal(await mappedVia('SO-1'), 'UPS-GROUND');
    // Deliveries to acme's ERP fail for now: they wait in the outbox through the reload.
    await waitFor(() => receiver.received.some((r) => r.path === '/acme'), 10_000, 'a first try to acme\'s ERP');
    const before = new Map(opened);
    write('clients/acme.yaml', acmeConfig('UPS-NEXT-DAY'));
    const result = await hub.reloadClient('acme', { actor: 'test', via: 'test' });
    assert.deepEqual(result, { tenant: 'acme', status: 'applied', endpoints: ['acme-in', 'acme-out', 'acme-erp'], flows: 2 });
    assert.equal(opened.get('acme-in:source'), before.get('acme-in:source')! + 1);
    assert.equal(opened.get('acme-out:sink'), before.get('acme-out:sink')! + 1);
    assert.equal(opened.get('globex-in:source'), before.get('globex-in:source'));
    assert.equal(opened.get('globex-out:sink'), before.get('globex-out:sink'));
    assert.equal(await mappedVia('SO-2'), 'UPS-NEXT-DAY');
    // Globex goes on as before.
    write('globex-in/G-1.json', JSON.stringify({ ...salesOrder('G-1', 1), tenant: undefined }));
    await waitFor(() => outFiles('globex-out').length === 1, 10_000, 'globex\'s order');
    const [entry] = await hub.store.listAudit('acme');
    assert.equal(entry!.action, 'reloadClientConfig');
    assert.equal(entry!.subject, join('clients', 'acme.yaml'));
    assert.deepEqual(entry!.detail, { via: 'test', outcome: 'applied', endpoints: ['acme-in', 'acme-out', 'acme-erp'], removed: [] });
    assert.deepEqual(await hub.store.listAudit('globex'), []);
  });

  it('answers an unchanged file with unchanged, restarting nothing', async () => {
    const before = new Map(opened);
    assert.deepEqual(await hub.reloadClient('acme', { actor: 'test', via: 'test' }), { tenant: 'acme', status: 'unchanged' });
    assert.deepEqual(opened, before);
  });

  it('refuses a config that fails its checks, keeps the running one and writes why in the audit log', async () => {
    write('clients/acme.yaml', acmeConfig('UPS-SAVER').replace('to: acme-out, mapping', 'to: acme-nowhere, mapping'));
    await assert.rejects(hub.reloadClient('acme', { actor: 'ops', via: 'test' }), (e: unknown) => {
      assert.ok(e instanceof CausewayFault);
      assert.deepEqual(messagesOf(e), [`${join('clients', 'acme.yaml')} $.flows[0].to: no endpoint named "acme-nowhere"`]);
      return true;
    });
    assert.equal(await mappedVia('SO-3'), 'UPS-NEXT-DAY');
    const [entry] = await hub.store.listAudit('acme');
    assert.equal(entry!.actor, 'ops');
    assert.equal((entry!.detail as { outcome: string }).outcome, 'refused');
    assert.match(JSON.stringify(entry!.detail), /no endpoint named \\"acme-nowhere\\"/);
    // Broken YAML is refused the same way.
    write('clients/acme.yaml', 'endpoints: [unclosed');
    await assert.rejects(hub.reloadClient('acme', { actor: 'ops', via: 'test' }), /clients\/acme\.yaml: not valid YAML/);
  });

  it('reloads through the API for an admin key of the client, answering what it did or why not', async () => {
    const app = createApi(hub);
    const reload = (key: string) => app.request('/v1/config/reload', { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    assert.equal((await reload(ACME_OPERATOR)).status, 403);
    write('clients/acme.yaml', acmeConfig('UPS-NEXT-DAY').replace('mapping: acme-order', 'mapping: acme-missing'));
    const refused = await reload(ACME_ADMIN);
    assert.equal(refused.status, 422);
    const problem = await refused.json() as { errors: Array<{ path: string; message: string }> };
    assert.deepEqual(problem.errors.map((e) => `${e.path}: ${e.message}`), [`${join('clients', 'acme.yaml')} $.flows[0].mapping: no mapping named "acme-missing"`]);
    write('clients/acme.yaml', acmeConfig('UPS-NEXT-DAY'));
    const applied = await reload(ACME_ADMIN);
    assert.equal(applied.status, 200);
    assert.equal((await applied.json() as { status: string }).status, 'unchanged');
    const audit = await hub.store.listAudit('acme');
    assert.deepEqual(audit.slice(0, 3).map((e) => [e.actor, e.action, (e.detail as { outcome?: string; via?: string }).outcome ?? (e.detail as { status?: number }).status]),
      [['acme-admin', 'reloadClientConfig', 200], ['acme-admin', 'reloadClientConfig', 422], ['acme-admin', 'reloadClientConfig', 'refused']]);
  });

  it('keeps deliveries to an endpoint a reload removed in the outbox, and sends them when it is back', async () => {
    const pending = () => hub.store.listDeliveries({ tenant: 'acme', endpoint: 'acme-erp', status: 'pending' });
    assert.ok((await pending()).length >= 3, 'three orders wait for acme\'s ERP');
    write('clients/acme.yaml', acmeConfig('UPS-NEXT-DAY').replace(/ {2}acme-erp:.*\n/, '').replace(/ {2}- \{ name: acme-orders-erp.*\n/, ''));
    const result = await hub.reloadClient('acme', { actor: 'test', via: 'test' });
    assert.equal(result.status, 'applied');
    const seen = receiver.received.length;
    acmeAnswers = 200;
    // Once every waiting delivery is due, a globex order going out shows the delivery worker claimed
    // again: a delivery to the removed endpoint would have been sent or given up on by then.
    const due = Math.max(...(await pending()).map((d) => d.availableAt));
    await waitFor(() => Date.now() > due, 10_000, 'the waiting deliveries due');
    write('globex-in/G-2.json', JSON.stringify({ ...salesOrder('G-2', 1), tenant: undefined }));
    await waitFor(() => outFiles('globex-out').length === 2, 10_000, 'globex\'s second order');
    assert.equal(receiver.received.length, seen);
    assert.equal((await pending()).length, 3);
    assert.deepEqual(await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'acme-erp', status: 'dead' }), []);
    write('clients/acme.yaml', acmeConfig('UPS-NEXT-DAY'));
    assert.equal((await hub.reloadClient('acme', { actor: 'test', via: 'test' })).status, 'applied');
    await waitFor(async () => (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'acme-erp', status: 'delivered' })).length === 3, 10_000, 'the three orders delivered');
  });
});

describe('client configs: a change on disk is seen without being asked', () => {
  let dir: string;
  let hub: Hub;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-client-watch-'));
    mkdirSync(join(dir, 'clients'));
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'causeway.yaml'), `store: sqlite:${join(dir, 'hub.db')}\nclients: { folder: clients }\n`);
    writeFileSync(join(dir, 'clients', 'acme.yaml'), 'endpoints:\n  acme-in: { type: folder, inbox: in, minAgeMs: 0 }\n');
    hub = await Hub.start(parseConfigWith(readFileSync(join(dir, 'causeway.yaml'), 'utf8'), dir, registry, {}), { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reloads a client whose file changed, and a client whose file appeared', async () => {
    writeFileSync(join(dir, 'clients', 'acme.yaml'), 'endpoints:\n  acme-in: { type: folder, inbox: in, minAgeMs: 0 }\n  acme-out: { type: folder, outbox: out }\nflows:\n  - { name: acme-orders, types: [sales_order], to: acme-out }\n');
    await waitFor(() => hub.endpoints.has('acme-out'), 10_000, 'acme-out after the watch');
    // An editor's backup and swap files beside it are not clients.
    writeFileSync(join(dir, 'clients', 'acme.yaml~'), 'endpoints: {}\n');
    writeFileSync(join(dir, 'clients', '4913'), '');
    writeFileSync(join(dir, 'clients', 'initech.yaml'), 'endpoints:\n  initech-out: { type: folder, outbox: initech-out }\n');
    await waitFor(() => hub.endpoints.get('initech-out')?.tenant === 'initech', 10_000, 'the new client\'s endpoint');
    const entries = await hub.store.listAudit('initech');
    assert.equal(entries[0]!.action, 'reloadClientConfig');
    assert.equal((entries[0]!.detail as { via: string }).via, 'watch');
    assert.deepEqual(await hub.store.listAudit('acme.yaml~'), []);
    assert.deepEqual(await hub.store.listAudit('4913'), []);
  });
});
