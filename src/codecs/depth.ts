import type { CausewayError } from '../model/index.ts';

/**
 * How deeply JSON may nest. JSON.parse takes any depth, but JSON.stringify, structuredClone, the
 * validators and the stores' JSON functions recurse once per level and overflow the stack a few
 * thousand levels down, so a payload a parser accepts could still fail every step after it. No
 * canonical document needs more than a handful of levels; 64 leaves room for partner extensions.
 *
 * Both checks here walk with an explicit stack of at most `maxDepth` frames, never by recursion,
 * so the check itself cannot overflow whatever it is given.
 */
export const DEFAULT_MAX_JSON_DEPTH = 64;

interface Frame {
  array: boolean;
  /** The element being read (arrays) or the member's key (objects, once read). */
  index: number;
  key: string | undefined;
  expectKey: boolean;
  /** An object's keys so far: a short list, searched in turn, until it grows long enough for a set. */
  keys: string[] | undefined;
  keySet: Set<string> | undefined;
}

/** Keys an object may have before they are looked up in a set rather than a list. */
const KEY_LIST_LENGTH = 16;

/**
 * Scans JSON text (one value, or several as in JSON lines) and reports the first array or object
 * that opens deeper than `maxDepth`, the first key given twice in one object, or the first number
 * JSON.parse cannot read exactly, with its line, column and JSON path. Only what lies outside
 * strings counts, so it works on malformed text too; what it cannot judge it leaves to JSON.parse.
 *
 * Both of the last two would otherwise change the data without a word. JSON.parse keeps the last
 * of two values of a key (another parser the first; which the sender meant cannot be known), so
 * `"quantity":"1","quantity":"100"` would ship a hundred; and it reads 12345678901234567890 as
 * 12345678901234567000, a double keeping 15 to 17 digits.
 */
export function findJsonShapeError(text: string, maxDepth: number): CausewayError | undefined {
  const frames: Frame[] = [];
  // Most JSON has no \u escape at all: then no string is looked into.
  const lone = text.includes('\\u') ? firstLoneSurrogate(text) : -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = closingQuote(text, i);
      const top = frames[frames.length - 1];
      const isKey = top !== undefined && !top.array && top.expectKey;
      if (isKey) {
        const key = keyAt(text, i, end);
        top.key = key;
        top.expectKey = false;
        if (seenBefore(top, key)) return duplicateKey(text, i, frames);
      }
      if (lone > i && lone < end) return loneSurrogate(text, lone, frames, isKey);
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (frames.length >= maxDepth) return tooDeep(text, i, maxDepth, frames);
      frames.push({ array: c === 0x5b, index: 0, key: undefined, expectKey: c === 0x7b, keys: undefined, keySet: undefined });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1];
      if (top?.array) top.index++;
      else if (top) {
        top.key = undefined;
        top.expectKey = true;
      }
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      // Fifteen characters hold at most fifteen digits, which a double always keeps: only longer
      // numbers, or ones with an exponent, are looked at closely.
      if (end - i > 15 || hasExponent(text, i, end)) {
        const token = text.slice(i, end);
        if (JSON_NUMBER.test(token) && !keptExactly(token)) return inexactNumber(text, i, token, frames);
      }
      i = end - 1;
    }
  }
  return undefined;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e /* . */ || c === 0x65 /* e */ || c === 0x45 /* E */ || c === 0x2b /* + */ || c === 0x2d /* - */;
}

function hasExponent(text: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x65 || c === 0x45) return true;
  }
  return false;
}

/** A decimal as its significant digits and the power of ten of the last one: "12.50" is 125e-1, zero is "". */
function decimalOf(token: string): { digits: string; exponent: number } {
  const e = token.search(/[eE]/);
  const mantissa = (e < 0 ? token : token.slice(0, e)).replace('-', '');
  let exponent = e < 0 ? 0 : Number(token.slice(e + 1));
  const point = mantissa.indexOf('.');
  let digits = mantissa;
  if (point >= 0) {
    exponent -= mantissa.length - point - 1;
    digits = mantissa.slice(0, point) + mantissa.slice(point + 1);
  }
  digits = digits.replace(/^0+/, '');
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  return { digits: digits.slice(0, digits.length - trailing), exponent: digits.length === trailing ? 0 : exponent + trailing };
}

/** Whether JSON.parse reads the number as exactly the value written (a double keeps 15 to 17 digits). */
function keptExactly(token: string): boolean {
  const n = Number(token);
  if (!Number.isFinite(n)) return false;
  const written = decimalOf(token);
  const read = decimalOf(String(n));
  return written.digits === read.digits && written.exponent === read.exponent;
}

/**
 * Where the first \u escape of half a UTF-16 pair stands without its other half (-1: none). JSON.parse
 * takes "\ud800" as a string no UTF-8 can hold: every writer after it would have to drop it, replace
 * it or fail. A \u that follows an escaped backslash (\\u) is text, not an escape.
 */
function firstLoneSurrogate(text: string): number {
  const escape = /\\u([dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?|\\u[dD][c-fC-F][0-9a-fA-F]{2}/g;
  for (let m = escape.exec(text); m; m = escape.exec(text)) {
    let backslashes = 0;
    for (let b = m.index - 1; b >= 0 && text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 1) {
      // Not an escape; look again just after its backslash.
      escape.lastIndex = m.index + 1;
      continue;
    }
    // A high half with its low half is a pair; a high half alone, or a low half met first, is not.
    if (!(m[1] !== undefined && m[2] !== undefined)) return m.index;
  }
  return -1;
}

function loneSurrogate(text: string, offset: number, frames: Frame[], inKey: boolean): CausewayError {
  const position = positionOf(text, offset);
  return {
    code: 'JSON_LONE_SURROGATE',
    message: `the ${inKey ? 'key' : 'string'} holds ${text.slice(offset, offset + 6)} (line ${position.line}, column ${position.column}), half of a UTF-16 pair `
      + 'without its other half: no character, and no UTF-8 can hold it; send the whole pair or the character itself',
    path: pathOf(frames),
    position,
  };
}

/** The index of the quote that ends the string opened at `open` (or the text's end when none does). */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length - 1;
    let backslashes = 0;
    for (let b = q - 1; b > open && text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** The key quoted in text[open..close]: cut straight out when it holds no escape, else decoded. */
function keyAt(text: string, open: number, close: number): string {
  for (let j = open + 1; j < close; j++) if (text.charCodeAt(j) === 0x5c) return readKey(text.slice(open, close + 1));
  return text.slice(open + 1, close);
}

function readKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** Whether the object already has the key; notes it otherwise. */
function seenBefore(frame: Frame, key: string): boolean {
  if (frame.keySet) {
    if (frame.keySet.has(key)) return true;
    frame.keySet.add(key);
    return false;
  }
  const keys = (frame.keys ??= []);
  if (keys.includes(key)) return true;
  keys.push(key);
  if (keys.length >= KEY_LIST_LENGTH) frame.keySet = new Set(keys);
  return false;
}

function pathOf(frames: Frame[]): string {
  return '$' + frames.map((f) => (f.array ? `[${f.index}]` : member(f.key ?? ''))).join('');
}

function positionOf(text: string, offset: number): { line: number; column: number; offset: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n'), offset };
}

function tooDeep(text: string, offset: number, maxDepth: number, frames: Frame[]): CausewayError {
  const position = positionOf(text, offset);
  return {
    code: 'JSON_TOO_DEEP',
    message: `arrays and objects nest deeper than ${maxDepth} levels (maxJsonDepth) at line ${position.line}, column ${position.column}`,
    path: pathOf(frames),
    position,
  };
}

function inexactNumber(text: string, offset: number, token: string, frames: Frame[]): CausewayError {
  const position = positionOf(text, offset);
  const shown = token.length > 40 ? `${token.slice(0, 40)}...` : token;
  return {
    code: 'JSON_NUMBER_INEXACT',
    message: `the number ${shown} (line ${position.line}, column ${position.column}) cannot be read exactly: JSON numbers are read as `
      + `64-bit floating point, which keeps 15 to 17 digits and would make it ${String(Number(token))}; send it as a string, "${shown}"`,
    path: pathOf(frames),
    position,
  };
}

function duplicateKey(text: string, offset: number, frames: Frame[]): CausewayError {
  const position = positionOf(text, offset);
  const key = frames[frames.length - 1]!.key!;
  return {
    code: 'JSON_DUPLICATE_KEY',
    message: `the key ${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key)} is given twice in one object (line ${position.line}, column ${position.column}); `
      + 'which value the sender meant cannot be known, so neither is taken',
    path: pathOf(frames),
    position,
  };
}

/** A member step of a JSON path: `.sku`, or `["odd key"]` when the key is not a plain name. */
export function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key)}]`;
}

/**
 * The first array or object in a value that lies deeper than `maxDepth` (the value itself is level
 * one), as the path below `root`; undefined when none does. For documents a codec built without
 * going through JSON text.
 */
export function findValueTooDeep(value: unknown, maxDepth: number, root = '$'): string | undefined {
  // Runs on every document: only containers are visited, and a path is spelled out only on failure.
  interface Visit { value: object; depth: number; parent: Visit | undefined; key: string | number | undefined }
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Visit[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  while (stack.length) {
    const visit = stack.pop()!;
    if (visit.depth > maxDepth) {
      const steps: string[] = [];
      for (let v: Visit | undefined = visit; v; v = v.parent) steps.push(v.key === undefined ? root : typeof v.key === 'number' ? `[${v.key}]` : member(v.key));
      return steps.reverse().join('');
    }
    const depth = visit.depth + 1;
    if (Array.isArray(visit.value)) {
      const list = visit.value as unknown[];
      for (let i = list.length - 1; i >= 0; i--) {
        const child = list[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth, parent: visit, key: i });
      }
    } else {
      const record = visit.value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child = record[keys[i]!];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth, parent: visit, key: keys[i] });
      }
    }
  }
  return undefined;
}
