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

export interface KeyStore {
  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
}
