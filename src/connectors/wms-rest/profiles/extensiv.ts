import type { ProfileInput } from '../profile.ts';

/**
 * Extensiv 3PL Warehouse Manager (formerly 3PL Central), written from its public REST
 * documentation: HAL+JSON resources, `pgsiz`/`pgnum` paging with RQL filters (`rql`, `sort`),
 * OAuth2 client credentials at /AuthServer/api/Token (Basic client id and secret, JSON body),
 * orders with a `canceler` operator that needs If-Match, receivers (expected inbound and returns),
 * stock details, adjustments, customer and facility ids (CustomerIdentifier, FacilityIdentifier).
 *
 * Its event notifications (Customers > Event Notifications) carry the event and the transaction
 * id, and optionally the resource: a thin or a fat event. The help centre describes them without a
 * payload schema or a signature, so the event field names below (eventType, transactionId,
 * resource) and the absence of a signature are this profile's assumptions: check them against a
 * live subscription, and set the endpoint's webhook.signature when the account signs.
 */

/** The list of a HAL collection, as the documentation's samples embed it. */
const HAL_ITEMS = '_embedded.item';

const HAL_WRITE = { 'content-type': 'application/hal+json; charset=utf-8' };
const CUSTOMER_RQL = 'readOnly.customerIdentifier.id=={customerId}';

/**
 * An order or a receiver: found by its reference number under the customer, read with all detail,
 * created with a HAL body naming the customer and the facility, then `fields` (a second create is
 * refused with 409), and cancelled through its canceler.
 */
function halRecord(path: string, idField: string, fields: string) {
  const body = `{
          "customerIdentifier": {"id": $number($vars.customerId)},
          "facilityIdentifier": {"id": $number($facility(doc.facility))},${fields}`;
  return {
    find: { path, query: { rql: `referenceNum=={reference};${CUSTOMER_RQL}`, pgsiz: '10', pgnum: '1' }, items: HAL_ITEMS, id: `readOnly.${idField}`, reference: 'referenceNum' },
    get: { path: `${path}/{id}`, query: { detail: 'All' } },
    create: { method: 'POST' as const, path, headers: HAL_WRITE, body, id: `body.readOnly.${idField}`, duplicate: [409] },
    cancel: {
      method: 'POST' as const, path: `${path}/{id}/canceler`, current: true, ifMatch: true, headers: HAL_WRITE,
      body: '{"reason": doc.reason ? doc.reason : "Cancelled by the ERP"}',
      done: 'readOnly.status = 2',
    },
  };
}

/** A read of what changed for the customer since the last poll, oldest change first; `fetch` reads one again with all detail. */
function changedSince(path: string, idField: string, query: Record<string, string>, fetch: boolean) {
  return {
    list: { path, query: { ...query, rql: `readOnly.lastModifiedDate=ge={since};${CUSTOMER_RQL}`, sort: 'readOnly.lastModifiedDate' }, items: HAL_ITEMS },
    ascending: true,
    ...(fetch ? { fetch: { path: `${path}/{id}`, query: { detail: 'All' } } } : {}),
    id: `readOnly.${idField}`,
    modified: 'readOnly.lastModifiedDate',
  };
}

/** A receiver's lines grouped by SKU and lot; a line with the DMG qualifier was received damaged. */
const RECEIPT_LINES = `(
  $items := receiveItems;
  $keys := $distinct($items.(itemIdentifier.sku & "|" & lotNumber));
  [$keys.(
    $k := $;
    $these := $items[(itemIdentifier.sku & "|" & lotNumber) = $k];
    $expected := $these.expectedQty;
    {
      "lineNumber": $these[0].externalId,
      "sku": $these[0].itemIdentifier.sku,
      "lot": $these[0].lotNumber,
      "expiryDate": $date($these[0].expirationDate),
      "uom": $vars.uom,
      "quantity": $decimalSum($these[$not(qualifier = "DMG")].qty),
      "damagedQuantity": $decimalSum($these[qualifier = "DMG"].qty),
      "expectedQuantity": $count($expected) > 0 ? $decimalSum($expected) : undefined
    }
  )]
)`;

/**
 * Pallets of an order or a receiver, from its two handling-unit counts (NumUnits1/NumUnits2, in
 * the units Unit1Identifier/Unit2Identifier name, which each account defines): the count whose
 * unit is named like a pallet. The order model documents these four fields; that the receiver
 * carries them alike is this profile's reading. An order's ShippingPallets list, when the warehouse
 * built pallets, is the better count and wins.
 */
const HANDLING_UNIT_PALLETS = `(
  $p := $contains($string(unit2Identifier.name), /pallet/i) ? numUnits2 : $contains($string(unit1Identifier.name), /pallet/i) ? numUnits1;
  $p ? $round($number($p)) : undefined
)`;

/**
 * The value-added services the warehouse billed on a transaction: its Billing.BillingCharges of
 * ChargeType 5 (SpecialCharges) and 6 (Materials), one service per charge detail, coded by the
 * detail's ChargeLabel and counted by its NumUnits (the rels pages for orders, receivers and
 * customer charges). Handling (1), storage (2) and freight (3, 4) are left out: Causeway counts
 * orders, units, storage and packages itself; the system-generated types (7, 8) are its own too.
 */
const WAREHOUSE_SERVICES = `(
  $s := [billing.billingCharges[chargeType = 5 or chargeType = 6].details[$number(numUnits) > 0 and $trim($string(chargeLabel)) != ""].{
    "code": $substring($uppercase($replace($trim(chargeLabel), /[^A-Za-z0-9_.-]+/, "_")), 0, 40),
    "quantity": $decimal(numUnits),
    "description": $substring(chargeLabel, 0, 200)
  }];
  $count($s) > 0 ? $s : undefined
)`;

/** An order's carrier, ship-to address and items as Extensiv names them, alike on create and on update (which keeps the contact details it has). */
const ORDER_ROUTING = '"routingInfo": {"scacCode": doc.carrier.scac, "carrier": doc.carrier.code, "mode": doc.carrier.service, "account": doc.carrier.account}';
const SHIP_TO_ADDRESS = `"companyName": doc.shipTo.company, "name": doc.shipTo.name,
            "address1": doc.shipTo.lines[0], "address2": doc.shipTo.lines[1],
            "city": doc.shipTo.city, "state": doc.shipTo.region, "zip": doc.shipTo.postalCode, "country": doc.shipTo.country`;
const ORDER_ITEMS = '"orderItems": [doc.lines.{"itemIdentifier": {"sku": sku}, "qty": $number(quantity), "lotNumber": lot, "externalId": lineNumber}]';

const ADJUSTMENT_REASONS = '{"Cycle Count": "cycle_count", "Damaged": "damage", "Found": "found", "Lost": "lost", "Status Change": "status_change", "Expired": "expired", "Quality Hold": "quality_hold"}';

export const extensivProfile: ProfileInput = {
  name: 'extensiv-3pl-warehouse-manager',
  description: 'Extensiv 3PL Warehouse Manager REST API (HAL+JSON, pgsiz/pgnum paging, RQL filters, OAuth2 client credentials)',
  variables: {
    customerId: { description: 'The 3PL\'s customer (depositor) whose orders and stock this endpoint carries: CustomerIdentifier.Id' },
    uom: { description: 'Unit of measure of quantities in this account\'s primary inventory unit', default: 'EA' },
  },
  headers: { accept: 'application/hal+json' },
  auth: { tokenPath: '/AuthServer/api/Token', clientAuth: 'basic', bodyFormat: 'json' },
  // Extensiv publishes no request ceiling; stay well below what a shared API tolerates.
  rateLimit: { requestsPerMinute: 120, burst: 10, retryAfterHeaders: ['retry-after'] },
  timeFormat: 'naive-utc',
  paging: { kind: 'page', page: 'pgnum', size: 'pgsiz', first: 1, max: 500 },
  records: {
    order: {
      ...halRecord('/orders', 'orderId', `
          "referenceNum": doc.orderNumber,
          "poNum": doc.customerOrderNumber,
          "notes": $count(doc.notes) > 0 ? $join(doc.notes, "\\n") : undefined,
          "earliestShipDate": doc.requestedShipDate,
          "shipCancelDate": doc.cancelAfter,
          ${ORDER_ROUTING},
          "shipTo": {
            ${SHIP_TO_ADDRESS},
            "phoneNumber": doc.shipTo.phone, "emailAddress": doc.shipTo.email
          },
          ${ORDER_ITEMS}
        }`),
      // The documentation we read publishes no length for referenceNum: 50 is this profile's assumption.
      reference: { name: 'referenceNum', maxLength: 50 },
      update: {
        method: 'PUT', path: '/orders/{id}', current: true, ifMatch: true, headers: HAL_WRITE,
        body: `$merge([current, {
          "poNum": doc.customerOrderNumber,
          ${ORDER_ROUTING},
          "shipTo": {
            ${SHIP_TO_ADDRESS}
          },
          ${ORDER_ITEMS}
        }])`,
      },
    },
    inbound: {
      ...halRecord('/inventory/receivers', 'receiverId', `
          "referenceNum": doc.poNumber,
          "poNum": doc.poNumber,
          "expectedDate": doc.expectedDate,
          "trackingNumber": doc.asn.trackingNumbers[0],
          "billOfLading": doc.asn.billOfLading,
          "receiveItems": [doc.lines.{"itemIdentifier": {"sku": sku}, "qty": $number(quantity), "lotNumber": lots[0].lot, "expirationDate": lots[0].expiryDate, "externalId": lineNumber}]
        }`),
    },
    item: {
      find: {
        path: '/customers/{customerId}/items', query: { rql: 'sku=={reference}', pgsiz: '10', pgnum: '1' },
        items: HAL_ITEMS, id: 'itemId', reference: 'sku',
      },
      get: { path: '/customers/{customerId}/items/{id}' },
      create: {
        method: 'POST', path: '/customers/{customerId}/items', headers: HAL_WRITE,
        body: `{
          "sku": doc.sku,
          "description": doc.description,
          "upc": doc.barcodes[kind = "UPC" or kind = "GTIN"][0].value,
          "options": {
            "inventoryUnit": {"unitIdentifier": {"name": doc.baseUom}},
            "trackLotNumber": doc.lotTracked ? 1 : 0,
            "trackSerialNumber": doc.serialTracked ? 1 : 0
          },
          "netWeight": doc.weight ? $number(doc.weight.value) : undefined,
          "deactivated": $not(doc.active)
        }`,
        id: 'body.itemId',
        duplicate: [409],
      },
      update: {
        method: 'PUT', path: '/customers/{customerId}/items/{id}', current: true, ifMatch: true, headers: HAL_WRITE,
        body: `$merge([current, {
          "description": doc.description,
          "upc": doc.barcodes[kind = "UPC" or kind = "GTIN"][0].value,
          "netWeight": doc.weight ? $number(doc.weight.value) : undefined,
          "deactivated": $not(doc.active)
        }])`,
      },
    },
  },
  reads: {
    shipment: {
      ...changedSince('/orders', 'orderId', { detail: 'All' }, true),
      // A confirmed order (status 1) is shipped in full: Extensiv confirms whole orders.
      documents: `readOnly.status = 1 ? {
        "type": "shipment",
        "shipmentNumber": $string(readOnly.orderId),
        "orderNumber": referenceNum,
        "facility": $facilityCode(readOnly.facilityIdentifier.id),
        "shippedAt": $iso(readOnly.processDate),
        "occurredAt": $iso(readOnly.processDate),
        "complete": true,
        "carrier": {"scac": routingInfo.scacCode, "code": routingInfo.carrier, "service": routingInfo.mode},
        "trackingNumbers": [$distinct([readOnly.packages.trackingNumber, routingInfo.trackingNumber][$ != ""])],
        "billOfLading": routingInfo.billOfLading,
        "pallets": $count(readOnly.shippingPallets) > 0 ? $count(readOnly.shippingPallets) : ${HANDLING_UNIT_PALLETS},
        "services": ${WAREHOUSE_SERVICES},
        "packages": [readOnly.packages.{
          "trackingNumber": trackingNumber,
          "weight": weight ? {"value": $decimal(weight), "unit": "LB"} : undefined,
          "lines": [packageContents.{"lineNumber": orderItemId, "sku": sku, "quantity": $decimal(qty), "uom": $vars.uom, "lot": lotNumber}]
        }],
        "lines": [orderItems.{
          "lineNumber": externalId ? externalId : readOnly.orderItemId,
          "sku": itemIdentifier.sku,
          "quantity": $decimal(qty),
          "uom": $vars.uom,
          "lots": [readOnly.allocations[detail.itemTraits.lotNumber].{
            "lot": detail.itemTraits.lotNumber,
            "quantity": $decimal(qty),
            "expiryDate": $date(detail.itemTraits.expirationDate)
          }],
          "serials": [readOnly.allocations.detail.itemTraits.serialNumber]
        }]
      } : undefined`,
    },
    receipt: {
      ...changedSince('/inventory/receivers', 'receiverId', { detail: 'All', receivertype: '0' }, true),
      documents: `readOnly.status = 1 and readOnly.receiverType != 1 ? {
        "type": "receipt",
        "receiptNumber": $string(readOnly.receiverId),
        "poNumber": referenceNum,
        "facility": $facilityCode(readOnly.facilityIdentifier.id),
        "occurredAt": $iso(readOnly.arrivalDate ? readOnly.arrivalDate : readOnly.lastModifiedDate),
        "complete": true,
        "pallets": ${HANDLING_UNIT_PALLETS},
        "services": ${WAREHOUSE_SERVICES},
        "lines": ${RECEIPT_LINES}
      } : undefined`,
    },
    return_receipt: {
      ...changedSince('/inventory/receivers', 'receiverId', { detail: 'All', receivertype: '1' }, true),
      documents: `readOnly.status = 1 and readOnly.receiverType = 1 ? {
        "type": "return_receipt",
        "rmaNumber": referenceNum,
        "facility": $facilityCode(readOnly.facilityIdentifier.id),
        "occurredAt": $iso(readOnly.arrivalDate ? readOnly.arrivalDate : readOnly.lastModifiedDate),
        "lines": [receiveItems.{
          "lineNumber": externalId,
          "sku": itemIdentifier.sku,
          "quantity": $decimal(qty),
          "uom": $vars.uom,
          "lot": lotNumber,
          "disposition": qualifier = "DMG" ? "quarantine" : "restock",
          "condition": qualifier = "DMG" ? "damaged" : undefined
        }]
      } : undefined`,
    },
    inventory_adjustment: {
      ...changedSince('/inventory/adjustments', 'adjustmentId', {}, false),
      documents: `{
        "type": "inventory_adjustment",
        "adjustmentNumber": $string(readOnly.adjustmentId),
        "facility": $facilityCode(readOnly.facilityIdentifier.id),
        "occurredAt": $iso(readOnly.processDate ? readOnly.processDate : readOnly.lastModifiedDate),
        "lines": [adjustmentItems.{
          "sku": itemIdentifier.sku,
          "lot": lotNumber,
          "quantity": $decimal(qty),
          "uom": $vars.uom,
          "reason": ($r := $lookup(${ADJUSTMENT_REASONS}, $$.reason); $r ? $r : "other"),
          "note": $$.notes
        }]
      }`,
    },
    inventory_snapshot: {
      lists: [{
        path: '/inventory/stockdetails', query: { customerid: '{customerId}', facilityid: '{facilityId}' }, perFacility: true,
        items: HAL_ITEMS,
        // Per receive item: quarantined (in a quarantine location) and held stock is on hand but not available.
        positions: `(
          $status := quarantined ? "quarantine" : isOnHold ? "hold" : "available";
          {
            "facility": $facilityCode($facilityId),
            "sku": itemIdentifier.sku,
            "lot": lotNumber,
            "status": $status,
            "uom": $vars.uom,
            "onHand": $decimal(onHand),
            "allocated": $status = "available" ? $decimalDiff(onHand, available) : "0",
            "available": $status = "available" ? $decimal(available) : "0",
            "expiryDate": $date(expirationDate)
          }
        )`,
      }],
    },
  },
  events: {
    signature: { scheme: 'none' },
    topic: { field: 'eventType' },
    topics: {
      OrderConfirmed: { read: 'shipment', resource: 'resource', id: 'transactionId' },
      ReceiptConfirmed: { read: 'receipt', resource: 'resource', id: 'transactionId' },
      ReturnConfirmed: { read: 'return_receipt', resource: 'resource', id: 'transactionId' },
    },
  },
};
