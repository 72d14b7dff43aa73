/**
 * The Tryton connector's warehouse role (type `tryton-wms`): a Tryton database running the stock
 * modules only plays the warehouse. Same client, connection settings and change cursors as the
 * ERP role; what it reads and applies is the warehouse's side of the flows.
 */
import { z } from 'zod';
import type { CanonicalDocument } from '../../model/index.ts';
import { trytonConnectionConfig, trytonRole, type TrytonReader, type WriterTable } from './endpoint.ts';
import { WMS_COUNT_ACCESS, WMS_RECEIPT_ACCESS, WMS_SHIPMENT_ACCESS, readWarehouseCounts, readWarehouseReceipts, readWarehouseShipments } from './wms-read.ts';
import {
  applyItemToWarehouse, applyOrderCancelToWarehouse, applyPurchaseOrderToWarehouse, applySalesOrderToWarehouse,
  WMS_CANCEL_ACCESS, WMS_INBOUND_ACCESS, WMS_ITEM_ACCESS, WMS_ORDER_ACCESS,
} from './wms-write.ts';

const WMS_READERS = {
  shipment: { model: 'stock.shipment.out', read: readWarehouseShipments, access: WMS_SHIPMENT_ACCESS },
  receipt: { model: 'stock.shipment.in', read: readWarehouseReceipts, access: WMS_RECEIPT_ACCESS },
  inventory_adjustment: { model: 'stock.inventory', read: readWarehouseCounts, access: WMS_COUNT_ACCESS },
} satisfies Record<string, TrytonReader>;

type WmsReadType = keyof typeof WMS_READERS;
export const TRYTON_WMS_PRODUCE_TYPES = [...(Object.keys(WMS_READERS) as WmsReadType[]), 'inventory_snapshot'] as const;

const WMS_WRITERS: WriterTable = {
  sales_order: { apply: applySalesOrderToWarehouse, access: WMS_ORDER_ACCESS },
  order_cancel: { apply: applyOrderCancelToWarehouse, access: WMS_CANCEL_ACCESS },
  purchase_order: { apply: applyPurchaseOrderToWarehouse, access: WMS_INBOUND_ACCESS },
  item: { apply: applyItemToWarehouse, access: WMS_ITEM_ACCESS },
};
export const TRYTON_WMS_WRITE_TYPES = Object.keys(WMS_WRITERS) as Array<CanonicalDocument['type']>;

const config = trytonConnectionConfig.extend({
  produce: z.array(z.enum(TRYTON_WMS_PRODUCE_TYPES)).default([]).refine((p) => new Set(p).size === p.length, { message: 'list each document type once' })
    .meta({
      description: 'What to read from the warehouse, each by its own change cursor: shipment (customer shipments done, with lots, packages and tracking), receipt (supplier shipments done, with lots and expiry), inventory_adjustment (inventories done: what each count changed), and inventory_snapshot (stock per location and lot of each mapped warehouse, every snapshotEveryMs). Empty: the endpoint only takes documents',
      examples: [['shipment', 'receipt', 'inventory_adjustment', 'inventory_snapshot']],
    }),
}).strict();

export type TrytonWmsEndpointConfig = z.infer<typeof config>;

export const trytonWmsEndpoint = trytonRole<TrytonWmsEndpointConfig>({
  type: 'tryton-wms',
  description: 'Tryton\'s stock engine as the warehouse, over JSON-RPC: takes sales orders (customer shipments to pick), order cancels, expected inbound (supplier shipments to receive) and items (products); reads shipments, receipts and cycle counts by change stamp, and stock per lot.',
  config,
  defaultCodec: 'json',
  readers: WMS_READERS,
  writers: WMS_WRITERS,
  where: 'the Tryton warehouse',
});
