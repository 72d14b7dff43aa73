import type { CanonicalDocument } from '../../model/index.ts';
import { sameValue } from './fingerprint.ts';
import { revised, type Ledger, type OwnedValue } from './ledger.ts';
import type { RulesPolicy } from './policy.ts';
import type { FieldConflict, SystemRole } from './verdict.ts';

/**
 * Field ownership: for a document type, a field (a dot path) belongs to the ERP or to the
 * warehouse. When the other system sends a value for it, that value is not carried on: the
 * owner's last value (kept on the ledger) goes in its place, or, if the ledger knows none, the
 * field is left out. A field the sender leaves out is left as it is.
 */

function valueAt(document: object, path: string[]): unknown {
  let v: unknown = document;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A copy of `document` with `value` at `path` (left out when undefined), copying only the objects on the path. */
function withValueAt<T extends object>(document: T, path: string[], value: unknown): T {
  const [key, ...rest] = path as [string, ...string[]];
  const copy = { ...(document as Record<string, unknown>) };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  } else {
    const inner = copy[key];
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return document;
    copy[key] = withValueAt(inner as object, rest, value);
  }
  return copy as T;
}

const split = (path: string) => path.split('.');

export function applyOwnership(ledger: Ledger | undefined, document: CanonicalDocument, source: SystemRole, policy: RulesPolicy): { document: CanonicalDocument; conflicts: FieldConflict[] } {
  const fields = policy.ownership.fields[document.type];
  if (!fields) return { document, conflicts: [] };
  let out = document;
  const conflicts: FieldConflict[] = [];
  for (const [path, owner] of Object.entries(fields)) {
    if (owner === source) continue;
    const segments = split(path);
    const sent = valueAt(out, segments);
    if (sent === undefined) continue;
    const known = ledger?.owned?.[`${document.type}.${path}`];
    if (known !== undefined && sameValue(sent, known.value)) continue;
    out = withValueAt(out, segments, known?.value);
    const conflict: FieldConflict = { documentType: document.type, path, owner, source, sentValue: sent, carried: known ? 'owner_value' : 'removed' };
    if (known) conflict.ownerValue = known.value;
    conflicts.push(conflict);
  }
  return { document: out, conflicts };
}

/** Keeps the owner's values of the fields it owns that this document (from the owner) carries. */
export function recordOwnedValues<L extends Ledger>(ledger: L, document: CanonicalDocument, source: SystemRole, policy: RulesPolicy, at: string): L {
  const fields = policy.ownership.fields[document.type];
  if (!fields) return ledger;
  let owned: Record<string, OwnedValue> | undefined;
  for (const [path, owner] of Object.entries(fields)) {
    if (owner !== source) continue;
    const value = valueAt(document, split(path));
    if (value === undefined) continue;
    const key = `${document.type}.${path}`;
    const known = ledger.owned?.[key];
    if (known && known.owner === owner && sameValue(known.value, value)) continue;
    owned ??= { ...ledger.owned };
    owned[key] = { owner, value, at };
  }
  return owned ? revised<Ledger>(ledger, { owned }) as L : ledger;
}
