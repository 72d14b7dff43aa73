// CSV files through csv-parse and csv-stringify: any delimiter, quote and escape, with a header
// naming the columns or by position. The layout (codecOptions) says which column fills which field.
import { Parser, type Options } from 'csv-parse';
import { parse, type CsvError } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CausewayError } from '../../model/index.ts';
import type { DecodeResult } from '../contract.ts';
import { DocumentAssembler, documentRows, type FlatEnvelope } from './documents.ts';
import type { CompiledField, Layout } from './layout.ts';
import { flatCodec } from './settings.ts';
import { bytesToUtf8Lines, textToBytes } from './text.ts';

/** A record longer than this is a fault (an unclosed quote swallowing the file), not a reason to hold it all. */
const MAX_RECORD_CHARS = 1024 * 1024;
/** Past this many unreadable rows the file is refused whole: it is not the CSV the layout describes. */
const MAX_SKIPPED = 100;

export function decodeCsv(body: Buffer, layout: Layout): DecodeResult<FlatEnvelope> {
  // One line ending throughout: csv-parse counts a CR LF inside quotes as two lines before it has
  // seen the first record's ending, and rows must be named as an editor numbers them.
  const decoded = bytesToUtf8Lines(body, layout);
  if ('error' in decoded) return { documents: [], errors: [decoded.error] };
  const bytes = decoded.bytes;
  // The text as one string only for the paths that read around faults; the common one parses the bytes.
  let text: string | undefined;
  const textOf = () => (text ??= bytes.toString('utf8'));
  const skipped: CausewayError[] = [];
  let columns: { indexes: number[]; names: string[] } | undefined;
  let headerFault: CausewayError | undefined;
  /** Cells of the header row: a row with values past them has more cells than columns. */
  let headerWidth = Infinity;
  /** A row whose cells would shift where rows build documents together: the file waits for a corrected copy. */
  let shifted: CausewayError | undefined;
  let assembler: DocumentAssembler | undefined;
  const width = layout.fields.length;
  // Lines of the file before the text being parsed: csv-parse reads skipped lines too (for quotes), so resuming parses a slice.
  let before = 0;
  let lastEnd = 0;
  let records = 0;
  // One array for every row's cells: the assembler copies what it keeps.
  const cells = new Array<string>(width);
  // One record to the assembler, with the lines it starts and ends on.
  const take = (record: string[], start: number, end: number) => {
    records++;
    lastEnd = end;
    if (!columns) {
      if (headerFault) return;
      const found = locateColumns(layout, layout.header ? record : undefined, end);
      if ('error' in found) {
        headerFault = found.error;
        return;
      }
      columns = found;
      const names = found.names;
      assembler = new DocumentAssembler(layout, (f) => names[layout.fields.indexOf(f)]);
      if (layout.header) {
        headerWidth = record.length;
        return;
      }
    }
    if (record.length > headerWidth) {
      // An unquoted delimiter in a value ("Acme, Inc") moves every later cell one column on: each
      // would be read as another field. A spreadsheet that pads rows with empty cells pads its
      // header alike, so a row wider than the header is a fault even when its extra cells are empty.
      const fault = widthError(layout, start, record.length, headerWidth, !!layout.list);
      if (layout.list) shifted ??= fault;
      else skipped.push(fault);
      return;
    }
    const { indexes } = columns;
    let any = false;
    for (let i = 0; i < width; i++) {
      const at = indexes[i];
      const cell = at < 0 ? undefined : record[at];
      const value = cell === undefined ? '' : cell.trim();
      if (value !== '') any = true;
      cells[i] = value;
    }
    // Spreadsheets leave rows of empty cells at the end of an export: they are no row.
    if (any) assembler!.add(start, cells);
  };
  // The common case first: the whole file in one pass of csv-parse's record loop, each record
  // handed over as it ends and forgotten (no array of every record), its last line read from the
  // parser's own count. csv-parse's per-record callback (which builds an info object) costs more
  // than half its own time; it is used only to read around faults, below.
  try {
    // A lone CR may end records or sit in cells: csv-parse's own count of lines decides then.
    if (bytes.includes(0x0d)) throw new Error('lines counted by csv-parse');
    const options = { delimiter: layout.delimiter, quote: layout.quote === '' ? false : layout.quote, escape: layout.escape, relax_column_count: true, max_record_size: MAX_RECORD_CHARS, from_line: layout.skipLines + 1 };
    let end = layout.skipLines;
    const each = (record: string[], last: number) => {
      const start = end + 1;
      end = last;
      // An empty line is a record of one empty cell, kept so that lines are counted.
      if (record.length > 1 || record[0] !== '') take(record, start, end);
    };
    const loop = recordLoop(options);
    if (loop) {
      const fault = loop.parse(bytes, true, (record) => each(record, loop.info.lines), () => undefined);
      if (fault) throw fault;
    } else {
      // Another csv-parse than the one this was written for: the same, through its public face.
      const all = parse(bytes, options) as string[][];
      const scan = quotedBreaks(textOf(), all.length, layout.skipLines);
      for (const record of all) each(record, end + 1 + (scan ? lineBreaks(record) : 0));
    }
    return finish();
  } catch {
    columns = undefined;
    headerFault = undefined;
    assembler = undefined;
    records = 0;
  }
  // Rows that build one document together: a row that cannot be read could be any document's, so
  // the whole file waits for a fixed copy rather than an order going out a line short. Where each
  // row is a document of its own, the rows that cannot be read are left out and reading resumes
  // after them (csv-parse's own skipping stays inside an open quote to the end of the file).
  const together = !!layout.list;
  const options = {
    delimiter: layout.delimiter,
    quote: layout.quote === '' ? false : layout.quote,
    escape: layout.escape,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    on_record: (record: string[], context: { lines: number }) => {
      const end = before + context.lines;
      take(record, end - lineBreaks(record), end);
      return undefined;
    },
  };
  for (let from = layout.skipLines + 1; ;) {
    try {
      if (before === 0) parse(bytes, { ...options, from_line: from });
      else parse(textOf().slice(offsetOfLine(textOf(), from)), options);
      break;
    } catch (e) {
      const fault = e as CsvError;
      const line = typeof fault.lines === 'number' ? before + fault.lines : undefined;
      if (together || line === undefined || !columns || line < from || skipped.length >= MAX_SKIPPED) {
        return { documents: [], errors: [...skipped, syntaxError(fault, before, undefined, 'nothing in the file is applied until a corrected copy is sent')] };
      }
      const spoiled = Math.min(line, lastEnd + 1);
      skipped.push(syntaxError(fault, before, spoiled, spoiled < line ? 'these rows are left out' : 'the row is left out'));
      from = line + 1;
      before = line;
    }
  }
  return finish();

  function finish(): DecodeResult<FlatEnvelope> {
    if (headerFault) return { documents: [], errors: [headerFault] };
    if (shifted) return { documents: [], errors: [...skipped, shifted] };
    if (!assembler || records === 0) return { documents: [], errors: [...skipped, { code: 'FLAT_EMPTY', message: layout.header ? 'the file is empty; expected a header row and rows' : 'the file has no rows' }] };
    const assembled = assembler.finish();
    if (assembled.documents.length + assembled.errors.length + skipped.length === 0) {
      return { documents: [], errors: [{ code: 'FLAT_EMPTY', message: 'the file has no rows with values' }] };
    }
    return { documents: assembled.documents, envelopes: assembled.envelopes, errors: [...skipped, ...assembled.errors] };
  }
}

/** csv-parse's record loop, on which its sync and stream faces both run: `info.lines` is the line the record just pushed ends on. */
interface RecordLoop {
  info: { lines: number };
  parse(data: Buffer, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

/** The loop behind a csv-parse Parser (its `api`, not in its types); undefined if a later version moves it. */
function recordLoop(options: Options): RecordLoop | undefined {
  const api = (new Parser(options) as unknown as { api?: Partial<RecordLoop> }).api;
  return typeof api?.parse === 'function' && typeof api.info?.lines === 'number' ? (api as RecordLoop) : undefined;
}

function offsetOfLine(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line && at >= 0; n++) at = text.indexOf('\n', at) + 1 || -1;
  return at < 0 ? text.length : at;
}

/** Whether some quoted cell may hold a line break: more line breaks in the text than records and skipped lines account for. */
function quotedBreaks(text: string, records: number, skipped: number): boolean {
  let breaks = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) breaks++;
  // The last line may end without a line break.
  return breaks > records + skipped;
}

/** Line breaks inside a record's quoted cells. */
function lineBreaks(record: string[]): number {
  let breaks = 0;
  for (const cell of record) {
    if (cell.length > 0 && cell.includes('\n')) for (const ch of cell) if (ch === '\n') breaks++;
  }
  return breaks;
}

/** A row wider than the header: its cells after an unquoted delimiter would each be read as the next column's. */
function widthError(layout: Layout, row: number, cells: number, width: number, together: boolean): CausewayError {
  const consequence = together
    ? 'where its values belong cannot be known, so nothing in the file is applied until a corrected copy is sent'
    : 'the row is left out';
  return {
    code: 'FLAT_ROW_WIDTH',
    message: `row ${row}: ${cells} cells where the header has ${width}; a value holding the delimiter ${JSON.stringify(layout.delimiter)} must be quoted, or every cell after it is read as the next column's; ${consequence}`,
    position: { row },
  };
}

/**
 * A fault csv-parse found, in a text that starts `before` lines into the file; `from`: the line the
 * record it spoiled starts on, when earlier than where it was found.
 */
function syntaxError(e: CsvError, before: number, from: number | undefined, consequence: string): CausewayError {
  const line = typeof e.lines === 'number' ? before + e.lines : undefined;
  const rows = line === undefined ? '' : from !== undefined && from < line ? `rows ${from}-${line}: ` : `row ${line}: `;
  // csv-parse's own sentence names the fault; its line numbers count from where this parse began.
  const said = e.message.replace(/\bline (\d+)/g, (_, n: string) => `line ${before + Number(n)}`);
  return { code: 'FLAT_CSV_SYNTAX', message: `${rows}${said}; ${consequence}`, position: { row: from ?? line, reason: e.code } };
}

/** Each field's column index (-1: a constant), by header name or position. */
function locateColumns(layout: Layout, header: string[] | undefined, headerLine: number): { indexes: number[]; names: string[] } | { error: CausewayError } {
  const byName = new Map<string, number>();
  // A name the header gives twice, with the column it comes again at: a field read by that name
  // could mean either column, so it is an error, where a repeated column no field reads is not.
  const again = new Map<string, number>();
  header?.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!byName.has(key)) byName.set(key, i);
    else if (!again.has(key)) again.set(key, i);
  });
  const indexes: number[] = [];
  const names: string[] = [];
  const missing: string[] = [];
  for (const f of layout.fields) {
    if (f.column === undefined) {
      indexes.push(-1);
      names.push('-');
    } else if (typeof f.column === 'number') {
      indexes.push(f.column);
      names.push(header?.[f.column] ? `${f.column + 1} (${header[f.column].trim()})` : String(f.column + 1));
    } else {
      const key = f.column.toLowerCase();
      const at = byName.get(key);
      const second = again.get(key);
      if (at !== undefined && second !== undefined) {
        return {
          error: {
            code: 'FLAT_COLUMN_AMBIGUOUS',
            message: `row ${headerLine}: the header has the column ${JSON.stringify(f.column)} twice (columns ${at + 1} and ${second + 1}); `
              + 'which one the sender meant cannot be known, so neither is read',
            position: { row: headerLine, column: f.column },
          },
        };
      }
      if (at === undefined) missing.push(f.column);
      indexes.push(at ?? -1);
      names.push(f.column);
    }
  }
  if (missing.length) {
    const have = header!.map((h) => h.trim()).filter(Boolean).slice(0, 30).join(', ');
    return {
      error: {
        code: 'FLAT_COLUMN_MISSING',
        message: `row ${headerLine}: the header has no column ${missing.map((m) => JSON.stringify(m)).join(', ')} (it has: ${have}); check the delimiter ("${layout.delimiter}") and the layout's fields`,
        position: { row: headerLine, column: missing[0] },
      },
    };
  }
  return { indexes, names };
}

/** Documents as CSV: the header (when the layout has one), then each document's rows. */
export function encodeCsv(docs: unknown[], layout: Layout): Buffer {
  const columns = outputColumns(layout);
  const out: string[][] = [];
  if (layout.header) out.push(columns.map((c) => c.name));
  docs.forEach((doc, d) => {
    for (const cells of documentRows(layout, doc, docs.length > 1 ? `$[${d}]` : '$')) {
      out.push(columns.map((c) => c.fields.map((i) => cells[i]).find((t) => t !== '') ?? ''));
    }
  });
  const text = stringify(out, {
    delimiter: layout.delimiter,
    quote: layout.quote === '' ? false : layout.quote,
    escape: layout.escape,
    record_delimiter: layout.recordDelimiter === '\n' ? 'unix' : 'windows',
  });
  return textToBytes(text, layout);
}

/** The file's columns, in order: a header name's first field decides its place; positions are kept. */
function outputColumns(layout: Layout): Array<{ name: string; fields: number[] }> {
  const columns: Array<{ name: string; fields: number[] }> = [];
  const named = new Map<string, { name: string; fields: number[] }>();
  const positioned: Array<{ at: number; field: number; f: CompiledField }> = [];
  layout.fields.forEach((f, i) => {
    if (typeof f.column === 'string') {
      const key = f.column.toLowerCase();
      let c = named.get(key);
      if (!c) {
        named.set(key, (c = { name: f.column, fields: [] }));
        columns.push(c);
      }
      c.fields.push(i);
    } else if (typeof f.column === 'number') positioned.push({ at: f.column, field: i, f });
  });
  for (const p of positioned.sort((a, b) => a.at - b.at)) {
    while (columns.length < p.at) columns.push({ name: '', fields: [] });
    if (columns.length === p.at) columns.push({ name: p.f.name, fields: [] });
    columns[p.at].fields.push(p.field);
  }
  return columns;
}

export const csvCodec = flatCodec('csv', 'text/csv', decodeCsv, encodeCsv);
