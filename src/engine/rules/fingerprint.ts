import { createHash } from 'node:crypto';

/**
 * Fingerprints say whether two documents say the same thing. They leave out how and when a
 * document travelled (Causeway's id, when it was received, the endpoint, the X12 envelope and the
 * time the sender stamped on the message), so a resend under new control numbers has the same
 * fingerprint as the first send, and a corrected resend has another.
 */

/** JSON with object keys sorted: the same content always gives the same text. */
export function stableJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + stableJson(value[i]);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + stableJson(v);
    first = false;
  }
  return out + '}';
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

const TRAVEL_FIELDS = new Set(['id', 'receivedAt', 'source', 'schemaVersion', 'occurredAt']);
const TRAVEL_EXTENSIONS = new Set(['x12Envelope', 'x12Ack']);

/** The fingerprint of what a document says. */
export function contentFingerprint(document: object): string {
  const record = document as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    if (TRAVEL_FIELDS.has(key) || record[key] === undefined) continue;
    let value = record[key];
    if (key === 'extensions' && value !== null && typeof value === 'object') {
      const kept = Object.entries(value as Record<string, unknown>).filter(([k]) => !TRAVEL_EXTENSIONS.has(k));
      if (kept.length === 0) continue;
      value = Object.fromEntries(kept);
    }
    out += JSON.stringify(key) + ':' + stableJson(value) + ',';
  }
  return hashText(out + '}');
}

const ABSENT = '-';

/** The fingerprint of one value (a field of a document), '-' when it is absent. */
export function valueFingerprint(value: unknown): string {
  if (value === undefined) return ABSENT;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return hashText(stableJson(value));
}

/** Whether two values are the same content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return stableJson(a) === stableJson(b);
}
