// What the 940 and the 850 share: both describe a sales order to ship, read into the same header fields.
import { entityKeys } from '../../../model/index.ts';
import type { Address, SalesOrder } from '../../../model/index.ts';
import type { TransactionSet } from '../reader.ts';
import { openDocument, withCarrierExtras, type DecodeContext, type Reference } from './common.ts';
import type { DateInto, PartyInto } from './layout.ts';

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
  /** N9/REF 12: the carrier's billing account. */
  carrierAccount: string | undefined;
  /** The 850's FOB-01: who pays the freight. */
  carrierPayment: NonNullable<SalesOrder['carrier']>['paymentTerms'];
  lines: SalesOrder['lines'];
}

/** The codes a set gives a sales order's dates under (850 DTM-01, 940 G62-01). */
export interface OrderDateCodes {
  ship: string;
  delivery: string;
  cancelAfter: string;
}

/** The date rule's qualifiers for a sales order's requested ship date, delivery date and cancel-after date. */
export function salesOrderDates<H extends SalesOrderHeader>(codes: OrderDateCodes): Record<string, DateInto<H>> {
  const dates: Record<string, DateInto<SalesOrderHeader>> = {
    [codes.ship]: { to: 'requestedShipDate', what: 'date' },
    [codes.delivery]: { to: 'requestedDeliveryDate', what: 'date' },
    [codes.cancelAfter]: { to: 'cancelAfter', what: 'date' },
  };
  // The fields are SalesOrderHeader's, which every H has; the compiler cannot see that through a generic key type.
  return dates as unknown as Record<string, DateInto<H>>;
}

/** N1-01 entity codes both sets give an order's parties under: ST ship-to, BT bill-to, BY the buyer. */
export function salesOrderParties<H extends SalesOrderHeader>(): Record<string, PartyInto<H>> {
  const parties: Record<string, PartyInto<SalesOrderHeader>> = {
    ST: { as: 'address', to: 'shipTo' },
    BT: { as: 'address', to: 'billTo' },
    BY: { as: 'party', to: 'customer' },
  };
  // As in salesOrderDates: fields every H has.
  return parties as unknown as Record<string, PartyInto<H>>;
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
  h.carrierAccount = undefined;
  h.carrierPayment = undefined;
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
  const carrier = withCarrierExtras(h.carrier, h.carrierAccount, h.carrierPayment);
  if (carrier !== undefined) order.carrier = carrier;
  if (h.requestedShipDate !== undefined) order.requestedShipDate = h.requestedShipDate;
  if (h.requestedDeliveryDate !== undefined) order.requestedDeliveryDate = h.requestedDeliveryDate;
  if (h.cancelAfter !== undefined) order.cancelAfter = h.cancelAfter;
  return order;
}
