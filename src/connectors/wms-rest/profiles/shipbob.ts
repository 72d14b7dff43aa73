import type { ProfileInput } from '../profile.ts';

/**
 * ShipBob, written from its public developer documentation: date-versioned paths
 * (`/2026-01/order`), a personal access token or an OAuth2 token as Bearer, the channel in the
 * `shipbob_channel_id` header, orders (reference_id unique per account, shipments with tracking,
 * lots and serials), warehouse receiving orders (WRO), inventory levels per location, returns,
 * shipment holds (bulkPlaceOnHold / bulkReleaseHold), `Page`/`Limit` paging with a `next-page`
 * header, 150 requests a minute with `x-retry-after` on a 429, and webhooks signed in the Standard
 * Webhooks way (webhook-id, webhook-timestamp, webhook-signature) with the topic in
 * `x-webhook-topic`, whose payload is the resource itself (a fat event).
 *
 * Where the documentation we read did not name a list filter (the receiving and return lists'
 * change filter, the product lookup by SKU), the profile uses `LastUpdatedStartDate` and `SKU`:
 * check them against the sandbox and override the profile's list query if they differ.
 *
 * For billing: a receiving order's `package_type` (Package, Pallet or FloorLoadedContainer) says
 * whether it came on pallets; a pallet WRO lists each pallet as one entry of its boxes (this
 * profile's reading: check it against the sandbox), so its pallets are the count of its boxes.
 * ShipBob's order, shipment and WRO resources carry no value-added services: kitting and other
 * fees appear only as Billing API transactions (transaction fees such as "Kitting Fee" or
 * "Additional Fee", against a reference id), which this profile does not read, and parcel
 * shipments carry no pallet count.
 */
/**
 * A resource at /{apiVersion}/<name>: found by a list filter on its reference, read at its id and
 * created with a POST whose answer carries the id. The reference is unique within the account, so
 * a second create is refused (409, or 422 on some resources).
 */
function resource(name: string, find: { query: Record<string, string>; reference: string }, body: string) {
  const path = `/{apiVersion}/${name}`;
  return {
    find: { path, query: find.query, items: '$', id: 'id', reference: find.reference },
    get: { path: `${path}/{id}` },
    create: { method: 'POST' as const, path, body, id: 'body.id', duplicate: [409, 422] },
  };
}

/** Cancels at /{apiVersion}/<name>/{id}/cancel; done once the resource says Cancelled. */
function cancelAt(name: string) {
  return { method: 'POST' as const, path: `/{apiVersion}/${name}/{id}/cancel`, current: true, done: 'status = "Cancelled"' };
}

/** A read of what changed since the last poll, each changed one read again at its id. */
function changedSince(name: string, query: Record<string, string>) {
  return { list: { path: `/{apiVersion}/${name}`, query, items: '$' }, fetch: { path: `/{apiVersion}/${name}/{id}` }, id: 'id', modified: 'last_updated_date' };
}

export const shipbobProfile: ProfileInput = {
  name: 'shipbob',
  description: 'ShipBob Developer API (date-versioned paths, Bearer PAT or OAuth2, orders, WRO receiving, inventory, returns, Standard Webhooks)',
  variables: {
    apiVersion: { description: 'The dated API version in every path', default: '2026-01' },
    channelId: { description: 'The channel with write access (GET /channel): sent as shipbob_channel_id' },
  },
  headers: { shipbob_channel_id: '{channelId}' },
  auth: { tokenPath: 'https://auth.shipbob.com/connect/token', clientAuth: 'body', bodyFormat: 'form' },
  rateLimit: { requestsPerMinute: 150, burst: 10, retryAfterHeaders: ['x-retry-after', 'retry-after'] },
  timeFormat: 'iso',
  paging: { kind: 'link', size: 'Limit', max: 250, next: 'headers."next-page"' },
  records: {
    order: {
      ...resource('order', { query: { ReferenceIds: '{reference}' }, reference: 'reference_id' }, `{
          "reference_id": doc.orderNumber,
          "order_number": doc.customerOrderNumber ? doc.customerOrderNumber : doc.orderNumber,
          "type": "DTC",
          "shipping_method": doc.carrier.service ? doc.carrier.service : "Standard",
          "location_id": doc.facility ? $number($facility(doc.facility)) : undefined,
          "recipient": {
            "name": doc.shipTo.name ? doc.shipTo.name : doc.shipTo.company,
            "address": {
              "address1": doc.shipTo.lines[0], "address2": doc.shipTo.lines[1], "company_name": doc.shipTo.company,
              "city": doc.shipTo.city, "state": doc.shipTo.region, "country": doc.shipTo.country, "zip_code": doc.shipTo.postalCode
            },
            "email": doc.shipTo.email, "phone_number": doc.shipTo.phone
          },
          "products": [doc.lines.{"reference_id": sku, "name": description ? description : sku, "quantity": $number(quantity)}]
        }`),
      // The documentation we read publishes no length for reference_id: 50 is this profile's assumption.
      reference: { name: 'reference_id', maxLength: 50 },
      cancel: cancelAt('order'),
      hold: {
        method: 'POST', path: '/{apiVersion}/shipment:bulkPlaceOnHold', current: true,
        body: '{"shipment_ids": [current.shipments.id]}',
      },
      release: {
        method: 'POST', path: '/{apiVersion}/shipment:bulkReleaseHold', current: true,
        body: '{"shipment_ids": [current.shipments.id]}',
      },
    },
    inbound: {
      ...resource('receiving', { query: { PurchaseOrderNumbers: '{reference}' }, reference: 'purchase_order_number' }, `{
          "fulfillment_center": {"id": $number($facility(doc.facility))},
          "package_type": "Package",
          "box_packaging_type": "EverythingInOneBox",
          "purchase_order_number": doc.poNumber,
          "expected_arrival_date": doc.expectedDate ? doc.expectedDate & "T00:00:00Z" : undefined,
          "boxes": [{
            "tracking_number": doc.asn.trackingNumbers[0] ? doc.asn.trackingNumbers[0] : doc.poNumber,
            "box_items": [doc.lines.{"sku": sku, "quantity": $number(quantity), "lot_number": lots[0].lot, "lot_date": lots[0].expiryDate}]
          }]
        }`),
      cancel: cancelAt('receiving'),
    },
    item: {
      ...resource('product', { query: { SKU: '{reference}' }, reference: 'sku' }, `{
          "name": doc.description ? doc.description : doc.sku,
          "sku": doc.sku,
          "barcode": doc.barcodes[0].value,
          "gtin": doc.barcodes[kind = "GTIN"][0].value,
          "upc": doc.barcodes[kind = "UPC"][0].value,
          "is_lot": doc.lotTracked
        }`),
      update: {
        method: 'PATCH', path: '/{apiVersion}/product/{id}',
        body: `{
          "name": doc.description ? doc.description : doc.sku,
          "barcode": doc.barcodes[0].value,
          "gtin": doc.barcodes[kind = "GTIN"][0].value,
          "upc": doc.barcodes[kind = "UPC"][0].value
        }`,
      },
    },
  },
  reads: {
    shipment: {
      ...changedSince('order', { LastUpdateStartDate: '{since}', SortOrder: 'Oldest' }),
      // One shipment document per shipment that left the fulfillment center; the order is complete
      // when none of its shipments is still to go.
      documents: `[shipments[status = "Completed"].{
        "type": "shipment",
        "shipmentNumber": $string(id),
        "orderNumber": $$.reference_id,
        "facility": $facilityCode(location.id),
        "shippedAt": $iso(actual_fulfillment_date),
        "occurredAt": $iso(actual_fulfillment_date),
        "complete": $count($$.shipments[status != "Completed" and status != "Cancelled"]) = 0,
        "carrier": {"code": tracking.carrier, "service": tracking.carrier_service},
        "trackingNumbers": [tracking.tracking_number],
        "billOfLading": tracking.bol,
        "totalWeight": measurements.total_weight_oz ? {"value": $decimal(measurements.total_weight_oz), "unit": "OZ"} : undefined,
        "packages": [{
          "trackingNumber": tracking.tracking_number,
          "weight": measurements.total_weight_oz ? {"value": $decimal(measurements.total_weight_oz), "unit": "OZ"} : undefined
        }],
        "lines": [products.{
          "lineNumber": $string(id),
          "sku": sku,
          "quantity": $decimalSum(inventory_items.quantity),
          "uom": "EA",
          "lots": [inventory_items[lot].{"lot": lot, "quantity": $decimal(quantity), "expiryDate": $date(expiration_date)}],
          "serials": [inventory_items.serial_numbers]
        }]
      }]`,
    },
    receipt: {
      ...changedSince('receiving', { Statuses: 'Completed', LastUpdatedStartDate: '{since}' }),
      expand: { boxes: { path: '/{apiVersion}/receiving/{id}/boxes' } },
      documents: `status = "Completed" ? (
        $items := boxes.box_items;
        $keys := $distinct($items.(sku & "|" & lot_number));
        {
          "type": "receipt",
          "receiptNumber": $string(id),
          "poNumber": purchase_order_number,
          "facility": $facilityCode(fulfillment_center.id),
          "occurredAt": $iso(completed_date ? completed_date : last_updated_date),
          "complete": true,
          "pallets": package_type = "Pallet" ? $count(boxes) : undefined,
          "lines": [$keys.(
            $k := $;
            $these := $items[(sku & "|" & lot_number) = $k];
            {
              "sku": $these[0].sku,
              "lot": $these[0].lot_number,
              "expiryDate": $date($these[0].lot_date),
              "uom": "EA",
              "quantity": $decimalSum($these.received_quantity),
              "expectedQuantity": $decimalSum($these.quantity)
            }
          )]
        }
      ) : undefined`,
    },
    return_receipt: {
      ...changedSince('return', { Status: 'Completed', LastUpdatedStartDate: '{since}' }),
      documents: `status = "Completed" ? {
        "type": "return_receipt",
        "rmaNumber": reference_id,
        "facility": $facilityCode(fulfillment_center.id),
        "occurredAt": $iso(completed_date ? completed_date : last_updated_date),
        "lines": [inventory.action_taken.{
          "sku": %.sku,
          "quantity": $decimal(quantity_processed),
          "uom": "EA",
          "disposition": action = "Restock" ? "restock" : action = "Quarantine" ? "quarantine" : "scrap",
          "condition": action_reason
        }]
      } : undefined`,
    },
    inventory_snapshot: {
      lists: [{
        path: '/{apiVersion}/inventory-level/locations', items: '$',
        positions: `[locations[$facilityCode(location_id)].{
          "facility": $facilityCode(location_id),
          "sku": %.sku,
          "status": "available",
          "uom": "EA",
          "onHand": $decimal(onhand_quantity),
          "allocated": $decimal(committed_quantity),
          "available": $decimal(fulfillable_quantity)
        }]`,
      }],
    },
  },
  events: {
    signature: { scheme: 'standard-webhooks' },
    topic: { header: 'x-webhook-topic' },
    topics: {
      'order.shipped': { read: 'shipment', resource: '$' },
      'return.completed': { read: 'return_receipt', resource: '$' },
    },
  },
};
