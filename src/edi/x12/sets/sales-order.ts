// What the 940 and the 850 share: both describe a sales order to ship, read into the same header fields.
import { entityKeys } from '../../../model/index.ts';
import type { Address, SalesOrder } from '../../../model/index.ts';
import type { TransactionSet } from '../reader.ts';
import { openDocument, type DecodeContext, type Reference } from './common.ts';

/** A sales order's header as a 940 or an 850 gives it, and its lines. */
export interface SalesOrderHeader {
  references: Reference[];
  notes: string[];
  shipTo: Address | undefined;
  billTo: Address | undefined;
  customer: SalesOrder['customer'];
  facility: string | undefined;
  depositor: string | undefined;
  requestedShipDate: string | undefined;
  requestedDeliveryDate: string | undefined;
  cancelAfter: string | undefined;
  carrier: SalesOrder['carrier'];
  lines: SalesOrder['lines'];
}

/** A set's own header fields (`own`, as they start) with a SalesOrderHeader's assigned onto it, before anything is read. */
export function salesOrderHeader<Own extends object>(own: Own): Own & SalesOrderHeader {
  const h = own as Own & SalesOrderHeader;
  h.references = [];
  h.notes = [];
  h.shipTo = undefined;
  h.billTo = undefined;
  h.customer = undefined;
  h.facility = undefined;
  h.depositor = undefined;
  h.requestedShipDate = undefined;
  h.requestedDeliveryDate = undefined;
  h.cancelAfter = undefined;
  h.carrier = undefined;
  h.lines = [];
  return h;
}

/** The sales order; optional fields only when the set gave them (no ship-to is an empty address). */
export function salesOrderOf(set: TransactionSet, ctx: DecodeContext, h: SalesOrderHeader, orderNumber: string, purpose: SalesOrder['purpose'], dropShip: boolean, customerOrderNumber: string): SalesOrder {
  const order = openDocument<SalesOrder>('sales_order', set, ctx, 0, entityKeys.order(orderNumber), h.references);
  order.orderNumber = orderNumber;
  order.purpose = purpose;
  order.shipTo = h.shipTo ?? { lines: [] };
  order.priority = 'normal';
  order.dropShip = dropShip;
  order.notes = h.notes;
  order.lines = h.lines;
  if (customerOrderNumber) order.customerOrderNumber = customerOrderNumber;
  if (h.facility !== undefined) order.facility = h.facility;
  if (h.depositor !== undefined) order.depositor = h.depositor;
  if (h.customer !== undefined) order.customer = h.customer;
  if (h.billTo !== undefined) order.billTo = h.billTo;
  if (h.carrier !== undefined) order.carrier = h.carrier;
  if (h.requestedShipDate !== undefined) order.requestedShipDate = h.requestedShipDate;
  if (h.requestedDeliveryDate !== undefined) order.requestedDeliveryDate = h.requestedDeliveryDate;
  if (h.cancelAfter !== undefined) order.cancelAfter = h.cancelAfter;
  return order;
}
