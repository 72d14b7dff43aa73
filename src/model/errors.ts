/**
 * Errors are values: a stable code for machines, a sentence for people, and where the fault is
 * (a JSON path, or an X12 position). They travel with the raw message they came from.
 */
export interface CausewayError {
  code: string;
  message: string;
  /** JSON path of the field at fault, e.g. "$.lines[2].quantity". */
  path?: string;
  /** Extra machine-readable position (X12: interchange, group, set, segment, element). */
  position?: Record<string, string | number | undefined>;
  /**
   * 'warning': what went through with an assumption or was left out (an X12 unit of measure taken
   * as EA, an HL level skipped), reported with the message but never refusing it. Absent: an error.
   */
  severity?: 'warning';
}

/** A message's list as kept (errors and warnings together), told apart. */
export function splitWarnings(list: readonly CausewayError[]): { errors: CausewayError[]; warnings: CausewayError[] } {
  const errors: CausewayError[] = [];
  const warnings: CausewayError[] = [];
  for (const e of list) (e.severity === 'warning' ? warnings : errors).push(e);
  return { errors, warnings };
}

/** An exception that carries one or more CausewayErrors, for code paths that must throw. */
export class CausewayFault extends Error {
  readonly errors: CausewayError[];
  constructor(errors: CausewayError | CausewayError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map(formatError).join('; '));
    this.name = 'CausewayFault';
    this.errors = list;
  }
  get code(): string {
    return this.errors[0]?.code ?? 'ERROR';
  }
}

export function formatError(e: CausewayError): string {
  return e.path ? `${e.path}: ${e.message}` : e.message;
}

/** Turns a JS property path into "$.a.b[2].c". */
export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : `.${String(s)}`;
  return out;
}
