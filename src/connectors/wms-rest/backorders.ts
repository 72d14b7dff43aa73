import { backorderReference } from '../../model/index.ts';
import { rejected } from './errors.ts';
import type { Profile } from './profile.ts';

/**
 * The ERP's backorder of an order (`extensions.backorder.reference`) is a second order under the
 * same order number, and a REST WMS keys orders by that number. So the backorder goes to the
 * warehouse as an order of its own under a reference derived from the document alone: the order
 * number, then the suffix with the backorder's reference in it (`SO-1` + `-BO-{backorder}` ->
 * `SO-1-BO-CS-7`). Nothing is stored:
 * - a redelivery derives the same reference and finds the order the first delivery made;
 * - a cancel, hold or release marked with the same backorder derives it again;
 * - what the warehouse reports under a derived reference is read back as the ERP's order number,
 *   the backorder's reference kept in `extensions.backorder`.
 *
 * The one case it cannot catch: an order number of the ERP's own that already looks derived
 * (`X-BO-1` with the default suffix) is read back as backorder 1 of order X. Choose a suffix your
 * order numbers never contain. A reference that would not parse back to its order and backorder
 * (the suffix's text inside the backorder's reference) is refused when it is written, not sent.
 */
export const DEFAULT_BACKORDER_SUFFIX = '-BO-{backorder}';
const PLACEHOLDER = '{backorder}';

export interface OrderReferences {
  /** The suffix after the order number, with {backorder} where the backorder's reference goes. */
  suffix: string;
  /** The warehouse's name of the order's reference field, for errors. */
  field: string;
  maxLength?: number;
}

export function orderReferencesOf(profile: Profile, backorderSuffix: string | undefined): OrderReferences {
  const reference = profile.records.order?.reference;
  return { suffix: backorderSuffix ?? reference?.backorderSuffix ?? DEFAULT_BACKORDER_SUFFIX, field: reference?.name ?? 'reference', maxLength: reference?.maxLength };
}

/** Why a backorder suffix cannot be used, or undefined when it can. */
export function backorderSuffixError(suffix: string): string | undefined {
  const at = suffix.indexOf(PLACEHOLDER);
  if (at < 0 || suffix.indexOf(PLACEHOLDER, at + 1) >= 0) return `a backorder suffix holds ${PLACEHOLDER} once (got "${suffix}")`;
  if (at === 0) return `a backorder suffix starts with text that tells the backorder from the order number, before ${PLACEHOLDER} (got "${suffix}")`;
  return undefined;
}

/**
 * The reference an order goes under at the warehouse: its number, or for the ERP's backorder of
 * it the derived one. Refused, naming the warehouse's field, when it is longer than it takes.
 */
export function warehouseOrderReference(refs: OrderReferences, doc: { orderNumber: string; extensions?: Record<string, unknown> }): string {
  const backorder = backorderReference(doc);
  const reference = backorder === undefined ? doc.orderNumber : doc.orderNumber + refs.suffix.replace(PLACEHOLDER, backorder);
  const what = orderInWords(doc);
  if (refs.maxLength !== undefined && reference.length > refs.maxLength) {
    throw rejected(`${what} goes to the warehouse as ${reference}, ${reference.length} characters, and its ${refs.field} takes at most ${refs.maxLength}; shorten the endpoint's backorderSuffix or the ERP's numbers`);
  }
  if (backorder !== undefined) {
    const parsed = parseWarehouseOrderReference(refs, reference);
    if (parsed?.orderNumber !== doc.orderNumber || parsed.backorder !== backorder) {
      throw rejected(`${what} would go to the warehouse as ${reference}, which does not read back as that backorder: the backorder suffix "${refs.suffix}" appears within the references; choose another backorderSuffix`);
    }
  }
  return reference;
}

/** "order SO-1", or "backorder CS-7 of order SO-1". */
export function orderInWords(doc: { orderNumber: string; extensions?: Record<string, unknown> }): string {
  const backorder = backorderReference(doc);
  return backorder === undefined ? `order ${doc.orderNumber}` : `backorder ${backorder} of order ${doc.orderNumber}`;
}

/** The ERP's order number and backorder of a derived reference; undefined for any other. */
export function parseWarehouseOrderReference(refs: OrderReferences, reference: string): { orderNumber: string; backorder: string } | undefined {
  const at = refs.suffix.indexOf(PLACEHOLDER);
  const head = refs.suffix.slice(0, at);
  const tail = refs.suffix.slice(at + PLACEHOLDER.length);
  if (!reference.endsWith(tail)) return undefined;
  const body = reference.slice(0, reference.length - tail.length);
  // The last occurrence: order numbers vary more than the ERP's backorder references.
  const split = body.lastIndexOf(head);
  if (split <= 0 || split + head.length >= body.length) return undefined;
  return { orderNumber: body.slice(0, split), backorder: body.slice(split + head.length) };
}

/**
 * A document read from the warehouse, its order number read back: one reported under a derived
 * reference (a shipment, a return of the backorder) carries the ERP's order number and the
 * backorder's reference, so the ERP applies it to the backorder.
 */
export function readBackOrderNumber(refs: OrderReferences, doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const { orderNumber, extensions } = doc as { orderNumber?: unknown; extensions?: Record<string, unknown> };
  if (typeof orderNumber !== 'string') return doc;
  const parsed = parseWarehouseOrderReference(refs, orderNumber);
  if (parsed === undefined) return doc;
  return { ...doc, orderNumber: parsed.orderNumber, extensions: { ...extensions, backorder: { reference: parsed.backorder } } };
}
