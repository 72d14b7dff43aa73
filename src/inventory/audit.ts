import Big from 'big.js';

/**
 * The go-live audit: the ERP's item master against the warehouse's, before the first sync, so that
 * what would fail later (a SKU the warehouse has never heard of, a barcode on two items, a case
 * the ERP cannot convert) is fixed first. Every finding names the record and the field and says
 * what to do. Records are taken as they are (trimmed of nothing): catching the mess is the point.
 */

export type AuditSide = 'erp' | 'warehouse';

/** An item master record as either side gives it; only `sku` is required. */
export interface AuditItem {
  sku: string;
  description?: string;
  baseUom?: string;
  conversions?: Array<{ uom: string; factor: string }>;
  barcodes?: Array<{ kind?: string; value: string; uom?: string }>;
  weight?: { value: string; unit: string };
  dimensions?: { length: string; width: string; height: string; unit: string };
  lotTracked?: boolean;
  serialTracked?: boolean;
}

export interface AuditInput {
  erp: AuditItem[];
  warehouse: AuditItem[];
  /** Code tables to check codes against; a kind without a table is not checked. */
  codeTables?: { facility?: Iterable<string>; carrier?: Iterable<string>; unit?: Iterable<string> };
  /** Facility and carrier codes either side uses (stock snapshots, orders, the ERP's carriers). */
  facilities?: Array<{ code: string; side: AuditSide; record: string }>;
  carriers?: Array<{ code: string; side: AuditSide; record: string }>;
  /** On hand per facility and SKU on each side, to list stock differences. */
  stock?: { erp: Array<{ facility: string; sku: string; onHand: string }>; warehouse: Array<{ facility: string; sku: string; onHand: string }> };
}

export const FINDING_KINDS = [
  'missing_in_warehouse', 'missing_in_erp', 'duplicate_sku', 'sku_variant', 'barcode_clash', 'barcode_check_digit',
  'unit_mismatch', 'missing_conversion', 'tracking_mismatch', 'missing_weight', 'missing_dimensions', 'unknown_code', 'stock_difference',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  side: AuditSide | 'both';
  /** The record at fault, e.g. "ERP item AB-1 (record 12)". */
  record: string;
  sku: string;
  field: string;
  found: string;
  action: string;
}

export interface AuditReport {
  counts: Record<FindingKind, number>;
  total: number;
  items: { erp: number; warehouse: number };
  findings: Finding[];
}

const SIDE_NAME: Record<AuditSide, string> = { erp: 'ERP', warehouse: 'warehouse' };
const other = (s: AuditSide): AuditSide => (s === 'erp' ? 'warehouse' : 'erp');
/** Case and whitespace variants of a SKU share this key. */
export const skuVariantKey = (sku: string): string => sku.replace(/\s+/g, '').toUpperCase();

interface Indexed {
  item: AuditItem;
  side: AuditSide;
  index: number;
}
const recordName = (r: Indexed) => `${SIDE_NAME[r.side]} item ${JSON.stringify(r.item.sku)} (record ${r.index + 1})`;

export function auditItemMasters(input: AuditInput): AuditReport {
  const findings: Finding[] = [];
  const push = (f: Finding) => findings.push(f);
  const sides: Record<AuditSide, Map<string, Indexed>> = { erp: new Map(), warehouse: new Map() };

  // 1. Duplicates and variants within each side; the first record of a SKU stands for it.
  for (const side of ['erp', 'warehouse'] as const) {
    const byVariant = new Map<string, Indexed>();
    for (const [index, item] of input[side].entries()) {
      const r: Indexed = { item, side, index };
      const vkey = skuVariantKey(item.sku);
      const first = byVariant.get(vkey);
      if (!first) {
        byVariant.set(vkey, r);
        sides[side].set(item.sku, r);
        continue;
      }
      if (first.item.sku === item.sku) {
        push({ kind: 'duplicate_sku', side, record: recordName(r), sku: item.sku, field: 'sku', found: `the same SKU as record ${first.index + 1}`, action: `remove one of the two ${SIDE_NAME[side]} records of ${item.sku}, or merge them` });
      } else {
        push({ kind: 'sku_variant', side, record: recordName(r), sku: item.sku, field: 'sku', found: `differs from ${JSON.stringify(first.item.sku)} (record ${first.index + 1}) only in case or spaces`, action: `keep one spelling in the ${SIDE_NAME[side]}: both sides match SKUs exactly` });
      }
    }
  }

  // 2. Pairs across sides: exact SKU first, then a variant spelling (which is itself a finding).
  const pairs: Array<[Indexed, Indexed]> = [];
  const wByVariant = new Map<string, Indexed>();
  for (const w of sides.warehouse.values()) if (!sides.erp.has(w.item.sku)) wByVariant.set(skuVariantKey(w.item.sku), w);
  const pairedWarehouse = new Set<string>();
  for (const e of sides.erp.values()) {
    const exact = sides.warehouse.get(e.item.sku);
    if (exact) {
      pairs.push([e, exact]);
      pairedWarehouse.add(exact.item.sku);
      continue;
    }
    const variant = wByVariant.get(skuVariantKey(e.item.sku));
    if (variant) {
      pairs.push([e, variant]);
      pairedWarehouse.add(variant.item.sku);
      push({ kind: 'sku_variant', side: 'both', record: recordName(e), sku: e.item.sku, field: 'sku', found: `the warehouse spells it ${JSON.stringify(variant.item.sku)} (record ${variant.index + 1})`, action: 'spell the SKU the same on both sides, as the ERP does (the item master\'s owner)' });
      continue;
    }
    push({ kind: 'missing_in_warehouse', side: 'erp', record: recordName(e), sku: e.item.sku, field: 'sku', found: 'no warehouse item with this SKU', action: 'send the item to the warehouse before go-live, or mark it inactive in the ERP' });
  }
  for (const w of sides.warehouse.values()) {
    if (pairedWarehouse.has(w.item.sku)) continue;
    push({ kind: 'missing_in_erp', side: 'warehouse', record: recordName(w), sku: w.item.sku, field: 'sku', found: 'no ERP item with this SKU', action: 'create the item in the ERP, or remove it from the warehouse\'s item master' });
  }

  // 3. Barcodes: check digits on every record, and one barcode naming two SKUs anywhere.
  const owners = new Map<string, Indexed[]>();
  for (const side of ['erp', 'warehouse'] as const) {
    for (const r of sides[side].values()) {
      for (const [b, barcode] of (r.item.barcodes ?? []).entries()) {
        const kind = (barcode.kind ?? 'GTIN').toUpperCase();
        if (kind !== 'GTIN' && kind !== 'UPC' && kind !== 'EAN') continue;
        const problem = gtinProblem(barcode.value);
        if (problem) {
          push({ kind: 'barcode_check_digit', side, record: recordName(r), sku: r.item.sku, field: `barcodes[${b}].value`, found: `${kind} ${JSON.stringify(barcode.value)}: ${problem}`, action: 'correct the barcode from the label or the supplier\'s data; scanners will not read it as it stands' });
          continue;
        }
        const key = barcode.value.padStart(14, '0');
        const list = owners.get(key) ?? [];
        list.push(r);
        owners.set(key, list);
      }
    }
  }
  for (const [code, list] of owners) {
    const skus = [...new Set(list.map((r) => skuVariantKey(r.item.sku)))];
    if (skus.length < 2) continue;
    const named = [...new Set(list.map((r) => `${SIDE_NAME[r.side]} ${r.item.sku}`))].join(', ');
    push({ kind: 'barcode_clash', side: new Set(list.map((r) => r.side)).size > 1 ? 'both' : list[0].side, record: recordName(list[0]), sku: list[0].item.sku, field: 'barcodes', found: `barcode ${code.replace(/^0+(?=\d{8})/, '')} is on ${named}`, action: 'give the barcode to one item only; a scan must name exactly one SKU' });
  }

  // 4. Per pair: units, conversions and tracking flags.
  for (const [e, w] of pairs) {
    const eu = e.item.baseUom, wu = w.item.baseUom;
    if (eu && wu && eu !== wu) {
      const wInE = factorOf(e.item, wu);
      const eInW = factorOf(w.item, eu);
      if (!wInE && !eInW) {
        push({ kind: 'missing_conversion', side: 'both', record: recordName(e), sku: e.item.sku, field: 'conversions', found: `the ERP counts in ${eu}, the warehouse in ${wu}, and neither side converts one into the other`, action: `add a conversion of ${wu} to ${eu} to the ERP item` });
      } else {
        push({ kind: 'unit_mismatch', side: 'both', record: recordName(e), sku: e.item.sku, field: 'baseUom', found: `ERP ${eu}, warehouse ${wu}`, action: `count stock in one unit on both sides, or map ${wu} to ${eu} through the conversion on every stock flow` });
      }
    }
    for (const c of w.item.conversions ?? []) {
      const mine = factorOf(e.item, c.uom);
      if (c.uom === eu) continue;
      if (!mine) {
        if (eu === wu) push({ kind: 'missing_conversion', side: 'erp', record: recordName(e), sku: e.item.sku, field: 'conversions', found: `the warehouse handles ${c.uom} (${c.factor} ${wu}); the ERP has no conversion for ${c.uom}`, action: `add ${c.uom} = ${c.factor} ${eu} to the ERP item` });
      } else if (eu === wu && !new Big(mine).eq(c.factor)) {
        push({ kind: 'unit_mismatch', side: 'both', record: recordName(e), sku: e.item.sku, field: `conversions.${c.uom}`, found: `ERP ${mine} ${eu}, warehouse ${c.factor} ${wu}`, action: `agree on how many ${eu} one ${c.uom} holds, and correct the side that is wrong` });
      }
    }
    for (const flag of ['lotTracked', 'serialTracked'] as const) {
      const a = e.item[flag] ?? false, b = w.item[flag] ?? false;
      if (a !== b) push({ kind: 'tracking_mismatch', side: 'both', record: recordName(e), sku: e.item.sku, field: flag, found: `ERP ${a}, warehouse ${b}`, action: `set ${flag} the same on both sides: a ${flag === 'lotTracked' ? 'lot' : 'serial'} the warehouse reports must be one the ERP can record` });
    }
  }

  // 5. What the warehouse needs to slot and ship: weight and dimensions, on each side's records.
  for (const side of ['erp', 'warehouse'] as const) {
    for (const r of sides[side].values()) {
      if (!r.item.weight || new Big(r.item.weight.value).lte(0)) push({ kind: 'missing_weight', side, record: recordName(r), sku: r.item.sku, field: 'weight', found: r.item.weight ? `weight ${r.item.weight.value}` : 'no weight', action: 'enter the unit weight: carriers rate and the warehouse checks packs by it' });
      const d = r.item.dimensions;
      if (!d || [d.length, d.width, d.height].some((v) => new Big(v).lte(0))) push({ kind: 'missing_dimensions', side, record: recordName(r), sku: r.item.sku, field: 'dimensions', found: d ? `dimensions ${d.length} x ${d.width} x ${d.height}` : 'no dimensions', action: 'enter length, width and height: the warehouse slots and cartonises by them' });
    }
  }

  // 6. Codes with no entry in their code table.
  const tables = input.codeTables ?? {};
  if (tables.unit) {
    const units = new Set(tables.unit);
    for (const side of ['erp', 'warehouse'] as const) {
      for (const r of sides[side].values()) {
        const used = [['baseUom', r.item.baseUom], ...(r.item.conversions ?? []).map((c, i) => [`conversions[${i}].uom`, c.uom])] as Array<[string, string | undefined]>;
        for (const [field, code] of used) {
          if (code && !units.has(code)) push({ kind: 'unknown_code', side, record: recordName(r), sku: r.item.sku, field, found: `unit ${JSON.stringify(code)} is not in the unit code table`, action: `add ${code} to the unit code table, mapped to the other side's unit` });
        }
      }
    }
  }
  for (const [kind, table, list] of [['facility', tables.facility, input.facilities], ['carrier', tables.carrier, input.carriers]] as const) {
    if (!table || !list) continue;
    const known = new Set(table);
    const seen = new Set<string>();
    for (const u of list) {
      const key = `${u.side}\u0000${u.code}`;
      if (known.has(u.code) || seen.has(key)) continue;
      seen.add(key);
      push({ kind: 'unknown_code', side: u.side, record: u.record, sku: '', field: kind, found: `${kind} ${JSON.stringify(u.code)} is not in the ${kind} code table`, action: `add ${u.code} to the ${kind} code table, mapped to the ${SIDE_NAME[other(u.side)]}'s code` });
    }
  }

  // 7. Stock differences per facility and SKU.
  if (input.stock) {
    const sum = (rows: Array<{ facility: string; sku: string; onHand: string }>) => {
      const m = new Map<string, Big>();
      for (const r of rows) m.set(`${r.facility}\u0000${r.sku}`, (m.get(`${r.facility}\u0000${r.sku}`) ?? new Big(0)).plus(r.onHand));
      return m;
    };
    const es = sum(input.stock.erp), ws = sum(input.stock.warehouse);
    for (const key of new Set([...es.keys(), ...ws.keys()])) {
      const a = es.get(key) ?? new Big(0), b = ws.get(key) ?? new Big(0);
      if (a.eq(b)) continue;
      const [facility, sku] = key.split('\u0000');
      push({ kind: 'stock_difference', side: 'both', record: `stock of ${sku} at ${facility}`, sku, field: 'onHand', found: `ERP ${a.toFixed()}, warehouse ${b.toFixed()}`, action: 'count the position and correct the ERP before go-live (an opening inventory adjustment)' });
    }
  }

  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  return { counts, total: findings.length, items: { erp: input.erp.length, warehouse: input.warehouse.length }, findings };
}

function factorOf(item: AuditItem, uom: string): string | undefined {
  if (item.baseUom === uom) return '1';
  return item.conversions?.find((c) => c.uom === uom)?.factor;
}

/** Why a GTIN-8/12/13/14 (UPC is GTIN-12, EAN is GTIN-13) is not one, or undefined when it is. */
export function gtinProblem(value: string): string | undefined {
  if (!/^\d+$/.test(value)) return 'not all digits';
  if (![8, 12, 13, 14].includes(value.length)) return `${value.length} digits, expected 8, 12, 13 or 14`;
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  // From the right, excluding the check digit: weights 3, 1, 3, 1...
  let sum = 0;
  for (let i = digits.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += digits[i] * w;
  const expected = (10 - (sum % 10)) % 10;
  return expected === check ? undefined : `check digit ${check}, expected ${expected}`;
}
