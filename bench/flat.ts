// CSV decode benchmark: a generated order file (German style: ";" and a decimal comma, dates as
// DD.MM.YYYY, an order per group of rows) decoded to canonical sales orders by the csv codec, with
// its column map, against a bare csv-parse loop over the same text in the same run. Runs alternate
// and the best of each is kept, so a neighbour's load hits both alike.
//   node --import tsx bench/flat.ts [--quick]
import { parse } from 'csv-parse/sync';
import { csvCodec } from '../src/codecs/flat/index.ts';

export interface FlatBenchOptions {
  /** Rows in the generated file; default 400,000 (about 40 MB). */
  rows?: number;
  rounds?: number;
  log?: (line: string) => void;
}

const layout = {
  document: 'sales_order', groupBy: 'orderNumber', delimiter: ';', decimalSeparator: ',', dateFormat: 'DD.MM.YYYY',
  fields: {
    orderNumber: 'Bestellnummer', customerOrderNumber: 'Kundenbestellung', 'shipTo.name': 'Name', 'shipTo.lines[0]': 'Strasse', 'shipTo.postalCode': 'PLZ',
    'shipTo.city': 'Ort', 'shipTo.country': { const: 'DE' }, requestedShipDate: 'Versanddatum',
    'lines[].lineNumber': 'Position', 'lines[].sku': 'Artikel', 'lines[].quantity': 'Menge', 'lines[].uom': { column: 'Einheit', default: 'EA' }, 'lines[].unitPrice': 'Preis',
  },
};

export function generateOrderCsv(rows: number): Buffer {
  const out = ['Bestellnummer;Kundenbestellung;Name;Strasse;PLZ;Ort;Versanddatum;Position;Artikel;Menge;Einheit;Preis'];
  let order = 1;
  let line = 0;
  for (let r = 0; r < rows; r++) {
    if (line === 1 + (order % 5)) {
      order++;
      line = 0;
    }
    line++;
    const day = String(1 + (order % 28)).padStart(2, '0');
    out.push(`W-${order};PO ${order};"Kunde ${order % 997}; Filiale ${order % 7}";Hauptstraße ${order % 300};${String(10000 + (order % 89999))};Köln;${day}.12.2026;${line};SKU-${(order * 7 + line) % 20000};${line},5;${line % 3 ? '' : 'KG'};${order % 90},${String(line * 7 % 100).padStart(2, '0')}`);
  }
  return Buffer.from(out.join('\r\n') + '\r\n');
}

export async function runFlatBench(options: FlatBenchOptions = {}): Promise<{ ratio: number }> {
  const log = options.log ?? console.log;
  const body = generateOrderCsv(options.rows ?? 400_000);
  const mb = body.length / 1024 / 1024;
  const rounds = options.rounds ?? 5;
  let bare = Infinity;
  let ours = Infinity;
  let documents = 0;
  let records = 0;
  for (let round = 0; round < rounds; round++) {
    let t = process.hrtime.bigint();
    // The floor: csv-parse alone, from the same bytes, touching every cell once.
    const rows = parse(body.toString('utf8'), { delimiter: ';', relax_column_count: true, skip_empty_lines: true }) as string[][];
    let cells = 0;
    for (const row of rows) cells += row.length;
    records = rows.length + cells * 0;
    bare = Math.min(bare, Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    const decoded = await csvCodec.decode(body, { tenant: 'bench', endpoint: 'csv', options: layout });
    ours = Math.min(ours, Number(process.hrtime.bigint() - t) / 1e9);
    documents = decoded.documents.length;
    if (decoded.errors.length) throw new Error(`the bench file has errors: ${decoded.errors[0]!.message}`);
  }
  const ratio = bare / ours;
  log(`file: ${mb.toFixed(1)} MB, ${records - 1} rows, ${documents} sales orders (best of ${rounds})`);
  log(`  bare csv-parse loop        ${(mb / bare).toFixed(1).padStart(6)} MB/s  ${(records / bare / 1000).toFixed(0).padStart(5)} k rows/s`);
  log(`  csv codec, with mapping   ${(mb / ours).toFixed(1).padStart(6)} MB/s  ${(records / ours / 1000).toFixed(0).padStart(5)} k rows/s  ${(documents / ours / 1000).toFixed(1)} k orders/s`);
  log(`  ratio to csv-parse: ${ratio.toFixed(2)}× (aim: 0.7× or better); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  return { ratio };
}

if (import.meta.url === `file://${process.argv[1]}`) await runFlatBench({ rows: process.argv.includes('--quick') ? 100_000 : 400_000 });
