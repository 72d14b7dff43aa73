// Flat files end to end through the hub: a shop's CSV orders dropped in a folder become sales
// orders written to the warehouse's folder as its own CSV; the warehouse's fixed-width stock report
// reaches the ERP's webhook. A bad order in a file stays behind with its row and column, and its
// neighbours go through.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

describe('flat files end to end: CSV orders in, CSV to the warehouse, fixed-width stock to the ERP', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const folder = (name: string) => join(dir, name);
  const written = (name: string) => (existsSync(folder(name)) ? readdirSync(folder(name)).filter((f) => f.endsWith('.csv')).sort().map((f) => readFileSync(join(folder(name), f), 'latin1')) : []);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-flat-e2e-'));
    for (const f of ['shop', 'wms-in', 'wms-stock']) mkdirSync(folder(f), { recursive: true });
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }
endpoints:
  shop-orders:
    type: folder
    inbox: ${folder('shop')}
    minAgeMs: 0
    codec: csv
    codecOptions:
      document: sales_order
      groupBy: orderNumber
      delimiter: ";"
      decimalSeparator: ","
      dateFormat: DD.MM.YYYY
      fields:
        orderNumber: Bestellnummer
        shipTo.name: Name
        shipTo.lines[0]: Strasse
        shipTo.postalCode: PLZ
        shipTo.city: Ort
        shipTo.country: { const: DE }
        requestedShipDate: Versanddatum
        lines[].lineNumber: Position
        lines[].sku: Artikel
        lines[].quantity: Menge
        lines[].uom: { column: Einheit, default: EA }
  wms-orders:
    type: folder
    outbox: ${folder('wms-in')}
    fileExtension: .csv
    codec: csv
    codecOptions:
      document: sales_order
      encoding: latin1
      recordDelimiter: "\\n"
      fields:
        orderNumber: ORDER
        shipTo.name: NAME
        shipTo.city: CITY
        shipTo.country: COUNTRY
        requestedShipDate: SHIP_DATE
        lines[].lineNumber: LINE
        lines[].sku: SKU
        lines[].quantity: QTY
        lines[].uom: UOM
  wms-stock:
    type: folder
    inbox: ${folder('wms-stock')}
    minAgeMs: 0
    codec: fixed-width
    codecOptions:
      document: inventory_snapshot
      groupBy: facility
      fields:
        facility: [1, 4]
        asOf: { start: 5, length: 12, format: YYYYMMDDHHmm }
        positions[].sku: [17, 10]
        positions[].onHand: { start: 27, length: 8, impliedDecimals: 2 }
        positions[].uom: [35, 3]
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/erp, secret: "whsec_${Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64')}" }
flows:
  - { name: shop-to-wms, from: [shop-orders], types: [sales_order], to: wms-orders }
  - { name: stock-to-erp, from: [wms-stock], types: [inventory_snapshot], to: erp-hook }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an order file becomes sales orders at the warehouse; the bad ones stay behind, named by row and column, with the file kept', async () => {
    const file = [
      'Bestellnummer;Name;Strasse;PLZ;Ort;Versanddatum;Position;Artikel;Menge;Einheit',
      'W-1001;Anna Groß;Hauptstr. 1;50667;Köln;01.12.2026;1;SKU-1;2;',
      'W-1002;Ben Ernst;Ring 2;53111;Bonn;32.12.2026;1;SKU-2;1;',
      'W-1001;Anna Groß;Hauptstr. 1;50667;Köln;01.12.2026;2;SKU-2;1,5;KG',
      'W-1003;Cem Kaya;Weg 3;10115;Berlin;02.12.2026;1;SKU-3;0;',
      'W-1004;Dora Lind;Platz 4;20095;Hamburg;03.12.2026;1;SKU-4;4;',
    ].join('\r\n') + '\r\n';
    writeFileSync(join(folder('shop'), 'orders-0001.csv'), file);
    const out = await waitFor(() => { const w = written('wms-in'); return w.length === 2 ? w : undefined; }, 10_000, 'two orders at the warehouse');
    const rows = out.map((t) => t.trimEnd().split('\n'));
    assert.deepEqual(rows.map((r) => r[0]), ['ORDER,NAME,CITY,COUNTRY,SHIP_DATE,LINE,SKU,QTY,UOM', 'ORDER,NAME,CITY,COUNTRY,SHIP_DATE,LINE,SKU,QTY,UOM']);
    assert.deepEqual(rows.map((r) => r.slice(1)).sort(), [
      ['W-1001,Anna Groß,Köln,DE,2026-12-01,1,SKU-1,2,EA', 'W-1001,Anna Groß,Köln,DE,2026-12-01,2,SKU-2,1.5,KG'],
      ['W-1004,Dora Lind,Hamburg,DE,2026-12-03,1,SKU-4,4,EA'],
    ]);
    const [message] = await hub.store.listMessages({ tenant: 'acme', endpoint: 'shop-orders' });
    assert.ok(message);
    assert.equal(message.body.toString(), file, 'the file is kept as it came, to be corrected and replayed');
    assert.equal(message.partnerRef, 'orders-0001.csv');
    const said = message.errors.map((e) => e.message);
    assert.ok(said.some((m) => /^sales order W-1002 \(row 3\) is left out: row 3, column Versanddatum \(requestedShipDate\) "32\.12\.2026" is not a date in the format DD\.MM\.YYYY$/.test(m)), said.join('\n'));
    // Caught by the canonical model's own check, and still said as the row and column it came from.
    const zero = message.errors.find((e) => e.path === '$[1].lines[0].quantity');
    assert.ok(zero, said.join('\n'));
    assert.equal(zero.message, 'row 5, column Menge (lines[].quantity): expected more than zero');
    assert.deepEqual(zero.position, { row: 5, column: 'Menge', document: 'W-1003' });
  });

  it('a fixed-width stock report becomes one inventory snapshot per facility at the ERP', async () => {
    const line = (facility: string, sku: string, qty: string, uom: string) => `${facility}202612010600${sku.padEnd(10)}${qty.padStart(8, '0')}${uom}`;
    writeFileSync(join(folder('wms-stock'), 'stock.txt'), [line('WH01', 'SKU-1', '1250', 'EA'), line('WH02', 'SKU-1', '300', 'EA'), line('WH01', 'SKU-2', '5', 'KG')].join('\n') + '\n');
    const snapshots = await waitFor(() => {
      const got = receiver.received.map((r) => JSON.parse(r.body.toString())).filter((d) => d.type === 'inventory_snapshot');
      return got.length === 2 ? got : undefined;
    }, 10_000, 'two snapshots at the ERP');
    const byFacility = Object.fromEntries(snapshots.map((s) => [s.facility, s]));
    assert.equal(byFacility.WH01.asOf, '2026-12-01T06:00:00Z');
    assert.equal(byFacility.WH01.entityKey, 'stock:WH01');
    assert.deepEqual(byFacility.WH01.positions.map((p: any) => [p.sku, p.onHand, p.uom, p.status]), [['SKU-1', '12.5', 'EA', 'available'], ['SKU-2', '0.05', 'KG', 'available']]);
    assert.deepEqual(byFacility.WH02.positions.map((p: any) => [p.sku, p.onHand]), [['SKU-1', '3']]);
  });
});
