import type { OrderStatus } from '../../model/index.ts';
import type { TrytonAccess } from './access.ts';
import { rejected } from './errors.ts';
import type { TrytonRpc } from './rpc.ts';
import type { WriteResult } from './write-shipment.ts';

/** What recording order statuses asks of the Tryton user. */
export const ORDER_STATUS_ACCESS: TrytonAccess = { read: ['sale.sale', 'ir.note'], create: ['ir.note'] };

/**
 * An order status for the ERP ("cancel rejected: shipped", a short-close) becomes a note on the
 * sale, where the user who asked for the cancel looks: Tryton has no field for what the warehouse
 * says of an order. The same status noted again (a redelivery) is not noted twice.
 */
export async function applyOrderStatus(rpc: TrytonRpc, document: OrderStatus): Promise<WriteResult> {
  const [sale] = await rpc.searchRead<{ id: number; number: string }>('sale.sale', [['number', '=', document.orderNumber]], ['number']);
  if (!sale) throw rejected(`Tryton has no sale ${document.orderNumber}`);
  const message = [
    `Warehouse status of order ${document.orderNumber}: ${document.status.replace(/_/g, ' ')}${document.reason ? ` (${document.reason})` : ''}`,
    ...document.lines.map((l) => `line ${l.lineNumber}${l.sku ? ` ${l.sku}` : ''}: ${l.status.replace(/_/g, ' ')}${l.quantity ? ` ${l.quantity}${l.uom ? ` ${l.uom}` : ''}` : ''}`),
    `Reported at ${document.occurredAt}`,
  ].join('\n');
  const resource = `sale.sale,${sale.id}`;
  const [existing] = await rpc.search('ir.note', [['resource', '=', resource], ['message', '=', message]], { limit: 1 });
  const [id] = existing !== undefined ? [existing] : await rpc.create('ir.note', [{ resource, message }]);
  return { partnerRef: `${sale.number} note ${id}` };
}
