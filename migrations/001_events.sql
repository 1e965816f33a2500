-- The immutable event log. Partitioned by range of the UUIDv7 id, which starts with the
-- event's millisecond timestamp: the partition key is the primary key, so idempotent
-- appends (ON CONFLICT (id) DO NOTHING) work across partitions.
CREATE TABLE IF NOT EXISTS events (
  position       BIGSERIAL   NOT NULL,
  transaction_id XID8        NOT NULL DEFAULT pg_current_xact_id(),
  id             UUID        NOT NULL,
  type           TEXT        NOT NULL,
  stream         TEXT        NOT NULL,
  data           JSONB       NOT NULL,
  metadata       JSONB       NOT NULL DEFAULT '{}'::jsonb,
  time           TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (id)
) PARTITION BY RANGE (id);

CREATE TABLE IF NOT EXISTS events_default PARTITION OF events DEFAULT;

-- Gap-safe global order: (transaction_id, position), read only below the snapshot xmin.
CREATE INDEX IF NOT EXISTS events_global_order ON events (transaction_id, position);
CREATE INDEX IF NOT EXISTS events_stream_order ON events (stream, position);
-- Reads by type are for the audit trail (control events, rare); the high-volume types are
-- read in global order, so they stay out of this index and cost nothing on ingest.
CREATE INDEX IF NOT EXISTS events_type_order ON events (type, transaction_id, position)
  WHERE type NOT IN ('DecisionMade', 'OutcomeRecorded', 'ShadowPredicted');

-- Append-only, enforced by the database. Erasure is crypto-shredding, never DELETE.
CREATE OR REPLACE FUNCTION apprentice_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS events_append_only ON events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION apprentice_events_append_only();
