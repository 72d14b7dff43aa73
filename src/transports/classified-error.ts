/**
 * An error a connector classifies for the engine: a stable code for machines, and whether the same
 * call may succeed later unchanged (retryable) or never will (permanent, to the dead letters).
 */
export class ClassifiedError<C extends string> extends Error {
  readonly code: C;
  readonly retryable: boolean;

  constructor(name: string, code: C, message: string, retryable: ReadonlySet<C>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
    this.retryable = retryable.has(code);
  }
}
