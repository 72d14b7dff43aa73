// Rules micro-benchmark: the decisions of a 10-line order's lifecycle (order, acknowledgment,
// allocated, picked, packed, a partial shipment, a backorder, the rest shipped, shipped) through
// decide(), with the ledger written to JSON and read back between decisions as the store will.
// The rules step may take at most a fifth of the pipeline's time, so its cost per decision is what
// this prints. On a shared machine the rate per CPU second is the steadier figure.
//   node --import tsx bench/rules.ts [--orders N]
import { decide, DEFAULT_RULES_POLICY, recordSent, type Ledger } from '../src/engine/rules/index.ts';
import { validateDocument, type CanonicalDocument } from '../src/model/index.ts';

const LINES = 10;
const arg = process.argv.indexOf('--orders');
const ORDERS = arg > 0 ? Number(process.argv[arg + 1]) : 5_000;
const DAY = Date.parse('2026-11-23T08:00:00Z');
const at = (minutes: number) => new Date(DAY + minutes * 60_000).toISOString();

function canonical(fields: Record<string, unknown>, id: string, minute: number): CanonicalDocument {
  const checked = validateDocument({ tenant: 'bench', id, source: { endpoint: 'bench' }, entityKey: '-', occurredAt: at(minute), receivedAt: at(minute), ...fields });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.document;
}

/** One order's documents in the order they arrive. */
function lifecycle(n: number): CanonicalDocument[] {
  const orderNumber = `SO-${n}`;
  const lines = Array.from({ length: LINES }, (_, i) => ({ lineNumber: i + 1, sku: `SKU-${(n * 7 + i) % 5000}`, quantity: '10', uom: 'EA' }));
  const shipped = (quantity: string) => lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity, uom: 'EA', lots: [{ lot: `L${n % 97}`, quantity }] }));
  const status = (status: string, minute: number) => canonical({ type: 'order_status', orderNumber, status }, `${orderNumber}-${status}-${minute}`, minute);
  return [
    canonical({
      type: 'sales_order', orderNumber, customer: { code: 'C-100' }, carrier: { scac: 'UPSN', service: 'GROUND' }, requestedShipDate: '2026-11-24',
      shipTo: { name: 'Northwind DC', lines: ['12 Harbour Road'], city: 'Rotterdam', postalCode: '3011', country: 'NL' }, lines,
    }, `${orderNumber}-order`, 0),
    canonical({ type: 'acknowledgment', kind: 'application', status: 'accepted', acknowledges: { documentType: 'sales_order', reference: orderNumber } }, `${orderNumber}-ack`, 5),
    status('allocated', 10), status('picked', 20), status('packed', 30),
    canonical({ type: 'shipment', orderNumber, shipmentNumber: `SH-${n}-1`, facility: 'AMS1', shippedAt: at(40), complete: false, trackingNumbers: ['1Z1'], lines: shipped('6') }, `${orderNumber}-sh1`, 40),
    status('backordered', 41),
    canonical({ type: 'shipment', orderNumber, shipmentNumber: `SH-${n}-2`, facility: 'AMS1', shippedAt: at(90), complete: true, trackingNumbers: ['1Z2'], lines: shipped('4') }, `${orderNumber}-sh2`, 90),
    status('shipped', 91),
  ];
}

const item = (sku: string) => ({ lotTracked: sku.endsWith('7') });

function run(orders: CanonicalDocument[][], store: boolean): { seconds: number; cpuSeconds: number; decisions: number } {
  let decisions = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (const docs of orders) {
    let ledger: Ledger | undefined;
    for (const doc of docs) {
      const decision = decide(ledger, doc, DEFAULT_RULES_POLICY, doc.receivedAt, { item });
      if (decision.verdict !== 'apply') throw new Error(`${doc.id}: ${decision.rule} ${decision.reason}`);
      ledger = decision.ledger;
      if (doc.type === 'sales_order' && ledger?.kind === 'order') ledger = recordSent(ledger, { documentId: doc.id, at: doc.receivedAt });
      if (store) ledger = JSON.parse(JSON.stringify(ledger)) as Ledger;
      decisions++;
    }
  }
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, decisions };
}

const orders = Array.from({ length: ORDERS }, (_, n) => lifecycle(n));
run(orders.slice(0, Math.min(500, ORDERS)), true); // warm up
for (const store of [false, true]) {
  const { seconds, cpuSeconds, decisions } = run(orders, store);
  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en');
  console.log(`${store ? 'with the ledger through JSON' : 'decide() alone'}: ${rate(decisions, seconds)} decisions/s, `
    + `${rate(ORDERS, seconds)} ${LINES}-line order lifecycles/s (${(seconds * 1e6 / decisions).toFixed(1)} µs per decision; `
    + `${rate(decisions, cpuSeconds)} decisions per CPU second, which a busy machine disturbs less)`);
}
