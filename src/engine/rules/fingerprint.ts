import * as crypto from 'node:crypto';

/**
 * Fingerprints say whether two documents say the same thing. They leave out how and when a
 * document travelled (Causeway's id, when it was received, the endpoint, the X12 envelope and the
 * time the sender stamped on the message), so a resend under new control numbers has the same
 * fingerprint as the first send, and a corrected resend has another.
 *
 * A fingerprint is the SHA-256 of a document's sorted-key JSON. Every sales order, shipment and
 * status pays for one, so the JSON is written as UTF-8 straight into one reused buffer and hashed
 * there: no string is built for it, nothing is left for the garbage collector, and the bytes are
 * exactly those of the JSON text, so stored fingerprints keep their values.
 */

// ---- the byte writer ------------------------------------------------------------------------

/** The reused output; grows for a large document and is given back once it is done with. */
let buf = Buffer.allocUnsafe(64 * 1024);
let pos = 0;
const KEEP_BYTES = 1024 * 1024;

function grow(need: number): void {
  const next = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** Gives a grown buffer back, so one very large document does not hold its size for ever. */
function release(): void {
  if (buf.length > KEEP_BYTES) buf = Buffer.allocUnsafe(64 * 1024);
}

function byte(b: number): void {
  if (pos >= buf.length) grow(pos + 1);
  buf[pos++] = b;
}

/** Text that may hold any character: written as UTF-8 (at most three bytes per UTF-16 unit). */
function text(t: string): void {
  if (pos + t.length * 3 > buf.length) grow(pos + t.length * 3);
  pos += buf.write(t, pos, 'utf8');
}

/** Bytes known in advance, such as a key's `"key":`. */
function bytes(b: Uint8Array): void {
  if (pos + b.length > buf.length) grow(pos + b.length);
  for (let i = 0; i < b.length; i++) buf[pos++] = b[i]!;
}

/**
 * A string as JSON. Printable ASCII without a quote or backslash is written as it is, between
 * quotes; anything else (escapes, other scripts, surrogates) is written as JSON.stringify writes it.
 */
function string(s: string): void {
  if (pos + s.length + 2 > buf.length) grow(pos + s.length + 2);
  const start = pos;
  buf[pos++] = 34;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 127) {
      pos = start;
      text(JSON.stringify(s));
      return;
    }
    buf[pos++] = c;
  }
  buf[pos++] = 34;
}

/** An object's keys in the order they came, and the `"key":` bytes to write them with, in sorted key order. */
interface KeyPlan { keys: string[]; sorted: string[]; prefixes: Uint8Array[] }

/** Plans by an object's first key, with the order its keys came in: objects of one schema come in one order. */
const keyPlans = new Map<string, KeyPlan>();

/**
 * How to write an object's keys in sorted order. The plan of a key sequence seen before is
 * recognised by walking the object's keys (no array made); a new sequence is planned once.
 * Documents are plain JSON data: own enumerable keys are all their keys.
 */
function keyPlanOf(record: Record<string, unknown>): KeyPlan {
  let first = '';
  for (const k in record) { first = k; break; }
  const seen = keyPlans.get(first);
  if (seen) {
    const keys = seen.keys;
    let j = 0;
    let same = true;
    for (const k in record) {
      if (j >= keys.length || keys[j] !== k) { same = false; break; }
      j++;
    }
    if (same && j === keys.length) return seen;
  }
  const keys = Object.keys(record);
  let i = 1;
  while (i < keys.length && keys[i - 1]! < keys[i]!) i++;
  const sorted = i >= keys.length ? keys : keys.slice().sort();
  const plan: KeyPlan = { keys, sorted, prefixes: sorted.map((k) => Buffer.from(JSON.stringify(k) + ':', 'utf8')) };
  if (keyPlans.size < 10_000) keyPlans.set(first, plan);
  return plan;
}

const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** Sorted-key JSON of a value, appended to the buffer. */
function value(v: unknown): void {
  if (typeof v === 'string') return string(v);
  if (v === null || v === undefined) return bytes(NULL);
  if (typeof v === 'number') return Number.isFinite(v) ? text(String(v)) : bytes(NULL);
  if (typeof v === 'boolean') return bytes(v ? TRUE : FALSE);
  if (typeof v !== 'object') return text(String(JSON.stringify(v)));
  if (Array.isArray(v)) {
    byte(91);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) byte(44);
      value(v[i]);
    }
    return byte(93);
  }
  object(v as Record<string, unknown>);
}

function object(record: Record<string, unknown>): void {
  const { sorted, prefixes } = keyPlanOf(record);
  byte(123);
  let any = false;
  for (let i = 0; i < sorted.length; i++) {
    const v = record[sorted[i]!];
    if (v === undefined) continue;
    if (any) byte(44);
    any = true;
    bytes(prefixes[i]!);
    value(v);
  }
  byte(125);
}

// ---- hashing ----------------------------------------------------------------------------------

// Node's one-shot hash (20.12 and later) skips building a Hash object for each of the few short texts a document hashes.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'base64url') => string }).hash;

function hashOf(data: string | Uint8Array): string {
  return (oneShot ? oneShot('sha256', data, 'base64url') : crypto.createHash('sha256').update(data).digest('base64url')).slice(0, 22);
}

/** The fingerprint of the JSON in buf[start, end): short JSON is its own fingerprint, as jsonFingerprint says. */
function bytesFingerprint(start: number, end: number): string {
  // A UTF-16 unit takes at most three bytes: more than 132 bytes is more than 44 characters.
  if (end - start <= 132) {
    const json = buf.toString('utf8', start, end);
    if (json.length <= 44) return json;
  }
  return hashOf(buf.subarray(start, end));
}

// ---- what callers use -------------------------------------------------------------------------

/** JSON with object keys sorted: the same content always gives the same text, whatever order its fields came in. */
export function stableJson(v: unknown): string {
  pos = 0;
  value(v);
  const out = buf.toString('utf8', 0, pos);
  release();
  return out;
}

const TRAVEL_FIELDS = new Set(['id', 'receivedAt', 'source', 'schemaVersion', 'occurredAt']);
const TRAVEL_EXTENSIONS = new Set(['x12Envelope', 'x12Ack']);

/** What a document says: its fingerprint, and the fingerprints of the top-level fields asked for that it has. */
export interface Content {
  fingerprint: string;
  /** By field name: jsonFingerprint of the field's stable JSON. */
  fields: Map<string, string>;
}

/** Top-level fields whose own fingerprints a caller asked for (a `Set` per list, remembered). */
const wantedSets = new WeakMap<readonly string[], Set<string>>();

function wantedOf(fields: readonly string[]): Set<string> {
  let set = wantedSets.get(fields);
  if (!set) wantedSets.set(fields, (set = new Set(fields)));
  return set;
}

/**
 * The fingerprint of what a document says: the hash of `{"field":json,...,}` over its fields in
 * sorted order, travel fields left out. `fields` names top-level fields whose own fingerprints are
 * wanted too; they are taken from the same bytes.
 */
export function documentContent(document: object, fields: readonly string[] = []): Content {
  const record = document as Record<string, unknown>;
  const { sorted, prefixes } = keyPlanOf(record);
  const wanted = fields.length ? wantedOf(fields) : undefined;
  const spans: Array<[string, number, number]> = [];
  pos = 0;
  byte(123);
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    let v = record[key];
    if (v === undefined || TRAVEL_FIELDS.has(key)) continue;
    if (key === 'extensions' && v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      const kept = entries.filter(([k]) => !TRAVEL_EXTENSIONS.has(k));
      if (kept.length === 0) continue;
      if (kept.length < entries.length || Array.isArray(v)) v = Object.fromEntries(kept);
    }
    bytes(prefixes[i]!);
    const start = pos;
    value(v);
    if (wanted?.has(key)) spans.push([key, start, pos]);
    byte(44);
  }
  byte(125);
  const out: Content = { fingerprint: hashOf(buf.subarray(0, pos)), fields: new Map() };
  for (const [key, start, end] of spans) out.fields.set(key, bytesFingerprint(start, end));
  release();
  return out;
}

/** The fingerprint of what a document says. */
export function contentFingerprint(document: object): string {
  return documentContent(document).fingerprint;
}

/** The fingerprint of a value given as its stable JSON: short values are their own fingerprint. */
export function jsonFingerprint(json: string | undefined): string {
  if (json === undefined) return '-';
  return json.length <= 44 ? json : hashOf(json);
}

/** The fingerprint of one value (a field of a document), '-' when it is absent. */
export function valueFingerprint(v: unknown): string {
  if (v === undefined) return '-';
  pos = 0;
  value(v);
  const out = bytesFingerprint(0, pos);
  release();
  return out;
}

/** Whether two values are the same content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return stableJson(a) === stableJson(b);
}
