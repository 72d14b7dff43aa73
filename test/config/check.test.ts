import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { run as validate } from '../../src/cli/commands/validate.ts';
import { checkConfig } from '../../src/config/index.ts';
import { loadConfigFile } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { CausewayFault } from '../../src/model/index.ts';
import { openStore } from '../../src/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'causeway-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const silent = pino({ level: 'silent' });
let files = 0;

/** A verdict both sides can be compared by: no problems, or each problem's code, path and sentence (or an error's sentence). */
function problemsOf(e: unknown): string[] {
  if (e instanceof CausewayFault) return e.errors.map((x) => `${x.code} ${x.path ?? ''}: ${x.message}`).sort();
  return [`thrown: ${(e as Error).message}`];
}

async function validateVerdict(file: string): Promise<string[]> {
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    await validate(['-c', file]);
    return [];
  } catch (e) {
    return problemsOf(e);
  } finally {
    process.stdout.write = write;
  }
}

/** What `causeway serve` would say: load, then start every endpoint (on a store of its own, no loops). */
async function startVerdict(file: string): Promise<string[]> {
  const store = await openStore('sqlite::memory:');
  try {
    const hub = await Hub.start(loadConfigFile(file), { store, logger: silent, sources: false, processor: false, delivery: false });
    await hub.stop();
    return [];
  } catch (e) {
    return problemsOf(e);
  } finally {
    await store.close();
  }
}

async function verdicts(yaml: string): Promise<{ validate: string[]; start: string[] }> {
  const file = join(dir, `config-${++files}.yaml`);
  writeFileSync(file, yaml);
  return { validate: await validateVerdict(file), start: await startVerdict(file) };
}

/** Settings an example leaves to the environment get stand-ins long enough for any secret. */
const withStandIns = (yaml: string) => yaml.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, 'stand-in-for-an-environment-secret-0123456789');

/** Every config the repository shows a reader: the examples, and the YAML blocks of the README and docs. */
function publishedConfigs(): Array<{ where: string; yaml: string }> {
  const root = new URL('../../', import.meta.url);
  const found: Array<{ where: string; yaml: string }> = [];
  for (const name of readdirSync(new URL('examples/', root), { recursive: true, encoding: 'utf8' })) {
    if (/\.ya?ml$/.test(name)) found.push({ where: `examples/${name}`, yaml: readFileSync(new URL(`examples/${name}`, root), 'utf8') });
  }
  const pages = ['README.md', ...readdirSync(new URL('docs/', root), { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
  for (const page of pages) {
    const text = readFileSync(new URL(page, root), 'utf8');
    for (const [i, m] of [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].entries()) found.push({ where: `${page} block ${i + 1}`, yaml: m[1]! });
  }
  return found;
}

const tryton = (extra = '') => `{ type: tryton, url: "http://127.0.0.1:8000", allowPrivateNetworks: true, database: prod, user: causeway, password: secret, warehouses: { WH: DC1 }${extra} }`;
const x12Partner = `
partners:
  acme-3pl:
    ours: { id: CAUSEWAY }
    theirs: { id: ACME3PL }
    acknowledgments: { endpoint: 3pl-out }`;

/** Configs and what both `causeway validate` and the hub's start must say of them: valid, or these problems (code and path). */
const table: Array<{ name: string; yaml: string; problems: Array<{ path: string; message?: RegExp }> }> = [
  {
    name: 'folders, a webhook, an ERP connector and an X12 partner',
    yaml: `${x12Partner}
endpoints:
  erp: ${tryton(', produce: [item, sales_order]')}
  wms: { type: folder, inbox: ./wms/out, outbox: ./wms/in }
  3pl-out: { type: folder, outbox: ./3pl/in, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-in: { type: folder, inbox: ./3pl/out, codec: x12, codecOptions: { partner: acme-3pl } }
  hook: { type: webhook, url: "https://erp.example.com/hooks" }
flows:
  - { name: items-to-wms, from: [erp], types: [item], to: wms }
  - { name: orders-to-3pl, from: [erp, api], types: [sales_order], to: 3pl-out }
  - { name: shipments-to-erp, from: [wms, 3pl-in], types: [shipment, receipt], to: erp }
  - { name: status-to-hook, types: [order_status], to: hook, mapping: slim }
mappings:
  slim: { fields: { order: orderNumber } }
outcomes:
  - { to: hook, from: [erp] }
`,
    problems: [],
  },
  {
    name: 'endpoints named as Causeway names its own sources (the API, inventory, the rules\' statuses)',
    yaml: `
endpoints:
  api: { type: folder, inbox: ./erp/out }
  inventory: { type: folder, inbox: ./stock }
  causeway: { type: folder, outbox: ./out }
  stock: { type: folder, inbox: ./stock2 }
`,
    problems: [
      { path: '$.endpoints.api', message: /"api" is the name of the API/ },
      { path: '$.endpoints.inventory', message: /"inventory" is the name of Causeway's own inventory documents/ },
      { path: '$.endpoints.causeway', message: /name it otherwise/ },
    ],
  },
  {
    name: 'a user and password in the URL of a system Causeway calls, where every log and alert would show them',
    yaml: `
endpoints:
  hook: { type: webhook, url: "https://ops:s3cret@erp.example.com/hooks" }
  erp: ${tryton().replace('http://127.0.0.1:8000', 'http://admin:pw@127.0.0.1:8000')}
  plain: { type: webhook, url: "https://erp.example.com/hooks" }
  bus: { type: nats, servers: ["nats://app:pw@127.0.0.1:4222", "nats://127.0.0.1:4223"] }
`,
    problems: [
      { path: '$.endpoints.hook.url', message: /no user or password in the URL/ },
      { path: '$.endpoints.erp.url', message: /no user or password in the URL/ },
      { path: '$.endpoints.bus.servers[0]', message: /no user or password in the server address/ },
    ],
  },
  {
    name: 'a user and password in an alert webhook channel\'s URL',
    yaml: `
alerts:
  channels:
    - { type: webhook, name: chat, url: "https://u:p@hooks.example.com/x", secret: hook-signing-secret-0123456789 }
`,
    problems: [{ path: '$.alerts.channels[0].url', message: /no user or password in the URL/ }],
  },
  {
    name: 'an alert rule naming an endpoint the config does not have',
    yaml: `
endpoints:
  wms: { type: folder, inbox: ./wms/out, outbox: ./wms/in }
alerts:
  rules:
    - { type: circuit_open, longerThanMinutes: 10, endpoint: wsm }
    - { type: source_down, longerThanMinutes: 30, endpoint: wms }
    - { type: dead_letters, over: 5, withinMinutes: 15, endpoint: api }
    - { type: backlog_age, olderThanMinutes: 30, endpoint: erp }
`,
    problems: [
      { path: '$.alerts.rules[0].endpoint', message: /no endpoint named "wsm"; the circuit_open rule would never fire/ },
      { path: '$.alerts.rules[3].endpoint', message: /no endpoint named "erp"/ },
    ],
  },
  {
    name: 'a flow that sends a type its target does not take (an inventory snapshot to Tryton)',
    yaml: `
endpoints:
  wms: { type: folder, inbox: ./wms/out }
  erp: ${tryton()}
flows:
  - { name: stock-to-erp, from: [wms], types: [shipment, inventory_snapshot], to: erp }
`,
    problems: [{ path: '$.flows[0].types[1]', message: /flow stock-to-erp sends inventory_snapshot to endpoint "erp" \(tryton\), which takes shipment, receipt, inventory_adjustment, return_receipt, order_status only/ }],
  },
  {
    name: 'invoices sent to an endpoint that cannot take them (Tryton)',
    yaml: `
endpoints:
  erp: ${tryton()}
billing:
  sendTo: erp
`,
    problems: [{ path: '$.billing.sendTo', message: /invoices cannot be sent to endpoint "erp" \(tryton\), which takes shipment, .* only/ }],
  },
  {
    name: 'invoices sent to an endpoint that does not exist',
    yaml: `
endpoints:
  drop: { type: folder, inbox: ./drop }
billing:
  sendTo: missing
`,
    problems: [{ path: '$.billing.sendTo', message: /no endpoint named "missing"/ }],
  },
  {
    name: 'invoices sent to a folder as JSON',
    yaml: `
endpoints:
  erp-invoices: { type: folder, outbox: ./erp/invoices }
billing:
  sendTo: erp-invoices
`,
    problems: [],
  },
  {
    name: 'a mapping on a flow into an endpoint that takes canonical documents only (Tryton)',
    yaml: `
endpoints:
  wms: { type: folder, inbox: ./wms/out }
  erp: ${tryton()}
flows:
  - { name: shipments-to-erp, from: [wms], types: [shipment], to: erp, mapping: flat }
mappings:
  flat: { fields: { order: orderNumber } }
`,
    problems: [{ path: '$.flows[0].mapping', message: /flow shipments-to-erp.*canonical documents only/ }],
  },
  {
    name: 'a flow of a type the target\'s codec cannot write (an item as X12)',
    yaml: `${x12Partner}
endpoints:
  3pl-out: { type: folder, outbox: ./3pl/in, codec: x12, codecOptions: { partner: acme-3pl } }
flows:
  - { name: items-to-3pl, types: [item, sales_order], to: 3pl-out }
`,
    problems: [{ path: '$.flows[0].types[0]', message: /flow items-to-3pl sends item to endpoint "3pl-out" \(folder\), whose codec x12 writes .*sales_order/ }],
  },
  {
    name: 'a flow into an endpoint that cannot be a target',
    yaml: `
endpoints:
  partner: { type: http }
  drop: { type: folder, inbox: ./drop }
flows:
  - { name: to-http, types: [sales_order], to: partner }
  - { name: to-drop, types: [sales_order], to: drop }
`,
    problems: [{ path: '$.flows[0].to', message: /endpoints of type http are never targets/ }, { path: '$.flows[1].to', message: /with these settings it takes no documents/ }],
  },
  {
    name: 'an endpoint whose codec does not exist',
    yaml: `
endpoints:
  drop: { type: folder, inbox: ./drop, codec: tradacoms }
`,
    problems: [{ path: '$.endpoints.drop.codec', message: /no codec named "tradacoms"/ }],
  },
  {
    name: 'an endpoint that takes canonical documents only, given another codec',
    yaml: `
endpoints:
  erp: ${tryton(', codec: x12')}
`,
    problems: [{ path: '$.endpoints.erp.codec', message: /endpoints of type tryton take canonical documents as json/ }],
  },
  {
    name: 'a flow for one tenant into another tenant\'s endpoint',
    yaml: `
defaultTenant: acme
endpoints:
  globex-wms: { type: folder, tenant: globex, outbox: ./globex }
flows:
  - { name: acme-orders, tenant: acme, types: [sales_order], to: globex-wms }
`,
    problems: [{ path: '$.flows[0].tenant', message: /acme.*globex/ }],
  },
  {
    name: 'delivery outcomes sent to an endpoint that takes canonical documents only',
    yaml: `
endpoints:
  erp: ${tryton()}
  hook: { type: webhook, url: "https://wms.example.com/hooks" }
outcomes:
  - { to: erp, from: [hook] }
`,
    problems: [{ path: '$.outcomes[0].to', message: /delivery_outcome/ }],
  },
  {
    name: 'an X12 endpoint naming a partner without a profile, and acknowledgments with nowhere to go',
    yaml: `
partners:
  acme-3pl: { ours: { id: CAUSEWAY }, theirs: { id: ACME3PL } }
endpoints:
  3pl-in: { type: folder, inbox: ./3pl/out, codec: x12, codecOptions: { partner: acme-3pl } }
  other-in: { type: folder, inbox: ./other/out, codec: x12, codecOptions: { partner: nobody } }
`,
    problems: [{ path: '$.endpoints.other-in.codecOptions.partner', message: /no partner profile named "nobody"/ }, { path: '$.partners.acme-3pl.acknowledgments.endpoint', message: /name the endpoint 997s are written to/ }],
  },
  {
    name: 'acknowledgments to an endpoint that cannot carry them',
    yaml: `
partners:
  acme-3pl: { ours: { id: CAUSEWAY }, theirs: { id: ACME3PL }, acknowledgments: { endpoint: 3pl-push } }
endpoints:
  3pl-in: { type: folder, inbox: ./3pl/out, codec: x12, codecOptions: { partner: acme-3pl } }
  3pl-push: { type: http, codec: x12 }
`,
    problems: [{ path: '$.partners.acme-3pl.acknowledgments.endpoint', message: /cannot take our acknowledgments: endpoints of type http are never targets/ }],
  },
  {
    name: 'EDIFACT APERAKs asked for with nowhere to go',
    yaml: `
edifactPartners:
  retailer: { ours: { id: "4000000000003" }, theirs: { id: "5412345000013" }, acknowledgments: { contrl: { send: false }, aperak: { send: true } } }
endpoints:
  retailer-orders: { type: folder, inbox: ./retailer/out, codec: edifact, codecOptions: { partner: retailer } }
`,
    problems: [{ path: '$.edifactPartners.retailer.acknowledgments.endpoint', message: /aperak.send is true: name the endpoint APERAKs are written to/ }],
  },  {
    name: 'a field map reading fields no document of its flows has',
    yaml: `
endpoints:
  erp-out: { type: folder, inbox: ./erp/out }
  erp-hook: { type: webhook, url: "https://erp.example.com/hooks" }
  wms: { type: folder, inbox: ./wms/out, outbox: ./wms/in }
flows:
  - { name: orders, from: [erp-out], types: [sales_order, order_cancel], to: wms, mapping: order-to-wms }
  - { name: shipments, from: [wms], types: [shipment], to: erp-hook, mapping: order-to-wms }
mappings:
  order-to-wms:
    fields:
      order_id: orderNumbr
      reason: reason
      shipped: { from: shipmentNumber }
      carrier: { from: carrier, fields: { code: scac, svc: servce } }
      zip: shipTo.postalcode
      note: extensions.shop.note
      lines: { each: lines, fields: { item: sku, cases: { from: qty, convert: { uomFrom: uoms, to: CS } } } }
`,
    problems: [
      { path: '$.mappings.order-to-wms.fields.order_id', message: /"orderNumbr": no sales_order or order_cancel or shipment has this field, so it would always read nothing; did you mean "orderNumber"\?/ },
      { path: '$.mappings.order-to-wms.fields.carrier.fields.svc', message: /did you mean "service"/ },
      { path: '$.mappings.order-to-wms.fields.zip', message: /"shipTo.postalcode": .* has "postalcode" there.*did you mean "postalCode"/ },
      { path: '$.mappings.order-to-wms.fields.lines.fields.cases.from', message: /the fields there are lineNumber, sku/ },
      { path: '$.mappings.order-to-wms.fields.lines.fields.cases.convert.uomFrom', message: /did you mean "uom"/ },
    ],
  },
  {
    name: 'routing that names an endpoint, a time zone or a facility that do not exist',
    yaml: `
endpoints:
  wms: { type: webhook, url: "http://127.0.0.1:9/orders" }
flows:
  - { name: orders, types: [sales_order], facilities: [CHI], to: wms }
routing:
  facilities:
    CHI: { endpoint: wms-chi, timeZone: America/Chicagoo, cutoff: "15:00" }
  skus: { SERUM: { coldChain: true, onlyAt: [DAL] } }
  policyByChannel: { shop: split }
`,
    problems: [
      { path: '$.routing.facilities.CHI.endpoint', message: /no endpoint named "wms-chi"/ },
      { path: '$.routing.facilities.CHI.timeZone', message: /unknown time zone "America\/Chicagoo"/ },
      { path: '$.routing.skus.SERUM.onlyAt[0]', message: /no facility "DAL"/ },
      { path: '$.routing.policyByChannel.shop', message: /no endpoint named "shop"/ },
    ],
  },
];

describe('causeway validate and the hub\'s start reach the same verdict', () => {
  for (const c of table) {
    it(c.name, async () => {
      const v = await verdicts(c.yaml);
      assert.deepEqual(v.validate, v.start, 'validate and start disagree');
      assert.deepEqual(v.validate.map((p) => p.slice(0, p.indexOf(': '))), c.problems.map((p) => `CONFIG_INVALID ${p.path}`).sort());
      for (const p of c.problems) {
        if (p.message) assert.ok(v.validate.some((x) => x.startsWith(`CONFIG_INVALID ${p.path}: `) && p.message!.test(x)), `${p.path} ${p.message}: ${v.validate.join('\n')}`);
      }
    });
  }

  it('on every config the examples, the README and the docs show', async () => {
    const seen = publishedConfigs();
    assert.ok(seen.length >= 8, `found ${seen.length} configs`);
    for (const { where, yaml } of seen) {
      const v = await verdicts(withStandIns(yaml));
      assert.deepEqual(v.validate, v.start, `${where}: validate and start disagree`);
    }
  });
});

describe('a flow that can never match what it is from', () => {
  const yaml = `
endpoints:
  erp: ${tryton(', produce: [item]')}
  wms: { type: folder, inbox: ./wms/out, outbox: ./wms/in }
flows:
  - { name: items-to-wms, from: [erp], types: [item], to: wms }
  - { name: shipments-to-wms, from: [erp, api], types: [shipment], to: wms }
`;

  it('is a warning that validate prints and the hub logs, not a refusal', async () => {
    const file = join(dir, 'never-matches.yaml');
    writeFileSync(file, yaml);
    const loaded = loadConfigFile(file);
    const { errors, warnings } = checkConfig(loaded);
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings.map((w) => w.path), ['$.flows[1].from[0]']);
    assert.match(warnings[0]!.message, /flow shipments-to-wms takes shipment from endpoint "erp", which produces item with its settings/);

    const printed: string[] = [];
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = () => true;
    process.stderr.write = (s: string | Uint8Array) => printed.push(String(s)) > 0;
    try {
      assert.equal(await validate(['-c', file]), 0);
    } finally {
      [process.stdout.write, process.stderr.write] = [stdout, stderr];
    }
    assert.ok(printed.some((l) => l.includes('warning: [CONFIG_FLOW_NEVER_MATCHES] $.flows[1].from[0]')), printed.join(''));

    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const store = await openStore('sqlite::memory:');
    const hub = await Hub.start(loaded, { store, logger, sources: false, processor: false, delivery: false });
    await hub.stop();
    await store.close();
    assert.ok(logged.some((l) => l.path === '$.flows[1].from[0]' && /nothing from it can match/.test(String(l.msg))), JSON.stringify(logged));
  });
});

describe('an endpoint whose url names a non-public address', () => {
  const warningsOf = (yaml: string) => {
    const file = join(dir, 'outbound.yaml');
    writeFileSync(file, yaml);
    const { errors, warnings } = checkConfig(loadConfigFile(file));
    assert.deepEqual(errors, []);
    return warnings.filter((w) => w.code === 'CONFIG_OUTBOUND_REFUSED');
  };

  it('is a warning that says every request will be refused and how to allow it', () => {
    const warnings = warningsOf(`
endpoints:
  hook: { type: webhook, url: "http://169.254.169.254/latest/meta-data" }
  local: { type: webhook, url: "http://localhost:8081/erp" }
  lan: { type: webhook, url: "http://[fd00::5]/h" }
  public: { type: webhook, url: "https://erp.example.com/hooks" }
`);
    assert.deepEqual(warnings.map((w) => w.path), ['$.endpoints.hook.url', '$.endpoints.local.url', '$.endpoints.lan.url']);
    assert.match(warnings[0]!.message, /every request will be refused: endpoint "hook" may not connect to 169\.254\.169\.254: a metadata service address/);
    assert.match(warnings[1]!.message, /a loopback address.*allowPrivateNetworks: true.*outbound\.allow/);
    assert.match(warnings[2]!.message, /a private address/);
  });

  it('is silent for an endpoint that allows private networks, or a network on outbound.allow', () => {
    assert.deepEqual(warningsOf(`
outbound:
  allow: [10.20.0.0/16]
endpoints:
  local: { type: webhook, url: "http://127.0.0.1:8081/erp", allowPrivateNetworks: true }
  lan: { type: webhook, url: "http://10.20.3.4/h" }
`), []);
  });

  it('warns of an alert webhook channel on a loopback address the config does not allow', () => {
    const warnings = warningsOf(`
alerts:
  channels:
    - { type: webhook, name: ops-chat, url: "http://127.0.0.1:9000/hook", secret: hook-signing-secret-0123456789 }
    - { type: webhook, name: lan-chat, url: "http://127.0.0.1:9001/hook", secret: hook-signing-secret-0123456789, allowPrivateNetworks: true }
`);
    assert.deepEqual(warnings.map((w) => w.path), ['$.alerts.channels[0].url']);
    assert.match(warnings[0]!.message, /alert channel ops-chat.*a loopback address/);
  });

  it('refuses an allow-list entry that is not a network', () => {
    assert.throws(() => loadConfigFile((writeFileSync(join(dir, 'bad-cidr.yaml'), 'outbound:\n  allow: [10.0.0.0/33, intranet]\n'), join(dir, 'bad-cidr.yaml'))),
      (e: CausewayFault) => e.errors.map((x) => x.path).join() === '$.outbound.allow[0],$.outbound.allow[1]');
  });
});
