// Fixed-width records: each field at its character positions on the line, padded with spaces (or
// the layout's fill). Positions count characters of the decoded text, so an umlaut takes one.
import { CausewayFault, CONTROL_CHARACTER, type CausewayError } from '../../model/index.ts';
import type { DecodeResult } from '../contract.ts';
import { assembleDocuments, documentRows, type FlatEnvelope, type Row } from './documents.ts';
import type { CompiledField, Layout } from './layout.ts';
import { flatCodec } from './settings.ts';
import { bytesToText, textToBytes } from './text.ts';

export function decodeFixedWidth(body: Buffer, layout: Layout): DecodeResult<FlatEnvelope> {
  const decoded = bytesToText(body, layout);
  if ('error' in decoded) return { documents: [], errors: [decoded.error] };
  const lines = decoded.text.split('\n');
  const { fields } = layout;
  function* rows(): Generator<Row> {
    for (let n = layout.skipLines; n < lines.length; n++) {
      const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
      if (line.trim() === '') continue;
      const cells = new Array<string>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        cells[i] = f.start === undefined ? '' : line.slice(f.start, f.start + f.length!).trim();
      }
      yield { line: n + 1, cells };
    }
  }
  const assembled = assembleDocuments(layout, rows(), columnName);
  if (assembled.documents.length === 0 && assembled.errors.length === 0) {
    return { documents: [], errors: [{ code: 'FLAT_EMPTY', message: 'the file has no records' }] };
  }
  return assembled;
}

/** A field's place as a person counts it: "positions 11-20". */
function columnName(f: CompiledField): string {
  return f.start === undefined ? '-' : `${f.start + 1}-${f.start + f.length!}`;
}

export function encodeFixedWidth(docs: unknown[], layout: Layout): Buffer {
  const width = Math.max(0, ...layout.fields.map((f) => (f.start ?? 0) + (f.length ?? 0)));
  const out: string[] = [];
  const faults: CausewayError[] = [];
  docs.forEach((doc, d) => {
    const at = docs.length > 1 ? `$[${d}]` : '$';
    documentRows(layout, doc, at).forEach((cells, r) => {
      const line = new Array<string>(width).fill(' ');
      layout.fields.forEach((f, i) => {
        if (f.start === undefined) return;
        const text = cells[i];
        if (text.length > f.length!) {
          faults.push({ code: 'FLAT_ENCODE', path: fieldPath(layout, f, at, r), message: `${JSON.stringify(text)} is longer than the ${f.length} characters at positions ${columnName(f)} (${f.name})` });
          return;
        }
        // A record is a line: a line break (or another control character) inside a value would
        // split it, and the partner would read the rest of the record as a record of its own.
        if (CONTROL_CHARACTER.test(text)) {
          faults.push({ code: 'FLAT_ENCODE', path: fieldPath(layout, f, at, r), message: `${JSON.stringify(text)} holds a control character (a line break splits the record), which positions ${columnName(f)} (${f.name}) cannot carry` });
          return;
        }
        const filled = text === '' ? ' '.repeat(f.length!) : f.align === 'right' ? text.padStart(f.length!, f.pad) : text.padEnd(f.length!, f.pad);
        for (let k = 0; k < filled.length; k++) line[f.start + k] = filled[k];
      });
      out.push(line.join('').trimEnd());
    });
  });
  if (faults.length) throw new CausewayFault(faults);
  return textToBytes(out.map((l) => l + layout.recordDelimiter).join(''), layout);
}

function fieldPath(layout: Layout, f: CompiledField, at: string, row: number): string {
  const steps = (path: ReadonlyArray<string | number>) => path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
  return f.perRow ? `${at}${steps(layout.list!)}[${row}]${steps(f.path)}` : `${at}${steps(f.path)}`;
}

export const fixedWidthCodec = flatCodec('fixed-width', 'text/plain', decodeFixedWidth, encodeFixedWidth);
