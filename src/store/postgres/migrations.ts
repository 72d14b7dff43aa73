/**
 * Versioned schema for PostgreSQL: the same tables and meaning as the SQLite migrations, with
 * PostgreSQL's own types. Times are epoch milliseconds in bigint columns. A migration is applied
 * once, in order, inside a transaction, under an advisory lock (see PostgresStore.migrate).
 */
export const postgresMigrations: Array<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'pipeline',
    sql: `
CREATE TABLE messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant text NOT NULL,
  endpoint text NOT NULL,
  codec text NOT NULL,
  content_type text,
  idempotency_key text NOT NULL,
  content_hash text NOT NULL,
  body bytea NOT NULL,
  partner_ref text,
  received_at bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'quarantined')),
  errors jsonb,
  duplicates integer NOT NULL DEFAULT 0,
  generation integer NOT NULL DEFAULT 1,
  lease_owner text,
  lease_until bigint,
  processed_at bigint,
  UNIQUE (tenant, endpoint, idempotency_key)
);
CREATE INDEX messages_pending ON messages (id) WHERE status = 'pending';
CREATE INDEX messages_by_time ON messages (tenant, received_at);

-- seq keeps the order documents were written in (SQLite's rowid), for lineage.
CREATE TABLE documents (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  tenant text NOT NULL,
  message_id bigint NOT NULL REFERENCES messages(id),
  generation integer NOT NULL,
  type text NOT NULL,
  entity_key text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  body jsonb NOT NULL
);
CREATE INDEX documents_by_message ON documents (message_id, generation, seq);
CREATE INDEX documents_by_key ON documents (tenant, entity_key, type, occurred_at);

CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant text NOT NULL,
  document_id text NOT NULL,
  document_type text NOT NULL,
  message_id bigint NOT NULL,
  flow text NOT NULL,
  endpoint text NOT NULL,
  entity_key text NOT NULL,
  payload bytea NOT NULL,
  content_type text NOT NULL,
  idempotency_key text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  available_at bigint NOT NULL,
  lease_owner text,
  lease_until bigint,
  created_at bigint NOT NULL,
  delivered_at bigint,
  partner_ref text,
  last_error text
);
CREATE INDEX deliveries_queue ON deliveries (tenant, endpoint, entity_key, id) WHERE status = 'pending';
CREATE INDEX deliveries_due ON deliveries (available_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_by_message ON deliveries (message_id);
CREATE INDEX deliveries_done ON deliveries (tenant, delivered_at) WHERE status = 'delivered';
CREATE INDEX deliveries_by_time ON deliveries (tenant, created_at);

CREATE TABLE attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES deliveries(id),
  tenant text NOT NULL,
  started_at bigint NOT NULL,
  finished_at bigint NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'retryable', 'permanent')),
  status_code integer,
  response text,
  partner_ref text,
  error text
);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id);
CREATE INDEX attempts_by_time ON attempts (tenant, finished_at);

CREATE TABLE dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('delivery', 'message')),
  ref_id bigint NOT NULL,
  endpoint text NOT NULL,
  reason text NOT NULL,
  created_at bigint NOT NULL,
  replayed_at bigint
);
CREATE INDEX dead_letters_open ON dead_letters (tenant, id) WHERE replayed_at IS NULL;
CREATE INDEX dead_letters_by_ref ON dead_letters (tenant, kind, ref_id) WHERE replayed_at IS NULL;

CREATE TABLE source_cursors (
  tenant text NOT NULL,
  endpoint text NOT NULL,
  value text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (tenant, endpoint)
);

CREATE TABLE control_numbers (
  tenant text NOT NULL,
  scope text NOT NULL,
  kind text NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (tenant, scope, kind)
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  name text NOT NULL,
  hash text NOT NULL UNIQUE,
  created_at bigint NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'job leases',
    sql: `
CREATE TABLE job_leases (
  job text PRIMARY KEY,
  owner text NOT NULL,
  lease_until bigint NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'edi tracking',
    sql: `
CREATE TABLE edi_groups (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  partner text NOT NULL,
  interchange_control_number text NOT NULL,
  group_control_number text NOT NULL,
  functional_id text NOT NULL,
  sets jsonb NOT NULL,
  delivery_key text NOT NULL,
  message_id bigint,
  endpoint text NOT NULL,
  status text NOT NULL DEFAULT 'sent',
  sent_at bigint NOT NULL,
  deadline_at bigint,
  acked_at bigint,
  ack_message_id bigint,
  ack_detail jsonb,
  UNIQUE (tenant, partner, group_control_number)
);
CREATE INDEX edi_groups_by_key ON edi_groups (tenant, delivery_key);
CREATE INDEX edi_groups_waiting ON edi_groups (deadline_at) WHERE status = 'sent';
CREATE INDEX edi_groups_by_status ON edi_groups (tenant, status, id);

CREATE TABLE edi_receipts (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  partner text NOT NULL,
  first_message_id bigint NOT NULL,
  first_seen_at bigint NOT NULL,
  last_message_id bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  count integer NOT NULL DEFAULT 1,
  UNIQUE (tenant, kind, key)
);
CREATE INDEX edi_receipts_duplicates ON edi_receipts (tenant, id) WHERE count > 1;

CREATE TABLE alerts (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  message text NOT NULL,
  dedupe_key text NOT NULL,
  detail jsonb,
  created_at bigint NOT NULL,
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
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  at bigint NOT NULL,
  facility text,
  trigger text NOT NULL,
  started_at bigint NOT NULL,
  finished_at bigint NOT NULL,
  counts jsonb NOT NULL,
  accuracy jsonb NOT NULL,
  snapshots jsonb NOT NULL
);
CREATE INDEX inventory_runs_by_tenant ON inventory_runs (tenant, id);

CREATE TABLE inventory_results (
  run_id bigint NOT NULL REFERENCES inventory_runs(id),
  position integer NOT NULL,
  tenant text NOT NULL,
  facility text NOT NULL,
  sku text NOT NULL,
  lot text NOT NULL,
  uom text NOT NULL,
  status text NOT NULL,
  difference text NOT NULL,
  corrected_difference text NOT NULL,
  detail jsonb NOT NULL,
  PRIMARY KEY (run_id, position)
);

CREATE TABLE inventory_decisions (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  run_id bigint NOT NULL REFERENCES inventory_runs(id),
  position integer NOT NULL,
  facility text NOT NULL,
  sku text NOT NULL,
  lot text NOT NULL,
  uom text NOT NULL,
  quantity text NOT NULL,
  action text NOT NULL,
  decided_by text NOT NULL,
  decided_at bigint NOT NULL,
  note text,
  UNIQUE (tenant, run_id, position)
);
CREATE INDEX inventory_decisions_by_tenant ON inventory_decisions (tenant, id);

CREATE TABLE inventory_availability (
  tenant text NOT NULL,
  facility text NOT NULL,
  sku text NOT NULL,
  available text NOT NULL,
  published_at bigint NOT NULL,
  PRIMARY KEY (tenant, facility, sku)
);
`,
  },
  {
    version: 9,
    name: 'console: audit log, corrections, resolved dead letters, alert states, search indexes',
    sql: `
ALTER TABLE api_keys ADD COLUMN role text NOT NULL DEFAULT 'operator';

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  detail jsonb,
  at bigint NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant, id);

CREATE TABLE message_edits (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  message_id bigint NOT NULL REFERENCES messages(id),
  generation bigint NOT NULL,
  body_before bytea NOT NULL,
  codec_before text NOT NULL,
  content_type_before text,
  edited_by text NOT NULL,
  edited_at bigint NOT NULL,
  note text NOT NULL
);
CREATE INDEX message_edits_by_message ON message_edits (tenant, message_id);

CREATE TABLE dead_letter_resolutions (
  dead_letter_id bigint PRIMARY KEY REFERENCES dead_letters(id),
  tenant text NOT NULL,
  resolved_by text NOT NULL,
  resolved_at bigint NOT NULL
);

ALTER TABLE alerts ADD COLUMN acknowledged_at bigint;
ALTER TABLE alerts ADD COLUMN acknowledged_by text;
ALTER TABLE alerts ADD COLUMN resolved_at bigint;
ALTER TABLE alerts ADD COLUMN notified_at bigint;
ALTER TABLE alerts ADD COLUMN resolved_notified_at bigint;
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
  decision JSONB NOT NULL,
  decided_at BIGINT NOT NULL,
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
  tenant text NOT NULL,
  entity_key text NOT NULL,
  kind text NOT NULL,
  reference text NOT NULL,
  version integer NOT NULL,
  status text NOT NULL,
  facility text,
  due_at bigint,
  updated_at bigint NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (tenant, entity_key)
);
CREATE INDEX ledgers_due ON ledgers (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE rule_verdicts (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  entity_key text,
  document_id text NOT NULL,
  document_type text NOT NULL,
  message_id bigint NOT NULL,
  verdict text NOT NULL,
  rule text NOT NULL,
  reason text NOT NULL,
  path text,
  detail jsonb,
  created_at bigint NOT NULL
);
CREATE INDEX rule_verdicts_by_entity ON rule_verdicts (tenant, entity_key, id);
CREATE INDEX rule_verdicts_by_message ON rule_verdicts (tenant, message_id, id);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'dead', 'superseded'));
ALTER TABLE deliveries ADD COLUMN superseded_at bigint;
CREATE INDEX deliveries_superseded ON deliveries (superseded_at) WHERE superseded_at IS NOT NULL;
CREATE INDEX deliveries_by_document ON deliveries (tenant, document_id);
`,
  },
  {
    version: 15,
    name: 'signed requests seen, for replay protection',
    sql: `
CREATE TABLE signed_requests (
  tenant text NOT NULL,
  endpoint text NOT NULL,
  webhook_id text NOT NULL,
  fingerprint text NOT NULL,
  seen_at bigint NOT NULL,
  PRIMARY KEY (tenant, endpoint, webhook_id, fingerprint)
);
CREATE INDEX signed_requests_age ON signed_requests (tenant, endpoint, seen_at);
`,
  },
  {
    version: 16,
    name: 'large raw messages in chunks, read and committed part by part',
    sql: `
ALTER TABLE messages ADD COLUMN raw_upload text;
ALTER TABLE messages ADD COLUMN body_bytes bigint;
ALTER TABLE messages ADD COLUMN progress integer NOT NULL DEFAULT 0;
CREATE INDEX messages_by_upload ON messages (raw_upload) WHERE raw_upload IS NOT NULL;
CREATE TABLE message_chunks (
  upload text NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  staged_at bigint NOT NULL,
  PRIMARY KEY (upload, seq)
);
`,
  },
  {
    version: 17,
    name: 'console sessions kept in the store (by the hash of their id), closed trend hours summed once, routing decisions by time, when orders become stuck, the error patterns of dead letters',
    sql: `
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY,
  csrf text NOT NULL,
  key_name text NOT NULL,
  scopes text NOT NULL,
  grant_label text NOT NULL,
  key_tenant text NOT NULL,
  tenant text NOT NULL,
  flash text,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
CREATE INDEX routing_decisions_by_time ON routing_decisions (tenant, decided_at, order_key);
ALTER TABLE dead_letters ADD COLUMN error_pattern text;
ALTER TABLE ledgers ADD COLUMN stuck_at bigint;
CREATE INDEX ledgers_stuck ON ledgers (tenant, stuck_at) WHERE stuck_at IS NOT NULL;
-- Live orders written before their stuck time was kept: due at once, so the rules' sweep writes them again with it.
UPDATE ledgers SET due_at = 0 WHERE kind = 'order' AND status IN ('open', 'partially_shipped', 'held');
CREATE TABLE console_trend_hours (
  tenant text NOT NULL,
  hour_at bigint NOT NULL,
  delivered bigint NOT NULL,
  sync_ms_total bigint NOT NULL,
  attempts bigint NOT NULL,
  failed_attempts bigint NOT NULL,
  messages bigint NOT NULL,
  quarantined bigint NOT NULL,
  computed_at bigint NOT NULL,
  PRIMARY KEY (tenant, hour_at)
);
`,
  },
  {
    version: 24,
    name: 'retention: what was pruned from a message, and where it was archived',
    sql: `
ALTER TABLE messages ADD COLUMN raw_pruned_at bigint;
ALTER TABLE messages ADD COLUMN documents_pruned_at bigint;
ALTER TABLE messages ADD COLUMN archived_to text;
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
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant text NOT NULL,
  event_key text NOT NULL,
  kind text NOT NULL,
  quantity text NOT NULL,
  facility text NOT NULL,
  occurred_at bigint NOT NULL,
  document_id text NOT NULL,
  message_id bigint NOT NULL,
  recorded_at bigint NOT NULL,
  invoice_period text,
  UNIQUE (tenant, event_key, kind)
);
CREATE INDEX billing_usage_unbilled ON billing_usage (tenant, occurred_at) WHERE invoice_period IS NULL;
CREATE INDEX billing_usage_by_period ON billing_usage (tenant, invoice_period, kind, id);
CREATE TABLE billing_cursors (
  tenant text PRIMARY KEY,
  document_seq bigint NOT NULL,
  verdict_id bigint NOT NULL,
  storage_day text,
  updated_at bigint NOT NULL
);
CREATE TABLE billing_periods (
  tenant text NOT NULL,
  period text NOT NULL,
  currency text NOT NULL,
  total text NOT NULL,
  closed_at bigint NOT NULL,
  usage_before bigint NOT NULL,
  PRIMARY KEY (tenant, period)
);
CREATE TABLE billing_invoice_lines (
  tenant text NOT NULL,
  period text NOT NULL,
  line integer NOT NULL,
  kind text NOT NULL,
  tier integer NOT NULL,
  quantity text NOT NULL,
  unit_price text NOT NULL,
  amount text NOT NULL,
  PRIMARY KEY (tenant, period, line)
);
CREATE INDEX documents_billable ON documents (tenant, type, seq);
CREATE INDEX rule_verdicts_applied ON rule_verdicts (tenant, id) WHERE verdict = 'apply';
`,
  },
  {
    version: 26,
    name: 'messages, documents, deliveries and attempts partitioned by month of the message\'s received_at; idempotency keys in a table of their own',
    sql: `
-- Attempts carry their delivery's received_at: all four tables share one partition key, so a
-- month's message and everything it produced live in partitions of the same month.
ALTER TABLE attempts ADD COLUMN received_at bigint;
UPDATE attempts a SET received_at = x.received_at FROM deliveries x WHERE x.id = a.delivery_id;
UPDATE attempts SET received_at = finished_at WHERE received_at IS NULL;
ALTER TABLE attempts ALTER COLUMN received_at SET NOT NULL;

-- A unique key of a partitioned table must hold the partition key, which would let a message sent
-- again a month later in as new. Its idempotency key is therefore unique here, across months.
CREATE TABLE message_keys (
  tenant text NOT NULL,
  endpoint text NOT NULL,
  idempotency_key text NOT NULL,
  message_id bigint NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (tenant, endpoint, idempotency_key)
);
INSERT INTO message_keys (tenant, endpoint, idempotency_key, message_id, received_at)
  SELECT tenant, endpoint, idempotency_key, id, received_at FROM messages;

/* The partition of one UTC month of a table, made (and filled from the default partition) when missing. */
CREATE FUNCTION causeway_month_partition(parent text, month timestamp) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  first timestamp := date_trunc('month', month);
  name text := parent || '_' || to_char(first, 'YYYY_MM');
  lo bigint := (extract(epoch FROM first) * 1000)::bigint;
  hi bigint := (extract(epoch FROM first + interval '1 month') * 1000)::bigint;
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN name; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name, parent);
  -- Rows that arrived before their month's partition existed wait in the default one.
  EXECUTE format('WITH moved AS (DELETE FROM %I WHERE received_at >= %s AND received_at < %s RETURNING *) INSERT INTO %I SELECT * FROM moved',
    parent || '_default', lo, hi, name);
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', parent, name, lo, hi);
  RETURN name;
END
$fn$;

DO $do$
DECLARE
  t text;
  m timestamp;
  ix record;
BEGIN
  -- The indexes to build again on the partitioned tables, as they are now (constraints apart).
  CREATE TEMP TABLE partitioned_indexes ON COMMIT DROP AS
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename IN ('messages', 'documents', 'deliveries', 'attempts')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname)));
  FOREACH t IN ARRAY ARRAY['messages', 'documents', 'deliveries', 'attempts'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY) PARTITION BY RANGE (received_at)', t, t || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
  END LOOP;
  FOR m IN
    SELECT date_trunc('month', to_timestamp(received_at / 1000.0) AT TIME ZONE 'UTC') FROM messages_unpartitioned
    UNION SELECT date_trunc('month', to_timestamp(received_at / 1000.0) AT TIME ZONE 'UTC') FROM documents_unpartitioned
    UNION SELECT date_trunc('month', to_timestamp(received_at / 1000.0) AT TIME ZONE 'UTC') FROM deliveries_unpartitioned
    UNION SELECT date_trunc('month', to_timestamp(received_at / 1000.0) AT TIME ZONE 'UTC') FROM attempts_unpartitioned
    UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + n * interval '1 month' FROM generate_series(0, 2) n
  LOOP
    FOREACH t IN ARRAY ARRAY['messages', 'documents', 'deliveries', 'attempts'] LOOP
      PERFORM causeway_month_partition(t, m);
    END LOOP;
  END LOOP;
  FOREACH t IN ARRAY ARRAY['messages', 'documents', 'deliveries', 'attempts'] LOOP
    EXECUTE format('INSERT INTO %I OVERRIDING SYSTEM VALUE SELECT * FROM %I', t, t || '_unpartitioned');
  END LOOP;
  -- Foreign keys into messages and deliveries go with the old tables: a key into a partitioned
  -- table would have to name the month too (see docs/operations.md).
  DROP TABLE attempts_unpartitioned, deliveries_unpartitioned, documents_unpartitioned, messages_unpartitioned CASCADE;
  FOREACH t IN ARRAY ARRAY['messages', 'deliveries', 'attempts'] LOOP
    EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', pg_get_serial_sequence(t, 'id'), t || '_id_seq');
    EXECUTE format('SELECT setval(%L, COALESCE((SELECT MAX(id) FROM %I), 0) + 1, false)', t || '_id_seq', t);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, received_at)', t);
  END LOOP;
  EXECUTE format('ALTER SEQUENCE %s RENAME TO documents_seq_seq', pg_get_serial_sequence('documents', 'seq'));
  PERFORM setval('documents_seq_seq', COALESCE((SELECT MAX(seq) FROM documents), 0) + 1, false);
  ALTER TABLE documents ADD PRIMARY KEY (id, received_at);
  FOR ix IN SELECT indexdef FROM partitioned_indexes LOOP
    EXECUTE ix.indexdef;
  END LOOP;
END
$do$;

/* A message row removed forgets its idempotency key with it (a dropped partition's keys are removed by whoever drops it). */
CREATE FUNCTION causeway_forget_message_key() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM message_keys WHERE tenant = OLD.tenant AND endpoint = OLD.endpoint AND idempotency_key = OLD.idempotency_key AND message_id = OLD.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER messages_forget_key AFTER DELETE ON messages FOR EACH ROW EXECUTE FUNCTION causeway_forget_message_key();
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
