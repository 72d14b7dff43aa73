/** What a Tryton connector instance needs besides the connection. */
export interface TrytonOptions {
  /** Causeway tenant the documents belong to. */
  tenant: string;
  /** Endpoint name written into each document's source. */
  endpoint: string;
  /** Tryton warehouse code (stock.location of type warehouse) -> Causeway facility code. */
  warehouses: Record<string, string>;
  /** Tryton unit symbol -> canonical unit code; the defaults cover Tryton's own units. */
  units?: Record<string, string>;
  /** Records per poll; the cursor moves past every record read, documents or not. */
  pageSize?: number;
  /**
   * Qualifier of the reference that carries the Tryton customer shipment's number on orders and
   * cancels. References travel as they are (an X12 940 writes each as N9-01/N9-02), so it is an
   * X12 reference qualifier (element 128): SI, the shipper's identifying number for the shipment,
   * unless the warehouse expects another.
   */
  shipmentReferenceQualifier?: string;
  /** Clock for receivedAt (tests pin it). */
  now?: () => Date;
}

/** X12 reference qualifiers (element 128) of what Tryton's records carry; see shipmentReferenceQualifier. */
export const REFERENCE_QUALIFIERS = {
  /** Shipper's identifying number for the shipment: the customer shipment's number. */
  shipment: 'SI',
  /** Vendor order number: a purchase's reference, the supplier's number for it. */
  supplierOrder: 'VN',
  /** Customer reference number: a customer return's reference. */
  customerReference: 'CR',
} as const;

export const DEFAULT_UNITS: Record<string, string> = {
  u: 'EA', kg: 'KG', g: 'G', t: 'TNE', lb: 'LB', oz: 'OZ', l: 'L', m: 'M', cm: 'CM', mm: 'MM', h: 'HUR', 'm³': 'M3',
};

export function canonicalUnit(options: TrytonOptions, symbol: string): string {
  return options.units?.[symbol] ?? DEFAULT_UNITS[symbol] ?? symbol.toUpperCase();
}

/** The facility code of a Tryton warehouse code, or undefined when the warehouse is not mapped. */
export function facilityOf(options: TrytonOptions, warehouseCode: string | null | undefined): string | undefined {
  return warehouseCode ? options.warehouses[warehouseCode] : undefined;
}

export function warehouseCodeOf(options: TrytonOptions, facility: string): string | undefined {
  return Object.entries(options.warehouses).find(([, f]) => f === facility)?.[0];
}
