import Big from 'big.js';
import { createHash } from 'node:crypto';
import { entityKeyFor, normaliseDecimal, returnAuthorization, type ReturnAuthorization, type ReturnReceipt } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { lastChange, readChangedSince, type ChangedRecord } from './cursor.ts';
import { envelope } from './envelope.ts';
import { rejected } from './errors.ts';
import { lotFor, productCodesById, productsBySku, requireState, requireUnit, warehouseCodesById, warehouseForFacility } from './lookup.ts';
import { canonicalUnit, facilityOf, REFERENCE_QUALIFIERS, type TrytonOptions } from './options.ts';
import type { ReadResult } from './read-items.ts';
import type { TrytonRpc } from './rpc.ts';
import { effectiveDate, type TrytonDate } from './values.ts';
import type { WriteResult } from './write-shipment.ts';
import type { StockMoveRow } from './rows.ts';

const RETURN = 'stock.shipment.out.return';

interface ReturnRow extends ChangedRecord {
  number: string;
  state: string;
  warehouse: number;
  reference: string | null;
  planned_date: TrytonDate | null;
  incoming_moves: number[];
  'customer.': { code: string | null; name: string };
}

interface MoveRow extends StockMoveRow {
  lot: number | null;
  'uom.': { symbol: string };
}

const MOVE_FIELDS = ['product', 'quantity', 'state', 'origin', 'lot', 'uom.symbol'];

/**
 * The lines of a return as the warehouse sees them: its incoming moves (customer -> warehouse
 * input) that are not cancelled, in creation order, numbered from 1. A draft return's moves do not
 * change until it is received, so the numbers sent out are the numbers that come back.
 */
function authorisedLines(moves: MoveRow[]): MoveRow[] {
  return moves.filter((m) => m.state !== 'cancelled').sort((a, b) => a.id - b.id);
}

/** What reading returns and applying return receipts ask of the Tryton user. */
export const RETURN_AUTHORIZATION_ACCESS: TrytonAccess = { read: [RETURN, 'stock.move', 'sale.sale', 'sale.line', 'stock.location', 'product.product'] };
export const RETURN_RECEIPT_ACCESS: TrytonAccess = {
  read: [RETURN, 'stock.move', 'ir.note', 'stock.location', 'product.product', 'stock.lot'],
  write: [RETURN, 'stock.move'],
  create: ['ir.note', 'stock.lot', 'stock.move'],
  buttons: [[RETURN, 'receive'], [RETURN, 'done'], ['stock.move', 'cancel']],
};

/**
 * Return authorisations for the warehouse: customer return shipments (a sale with negative lines
 * makes one, or a user creates it) still in draft, i.e. not yet received. rmaNumber is the return
 * shipment's number; the return receipt names it back.
 */
export async function readReturnAuthorizations(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<ReturnAuthorization>> {
  const { records, nextCursor } = await readChangedSince<ReturnRow>(rpc, RETURN, cursor,
    ['number', 'state', 'warehouse', 'reference', 'planned_date', 'incoming_moves', 'customer.code', 'customer.name'],
    options.pageSize ?? 100, [['state', '=', 'draft']]);
  if (records.length === 0) return { documents: [], nextCursor };
  const warehouses = await warehouseCodesById(rpc);
  const moves = await rpc.read<MoveRow>('stock.move', records.flatMap((r) => r.incoming_moves), MOVE_FIELDS);
  const products = await productCodesById(rpc, moves.map((m) => m.product));
  const saleLineIds = moves.map((m) => m.origin?.startsWith('sale.line,') ? Number(m.origin.slice(10)) : undefined).filter((id) => id !== undefined);
  const saleLines = await rpc.read<{ id: number; 'sale.': { number: string | null } }>('sale.line', [...new Set(saleLineIds)], ['sale.number']);
  const saleNumberOfLine = new Map(saleLines.map((l) => [`sale.line,${l.id}`, l['sale.'].number]));

  const documents: ReturnAuthorization[] = [];
  for (const shipment of records) {
    const facility = facilityOf(options, warehouses.get(shipment.warehouse));
    const lines = authorisedLines(moves.filter((m) => shipment.incoming_moves.includes(m.id)));
    if (!facility || lines.length === 0) continue;
    const orderNumber = lines.map((m) => saleNumberOfLine.get(m.origin ?? '')).find((n) => n);
    documents.push(returnAuthorization.parse({
      type: 'return_authorization',
      ...envelope(options, rpc.database, RETURN, shipment.id, lastChange(shipment), shipment.number),
      entityKey: entityKeyFor({ type: 'return_authorization', rmaNumber: shipment.number }),
      references: shipment.reference ? [{ qualifier: REFERENCE_QUALIFIERS.customerReference, value: shipment.reference }] : [],
      rmaNumber: shipment.number,
      ...(orderNumber ? { orderNumber } : {}),
      facility,
      customer: { code: shipment['customer.'].code ?? undefined, name: shipment['customer.'].name },
      expectedDate: shipment.planned_date?.iso,
      lines: lines.map((move, i) => ({
        lineNumber: String(i + 1),
        sku: products.get(move.product)!.code,
        quantity: normaliseDecimal(String(move.quantity)),
        uom: canonicalUnit(options, move['uom.'].symbol),
      })),
    }));
  }
  return { documents, nextCursor };
}

/** What one authorised line (an original incoming move) becomes: one move per lot received. */
interface ReturnPlan {
  move: number;
  parts: Array<{ lot: string | null; quantity: string }>;
}

const MARKER = 'Causeway return receipt';

/**
 * Applies a warehouse return receipt to the return shipment it names: received quantities and
 * lots onto the incoming moves (a line received in two lots becomes two moves; a line not
 * received at all is cancelled), then receive and done, which puts the goods into the
 * warehouse's storage zone. The plan is written first, as a note on the return with the
 * receipt's digest and each line's disposition, and every later step works from that note: a
 * delivery cut short resumes the same plan, a redelivery of a received return changes nothing,
 * and a different receipt for a return already received is refused rather than applied twice.
 */
export async function applyReturnReceipt(rpc: TrytonRpc, document: ReturnReceipt, options: TrytonOptions): Promise<WriteResult> {
  const warehouse = await warehouseForFacility(rpc, options, document.facility);
  const [shipment] = await rpc.searchRead<{ id: number; number: string; state: string; warehouse: number; incoming_moves: number[] }>(
    RETURN, [['number', '=', document.rmaNumber]], ['number', 'state', 'warehouse', 'incoming_moves']);
  if (!shipment) throw rejected(`Tryton has no customer return ${document.rmaNumber}`);
  if (shipment.warehouse !== warehouse.id) throw rejected(`return ${document.rmaNumber} is expected at another warehouse in Tryton, not ${warehouse.code} (facility ${document.facility})`);
  if (shipment.state === 'cancelled') throw rejected(`return ${document.rmaNumber} was cancelled in Tryton; the warehouse reports it received`);

  const digest = receiptDigest(document);
  const resource = `${RETURN},${shipment.id}`;
  const [note] = await rpc.searchRead<{ message: string }>('ir.note', [['resource', '=', resource], ['message', 'like', `${MARKER} %`]], ['message']);
  let plans: ReturnPlan[];
  if (note) {
    const [firstLine] = note.message.split('\n');
    if (!firstLine!.endsWith(` ${digest}`)) {
      throw rejected(`return ${document.rmaNumber} was already received in Tryton from another return receipt; this one (${describeLines(document)}) was not applied`);
    }
    plans = JSON.parse(note.message.slice(note.message.lastIndexOf('\n') + 1)) as ReturnPlan[];
  } else {
    if (shipment.state !== 'draft') throw rejected(`return ${document.rmaNumber} is ${shipment.state} in Tryton already, received without Causeway; this receipt was not applied`);
    plans = await planReturn(rpc, document, options, shipment.incoming_moves);
    const dispositions = document.lines.map((l) => `${l.sku}${l.lot ? ` lot ${l.lot}` : ''}: ${l.quantity} ${l.uom} ${l.disposition}${l.condition ? ` (${l.condition})` : ''}`);
    await rpc.create('ir.note', [{ resource, message: [`${MARKER} ${digest}`, ...dispositions, JSON.stringify(plans)].join('\n') }]);
  }

  let state = shipment.state;
  if (state === 'draft') {
    await applyPlans(rpc, shipment.id, plans);
    await rpc.write(RETURN, [shipment.id], { effective_date: effectiveDate(document.occurredAt) });
    await rpc.button(RETURN, 'receive', [shipment.id]);
    state = await requireState(rpc, RETURN, shipment.id, ['received', 'done'], `receiving return ${document.rmaNumber}`);
  }
  if (state === 'received') {
    await rpc.button(RETURN, 'done', [shipment.id]);
    await requireState(rpc, RETURN, shipment.id, ['done'], `finishing return ${document.rmaNumber}`);
  }
  return { partnerRef: shipment.number };
}

function receiptDigest(document: ReturnReceipt): string {
  const lines = document.lines.map((l) => [l.lineNumber ?? '', l.sku, normaliseDecimal(l.quantity), l.uom, l.lot ?? '', l.disposition]);
  return createHash('sha256').update(JSON.stringify([document.rmaNumber, document.facility, lines])).digest('hex').slice(0, 16);
}

function describeLines(document: ReturnReceipt): string {
  return document.lines.map((l) => `${l.quantity} ${l.sku}${l.lot ? ` lot ${l.lot}` : ''}`).join(', ');
}

/**
 * Matches receipt lines to authorised lines (by line number when it names a line of that SKU,
 * else the first line of that SKU with something left) and refuses more than was authorised.
 */
async function planReturn(rpc: TrytonRpc, document: ReturnReceipt, options: TrytonOptions, moveIds: number[]): Promise<ReturnPlan[]> {
  const lines = authorisedLines(await rpc.read<MoveRow>('stock.move', moveIds, MOVE_FIELDS));
  const products = await productsBySku(rpc, options, document.lines.map((l) => l.sku));
  const received = new Map<number, { total: Big; parts: ReturnPlan['parts'] }>();
  const taken = (moveId: number) => received.get(moveId)?.total ?? new Big(0);
  for (const [i, line] of document.lines.entries()) {
    const product = products.get(line.sku)!;
    const where = `return receipt for ${document.rmaNumber} line ${i + 1}`;
    requireUnit(product, line.uom, where);
    const quantity = new Big(line.quantity);
    if (quantity.eq(0)) continue;
    if (product.lotTracked && !line.lot) throw rejected(`${where}: ${line.sku} is lot tracked in Tryton, the line names no lot`);
    const index = line.lineNumber === undefined ? -1 : Number(line.lineNumber) - 1;
    const byNumber = lines[index]?.product === product.id ? lines[index] : undefined;
    const target = byNumber ?? lines.find((m) => m.product === product.id && new Big(m.quantity).minus(taken(m.id)).gt(0))
      ?? lines.find((m) => m.product === product.id);
    if (!target) throw rejected(`${where}: return ${document.rmaNumber} authorises no ${line.sku} in Tryton`);
    const entry = received.get(target.id) ?? { total: new Big(0), parts: [] };
    entry.total = entry.total.plus(quantity);
    const sameLot = entry.parts.find((part) => part.lot === (line.lot ?? null));
    if (sameLot) sameLot.quantity = new Big(sameLot.quantity).plus(quantity).toFixed();
    else entry.parts.push({ lot: line.lot ?? null, quantity: quantity.toFixed() });
    received.set(target.id, entry);
  }
  for (const [moveId, entry] of received) {
    const move = lines.find((m) => m.id === moveId)!;
    if (entry.total.gt(move.quantity)) {
      const sku = [...products.values()].find((p) => p.id === move.product)?.code;
      throw rejected(`over-receipt refused: return ${document.rmaNumber} line ${lines.indexOf(move) + 1} (${sku}) authorises ${normaliseDecimal(String(move.quantity))}, the warehouse reports ${entry.total.toFixed()} received`);
    }
  }
  return lines.map((move) => ({ move: move.id, parts: received.get(move.id)?.parts ?? [] }));
}

/**
 * Writes the plan as target values: the first lot onto the authorised move, each further lot onto
 * a copy of it (found again by lot on a second pass), nothing received -> the move is cancelled.
 */
async function applyPlans(rpc: TrytonRpc, shipmentId: number, plans: ReturnPlan[]): Promise<void> {
  const [shipment] = await rpc.read<{ incoming_moves: number[] }>(RETURN, [shipmentId], ['incoming_moves']);
  const moves = await rpc.read<MoveRow>('stock.move', shipment!.incoming_moves, MOVE_FIELDS);
  const originals = new Set(plans.map((p) => p.move));
  const unreceived: number[] = [];
  for (const plan of plans) {
    const original = moves.find((m) => m.id === plan.move);
    if (!original) throw rejected(`return move ${plan.move} is no longer on its return shipment in Tryton`);
    if (plan.parts.length === 0) {
      if (original.state === 'draft') unreceived.push(original.id);
      continue;
    }
    for (const [i, part] of plan.parts.entries()) {
      const lot = part.lot ? await lotFor(rpc, original.product, part.lot) : null;
      const values = { quantity: Number(part.quantity), lot };
      if (i === 0) {
        await rpc.write('stock.move', [original.id], values);
        continue;
      }
      const copy = moves.find((m) => !originals.has(m.id) && m.product === original.product && m.lot === lot && m.state === 'draft');
      if (copy) await rpc.write('stock.move', [copy.id], values);
      else await rpc.call('model.stock.move.copy', [[original.id], { ...values, shipment: `${RETURN},${shipmentId}` }]);
    }
  }
  if (unreceived.length > 0) await rpc.button('stock.move', 'cancel', unreceived);
}
