// The API keys facet: a key is kept as its hash only, which tells its tenant.

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string;
  hash: string;
  /** viewer: reads only; operator: may also replay, correct and resolve. */
  role: 'viewer' | 'operator';
  createdAt: number;
}

/**
 * A signed push seen at an inbound endpoint: the sender's webhook-id and a fingerprint of what was
 * signed (id, timestamp and body). The same pair again is the same signed request replayed; a
 * sender's own retry signs afresh, with a new timestamp. Kept only as long as a timestamp stays
 * within tolerance: older ones are refused by the tolerance itself.
 */
export interface SignedRequestSighting {
  tenant: string;
  endpoint: string;
  id: string;
  /** SHA-256 of the signature the hub computed for the request: the same for the same id, timestamp and body. */
  fingerprint: string;
  at: number;
  /** How long a sighting is kept (twice the tolerance: a timestamp may lie that far ahead too). */
  keepMs: number;
}

export interface KeyStore {
  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Records a signed request; false when the same one was recorded before (a replay). Forgets sightings older than keepMs. */
  recordSignedRequest(sighting: SignedRequestSighting): Promise<boolean>;
}
