import type { CanonicalDocument, CausewayError } from '../model/index.ts';

// What the pipeline's steps hand each other, apart from the steps themselves: the hub and the
// processor both read them, and neither needs the other's module for it.

/** An endpoint as the pipeline sees it: whose it is and how its bytes are read and written. */
export interface EndpointInfo {
  name: string;
  tenant: string;
  codec: string;
  codecOptions: Record<string, unknown>;
  /** What the codec's configure made of the endpoint at start (its tenant's partner profiles...). */
  codecSettings?: unknown;
  maxAttempts: number;
}

export interface DecodedMessage {
  /** Valid canonical documents with their place in the message, and what their codec said of each beside it. */
  documents: Array<{ index: number; prefix: string; document: CanonicalDocument; envelope?: unknown }>;
  errors: CausewayError[];
  /** What the codec read with an assumption or left out: kept with the message, never refusing it. */
  warnings?: CausewayError[];
  /** Documents the codec read that are no valid canonical documents (their errors are in `errors` too), for its refusal hook. */
  invalid?: Array<{ index: number; envelope?: unknown; errors: CausewayError[] }>;
}
