import * as crypto from 'node:crypto';

/**
 * Fingerprints say whether two documents say the same thing. They leave out how and when a
 * document travelled (Causeway's id, when it was received, the endpoint, the X12 envelope and the
 * time the sender stamped on the message), so a resend under new control numbers has the same
 * fingerprint as the first send, and a corrected resend has another.
 */

const quotedKeys = new Map<string, string>();

/** Field names repeat (every line has a "sku"): each is quoted once. */
function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}

/**
 * A string JSON.stringify writes as it is, between quotes: no quote, backslash, control character
 * or surrogate (JSON.stringify escapes a lone surrogate; any surrogate takes the slow path).
 */
function plainString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** An object's keys in the order they came, and the `"key":` prefixes to write them with, in sorted key order. */
interface KeyPlan { keys: string[]; prefixes: string[]; sorted: string[] }

/** Plans by an object's first key, with the order its keys came in: objects of one schema come in one order. */
const keyPlans = new Map<string, KeyPlan>();

/** How to write an object's keys in sorted order; the plan of a key sequence seen before is looked up, not made again. */
function keyPlanOf(record: Record<string, unknown>): KeyPlan {
  const keys = Object.keys(record);
  const n = keys.length;
  const seen = keyPlans.get(n > 0 ? keys[0]! : '');
  if (seen && seen.keys.length === n) {
    let same = true;
    for (let j = 0; j < n && same; j++) same = seen.keys[j] === keys[j];
    if (same) return seen;
  }
  let i = 1;
  while (i < n && keys[i - 1]! < keys[i]!) i++;
  const sorted = i >= n ? keys : keys.slice().sort();
  const plan: KeyPlan = { keys, sorted, prefixes: sorted.map((k) => quoted(k) + ':') };
  if (keyPlans.size < 10_000) keyPlans.set(n > 0 ? keys[0]! : '', plan);
  return plan;
}

/** An object's keys in sorted order. */
function sortedKeysOf(record: Record<string, unknown>): string[] {
  return keyPlanOf(record).sorted;
}

/** JSON with object keys sorted: the same content always gives the same text, whatever order its fields came in. */
export function stableJson(value: unknown): string {
  if (typeof value === 'string') return value.length <= 64 && plainString(value) ? `"${value}"` : JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[' + stableJson(value[0]);
    for (let i = 1; i < value.length; i++) out += ',' + stableJson(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const { sorted, prefixes } = keyPlanOf(record);
  let out = '{';
  for (let i = 0; i < sorted.length; i++) {
    const v = record[sorted[i]!];
    if (v === undefined) continue;
    out += (out.length > 1 ? ',' : '') + prefixes[i] + stableJson(v);
  }
  return out + '}';
}

// Node's one-shot hash (20.12 and later) skips building a Hash object for each of the few short texts a document hashes.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

function hashText(text: string): string {
  return (oneShot ? oneShot('sha256', text, 'base64url') : crypto.createHash('sha256').update(text).digest('base64url')).slice(0, 22);
}

const TRAVEL_FIELDS = new Set(['id', 'receivedAt', 'source', 'schemaVersion', 'occurredAt']);
const TRAVEL_EXTENSIONS = new Set(['x12Envelope', 'x12Ack']);

/** What a document says: its fingerprint, and the stable JSON of each of its top-level fields. */
export interface Content {
  fingerprint: string;
  fields: Map<string, string>;
}

export function documentContent(document: object): Content {
  const record = document as Record<string, unknown>;
  const keys = sortedKeysOf(record);
  const fields = new Map<string, string>();
  let out = '{';
  for (const key of keys) {
    if (TRAVEL_FIELDS.has(key) || record[key] === undefined) continue;
    let value = record[key];
    if (key === 'extensions' && value !== null && typeof value === 'object') {
      const kept = Object.entries(value as Record<string, unknown>).filter(([k]) => !TRAVEL_EXTENSIONS.has(k));
      if (kept.length === 0) continue;
      value = Object.fromEntries(kept);
    }
    const json = stableJson(value);
    fields.set(key, json);
    out += quoted(key) + ':' + json + ',';
  }
  return { fingerprint: hashText(out + '}'), fields };
}

/** The fingerprint of what a document says. */
export function contentFingerprint(document: object): string {
  return documentContent(document).fingerprint;
}

/** The fingerprint of a value given as its stable JSON: short values are their own fingerprint. */
export function jsonFingerprint(json: string | undefined): string {
  if (json === undefined) return '-';
  return json.length <= 44 ? json : hashText(json);
}

/** The fingerprint of one value (a field of a document), '-' when it is absent. */
export function valueFingerprint(value: unknown): string {
  return value === undefined ? '-' : jsonFingerprint(stableJson(value));
}

/** Whether two values are the same content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return stableJson(a) === stableJson(b);
}
