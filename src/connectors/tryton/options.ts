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
  /** Clock for receivedAt (tests pin it). */
  now?: () => Date;
}

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
