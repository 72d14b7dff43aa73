/**
 * The Tryton connector's warehouse role (type `tryton-wms`): a Tryton database running the stock
 * modules only plays the warehouse. Same client, connection settings and change cursors as the
 * ERP role; what it reads and applies is the warehouse's side of the flows.
 */
import { z } from 'zod';
import type { CanonicalDocument } from '../../model/index.ts';
import type { EndpointContext, EndpointSpec, InboundMessage, PollResult, SinkRuntime, SourceRuntime } from '../../transports/index.ts';
import type { TrytonAccess } from './access.ts';
import { AccessCheck, connect, optionsOf, parseCursors, readSnapshots, sinkApplying, toMessage, trytonConnectionConfig, type WriterTable } from './endpoint.ts';
import type { TrytonOptions } from './options.ts';
import type { ReadResult } from './read-items.ts';
import type { TrytonRpc } from './rpc.ts';
import { WMS_COUNT_ACCESS, WMS_RECEIPT_ACCESS, WMS_SHIPMENT_ACCESS, readWarehouseCounts, readWarehouseReceipts, readWarehouseShipments } from './wms-read.ts';
import {
  applyItemToWarehouse, applyOrderCancelToWarehouse, applyPurchaseOrderToWarehouse, applySalesOrderToWarehouse,
  WMS_CANCEL_ACCESS, WMS_INBOUND_ACCESS, WMS_ITEM_ACCESS, WMS_ORDER_ACCESS,
} from './wms-write.ts';

const WMS_READERS = {
  shipment: { model: 'stock.shipment.out', read: readWarehouseShipments, access: WMS_SHIPMENT_ACCESS },
  receipt: { model: 'stock.shipment.in', read: readWarehouseReceipts, access: WMS_RECEIPT_ACCESS },
  inventory_adjustment: { model: 'stock.inventory', read: readWarehouseCounts, access: WMS_COUNT_ACCESS },
} satisfies Record<string, { model: string; access: TrytonAccess; read: (rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions) => Promise<ReadResult<CanonicalDocument>> }>;

type WmsReadType = keyof typeof WMS_READERS;
export const TRYTON_WMS_PRODUCE_TYPES = [...(Object.keys(WMS_READERS) as WmsReadType[]), 'inventory_snapshot'] as const;
type WmsProduceType = (typeof TRYTON_WMS_PRODUCE_TYPES)[number];

const WMS_WRITERS: WriterTable = {
  sales_order: { apply: applySalesOrderToWarehouse, access: WMS_ORDER_ACCESS },
  order_cancel: { apply: applyOrderCancelToWarehouse, access: WMS_CANCEL_ACCESS },
  purchase_order: { apply: applyPurchaseOrderToWarehouse, access: WMS_INBOUND_ACCESS },
  item: { apply: applyItemToWarehouse, access: WMS_ITEM_ACCESS },
};
export const TRYTON_WMS_WRITE_TYPES = Object.keys(WMS_WRITERS) as Array<CanonicalDocument['type']>;

/** A poll passing only records nothing is made of (shipments Causeway did not send) reads on, up to this many pages. */
const PAGES_PER_POLL = 10;

const config = trytonConnectionConfig.extend({
  produce: z.array(z.enum(TRYTON_WMS_PRODUCE_TYPES)).default([]).refine((p) => new Set(p).size === p.length, { message: 'list each document type once' })
    .meta({
      description: 'What to read from the warehouse, each by its own change cursor: shipment (customer shipments done, with lots, packages and tracking), receipt (supplier shipments done, with lots and expiry), inventory_adjustment (inventories done: what each count changed), and inventory_snapshot (stock per location and lot of each mapped warehouse, every snapshotEveryMs). Empty: the endpoint only takes documents',
      examples: [['shipment', 'receipt', 'inventory_adjustment', 'inventory_snapshot']],
    }),
}).strict();

export type TrytonWmsEndpointConfig = z.infer<typeof config>;

export const trytonWmsEndpoint: EndpointSpec<TrytonWmsEndpointConfig> = {
  type: 'tryton-wms',
  description: 'Tryton\'s stock engine as the warehouse, over JSON-RPC: takes sales orders (customer shipments to pick), order cancels, expected inbound (supplier shipments to receive) and items (products); reads shipments, receipts and cycle counts by change stamp, and stock per lot.',
  config,
  defaultCodec: 'json',
  defaultPollIntervalMs: 2000,
  produces: (c) => c.produce,
  accepts: TRYTON_WMS_WRITE_TYPES,
  canonicalOnly: true,
  createSource: (c, ctx) => warehouseSource(c, ctx),
  createSink: (c, ctx) => warehouseSink(c, ctx),
};

function warehouseSource(c: TrytonWmsEndpointConfig, ctx: EndpointContext): SourceRuntime {
  const rpc = connect(c, ctx);
  const options = optionsOf(c, ctx);
  const access = new AccessCheck(rpc);
  return {
    async poll(stored: string | null): Promise<PollResult> {
      const cursors = parseCursors(stored) as Partial<Record<WmsProduceType, string>>;
      const messages: InboundMessage[] = [];
      for (const type of c.produce) {
        if (type === 'inventory_snapshot') {
          const taken = await readSnapshots(rpc, c, options, access, cursors.inventory_snapshot);
          messages.push(...taken.messages);
          if (taken.at) cursors.inventory_snapshot = taken.at;
          continue;
        }
        const reader = WMS_READERS[type];
        await access.require(type, reader.access, `reading ${type} from the Tryton warehouse ${c.database}`);
        let cursor = cursors[type];
        for (let page = 0; page < PAGES_PER_POLL; page++) {
          const { documents, nextCursor } = await reader.read(rpc, cursor, options);
          messages.push(...documents.map((d) => toMessage(d, rpc.database, reader.model)));
          const moved = nextCursor !== cursor;
          cursor = nextCursor;
          if (documents.length > 0 || !moved) break;
        }
        if (cursor !== undefined) cursors[type] = cursor;
      }
      return { messages, cursor: JSON.stringify(cursors) };
    },
  };
}

function warehouseSink(c: TrytonWmsEndpointConfig, ctx: EndpointContext): SinkRuntime {
  return sinkApplying(WMS_WRITERS, connect(c, ctx), optionsOf(c, ctx), ctx, 'the Tryton warehouse');
}
