/**
 * How a ledger's body is kept in its row. Every order writes its ledger in the transaction of its
 * message, so the row's size is paid in each commit's log and again when the log is copied into
 * the database: an order ledger is kept without what its reader can put back, and read back
 * exactly as it was written.
 *
 * - An order's empty lists (acknowledgments, statuses, shipments, cancels, returns, holds, parked)
 *   and a progress of 0 are left out.
 * - An order line with nothing besides its number, SKU, unit and quantities is kept as a tuple:
 *   [lineNumber, sku, uom, ordered] when nothing has shipped or been cancelled, else
 *   [lineNumber, sku, uom, ordered, shipped, cancelled]. Any other line stays an object.
 *
 * Reading needs no format version: rows written before this was done have every list and every
 * line as an object, which read back unchanged.
 */

type Json = Record<string, unknown>;

const ORDER_LISTS = ['acknowledgments', 'statuses', 'shipments', 'cancels', 'returns', 'holds', 'parked'] as const;
const LINE_KEYS = 6;

/** An order line as a tuple, or the line itself when it carries more than a tuple holds. */
function compactLine(line: Json): unknown {
  const { lineNumber, sku, uom, ordered, shipped, cancelled } = line;
  // Keys with undefined values are left out by JSON, so they do not count.
  let keys = 0;
  for (const k in line) if (line[k] !== undefined) keys++;
  const plain = lineNumber !== undefined && sku !== undefined && uom !== undefined && ordered !== undefined && shipped !== undefined && cancelled !== undefined;
  if (!plain || keys !== LINE_KEYS) return line;
  return shipped === '0' && cancelled === '0' ? [lineNumber, sku, uom, ordered] : [lineNumber, sku, uom, ordered, shipped, cancelled];
}

function expandLine(line: unknown): unknown {
  if (!Array.isArray(line)) return line;
  const [lineNumber, sku, uom, ordered, shipped = '0', cancelled = '0'] = line as unknown[];
  return { lineNumber, sku, uom, ordered, shipped, cancelled };
}

/** The text a ledger is stored as. */
export function ledgerBodyText(body: unknown): string {
  const ledger = body as Json;
  if (ledger?.kind !== 'order') return JSON.stringify(body);
  const kept: Json = {};
  for (const key in ledger) {
    const value = ledger[key];
    if (key === 'lines') kept.lines = (value as Json[]).map(compactLine);
    else if (key === 'progress' && value === 0) continue;
    else if (Array.isArray(value) && value.length === 0 && (ORDER_LISTS as readonly string[]).includes(key)) continue;
    else kept[key] = value;
  }
  return JSON.stringify(kept);
}

/** A stored ledger (parsed JSON) as it was written. */
export function ledgerBodyOf(stored: unknown): unknown {
  const ledger = stored as Json | null;
  if (ledger?.kind !== 'order') return stored;
  if (Array.isArray(ledger.lines)) ledger.lines = ledger.lines.map(expandLine);
  for (const key of ORDER_LISTS) ledger[key] ??= [];
  ledger.progress ??= 0;
  return ledger;
}
