/** Canonical documents as an ERP or a warehouse would send them, for tests and benchmarks. */
export function salesOrder(orderNumber: string, lines = 2, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'sales_order',
    orderNumber,
    occurredAt: '2026-11-22T09:00:00+01:00',
    customer: { code: 'C-100', name: 'Northwind Retail' },
    shipTo: { name: 'Northwind DC', lines: ['12 Harbour Road'], city: 'Rotterdam', postalCode: '3011', country: 'NL' },
    carrier: { scac: 'UPSN', service: 'GROUND' },
    lines: Array.from({ length: lines }, (_, i) => ({ lineNumber: i + 1, sku: `SKU-${i + 1}`, quantity: String(i + 1), uom: 'EA' })),
    ...over,
  };
}

export function shipment(orderNumber: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'shipment',
    shipmentNumber: `SH-${orderNumber}`,
    orderNumber,
    facility: 'AMS1',
    shippedAt: '2026-11-22T15:30:00+01:00',
    occurredAt: '2026-11-22T15:30:00+01:00',
    carrier: { scac: 'UPSN', service: 'GROUND' },
    trackingNumbers: ['1Z999AA10123456784'],
    packages: [{ sscc: '003456789012345675', trackingNumber: '1Z999AA10123456784', weight: { value: '4.2', unit: 'KG' } }],
    lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '1', uom: 'EA', lots: [{ lot: 'L24-07', quantity: '1' }] }],
    ...over,
  };
}
