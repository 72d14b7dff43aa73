/**
 * Versioned schema. A migration is applied once, in order, inside a transaction; the SQL stays
 * portable (PostgreSQL keeps its own copy with its types) so both stores mean the same thing.
 */
export const sqliteMigrations: Array<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'pipeline',
    sql: `
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  codec TEXT NOT NULL,
  content_type TEXT,
  idempotency_key TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  body BLOB NOT NULL,
  partner_ref TEXT,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  errors TEXT,
  duplicates INTEGER NOT NULL DEFAULT 0,
  generation INTEGER NOT NULL DEFAULT 1,
  lease_owner TEXT,
  lease_until INTEGER,
  processed_at INTEGER,
  UNIQUE (tenant, endpoint, idempotency_key)
);
CREATE INDEX messages_pending ON messages (id) WHERE status = 'pending';
CREATE INDEX messages_by_time ON messages (tenant, received_at);

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  generation INTEGER NOT NULL,
  type TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX documents_by_message ON documents (message_id);
CREATE INDEX documents_by_key ON documents (tenant, entity_key, type, occurred_at);

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  document_id TEXT NOT NULL,
  document_type TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  flow TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  payload BLOB NOT NULL,
  content_type TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  partner_ref TEXT,
  last_error TEXT
);
CREATE INDEX deliveries_queue ON deliveries (tenant, endpoint, entity_key, id) WHERE status = 'pending';
CREATE INDEX deliveries_due ON deliveries (available_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_by_message ON deliveries (message_id);
CREATE INDEX deliveries_done ON deliveries (tenant, delivered_at) WHERE status = 'delivered';
CREATE INDEX deliveries_by_time ON deliveries (tenant, created_at);

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
  tenant TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  status_code INTEGER,
  response TEXT,
  partner_ref TEXT,
  error TEXT
);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id);
CREATE INDEX attempts_by_time ON attempts (tenant, finished_at);

CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref_id INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  replayed_at INTEGER
);
CREATE INDEX dead_letters_open ON dead_letters (tenant, id) WHERE replayed_at IS NULL;

CREATE TABLE source_cursors (
  tenant TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, endpoint)
);

CREATE TABLE control_numbers (
  tenant TEXT NOT NULL,
  scope TEXT NOT NULL,
  kind TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (tenant, scope, kind)
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'job leases',
    sql: `
CREATE TABLE job_leases (
  job TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'edi tracking',
    sql: `
CREATE TABLE edi_groups (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  partner TEXT NOT NULL,
  interchange_control_number TEXT NOT NULL,
  group_control_number TEXT NOT NULL,
  functional_id TEXT NOT NULL,
  sets TEXT NOT NULL,
  delivery_key TEXT NOT NULL,
  message_id INTEGER,
  endpoint TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'sent',
  sent_at INTEGER NOT NULL,
  deadline_at INTEGER,
  acked_at INTEGER,
  ack_message_id INTEGER,
  ack_detail TEXT,
  UNIQUE (tenant, partner, group_control_number)
);
CREATE INDEX edi_groups_by_key ON edi_groups (tenant, delivery_key);
CREATE INDEX edi_groups_waiting ON edi_groups (deadline_at) WHERE status = 'sent';
CREATE INDEX edi_groups_by_status ON edi_groups (tenant, status, id);

CREATE TABLE edi_receipts (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  partner TEXT NOT NULL,
  first_message_id INTEGER NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_message_id INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  UNIQUE (tenant, kind, key)
);
CREATE INDEX edi_receipts_duplicates ON edi_receipts (tenant, id) WHERE count > 1;

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  detail TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant, dedupe_key)
);
`,
  },
  {
    version: 4,
    name: 'delivery queues in message order',
    sql: `
DROP INDEX deliveries_queue;
CREATE INDEX deliveries_queue ON deliveries (tenant, endpoint, entity_key, message_id, id) WHERE status = 'pending';
CREATE INDEX messages_pending_by_tenant ON messages (tenant, id) WHERE status = 'pending';
`,
  },
  {
    version: 8,
    name: 'inventory reconciliation',
    sql: `
CREATE INDEX documents_stock ON documents (tenant, type, occurred_at);
CREATE INDEX deliveries_open_by_type ON deliveries (tenant, document_type) WHERE status <> 'delivered';

CREATE TABLE inventory_runs (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  at INTEGER NOT NULL,
  facility TEXT,
  trigger TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  counts TEXT NOT NULL,
  accuracy TEXT NOT NULL,
  snapshots TEXT NOT NULL
);
CREATE INDEX inventory_runs_by_tenant ON inventory_runs (tenant, id);

CREATE TABLE inventory_results (
  run_id INTEGER NOT NULL REFERENCES inventory_runs(id),
  position INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  facility TEXT NOT NULL,
  sku TEXT NOT NULL,
  lot TEXT NOT NULL,
  uom TEXT NOT NULL,
  status TEXT NOT NULL,
  difference TEXT NOT NULL,
  corrected_difference TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);

CREATE TABLE inventory_decisions (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES inventory_runs(id),
  position INTEGER NOT NULL,
  facility TEXT NOT NULL,
  sku TEXT NOT NULL,
  lot TEXT NOT NULL,
  uom TEXT NOT NULL,
  quantity TEXT NOT NULL,
  action TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  note TEXT,
  UNIQUE (tenant, run_id, position)
);
CREATE INDEX inventory_decisions_by_tenant ON inventory_decisions (tenant, id);

CREATE TABLE inventory_availability (
  tenant TEXT NOT NULL,
  facility TEXT NOT NULL,
  sku TEXT NOT NULL,
  available TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, facility, sku)
);
`,
  },
  {
    version: 9,
    name: 'console: audit log, corrections, resolved dead letters, alert states, search indexes',
    sql: `
ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'operator';

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);

CREATE TABLE message_edits (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  generation INTEGER NOT NULL,
  body_before BLOB NOT NULL,
  codec_before TEXT NOT NULL,
  content_type_before TEXT,
  edited_by TEXT NOT NULL,
  edited_at INTEGER NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX message_edits_by_message ON message_edits (tenant, message_id);

CREATE TABLE dead_letter_resolutions (
  dead_letter_id INTEGER PRIMARY KEY REFERENCES dead_letters(id),
  tenant TEXT NOT NULL,
  resolved_by TEXT NOT NULL,
  resolved_at INTEGER NOT NULL
);

ALTER TABLE alerts ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
ALTER TABLE alerts ADD COLUMN resolved_at INTEGER;
ALTER TABLE alerts ADD COLUMN notified_at INTEGER;
ALTER TABLE alerts ADD COLUMN resolved_notified_at INTEGER;
-- Alerts raised before alerting had channels are taken as told.
UPDATE alerts SET notified_at = created_at;
CREATE INDEX alerts_to_notify ON alerts (id) WHERE notified_at IS NULL OR (resolved_at IS NOT NULL AND resolved_notified_at IS NULL);
CREATE INDEX alerts_open ON alerts (tenant, id) WHERE resolved_at IS NULL;

-- The console's trends and KPIs read these windows from the index alone (covering columns).
DROP INDEX messages_by_time;
CREATE INDEX messages_by_time ON messages (tenant, received_at, status);
DROP INDEX deliveries_done;
CREATE INDEX deliveries_done ON deliveries (tenant, delivered_at, occurred_at, received_at) WHERE status = 'delivered';
DROP INDEX attempts_by_time;
CREATE INDEX attempts_by_time ON attempts (tenant, finished_at, outcome);
CREATE INDEX messages_by_status ON messages (tenant, status, id);
CREATE INDEX documents_by_type_time ON documents (tenant, type, received_at);
CREATE INDEX messages_by_partner_ref ON messages (tenant, partner_ref) WHERE partner_ref IS NOT NULL;
CREATE INDEX deliveries_last_success ON deliveries (tenant, endpoint, delivered_at) WHERE status = 'delivered';
CREATE INDEX attempts_failed ON attempts (tenant, finished_at) WHERE outcome <> 'delivered';
CREATE INDEX dead_letters_by_time ON dead_letters (tenant, created_at);
`,
  },
  {
    version: 10,
    name: 'order routing',
    sql: `
CREATE TABLE routing_decisions (
  tenant TEXT NOT NULL,
  order_key TEXT NOT NULL,
  status TEXT NOT NULL,
  facility TEXT,
  decision TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, order_key)
);

CREATE TABLE routing_reservations (
  tenant TEXT NOT NULL,
  order_key TEXT NOT NULL,
  facility TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity TEXT NOT NULL
);
CREATE INDEX routing_reservations_by_order ON routing_reservations (tenant, order_key);
CREATE INDEX routing_reservations_by_stock ON routing_reservations (tenant, facility, sku);
`,
  },
  {
    version: 11,
    name: 'rules ledgers and verdicts',
    sql: `
CREATE TABLE ledgers (
  tenant TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  reference TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  facility TEXT,
  due_at INTEGER,
  updated_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (tenant, entity_key)
);
CREATE INDEX ledgers_due ON ledgers (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE rule_verdicts (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  entity_key TEXT,
  document_id TEXT NOT NULL,
  document_type TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  path TEXT,
  detail TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX rule_verdicts_by_entity ON rule_verdicts (tenant, entity_key, id);
CREATE INDEX rule_verdicts_by_message ON rule_verdicts (tenant, message_id, id);

ALTER TABLE deliveries ADD COLUMN superseded_at INTEGER;
CREATE INDEX deliveries_superseded ON deliveries (superseded_at) WHERE superseded_at IS NOT NULL;
CREATE INDEX deliveries_by_document ON deliveries (tenant, document_id);
`,
  },
  {
    version: 15,
    name: 'signed requests seen, for replay protection',
    sql: `
CREATE TABLE signed_requests (
  tenant TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, endpoint, webhook_id, fingerprint)
);
CREATE INDEX signed_requests_age ON signed_requests (tenant, endpoint, seen_at);
`,
  },
  {
    version: 16,
    name: 'large raw messages in chunks, read and committed part by part',
    sql: `
ALTER TABLE messages ADD COLUMN raw_upload TEXT;
ALTER TABLE messages ADD COLUMN body_bytes INTEGER;
ALTER TABLE messages ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_by_upload ON messages (raw_upload) WHERE raw_upload IS NOT NULL;
CREATE TABLE message_chunks (
  upload TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  staged_at INTEGER NOT NULL,
  PRIMARY KEY (upload, seq)
) WITHOUT ROWID;
`,
  },
  {
    version: 17,
    name: 'console sessions kept in the store (by the hash of their id), closed trend hours summed once, routing decisions by time, when orders become stuck, the error patterns of dead letters',
    sql: `
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  csrf TEXT NOT NULL,
  key_name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  grant_label TEXT NOT NULL,
  key_tenant TEXT NOT NULL,
  tenant TEXT NOT NULL,
  flash TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
CREATE INDEX routing_decisions_by_time ON routing_decisions (tenant, decided_at, order_key);
ALTER TABLE dead_letters ADD COLUMN error_pattern TEXT;
ALTER TABLE ledgers ADD COLUMN stuck_at INTEGER;
CREATE INDEX ledgers_stuck ON ledgers (tenant, stuck_at) WHERE stuck_at IS NOT NULL;
-- Live orders written before their stuck time was kept: due at once, so the rules' sweep writes them again with it.
UPDATE ledgers SET due_at = 0 WHERE kind = 'order' AND status IN ('open', 'partially_shipped', 'held');
CREATE TABLE console_trend_hours (
  tenant TEXT NOT NULL,
  hour_at INTEGER NOT NULL,
  delivered INTEGER NOT NULL,
  sync_ms_total INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  failed_attempts INTEGER NOT NULL,
  messages INTEGER NOT NULL,
  quarantined INTEGER NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, hour_at)
);
`,
  },
  {
    version: 24,
    name: 'retention: what was pruned from a message, and where it was archived',
    sql: `
ALTER TABLE messages ADD COLUMN raw_pruned_at INTEGER;
ALTER TABLE messages ADD COLUMN documents_pruned_at INTEGER;
ALTER TABLE messages ADD COLUMN archived_to TEXT;
CREATE INDEX ledgers_by_age ON ledgers (tenant, updated_at);
CREATE INDEX messages_raw_kept ON messages (tenant, received_at, id) WHERE raw_pruned_at IS NULL;
CREATE INDEX messages_documents_kept ON messages (tenant, received_at, id) WHERE documents_pruned_at IS NULL;
CREATE INDEX dead_letters_by_ref_any ON dead_letters (tenant, kind, ref_id);
CREATE INDEX inventory_runs_by_age ON inventory_runs (tenant, finished_at);
`,
  },
  {
    version: 25,
    name: 'billing: usage events, the usage sweep\'s cursor, closed periods and their invoice lines',
    sql: `
CREATE TABLE billing_usage (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  event_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  quantity TEXT NOT NULL,
  facility TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  document_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  invoice_period TEXT,
  UNIQUE (tenant, event_key, kind)
);
CREATE INDEX billing_usage_unbilled ON billing_usage (tenant, occurred_at) WHERE invoice_period IS NULL;
CREATE INDEX billing_usage_by_period ON billing_usage (tenant, invoice_period, kind, id);
CREATE TABLE billing_cursors (
  tenant TEXT PRIMARY KEY,
  document_seq INTEGER NOT NULL,
  verdict_id INTEGER NOT NULL,
  storage_day TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE billing_periods (
  tenant TEXT NOT NULL,
  period TEXT NOT NULL,
  currency TEXT NOT NULL,
  total TEXT NOT NULL,
  closed_at INTEGER NOT NULL,
  usage_before INTEGER NOT NULL,
  PRIMARY KEY (tenant, period)
);
CREATE TABLE billing_invoice_lines (
  tenant TEXT NOT NULL,
  period TEXT NOT NULL,
  line INTEGER NOT NULL,
  kind TEXT NOT NULL,
  tier INTEGER NOT NULL,
  quantity TEXT NOT NULL,
  unit_price TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (tenant, period, line)
);
CREATE INDEX documents_billable ON documents (tenant, type);
CREATE INDEX rule_verdicts_applied ON rule_verdicts (tenant, id) WHERE verdict = 'apply';
`,
  },
  {
    version: 27,
    name: 'retention finds settled ledgers through an index of those alone',
    sql: `
-- Every write of a ledger moved its entry in an index of all ledgers by age, though retention only
-- ever looks for settled ones with nothing due; live ledgers, written most often, now stay out of it.
-- The WHERE is the retention query's own terms, word for word, so that the planner can use it.
DROP INDEX ledgers_by_age;
CREATE INDEX ledgers_settled_by_age ON ledgers (tenant, updated_at) WHERE status IN ('shipped', 'cancelled', 'closed', 'received') AND due_at IS NULL;
`,
  },
];
