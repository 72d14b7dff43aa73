import type { FieldSpec } from '../../config/index.ts';
import { CausewayFault, compareDecimals, convertQuantity, type ItemUnits } from '../../model/index.ts';
import { accessCode, parsePath } from './paths.ts';

export interface MappingContext {
  tables: Record<string, Record<string, string>>;
  /** Item master lookup for unit conversions (already loaded for the document's SKUs). */
  item(sku: string): ItemUnits | undefined;
}

export type MappingFunction = (source: unknown, ctx: MappingContext) => unknown;

/**
 * Compiles a declarative field map into one plain JavaScript function, once, at start. Every
 * name, path and constant enters the generated code through JSON.stringify, never as raw text.
 * The result runs at the speed of hand-written code: the fast default of every flow.
 */
export function compileFieldMap(fields: Record<string, FieldSpec>, knownTables: ReadonlySet<string>): MappingFunction {
  let counter = 0;
  const fresh = (p: string) => `${p}${++counter}`;

  function objectCode(spec: Record<string, FieldSpec>, src: string, out: string, where: string): string {
    let code = '';
    for (const [target, field] of Object.entries(spec)) {
      const targetPath = parsePath(target);
      if (targetPath.some((s) => typeof s === 'number')) throw new Error(`${where}${target}: target paths take no [n] indexes; use "each"`);
      const label = `${where}${target}`;
      code += `{ let v;\n${valueCode(field, src, label)}\n`;
      // Objects on the way to the target are made as needed; undefined values leave no key.
      let holder = out;
      const steps: string[] = [];
      for (const seg of targetPath.slice(0, -1)) {
        const h = fresh('h');
        steps.push(`const ${h} = (${holder}[${JSON.stringify(seg)}] ??= {});`);
        holder = h;
      }
      code += `if (v !== undefined) { ${steps.join(' ')} ${holder}[${JSON.stringify(targetPath[targetPath.length - 1])}] = v; } }\n`;
    }
    return code;
  }

  function valueCode(field: FieldSpec, src: string, label: string): string {
    const f = typeof field === 'string' ? { from: field } : field;
    const L = JSON.stringify(label);
    let code = '';
    if (f.each !== undefined) {
      if (!f.fields) throw new Error(`${label}: "each" needs "fields"`);
      const el = fresh('s');
      const o = fresh('o');
      const arr = fresh('a');
      code += `const ${arr} = ${accessCode(src, f.each)};\n`;
      code += `v = Array.isArray(${arr}) ? ${arr}.map((${el}) => { const ${o} = {};\n${objectCode(f.fields, el, o, `${label}[].`)} return ${o}; }) : undefined;\n`;
      return code;
    }
    if (f.fields) {
      const o = fresh('o');
      const base = f.from ? accessCode(src, f.from) : src;
      const inner = fresh('s');
      code += `{ const ${inner} = ${base}; const ${o} = {};\n${objectCode(f.fields, inner, o, `${label}.`)} v = ${inner} == null && ${f.from ? 'true' : 'false'} ? undefined : ${o}; }\n`;
      return code;
    }
    if (f.const !== undefined) code += `v = ${JSON.stringify(f.const)};\n`;
    else if (f.from !== undefined) code += `v = ${accessCode(src, f.from)};\n`;
    if (f.default !== undefined) code += `if (v === undefined || v === null || v === '') v = ${JSON.stringify(f.default)};\n`;
    if (f.table !== undefined) {
      if (!knownTables.has(f.table)) throw new Error(`${label}: no code table named "${f.table}"`);
      const onMissing = f.onMissing ?? 'error';
      code += `if (v !== undefined && v !== null) { const m = ctx.tables[${JSON.stringify(f.table)}][String(v)]; if (m !== undefined) v = m; else `;
      if (onMissing === 'error') code += `fail(${L}, "value " + JSON.stringify(v) + " is not in code table " + ${JSON.stringify(JSON.stringify(f.table))}, ${JSON.stringify(f.from ?? '')});`;
      else if (onMissing === 'default') code += `v = ${JSON.stringify(f.default ?? null)};`;
      else if (onMissing === 'omit') code += `v = undefined;`;
      else code += `{}`;
      code += ` }\n`;
    }
    if (f.convert) {
      code += `if (v !== undefined && v !== null) v = convert(v, ${accessCode(src, f.convert.uomFrom)}, ${JSON.stringify(f.convert.to)}, ${accessCode(src, f.convert.sku)}, ctx, ${L});\n`;
    }
    if (f.format) code += `if (v !== undefined && v !== null) v = format_${f.format.replace('-', '_')}(v, ${L});\n`;
    if (f.required) code += `if (v === undefined || v === null || v === '') fail(${L}, "is required but the source has no value", ${JSON.stringify(f.from ?? '')});\n`;
    return code;
  }

  const body = `"use strict";\nconst out = {};\n${objectCode(fields, 'src', 'out', '')}return out;`;
  const build = new Function('fail', 'convert', ...FORMAT_NAMES, `return function fieldMap(src, ctx) {\n${body}\n};`);
  return build(fail, convert, ...FORMAT_NAMES.map((n) => FORMATS[n])) as MappingFunction;
}

function fail(target: string, message: string, from: string): never {
  throw new CausewayFault({ code: 'MAP_FAILED', path: `$.${from || target}`, message: `mapping field ${target}: ${message}` });
}

function convert(quantity: unknown, fromUom: unknown, toUom: string, sku: unknown, ctx: MappingContext, target: string): string {
  if (typeof sku !== 'string' || typeof fromUom !== 'string') fail(target, 'unit conversion needs a SKU and a unit on the source', '');
  const item = ctx.item(sku as string);
  if (!item) fail(target, `cannot convert units: item ${String(sku)} is not in the item master`, '');
  try {
    return convertQuantity(String(quantity), fromUom as string, toUom, item!);
  } catch (e) {
    throw new CausewayFault({ code: 'MAP_FAILED', path: `$.${target}`, message: `mapping field ${target}: ${(e as Error).message}` });
  }
}

/**
 * A value as a JSON number, when a number says the same: "abc" would become NaN (null in JSON) and
 * "12345678901234567890" 12345678901234567000, each a value nobody sent.
 */
function asNumber(v: unknown, target: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const text = typeof v === 'string' ? v.trim() : undefined;
  const n = text !== undefined && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) fail(target, `format number: ${JSON.stringify(v)} is not a number`, '');
  if (compareDecimals(String(n), text!) !== 0) fail(target, `format number: ${text} would become ${n}, a number a JSON reader takes as a double cannot hold; send it as text (format: string)`, '');
  return n;
}

const FORMATS: Record<string, (v: unknown, target: string) => unknown> = {
  format_upper: (v) => String(v).toUpperCase(),
  format_lower: (v) => String(v).toLowerCase(),
  format_trim: (v) => String(v).trim(),
  format_string: (v) => String(v),
  format_number: (v, target) => asNumber(v, target),
  // "2026-11-22T10:00:00+01:00" -> "20261122": the form X12 and most flat files want.
  format_date_compact: (v) => String(v).slice(0, 10).replaceAll('-', ''),
  format_date: (v) => String(v).slice(0, 10),
  format_time_compact: (v) => String(v).slice(11, 16).replace(':', ''),
};
const FORMAT_NAMES = Object.keys(FORMATS);

/** True when a field map converts units, so the engine loads the item master before mapping. */
export function usesUnitConversion(fields: Record<string, FieldSpec>): boolean {
  return Object.values(fields).some((f) => typeof f !== 'string' && (!!f.convert || (!!f.fields && usesUnitConversion(f.fields))));
}
