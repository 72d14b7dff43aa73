import { z } from 'zod';
import type { CausewayError } from './errors.ts';
import { jsonPath } from './errors.ts';
import { fieldHint, fieldNamesAt } from './field-names.ts';
import { acknowledgment } from './documents/acknowledgment.ts';
import { inventoryAdjustment } from './documents/inventory-adjustment.ts';
import { inventoryAvailability } from './documents/inventory-availability.ts';
import { inventorySnapshot } from './documents/inventory-snapshot.ts';
import { invoice } from './documents/invoice.ts';
import { item } from './documents/item.ts';
import { orderCancel } from './documents/order-cancel.ts';
import { orderStatus } from './documents/order-status.ts';
import { purchaseOrder } from './documents/purchase-order.ts';
import { receipt } from './documents/receipt.ts';
import { returnAuthorization, returnReceipt } from './documents/returns.ts';
import { salesOrder } from './documents/sales-order.ts';
import { shipment } from './documents/shipment.ts';
import { transferOrder } from './documents/transfer-order.ts';

export const documentSchemas = {
  item,
  sales_order: salesOrder,
  order_cancel: orderCancel,
  purchase_order: purchaseOrder,
  receipt,
  shipment,
  order_status: orderStatus,
  inventory_snapshot: inventorySnapshot,
  inventory_adjustment: inventoryAdjustment,
  inventory_availability: inventoryAvailability,
  return_authorization: returnAuthorization,
  return_receipt: returnReceipt,
  transfer_order: transferOrder,
  acknowledgment,
  invoice,
} as const;

export type DocumentType = keyof typeof documentSchemas;
export const DOCUMENT_TYPES = Object.keys(documentSchemas) as DocumentType[];
export type DocumentOf<T extends DocumentType> = z.infer<(typeof documentSchemas)[T]>;
export type CanonicalDocument = { [T in DocumentType]: DocumentOf<T> }[DocumentType];

export function isDocumentType(t: unknown): t is DocumentType {
  return typeof t === 'string' && Object.hasOwn(documentSchemas, t);
}

/**
 * The entity key orders deliveries: everything about one order (the order, its cancel, its
 * shipments, its status) shares a key, so a cancel never overtakes the order it cancels. Codecs that
 * build documents themselves (X12) use these same constructors.
 */
export const entityKeys = {
  item: (sku: string) => `item:${sku}`,
  order: (orderNumber: string) => `order:${orderNumber}`,
  inbound: (reference: string) => `inbound:${reference}`,
  stock: (facility: string) => `stock:${facility}`,
  availability: (facility: string, sku: string) => `availability:${facility}:${sku}`,
  return: (rmaNumber: string) => `return:${rmaNumber}`,
  transfer: (transferNumber: string) => `transfer:${transferNumber}`,
  ack: (partyId: string, reference: string) => `ack:${partyId}:${reference}`,
  invoice: (client: string, period: string) => `invoice:${client}:${period}`,
};

export function entityKeyFor(doc: Record<string, unknown>): string | undefined {
  const s = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? (doc[k] as string) : undefined);
  const key = (make: (v: string) => string, v: string | undefined) => (v === undefined ? undefined : make(v));
  switch (doc.type) {
    case 'item': return key(entityKeys.item, s('sku'));
    case 'sales_order': case 'order_cancel': case 'shipment': case 'order_status':
      return key(entityKeys.order, s('orderNumber'));
    case 'purchase_order': return key(entityKeys.inbound, s('poNumber'));
    case 'receipt': return entityKeys.inbound(String(s('poNumber') ?? s('asnNumber') ?? s('receiptNumber')));
    case 'inventory_snapshot': case 'inventory_adjustment': return key(entityKeys.stock, s('facility'));
    case 'inventory_availability': return s('facility') && s('sku') ? entityKeys.availability(s('facility')!, s('sku')!) : undefined;
    case 'return_authorization': case 'return_receipt': return key(entityKeys.return, s('rmaNumber'));
    case 'transfer_order': return key(entityKeys.transfer, s('transferNumber'));
    case 'invoice': return s('client') && s('period') ? entityKeys.invoice(s('client')!, s('period')!) : undefined;
    case 'acknowledgment': {
      const a = doc.acknowledges as Record<string, unknown> | undefined;
      return entityKeys.ack(String(a?.senderId ?? ''), String(a?.groupControlNumber ?? a?.reference ?? ''));
    }
    default: return undefined;
  }
}

export type ValidationResult =
  | { ok: true; document: CanonicalDocument }
  | { ok: false; errors: CausewayError[] };

/** Validates one canonical document; errors name the JSON path and what was expected. */
export function validateDocument(input: unknown): ValidationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ code: 'DOC_NOT_OBJECT', message: 'expected a JSON object with a "type" field', path: '$' }] };
  }
  const type = (input as { type?: unknown }).type;
  if (!isDocumentType(type)) {
    return {
      ok: false,
      errors: [{ code: 'DOC_UNKNOWN_TYPE', path: '$.type', message: `unknown document type ${JSON.stringify(type)}; expected one of ${DOCUMENT_TYPES.join(', ')}` }],
    };
  }
  const parsed = documentSchemas[type].safeParse(input);
  if (parsed.success) {
    const repeated = NUMBERED_LINES.has(type) ? repeatedLineNumbers((parsed.data as { lines: Array<{ lineNumber: string }> }).lines) : [];
    return repeated.length ? { ok: false, errors: repeated } : { ok: true, document: parsed.data as CanonicalDocument };
  }
  const errors = parsed.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? unknownFieldErrors(i, type) : [issueToError(i, input)]));
  // The entity key is made from the document's own fields (entityKeyFor): when it is missing, the
  // field it is made from is at fault and has its own error, and a sender reading "$.entityKey is
  // missing" would look for a field they were never asked to send.
  const derived = (input as { entityKey?: unknown }).entityKey === undefined;
  const own = derived ? errors.filter((e) => e.path !== '$.entityKey') : errors;
  return { ok: false, errors: own.length > 0 ? own : errors };
}

/**
 * Documents whose lines each have their own number: a shipment, receipt, cancel or status names a
 * line by it, and two lines numbered alike would leave which one it means to a guess. (A
 * shipment's or receipt's own lines may repeat a number: one order line shipped in two lots.)
 */
const NUMBERED_LINES: ReadonlySet<DocumentType> = new Set(['sales_order', 'purchase_order', 'transfer_order', 'return_authorization']);

/**
 * Lines given a number an earlier line has. Checked here, once the schema has passed, rather than
 * as a zod refinement, which cost every document 3 µs; orders have tens of lines, so each is
 * compared with those before it, and only a long one takes a map.
 */
function repeatedLineNumbers(lines: ReadonlyArray<{ lineNumber: string }>): CausewayError[] {
  const errors: CausewayError[] = [];
  const repeated = (i: number, j: number) => errors.push({
    code: 'DOC_LINE_NUMBER_REPEATED', path: `$.lines[${i}].lineNumber`,
    message: `line number ${JSON.stringify(lines[i]!.lineNumber)} is given to lines[${j}] already; each line needs its own number, which shipments, cancels and statuses name it by`,
  });
  if (lines.length > 64) {
    const first = new Map<string, number>();
    lines.forEach((line, i) => {
      const j = first.get(line.lineNumber);
      if (j === undefined) first.set(line.lineNumber, i);
      else repeated(i, j);
    });
    return errors;
  }
  for (let i = 1; i < lines.length; i++) {
    for (let j = 0; j < i; j++) {
      if (lines[j]!.lineNumber !== lines[i]!.lineNumber) continue;
      repeated(i, j);
      break;
    }
  }
  return errors;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function issueToError(issue: z.core.$ZodIssue, input: unknown): CausewayError {
  const path = jsonPath(issue.path);
  const got = valueAt(input, issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    let expected: string = issue.code === 'invalid_type' ? issue.expected : 'a valid value';
    if (issue.code === 'invalid_union') {
      // A union's own message says nothing; the first branch that failed on content says what was wanted.
      const telling = issue.errors.map((branch) => branch[0]).find((i) => i && i.code !== 'invalid_type');
      expected = telling ? telling.message.replace(/^expected /, '') : issue.errors.map((b) => (b[0] as { expected?: string })?.expected).filter(Boolean).join(' or ');
    }
    message = got === undefined ? `required field is missing (expected ${expected})` : `expected ${expected}, got ${describe(got)}`;
  } else if (issue.code === 'invalid_value') {
    message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(got)}`;
  }
  return { code: 'DOC_INVALID', path, message };
}

/**
 * A field the model does not know is refused, one error each, not dropped: a misspelt
 * `requestedShipdate` would otherwise never reach the warehouse while the sender was told all was
 * well. The error names the field the sender most likely meant, or the fields allowed there.
 */
function unknownFieldErrors(issue: z.core.$ZodIssueUnrecognizedKeys, type: DocumentType): CausewayError[] {
  const allowed = fieldNamesAt(documentSchemas[type], issue.path);
  return issue.keys.map((key) => {
    const hint = fieldHint(key, allowed, 'here');
    const end = hint === '' || hint.endsWith('?') ? '' : '.';
    const own = issue.path.length === 0 ? ' Data with no canonical field goes under "extensions".' : '';
    return { code: 'DOC_UNKNOWN_FIELD', path: jsonPath([...issue.path, key]), message: `unknown field ${JSON.stringify(key)}${hint}${end}${own}` };
  });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${typeof v === 'object' ? '' : String(v)}`.trim();
}

/** JSON Schema (2020-12) of a document type as an API client sends it. */
export function documentJsonSchema(type: DocumentType): Record<string, unknown> {
  return z.toJSONSchema(documentSchemas[type], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
