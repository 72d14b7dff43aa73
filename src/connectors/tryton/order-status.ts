import Big from 'big.js';
import type { OrderStatus } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { rejected } from './errors.ts';
import { requireState } from './lookup.ts';
import { lineNumbers } from './read-sales-orders.ts';
import type { TrytonRpc } from './rpc.ts';
import type { WriteResult } from './write-result.ts';
import { SHORT_CLOSE_PENDING, SHORT_CLOSED_REFERENCE } from './short-close.ts';

const SHIPMENT = 'stock.shipment.out';
const OPEN_STATES = ['draft', 'waiting', 'assigned'];


/** What recording order statuses asks of the Tryton user. */
export const ORDER_STATUS_ACCESS: TrytonAccess = {
  read: ['sale.sale', 'sale.line', 'ir.note', SHIPMENT, 'stock.move'],
  write: [SHIPMENT],
  create: ['ir.note'],
  buttons: [[SHIPMENT, 'cancel']],
};

/**
 * An order status for the ERP ("cancel rejected: shipped", a short-close) becomes a note on the
 * sale, where the user who asked for the cancel looks: Tryton has no field for what the warehouse
 * says of an order. The same status noted again (a redelivery) is not noted twice.
 *
 * A short-close (the rules step closed the order short: lines not shipped come back cancelled)
 * also cancels the backorder shipment Tryton opened for the rest, so Tryton does not keep waiting
 * for goods the warehouse will not ship; the note says why.
 */
export async function applyOrderStatus(rpc: TrytonRpc, document: OrderStatus): Promise<WriteResult> {
  const [sale] = await rpc.searchRead<{ id: number; number: string; lines: number[]; shipments: number[] }>('sale.sale', [['number', '=', document.orderNumber]], ['number', 'lines', 'shipments']);
  if (!sale) throw rejected(`Tryton has no sale ${document.orderNumber}`);
  const { cancelled: closed, marked } = isShortClose(document) ? await closeShort(rpc, document, sale) : { cancelled: [], marked: [] };
  const message = [
    `Warehouse status of order ${document.orderNumber}: ${document.status.replace(/_/g, ' ')}${document.reason ? ` (${document.reason})` : ''}`,
    ...document.lines.map((l) => `line ${l.lineNumber}${l.sku ? ` ${l.sku}` : ''}: ${l.status.replace(/_/g, ' ')}${l.quantity ? ` ${l.quantity}${l.uom ? ` ${l.uom}` : ''}` : ''}`),
    ...(closed.length > 0 ? [cancelled(closed)] : []),
    ...(marked.length > 0 ? [`The backorder Tryton opens when shipment ${marked.join(', ')} ships is cancelled then: the warehouse closed the order short`] : []),
    `Reported at ${document.occurredAt}`,
  ].join('\n');
  const resource = `sale.sale,${sale.id}`;
  const [existing] = await rpc.search('ir.note', [['resource', '=', resource], ['message', '=', message]], { limit: 1 });
  const [id] = existing !== undefined ? [existing] : await rpc.create('ir.note', [{ resource, message }]);
  const said = [...(closed.length > 0 ? [cancelled(closed)] : []), ...(marked.length > 0 ? [`shipment ${marked.join(', ')} marked: its backorder is cancelled once it ships`] : [])];
  return { partnerRef: `${sale.number} note ${id}`, ...(said.length > 0 ? { said: said.join('; ') } : {}) };
}

function cancelled(numbers: string[]): string {
  return `backorder shipment ${numbers.join(', ')} cancelled: the warehouse closed the order short and will not ship the rest`;
}

/** The rules step's short-close: the order shipped, its lines not shipped cancelled. */
function isShortClose(document: OrderStatus): boolean {
  return document.status === 'shipped' && document.lines.some((l) => l.status === 'cancelled');
}

/**
 * Closes the sale's backorder short. The status comes before or after the warehouse's shipment
 * that closed the order reaches Tryton, and the open shipments tell which: when what they hold is
 * exactly what the status cancels, Tryton's backorder is open and is cancelled now (marked, so
 * reading cancels passes it by); otherwise the shipment the warehouse shipped is still open, and
 * it is marked so that applying that shipment cancels the backorder Tryton then opens. Returns
 * the numbers of the backorders cancelled, or of the shipment marked, for the note.
 */
async function closeShort(rpc: TrytonRpc, document: OrderStatus, sale: { number: string; lines: number[]; shipments: number[] }): Promise<{ cancelled: string[]; marked: string[] }> {
  const shipments = await rpc.read<{ id: number; number: string; state: string; reference: string | null; outgoing_moves: number[] }>(
    SHIPMENT, sale.shipments, ['number', 'state', 'reference', 'outgoing_moves']);
  const cancelledBefore = shipments.filter((s) => s.state === 'cancelled' && s.reference === SHORT_CLOSED_REFERENCE).map((s) => s.number);
  const markedBefore = shipments.filter((s) => OPEN_STATES.includes(s.state) && s.reference === SHORT_CLOSE_PENDING).map((s) => s.number);
  if (markedBefore.length > 0) return { cancelled: cancelledBefore, marked: markedBefore }; // a redelivery
  const open = shipments.filter((s) => OPEN_STATES.includes(s.state) && s.reference === null);
  if (open.length === 0) return { cancelled: cancelledBefore, marked: [] };

  const numbering = await lineNumbers(rpc, 'sale.line', sale.lines);
  const moves = await rpc.read<{ quantity: number; state: string; origin: string | null }>('stock.move', open.flatMap((s) => s.outgoing_moves), ['quantity', 'state', 'origin']);
  const held = new Map<string, Big>();
  for (const move of moves.filter((m) => m.state !== 'cancelled')) {
    const line = numbering.get(Number(move.origin?.startsWith('sale.line,') ? move.origin.slice('sale.line,'.length) : NaN)) ?? `move ${move.origin}`;
    held.set(line, (held.get(line) ?? new Big(0)).plus(move.quantity));
  }
  const closing = new Map(document.lines.filter((l) => l.status === 'cancelled').map((l) => [l.lineNumber, new Big(l.quantity ?? 0)]));
  const backordersOnly = held.size === closing.size && [...held].every(([line, quantity]) => closing.get(line)?.eq(quantity));
  const ids = open.map((s) => s.id);
  if (!backordersOnly) {
    await rpc.write(SHIPMENT, ids, { reference: SHORT_CLOSE_PENDING });
    return { cancelled: cancelledBefore, marked: open.map((s) => s.number) };
  }
  await cancelBackorders(rpc, open, document.orderNumber);
  return { cancelled: [...cancelledBefore, ...open.map((s) => s.number)], marked: [] };
}

/** Cancels backorder shipments, marked first so reading cancels passes them by. */
export async function cancelBackorders(rpc: TrytonRpc, shipments: Array<{ id: number; number: string }>, orderNumber: string): Promise<void> {
  if (shipments.length === 0) return;
  const ids = shipments.map((s) => s.id);
  await rpc.write(SHIPMENT, ids, { reference: SHORT_CLOSED_REFERENCE });
  await rpc.button(SHIPMENT, 'cancel', ids);
  for (const s of shipments) await requireState(rpc, SHIPMENT, s.id, ['cancelled'], `cancelling backorder shipment ${s.number} of order ${orderNumber}`);
}
