-- Storage per decision (issue 15): lz4 on every partition of the event log. Migration 050 set it
-- on `events`, which new partitions inherit, but partitions that existed then kept the server
-- default (pglz on PostgreSQL 15): `events_default` above all, where events land that no dated
-- partition covers. It applies to values of rows over ~2 KB (TOAST_TUPLE_THRESHOLD): large
-- contexts. The other JSONB columns that can grow past it get it too. Skipped where the server
-- has no lz4 (PGlite: "compression method lz4 not supported"), which keeps pglz.
DO $$
DECLARE
  p regclass;
BEGIN
  FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'events'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN data SET COMPRESSION lz4, ALTER COLUMN metadata SET COMPRESSION lz4', p);
  END LOOP;
  ALTER TABLE decision_contexts ALTER COLUMN context SET COMPRESSION lz4;
  ALTER TABLE event_segments ALTER COLUMN manifest SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END
$$;
