// A flat file's layout, as an endpoint's codecOptions say it: what document the file holds, which
// column (CSV: a header name or a position; fixed width: start and length) fills which canonical
// field, how rows group into documents, and how numbers and dates are written. Checked at start
// with every fault named by its config path, then compiled once into plain lookups.
import { z } from 'zod';
import { documentSchemas, DOCUMENT_TYPES, fieldHint, unknownStepOf, type CausewayError, type DocumentType } from '../../model/index.ts';
import { compileDateFormat, isTimeZone, type DateFormat, type NumberStyle, type ValueType } from './values.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const fieldObject = z.object({
  column: z.union([z.string().min(1), z.number().int().min(1)]).optional().meta({ description: 'CSV: the header name, or the 1-based position when the file has no header' }),
  start: z.number().int().min(1).optional().meta({ description: 'Fixed width: the 1-based character position the field starts at' }),
  length: z.number().int().min(1).max(10_000).optional().meta({ description: 'Fixed width: how many characters the field takes' }),
  type: z.enum(['string', 'decimal', 'integer', 'date', 'datetime', 'boolean']).optional()
    .meta({ description: 'How the text is read; default from the field name (quantity: decimal, ...Date: date, ...At: datetime)' }),
  format: z.string().min(1).optional().meta({ description: 'Date format of this field, e.g. "DD.MM.YYYY" (default: the layout\'s dateFormat or dateTimeFormat)' }),
  impliedDecimals: z.number().int().min(1).max(9).optional().meta({ description: 'Digits after an implied decimal point: "001250" with 2 is 12.5' }),
  const: scalar.optional().meta({ description: 'A constant written into every document; no column' }),
  default: scalar.optional().meta({ description: 'Used when the cell is empty' }),
  required: z.boolean().optional().meta({ description: 'An empty cell is an error (the group key always is)' }),
  align: z.enum(['left', 'right']).optional().meta({ description: 'Fixed width, writing: where the value sits (default: numbers right, text left)' }),
  pad: z.string().length(1).optional().meta({ description: 'Fixed width, writing: the fill character (default: a space)' }),
}).strict();

const fieldSpec = z.union([
  z.string().min(1).meta({ description: 'The CSV header name' }),
  z.number().int().min(1).meta({ description: 'The 1-based CSV column position' }),
  z.tuple([z.number().int().min(1), z.number().int().min(1)]).meta({ description: 'Fixed width: [start, length]' }),
  fieldObject,
]);
export type FieldSpec = z.infer<typeof fieldSpec>;

/** A canonical field path: "orderNumber", "shipTo.lines[0]", "lines[].quantity" ([] : one element per row). */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\[\d*\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\d*\])?)*$/;

export const layoutSchema = z.object({
  document: z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]]).meta({ description: 'The canonical document type the file holds' }),
  fields: z.record(z.string().regex(FIELD_PATH, 'expected a field path such as "orderNumber" or "lines[].sku"'), fieldSpec)
    .meta({ description: 'Canonical field path to its column; "lines[].sku" puts one line per row' }),
  groupBy: z.string().regex(FIELD_PATH).optional()
    .meta({ description: 'Field whose value starts a new document: rows with the same order number are one order. Absent: one document per row, or the whole file as one when rows are items of a list' }),
  header: z.boolean().default(true).meta({ description: 'CSV: the first row names the columns' }),
  delimiter: z.string().min(1).max(4).default(',').meta({ description: 'CSV: the field delimiter', examples: [',', ';', '\t', '|'] }),
  quote: z.string().length(1).or(z.literal('')).default('"').meta({ description: 'CSV: the quote character; "" for none' }),
  escape: z.string().length(1).default('"').meta({ description: 'CSV: the character that escapes a quote inside quotes ("" by default, or \\)' }),
  recordDelimiter: z.enum(['\n', '\r\n']).default('\r\n').meta({ description: 'Writing: the line ending' }),
  skipLines: z.number().int().min(0).max(1000).default(0).meta({ description: 'Lines before the header (or the first row) to ignore: a title, a report date' }),
  encoding: z.enum(['utf-8', 'latin1', 'windows-1252']).default('utf-8').meta({ description: 'Byte encoding; a UTF-8 BOM is always accepted' }),
  bom: z.boolean().default(false).meta({ description: 'Writing UTF-8: start with a BOM (some spreadsheet programs need it)' }),
  decimalSeparator: z.enum(['.', ',']).default('.').meta({ description: 'The decimal separator of numbers: "," for 12,5' }),
  thousandsSeparator: z.string().length(1).optional().meta({ description: 'A grouping character to ignore when reading, e.g. "." in 1.234,5' }),
  dateFormat: z.string().min(1).default('YYYY-MM-DD').meta({ description: 'Format of dates: YYYY, YY, MM, M, DD, D and literals', examples: ['DD.MM.YYYY', 'YYYYMMDD', 'MM/DD/YYYY'] }),
  dateTimeFormat: z.string().min(1).default('YYYY-MM-DDTHH:mm:ss').meta({ description: 'Format of date-times: the date tokens and HH, H, mm, ss' }),
  timeZone: z.string().default('UTC').meta({ description: 'Zone of date-times in the file: "UTC", "+01:00" or "Europe/Berlin"' }),
}).strict();
export type LayoutOptions = z.input<typeof layoutSchema>;

type Step = string | number;

/** A field compiled: where it is read from and written to, and how. */
export interface CompiledField {
  /** The path as configured, for errors. */
  name: string;
  /** Path from the document (header fields) or from a list element (row fields). */
  path: Step[];
  /** Row fields: one list element per row. */
  perRow: boolean;
  /** CSV column: header name or 0-based index once resolved. */
  column?: string | number;
  /** Fixed width: 0-based start and length. */
  start?: number;
  length?: number;
  type: ValueType;
  numbers: NumberStyle;
  /** Zone of date-times in the file. */
  timeZone: string;
  date?: DateFormat;
  constant?: string | number | boolean;
  fallback?: string | number | boolean;
  required: boolean;
  align: 'left' | 'right';
  pad: string;
}

export interface Layout {
  document: DocumentType;
  fields: CompiledField[];
  /** The list rows fill ("lines", "positions"), when fields name one with []. */
  list?: Step[];
  groupBy?: CompiledField;
  header: boolean;
  delimiter: string;
  quote: string;
  escape: string;
  recordDelimiter: string;
  skipLines: number;
  encoding: 'utf-8' | 'latin1' | 'windows-1252';
  bom: boolean;
  timeZone: string;
}

/** The value type a field name implies, so a plain `lines[].quantity: QTY` reads a decimal. */
function impliedType(name: string): ValueType {
  const last = name.replace(/\[\d*\]/g, '').split('.').pop()!;
  if (/^(quantity|onHand|allocated|available|unitPrice|factor|value|length|width|height)$|Quantity$|Price$|Weight$/.test(last)) return 'decimal';
  if (/Date$|^cancelAfter$/.test(last)) return 'date';
  if (/At$|^asOf$/.test(last)) return 'datetime';
  if (/^(lotTracked|serialTracked|active|dropShip)$/.test(last)) return 'boolean';
  if (/Days$/.test(last)) return 'integer';
  return 'string';
}

function splitPath(path: string): { list?: Step[]; steps: Step[] } {
  const steps: Step[] = [];
  let list: Step[] | undefined;
  for (const part of path.split('.')) {
    const m = /^([^[]+)(?:\[(\d*)\])?$/.exec(part)!;
    steps.push(m[1]);
    if (m[2] === '') {
      list = [...steps];
      steps.length = 0;
    } else if (m[2] !== undefined) steps.push(Number(m[2]));
  }
  return { list, steps };
}

/**
 * Why a field path names no field of the document, or undefined when it does: a layout's misspelt
 * field would otherwise fail every row of every file, found only when the first one came.
 */
function unknownFieldOf(document: DocumentType, name: string, split: { list?: Step[]; steps: Step[] }): string | undefined {
  // From the document down: a row field is a field of the list's first element.
  const steps = split.list ? [...split.list, 0, ...split.steps] : split.steps;
  const unknown = unknownStepOf(documentSchemas[document], steps);
  if (!unknown) return undefined;
  const field = steps[unknown.index];
  if (typeof field === 'number') return `${steps.slice(0, unknown.index).join('.')} is not a list`;
  const parent = name.split('.').slice(0, name.split('.').length - (steps.length - unknown.index)).join('.');
  return `a ${document} has no field "${name}"${fieldHint(field, unknown.allowed, parent ? `of ${parent}` : '')}`;
}

/**
 * Reads codecOptions into a layout. `fixed`: columns are positions in the line. Errors carry paths
 * under `at` (the endpoint's codecOptions in the config).
 */
export function compileLayout(options: unknown, fixed: boolean, at = '$'): { layout?: Layout; errors: CausewayError[] } {
  const parsed = layoutSchema.safeParse(options ?? {});
  if (!parsed.success) {
    return { errors: parsed.error.issues.map((i) => ({ code: 'CONFIG_INVALID', path: at + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''), message: i.message })) };
  }
  const o = parsed.data;
  const errors: CausewayError[] = [];
  const fail = (path: string, message: string) => errors.push({ code: 'CONFIG_INVALID', path: `${at}${path}`, message });
  if (!isTimeZone(o.timeZone)) fail('.timeZone', `unknown time zone "${o.timeZone}"`);
  const formats = new Map<string, DateFormat>();
  const formatOf = (text: string, path: string) => {
    if (!formats.has(text)) {
      try {
        formats.set(text, compileDateFormat(text));
      } catch (e) {
        fail(path, (e as Error).message);
        return undefined;
      }
    }
    return formats.get(text);
  };
  let list: Step[] | undefined;
  let listName: string | undefined;
  const fields: CompiledField[] = [];
  for (const [name, raw] of Object.entries(o.fields)) {
    const path = `.fields.${name}`;
    const spec = typeof raw === 'object' && !Array.isArray(raw) ? raw : Array.isArray(raw) ? { start: raw[0], length: raw[1] } : { column: raw };
    const split = splitPath(name);
    const unknown = unknownFieldOf(o.document, name, split);
    if (unknown) fail(path, unknown);
    if (split.list) {
      const key = split.list.join('.');
      if (listName !== undefined && key !== listName) fail(path, `rows already fill ${listName}[]; a file has one list of row items`);
      list = split.list;
      listName = key;
    }
    const type = spec.type ?? impliedType(name);
    const hasColumn = fixed ? spec.start !== undefined : spec.column !== undefined;
    if (spec.const !== undefined && (spec.column !== undefined || spec.start !== undefined)) fail(path, 'a constant has no column');
    else if (spec.const === undefined && !hasColumn) fail(path, fixed ? 'give start and length ([start, length])' : 'give the column (a header name, or a position)');
    if (fixed && spec.start !== undefined && spec.length === undefined) fail(path, 'give the length with the start');
    if (!fixed && (spec.start !== undefined || spec.length !== undefined)) fail(path, 'start and length are for fixed-width files; CSV fields name a column');
    if (fixed && spec.column !== undefined) fail(path, 'a fixed-width field has a start and a length, not a column');
    if (!fixed && o.header === false && typeof spec.column === 'string') fail(path, `the file has no header, so columns are positions (1, 2, ...), not "${spec.column}"`);
    const date = type === 'date' || type === 'datetime' ? formatOf(spec.format ?? (type === 'date' ? o.dateFormat : o.dateTimeFormat), spec.format ? `${path}.format` : type === 'date' ? '.dateFormat' : '.dateTimeFormat') : undefined;
    const numeric = type === 'decimal' || type === 'integer';
    fields.push({
      name, path: split.steps, perRow: !!split.list,
      column: typeof spec.column === 'number' ? spec.column - 1 : spec.column,
      start: spec.start === undefined ? undefined : spec.start - 1, length: spec.length,
      type, date, timeZone: o.timeZone,
      numbers: { decimalSeparator: o.decimalSeparator, thousandsSeparator: o.thousandsSeparator, impliedDecimals: spec.impliedDecimals },
      constant: spec.const, fallback: spec.default, required: spec.required ?? false,
      align: spec.align ?? (numeric ? 'right' : 'left'), pad: spec.pad ?? ' ',
    });
  }
  if (fields.length === 0) fail('.fields', 'map at least one column to a field');
  let groupBy: CompiledField | undefined;
  if (o.groupBy !== undefined) {
    groupBy = fields.find((f) => f.name === o.groupBy);
    if (!groupBy) fail('.groupBy', `"${o.groupBy}" is not one of the fields`);
    else if (groupBy.perRow) fail('.groupBy', `"${o.groupBy}" is a field of each row; group by a field of the document`);
    else if (groupBy.constant !== undefined) fail('.groupBy', `"${o.groupBy}" is a constant; group by a column`);
  }
  if (errors.length) return { errors };
  return {
    errors,
    layout: {
      document: o.document, fields, list, groupBy, header: o.header && !fixed, delimiter: o.delimiter, quote: o.quote, escape: o.escape,
      recordDelimiter: o.recordDelimiter, skipLines: o.skipLines, encoding: o.encoding, bom: o.bom, timeZone: o.timeZone,
    },
  };
}
