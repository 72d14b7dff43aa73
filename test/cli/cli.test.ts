import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { salesOrder } from '../support/documents.ts';

const BIN = fileURLToPath(new URL('../../bin/causeway.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'causeway-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function causeway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('causeway command line', () => {
  it('lists its commands and refuses unknown ones', () => {
    const r = causeway('--help');
    assert.equal(r.status, 0);
    assert.match(r.stderr, /serve .*demo .*validate/s);
    assert.equal(causeway('frobnicate').status, 2);
  });

  it('validates a config and names the path of each problem', () => {
    writeFileSync(join(dir, 'good.yaml'), 'endpoints:\n  out: { type: folder, outbox: out }\nflows:\n  - { name: f, types: [sales_order], to: out }\n');
    const good = causeway('validate', '-c', 'good.yaml');
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /valid — 1 endpoints, 1 flows/);
    writeFileSync(join(dir, 'bad.yaml'), 'endpoints:\n  out: { type: folder }\n  hook: { type: webhook, url: "not a url" }\nflows:\n  - { name: f, types: [credit_note], to: nowhere }\n');
    const bad = causeway('validate', '-c', 'bad.yaml');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /\$\.flows\[0\]\.types\[0\]/);
    const again = (writeFileSync(join(dir, 'bad2.yaml'), 'endpoints:\n  out: { type: folder }\n  hook: { type: webhook, url: "not a url" }\nflows:\n  - { name: f, types: [sales_order], to: nowhere }\n'), causeway('validate', '-c', 'bad2.yaml'));
    assert.match(again.stderr, /\$\.endpoints\.hook\.url/);
    assert.match(again.stderr, /\$\.endpoints\.out: a folder endpoint needs an inbox, an outbox or both/);
    assert.match(again.stderr, /\$\.flows\[0\]\.to: no endpoint named "nowhere"/);
  });

  it('reports an unset environment variable the config needs', () => {
    writeFileSync(join(dir, 'env.yaml'), 'endpoints:\n  hook: { type: webhook, url: "https://x.example", secret: "${CAUSEWAY_TEST_UNSET_SECRET}" }\n');
    const r = causeway('validate', '-c', 'env.yaml');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /CAUSEWAY_TEST_UNSET_SECRET is not set/);
  });

  it('prints the JSON Schema of a document type', () => {
    const r = causeway('schema', 'shipment');
    assert.equal(r.status, 0);
    const schema = JSON.parse(r.stdout);
    assert.equal(schema.properties.type.const, 'shipment');
    assert.ok(schema.properties.packages);
    assert.match(causeway('schema', '--list').stdout, /inventory_snapshot/);
    assert.equal(causeway('schema', 'credit_note').status, 2);
  });

  it('decodes JSON into canonical documents, and exits 1 with the path of bad ones', () => {
    writeFileSync(join(dir, 'orders.json'), JSON.stringify([salesOrder('SO-1', 1), salesOrder('SO-2', 1, { lines: [{ lineNumber: 1, sku: 'A', quantity: 'x', uom: 'EA' }] })]));
    const r = causeway('decode', '--codec', 'json', 'orders.json');
    assert.equal(r.status, 1);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(docs.length, 1);
    assert.equal(docs[0].entityKey, 'order:SO-1');
    assert.match(r.stderr, /\$\[1\]\.lines\[0\]\.quantity/);
  });

  it('encodes canonical documents', () => {
    writeFileSync(join(dir, 'one.json'), JSON.stringify(salesOrder('SO-3', 1)));
    const r = causeway('encode', '--codec', 'json', 'one.json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).orderNumber, 'SO-3');
  });

  it('decodes and encodes as a configured endpoint does: its EDIFACT partner profile, its flat layout', () => {
    writeFileSync(join(dir, 'partners.yaml'), `
defaultTenant: acme
edifactPartners:
  retailer:
    ours: { id: "4000000000003", qualifier: "14" }
    theirs: { id: "5412345000013", qualifier: "14" }
    syntax: { identifier: UNOC, version: 3 }
    acknowledgments: { contrl: { send: false } }
    codeTables: { units: { EA: PCE } }
endpoints:
  retailer-in: { type: folder, outbox: ./retailer/in, codec: edifact, codecOptions: { partner: retailer } }
  retailer-orders: { type: folder, inbox: ./retailer/out, codec: edifact, codecOptions: { partner: retailer } }
  stock:
    type: folder
    inbox: ./stock
    codec: fixed-width
    codecOptions:
      document: inventory_snapshot
      groupBy: facility
      skipLines: 1
      fields:
        facility: [1, 4]
        asOf: { start: 5, length: 12, format: YYYYMMDDHHmm }
        positions[].sku: [17, 10]
        positions[].onHand: { start: 27, length: 8, impliedDecimals: 2 }
        positions[].uom: [35, 3]
        scope: { const: full }
`);
    writeFileSync(join(dir, 'order.json'), JSON.stringify(salesOrder('SO-CLI', 1)));
    // Without the config, the codec has no profile to write with.
    assert.equal(causeway('encode', '--codec', 'edifact', '--partner', 'retailer', 'order.json').status, 1);
    const encoded = causeway('encode', '-c', 'partners.yaml', '--endpoint', 'retailer-in', 'order.json');
    assert.equal(encoded.status, 0, encoded.stderr);
    assert.match(encoded.stdout, /UNB\+UNOC:3\+4000000000003:14\+5412345000013:14\+/, 'UNB ids and syntax from the profile');
    assert.match(encoded.stdout, /QTY\+21:\d+:PCE'/, 'units through the profile\'s code table');
    // Read back as the retailer's endpoint: the partner's own interchange is read, and units translated back.
    const theirs = encoded.stdout.replace(/4000000000003:14\+5412345000013:14/, '5412345000013:14+4000000000003:14');
    writeFileSync(join(dir, 'from-retailer.edi'), theirs, 'latin1');
    const decoded = causeway('decode', '-c', 'partners.yaml', '--endpoint', 'retailer-orders', 'from-retailer.edi');
    assert.equal(decoded.status, 0, decoded.stderr);
    const order = JSON.parse(decoded.stdout.trim().split('\n')[0]!);
    assert.deepEqual([order.orderNumber, order.tenant, order.lines[0].uom, order.extensions.edifactEnvelope.partner], ['SO-CLI', 'acme', 'EA', 'retailer']);
    // Another sender's interchange is not read for this endpoint's partner.
    writeFileSync(join(dir, 'from-stranger.edi'), theirs.replace('5412345000013:14+4000000000003', '9999999999999:14+4000000000003'), 'latin1');
    const stranger = causeway('decode', '-c', 'partners.yaml', '--endpoint', 'retailer-orders', 'from-stranger.edi');
    assert.equal(stranger.status, 1);
    assert.match(stranger.stderr, /EDIFACT_PARTNER_MISMATCH/);
    // A fixed-width stock file read with the endpoint's layout.
    writeFileSync(join(dir, 'stock.txt'), 'STOCK REPORT 01.12.2026\nWH01202612010600SKU-1     00001250EA \nWH02202612010600SKU-1     00000300EA \n');
    const stock = causeway('decode', '-c', 'partners.yaml', '--endpoint', 'stock', 'stock.txt');
    assert.equal(stock.status, 0, stock.stderr);
    const snapshots = stock.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(snapshots.map((x) => [x.type, x.facility, x.positions[0].onHand]), [['inventory_snapshot', 'WH01', '12.5'], ['inventory_snapshot', 'WH02', '3']]);
    // Flags that disagree with the config are refused, with what is wrong.
    const wrong = causeway('decode', '-c', 'partners.yaml', '--endpoint', 'stock', '--codec', 'csv', 'stock.txt');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /endpoint stock uses codec fixed-width, not csv/);
    assert.match(causeway('decode', '-c', 'partners.yaml', '--endpoint', 'nowhere', 'stock.txt').stderr, /no endpoint named "nowhere"/);
    assert.match(causeway('decode', '--endpoint', 'stock', 'stock.txt').stderr, /needs the config/);
  });

  it('creates API keys that are stored only as a hash, and replays and reports on a store', () => {
    writeFileSync(join(dir, 'hub.yaml'), 'store: sqlite:hub.db\ndefaultTenant: acme\n');
    const key = causeway('apikey', 'create', '--tenant', 'acme', '--name', 'erp', '-c', 'hub.yaml');
    assert.equal(key.status, 0, key.stderr);
    assert.match(key.stdout.trim(), /^cw_[A-Za-z0-9_-]{32}$/);
    const hash = causeway('apikey', 'hash', key.stdout.trim()).stdout.trim();
    assert.match(hash, /^sha256:[0-9a-f]{64}$/);
    const status = causeway('status', '-c', 'hub.yaml', '--json');
    assert.equal(status.status, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).tenant, 'acme');
    assert.match(causeway('replay', '-c', 'hub.yaml', '--dead-letters').stdout, /0 dead deliveries queued again/);
    // Run against a store, replay cannot wake a hub of another process: its help says when the work starts.
    const help = causeway('replay', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stderr, /next idle poll \(worker\.idleMs\)/);
    assert.equal(causeway('replay', '-c', 'hub.yaml').status, 2);
  });
});
