import { isUtf8 } from 'node:buffer';
import { parse as locateJsonErrors, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { CausewayError } from '../model/index.ts';
import type { Codec, DecodeContext, DecodeResult } from './contract.ts';
import { DEFAULT_MAX_JSON_DEPTH, findJsonShapeError } from './depth.ts';
import { countLines, firstInvalidUtf8 } from './utf8.ts';

/**
 * Canonical documents as JSON: one object, an array of them, or JSON lines. A syntax error names
 * the line and column so a person can find it in the stored raw message. Nesting deeper than the
 * context's `maxDepth` is refused before parsing, as nothing after the parser could handle it, and
 * so is an object that gives a key twice, whose meaning JSON.parse would settle without a word.
 */
export const jsonCodec: Codec = {
  name: 'json',
  contentType: 'application/json',
  decode(body: Buffer, ctx?: DecodeContext): DecodeResult {
    // Decoding would turn each byte that is not UTF-8 into U+FFFD without a word: "Müller" sent as
    // Latin-1 would arrive as "M\uFFFDller". JSON is UTF-8 (RFC 8259), so such a message is refused.
    if (!isUtf8(body)) return { documents: [], errors: [notUtf8(body)] };
    const text = body.toString('utf8');
    const trimmed = text.trim();
    if (trimmed === '') return { documents: [], errors: [{ code: 'JSON_EMPTY', message: 'the message is empty; expected a JSON document' }] };
    // Positions count in the text as received, so the scan runs on it rather than on the trimmed copy.
    const shapeError = findJsonShapeError(text, ctx?.maxDepth ?? DEFAULT_MAX_JSON_DEPTH);
    if (shapeError) return { documents: [], errors: [shapeError] };
    try {
      const value = JSON.parse(trimmed) as unknown;
      return { documents: asDocuments(value, '$'), errors: [] };
    } catch (e) {
      if (trimmed.startsWith('{') && trimmed.includes('\n')) {
        const lines = decodeJsonLines(trimmed);
        if (lines) return lines;
      }
      return { documents: [], errors: [syntaxError(text, e as Error)] };
    }
  },
  encode(payload: unknown): Buffer {
    return Buffer.from(JSON.stringify(payload));
  },
};

function asDocuments(value: unknown, path: string): Array<Record<string, unknown>> {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { __invalid: Array.isArray(value) ? `${path}[${i}]` : path, value: v }));
}

function decodeJsonLines(text: string): DecodeResult | undefined {
  const documents: Array<Record<string, unknown>> = [];
  const errors: CausewayError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      documents.push(...asDocuments(JSON.parse(line), `line ${i + 1}`));
    } catch (e) {
      if (i === 0) return undefined;
      errors.push({ code: 'JSON_SYNTAX', message: `line ${i + 1}: ${(e as Error).message}`, position: { line: i + 1 } });
    }
  }
  return { documents, errors };
}

function notUtf8(body: Buffer): CausewayError {
  const offset = firstInvalidUtf8(body, 0);
  const line = countLines(body, offset);
  return {
    code: 'JSON_ENCODING',
    message: `byte ${offset} (line ${line}) is not valid UTF-8; JSON must be sent as UTF-8, and reading it otherwise would change its text`,
    position: { line, offset },
  };
}

/** JSON.parse does not say where it failed on every Node version; a tolerant parser finds the spot. */
function syntaxError(text: string, e: Error): CausewayError {
  const found: ParseError[] = [];
  locateJsonErrors(text, found, { disallowComments: true, allowTrailingComma: false });
  const first = found[0];
  if (!first) return { code: 'JSON_SYNTAX', message: `malformed JSON: ${e.message}` };
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  return {
    code: 'JSON_SYNTAX',
    message: `malformed JSON at line ${line}, column ${column}: ${printParseErrorCode(first.error)}`,
    position: { line, column, offset: first.offset },
  };
}
