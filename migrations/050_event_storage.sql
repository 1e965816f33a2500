-- Storage per decision (issue 15).
-- Per-decision streams (`decision-<id>`) are read through the decisions projection, never as a
-- stream on a hot path: an index entry of ~70 bytes for each of a decision's events bought
-- nothing. The stream index now covers the other streams only (agents, flags, rollouts, ...);
-- `readStream('decision-…')` still works, by the global order.
DROP INDEX IF EXISTS events_stream_order;
CREATE INDEX IF NOT EXISTS events_stream_order_other ON events (stream, position) WHERE stream NOT LIKE 'decision-%';

-- lz4 for the JSON payloads where the server has it (PostgreSQL 14+ built with lz4; PGlite is
-- not, and keeps pglz). Partitions inherit it. Note: PostgreSQL compresses a value only when its
-- row exceeds ~2 KB (TOAST_TUPLE_THRESHOLD, fixed at build time; toast_tuple_target does not
-- lower it), so a decision's few hundred bytes stay uncompressed: this helps large contexts only.
DO $$
BEGIN
  ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
  ALTER TABLE events ALTER COLUMN metadata SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  NULL;
END
$$;
