/**
 * Tryton (6.0) as the ERP: reads the documents the warehouse needs from Tryton and applies the
 * warehouse's confirmations to it. Each read is (rpc, cursor, options) => { documents, nextCursor };
 * each write is (rpc, document, options) => { partnerRef } or a TrytonError.
 */
export { TrytonRpc, type TrytonConnection, type TrytonContext, type RpcStats } from './rpc.ts';
export { TrytonError, isTrytonError, type TrytonErrorCode } from './errors.ts';
export { TrytonDate, TrytonDateTime, TrytonDecimal } from './values.ts';
export { DEFAULT_UNITS, REFERENCE_QUALIFIERS, type TrytonOptions } from './options.ts';
export { readItems, type ReadResult } from './read-items.ts';
export { readSalesOrders, readOrderCancels } from './read-sales-orders.ts';
export { applyShipment, type WriteResult } from './write-shipment.ts';
export { readPurchaseOrders, applyReceipt } from './purchases.ts';
export { applyInventoryAdjustment, readInventorySnapshot } from './stock.ts';
export { readReturnAuthorizations, applyReturnReceipt } from './returns.ts';
export { trytonEndpoint, parseCursors, TRYTON_READ_TYPES, TRYTON_PRODUCE_TYPES, TRYTON_WRITE_TYPES, type TrytonEndpointConfig } from './endpoint.ts';
export { missingAccess, requireAccess, type MissingAccess, type TrytonAccess } from './access.ts';
export { applyOrderStatus } from './order-status.ts';
export { trytonWmsEndpoint, TRYTON_WMS_PRODUCE_TYPES, TRYTON_WMS_WRITE_TYPES, type TrytonWmsEndpointConfig } from './wms-endpoint.ts';
export { applySalesOrderToWarehouse, applyOrderCancelToWarehouse, applyPurchaseOrderToWarehouse, applyItemToWarehouse } from './wms-write.ts';
export { readWarehouseShipments, readWarehouseReceipts, readWarehouseCounts } from './wms-read.ts';
