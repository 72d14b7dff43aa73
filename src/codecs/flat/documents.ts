// Rows to canonical documents and back, the same for CSV and fixed width. Rows group into documents
// by the layout's groupBy field (an order per order number) or fill one list (a stock file, one
// position per row), or each row is a document (an item master). A fault in a row spoils only the
// document it belongs to: its neighbours still go through, and the error names the row, the column
// and the document, with the rows it spans, so it can be found in the stored file.
import { CausewayFault, type CausewayError } from '../../model/index.ts';
import type { InputPlace } from '../contract.ts';
import type { CompiledField, Layout } from './layout.ts';
import { formatDate, formatDateTime, formatDecimal, parseBoolean, parseDate, parseDateTime, parseDecimal } from './values.ts';

/** One row as read: its line in the file and its cell texts, trimmed, in the order of layout.fields. */
export interface Row {
  line: number;
  cells: string[];
}

/** Where a decoded document came from in its file. */
export interface FlatEnvelope {
  /** The group key (order number), when rows are grouped. */
  key?: string;
  /** Lines of the rows it was made of, in order; row i filled list element i. */
  lines: number[];
  /** The file's columns by field name ("lines[].quantity": "QTY"), one object for the whole file. */
  columns: Record<string, string>;
  /** The list rows fill, as a path ("lines"). */
  list?: string;
}

/** A document's field path ("$.lines[2].quantity") as its row and column in the file. */
export function locateInFile(envelope: FlatEnvelope, path: string): InputPlace | undefined {
  const rest = path.startsWith('$') ? path.slice(1) : path;
  let name = rest.replace(/^\./, '');
  let row = envelope.lines[0];
  const item = envelope.list === undefined ? null : new RegExp(`^\\.${envelope.list.replace(/\./g, '\\.')}\\[(\\d+)\\](.*)$`).exec(rest);
  if (item) {
    row = envelope.lines[Number(item[1])] ?? row;
    name = `${envelope.list}[]${item[2]}`;
  }
  if (row === undefined) return undefined;
  const column = envelope.columns[name];
  return {
    where: column === undefined ? `row ${row}` : `row ${row}, column ${column} (${name})`,
    position: { row, ...(column === undefined ? {} : { column }), ...(envelope.key === undefined ? {} : { document: envelope.key }) },
  };
}

export interface Assembled {
  documents: Array<Record<string, unknown>>;
  envelopes: FlatEnvelope[];
  errors: CausewayError[];
}

interface Group {
  key?: string;
  doc: Record<string, unknown>;
  /** The text each header field had on the group's first row (at the field's header slot), to hold later rows to it. */
  first: string[];
  /** The list in the document, when a field of the document shares its path (Plan.listShared). */
  items?: unknown[];
  /** The group's first and last rows, as indexes into the assembler's per-row arrays, and how many it has. */
  head: number;
  tail: number;
  rows: number;
  /** Made on the group's first fault: most groups have none. */
  errors?: CausewayError[];
}

/** What a layout's documents are built with, worked out once per layout rather than per row. */
interface Plan {
  /** Per field: its slot in a group's `first` (a field of the document read from a column), or -1. */
  headerSlot: number[];
  headerCount: number;
  /** A field of the document writes into the list or over it ("lines[0].note"): the list is then made at the start and filled in place. */
  listShared: boolean;
  newDocument: new () => Record<string, unknown>;
  newItem: new () => Record<string, unknown>;
  newPart: new () => Record<string, unknown>;
}

const plans = new WeakMap<Layout, Plan>();

function planOf(layout: Layout): Plan {
  let plan = plans.get(layout);
  if (plan) return plan;
  const headerSlot: number[] = [];
  let headerCount = 0;
  for (const f of layout.fields) headerSlot.push(f.constant === undefined && !f.perRow ? headerCount++ : -1);
  const list = layout.list;
  const within = (inner: ReadonlyArray<string | number>, outer: ReadonlyArray<string | number>) => inner.length >= outer.length && outer.every((step, i) => inner[i] === step);
  const listShared = !!list && layout.fields.some((f) => !f.perRow && (within(f.path, list) || within(list, f.path)));
  plan = { headerSlot, headerCount, listShared, newDocument: plainObjects(), newItem: plainObjects(), newPart: plainObjects() };
  plans.set(layout, plan);
  return plan;
}

/**
 * A maker of plain objects, the same as `{}` (their prototype is Object.prototype), for one kind of
 * object of one layout. Made by `new`, an object keeps room inside itself for the properties set on
 * it after (V8 sizes it by the first few made), where a `{}` holds four and puts the rest in a second
 * allocation that is copied again each time it grows: a document and its parts outlive the young
 * generation, so every byte of them is copied by the collector too.
 */
function plainObjects(): new () => Record<string, unknown> {
  const make = function PlainObject() {} as unknown as new () => Record<string, unknown>;
  make.prototype = Object.prototype;
  return make;
}

/** What convert returns for text it cannot read (the reason is made only then, by `problemWith`). */
const UNREADABLE: unique symbol = Symbol('unreadable');

/** A cell's value; undefined: empty and no default; UNREADABLE: the text is not what the field takes. */
function convert(f: CompiledField, text: string): unknown {
  if (text === '') return f.required ? UNREADABLE : f.fallback;
  let value: unknown;
  switch (f.type) {
    case 'string': return text;
    case 'decimal': value = parseDecimal(text, f.numbers); break;
    case 'integer': value = /^[+-]?\d{1,15}$/.test(text) ? Number(text) : undefined; break;
    case 'date': value = parseDate(text, f.date!); break;
    case 'datetime': value = parseDateTime(text, f.date!, f.timeZone); break;
    case 'boolean': value = parseBoolean(text); break;
  }
  return value === undefined ? UNREADABLE : value;
}

function problemWith(f: CompiledField, text: string): string {
  if (text === '') return 'is empty; a value is required';
  return `${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} is not ${expectation(f)}`;
}

function expectation(f: CompiledField): string {
  switch (f.type) {
    case 'decimal': return `a number${f.numbers.decimalSeparator === ',' ? ' with a decimal comma' : ''}${f.numbers.impliedDecimals ? ` (${f.numbers.impliedDecimals} implied decimals)` : ''}`;
    case 'integer': return 'a whole number';
    case 'date': return `a date in the format ${f.date!.text}`;
    case 'datetime': return `a date and time in the format ${f.date!.text}`;
    case 'boolean': return 'yes or no (Y/N, 1/0, true/false)';
    default: return 'text';
  }
}

function setPath(target: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown, newPart?: new () => Record<string, unknown>): void {
  let at: Record<string | number, unknown> = target;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    const next = at[path[i]];
    if (next !== null && typeof next === 'object') at = next as Record<string, unknown>;
    else if (typeof path[i + 1] !== 'number') at = (at[path[i]] = newPart ? new newPart() : {}) as Record<string, unknown>;
    else if (i + 1 === last && path[last] === 0) {
      // The same array as [] then [0] = value, without the room for 16 more that growing an empty array makes.
      at[path[i]] = [value];
      return;
    } else at = (at[path[i]] = []) as unknown as Record<string, unknown>;
  }
  at[path[last]] = value;
}

function getPath(source: unknown, path: ReadonlyArray<string | number>): unknown {
  let at = source;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/**
 * Builds the documents of a file from its rows, fed one at a time as the reader makes them.
 * `columnName` says a field's column the way the file's reader sees it (a header name, a position,
 * a character range).
 */
export class DocumentAssembler {
  private readonly plan: Plan;
  private readonly groupAt: number;
  private readonly groups = new Map<string, Group>();
  private readonly order: Group[] = [];
  private readonly errors: CausewayError[] = [];
  private readonly what: string;
  private single: Group | undefined;
  /** The group of the row before: a file's rows of one order mostly come together, so most rows find theirs without the map. */
  private last: Group | undefined;
  /**
   * Per row, in the order added: its line, the next row of its group (-1: none yet) and its list
   * element. A group's lines and list are copied out of these at the end, each array its exact size:
   * an array grown a row at a time keeps room for 16 more, and the collector copies that room with it.
   */
  private readonly rowLines: number[] = [];
  private readonly nextRows: number[] = [];
  private readonly rowItems: Array<Record<string, unknown>> = [];
  /** Date and time cells read before, a map per field: a file repeats the same few dates on thousands of rows. */
  private readonly dates: Array<Map<string, unknown> | undefined> = [];

  constructor(private readonly layout: Layout, private readonly columnName: (f: CompiledField) => string) {
    this.plan = planOf(layout);
    this.groupAt = layout.groupBy ? layout.fields.indexOf(layout.groupBy) : -1;
    this.what = layout.document.replace('_', ' ');
  }

  private newGroup(key: string | undefined): Group {
    const { layout, plan } = this;
    const doc = new plan.newDocument();
    doc.type = layout.document;
    const g: Group = { key, doc, first: new Array<string>(plan.headerCount), head: -1, tail: -1, rows: 0, errors: undefined };
    // The list's place among the document's keys is taken now; its elements are put in at the end.
    if (layout.list) setPath(doc, layout.list, plan.listShared ? (g.items = []) : undefined, plan.newPart);
    for (const f of layout.fields) if (f.constant !== undefined && !f.perRow) setPath(doc, f.path, f.constant, plan.newPart);
    this.order.push(g);
    return g;
  }

  /** One row: the line it starts on and its cells, trimmed, in the order of layout.fields (the array is not kept). */
  add(line: number, cells: string[]): void {
    const { fields, groupBy, list } = this.layout;
    const { columnName, what, plan } = this;
    const { headerSlot } = plan;
    let g: Group;
    if (this.groupAt >= 0) {
      const key = cells[this.groupAt];
      if (key === '') {
        this.errors.push({ code: 'FLAT_NO_KEY', message: `row ${line}, column ${columnName(groupBy!)}: the ${groupBy!.name} is empty, so the row belongs to no ${what}; the row is left out`, position: { row: line, column: columnName(groupBy!) } });
        return;
      }
      if (this.last !== undefined && this.last.key === key) g = this.last;
      else {
        let found = this.groups.get(key);
        if (!found) this.groups.set(key, (found = this.newGroup(key)));
        g = this.last = found;
      }
    } else if (list) g = this.single ??= this.newGroup(undefined);
    else g = this.newGroup(undefined);
    const row = this.rowLines.length;
    this.rowLines.push(line);
    this.nextRows.push(-1);
    const firstRow = g.rows === 0;
    if (firstRow) g.head = row;
    else this.nextRows[g.tail] = row;
    g.tail = row;
    g.rows++;
    const item: Record<string, unknown> | undefined = list ? new plan.newItem() : undefined;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.constant !== undefined) {
        if (f.perRow && item) setPath(item, f.path, f.constant, plan.newPart);
        continue;
      }
      const text = cells[i];
      if (!f.perRow) {
        const slot = headerSlot[i];
        if (!firstRow) {
          const first = g.first[slot];
          // A field of the document is the same on every row of it; a row that says otherwise is a fault, not a silent pick.
          if (text !== '' && text !== first && first !== '') {
            (g.errors ??= []).push(cellError(line, columnName(f), f, `says ${JSON.stringify(text)}, but an earlier row of this ${what} says ${JSON.stringify(first)}`));
          }
          if (first !== '' || text === '') continue;
        }
        g.first[slot] = text;
      }
      const value = f.type === 'date' || f.type === 'datetime' ? this.convertDate(i, f, text) : convert(f, text);
      if (value === undefined) continue;
      if (value === UNREADABLE) (g.errors ??= []).push(cellError(line, columnName(f), f, problemWith(f, text)));
      else if (f.path.length === 1) (f.perRow ? item! : g.doc)[f.path[0] as string] = value;
      else setPath(f.perRow ? item! : g.doc, f.path, value, plan.newPart);
    }
    if (item) this.rowItems.push(item);
  }

  private convertDate(field: number, f: CompiledField, text: string): unknown {
    let seen = this.dates[field];
    if (seen === undefined) this.dates[field] = seen = new Map();
    let value = seen.get(text);
    if (value === undefined && !seen.has(text)) {
      // Bounded: a file of all-different timestamps gains nothing and must not hold them all.
      if (seen.size >= 4096) seen.clear();
      seen.set(text, (value = convert(f, text)));
    }
    return value;
  }

  /** What a group's rows hold in one of the per-row arrays, in order, in an array of its own. */
  private rowsOf<T>(g: Group, values: T[]): T[] {
    // Rows of a group mostly come together: then one slice.
    if (g.tail - g.head + 1 === g.rows) return values.slice(g.head, g.tail + 1);
    const out: T[] = [];
    for (let r = g.head; r >= 0; r = this.nextRows[r]) out.push(values[r]);
    return out;
  }

  finish(): Assembled {
    const { fields, list } = this.layout;
    const { what } = this;
    const errors = [...this.errors];
    const documents: Array<Record<string, unknown>> = [];
    const envelopes: FlatEnvelope[] = [];
    const columns: Record<string, string> = {};
    for (const f of fields) if (f.constant === undefined) columns[f.name] = this.columnName(f);
    const listName = list?.join('.');
    for (const g of this.order) {
      const lines = this.rowsOf(g, this.rowLines);
      if (g.errors) {
        const rowsSaid = lines.length === 1 ? `row ${lines[0]}` : `rows ${lines.join(', ')}`;
        const whose = g.key === undefined ? `the ${what} of ${rowsSaid}` : `${what} ${g.key} (${rowsSaid})`;
        for (const e of g.errors) errors.push({ ...e, message: `${whose} is left out: ${e.message}`, position: { ...e.position, ...(g.key === undefined ? {} : { document: g.key }) } });
        continue;
      }
      if (list) {
        const items = this.rowsOf(g, this.rowItems);
        if (g.items) for (const item of items) g.items.push(item);
        else setPath(g.doc, list, items);
      }
      documents.push(g.doc);
      // Whole literals, so that each envelope's properties sit in the object itself.
      const { key } = g;
      if (key === undefined) envelopes.push(listName === undefined ? { lines, columns } : { lines, columns, list: listName });
      else envelopes.push(listName === undefined ? { lines, columns, key } : { lines, columns, key, list: listName });
    }
    return { documents, envelopes, errors };
  }
}

export function assembleDocuments(layout: Layout, rows: Iterable<Row>, columnName: (f: CompiledField) => string): Assembled {
  const assembler = new DocumentAssembler(layout, columnName);
  for (const row of rows) assembler.add(row.line, row.cells);
  return assembler.finish();
}

function cellError(line: number, column: string, f: CompiledField, problem: string): CausewayError {
  return { code: 'FLAT_VALUE', message: `row ${line}, column ${column} (${f.name}) ${problem}`, position: { row: line, column, field: f.name } };
}

/**
 * The rows of one document, as cell texts in the order of layout.fields (constants left empty).
 * A value that cannot be written in the layout's format is a fault naming the field.
 */
export function documentRows(layout: Layout, doc: unknown, at: string): string[][] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new CausewayFault({ code: 'FLAT_ENCODE', path: at, message: 'expected a document object' });
  const items = layout.list ? getPath(doc, layout.list) : undefined;
  const elements: unknown[] = layout.list ? (Array.isArray(items) ? items : []) : [undefined];
  if (elements.length === 0) throw new CausewayFault({ code: 'FLAT_ENCODE', path: `${at}.${layout.list!.join('.')}`, message: 'the document has no items to write a row for' });
  const faults: CausewayError[] = [];
  const listPath = layout.list ? `${at}.${layout.list.join('.')}` : at;
  const rows = elements.map((element, r) => layout.fields.map((f) => {
    if (f.constant !== undefined) return '';
    const value = getPath(f.perRow ? element : doc, f.path);
    const path = `${f.perRow ? `${listPath}[${r}]` : at}${f.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
    if (value === undefined || value === null || value === '') {
      if (f.required) faults.push({ code: 'FLAT_ENCODE', path, message: `${f.name} is required by the layout but the document has none` });
      return '';
    }
    const text = formatValue(f, value);
    if (text === undefined) faults.push({ code: 'FLAT_ENCODE', path, message: `${JSON.stringify(value)} cannot be written as ${expectation(f)}` });
    return text ?? '';
  }));
  if (faults.length) throw new CausewayFault(faults);
  return rows;
}

function formatValue(f: CompiledField, value: unknown): string | undefined {
  switch (f.type) {
    case 'decimal': return typeof value === 'string' || typeof value === 'number' ? formatDecimal(String(value), f.numbers) : undefined;
    case 'integer': return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
    case 'date': return typeof value === 'string' ? formatDate(value, f.date!) : undefined;
    case 'datetime': return typeof value === 'string' ? formatDateTime(value, f.date!, f.timeZone) : undefined;
    case 'boolean': return typeof value === 'boolean' ? (value ? 'Y' : 'N') : undefined;
    default: return typeof value === 'object' ? undefined : String(value);
  }
}
