import { createHash } from 'node:crypto';
import type { OpenDeadLetter } from '../store/index.ts';

/** Dead letters that failed the same way: same code at the same field, whatever the values were. */
export interface DeadLetterGroup {
  /** Stable while the pattern is the same: names the group in a replay or resolve request. */
  key: string;
  kind: 'delivery' | 'message';
  endpoint: string;
  /** e.g. DOC_INVALID, HTTP_422, DELIVERY_FAILED. */
  code: string;
  /** A field path with its indexes blanked ($.lines[*].sku), or the endpoint for a delivery. */
  field: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** One reason as it was written, to show what the values looked like. */
  example: string;
  members: Array<{ id: number; kind: 'delivery' | 'message'; refId: number }>;
}

/** Array indexes and quoted or numeric values differ from one failure to the next; the pattern does not. */
const blankIndexes = (path: string) => path.replace(/\[\d+\]/g, '[*]');
const blankValues = (text: string) => text.replace(/"[^"]*"|'[^']*'/g, '…').replace(/\d+/g, '#').slice(0, 120);

function patternOf(dl: OpenDeadLetter): { code: string; field: string } {
  if (dl.kind === 'message') {
    if (dl.errors.length === 0) return { code: 'QUARANTINED', field: '$' };
    const codes = [...new Set(dl.errors.map((e) => e.code))].sort();
    const fields = [...new Set(dl.errors.map((e) => blankIndexes(e.path ?? '$')))].sort();
    return { code: codes.join(' + '), field: fields.join(' + ') };
  }
  if (dl.statusCode !== null) return { code: `HTTP_${dl.statusCode}`, field: dl.endpoint };
  return { code: blankValues(dl.reason), field: dl.endpoint };
}

/** Groups open dead letters by pattern, largest group first. */
export function groupDeadLetters(letters: OpenDeadLetter[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  // Thousands of dead letters share a handful of patterns: each pattern is hashed once.
  const keys = new Map<string, string>();
  for (const dl of letters) {
    const { code, field } = patternOf(dl);
    const pattern = `${dl.kind}\u0000${dl.endpoint}\u0000${code}\u0000${field}`;
    let key = keys.get(pattern);
    if (key === undefined) keys.set(pattern, key = createHash('sha256').update(pattern).digest('hex').slice(0, 16));
    let g = groups.get(key);
    if (!g) groups.set(key, g = { key, kind: dl.kind, endpoint: dl.endpoint, code, field, count: 0, firstSeen: dl.createdAt, lastSeen: dl.createdAt, example: dl.reason, members: [] });
    g.count++;
    g.firstSeen = Math.min(g.firstSeen, dl.createdAt);
    g.lastSeen = Math.max(g.lastSeen, dl.createdAt);
    g.members.push({ id: dl.id, kind: dl.kind, refId: dl.refId });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
}
