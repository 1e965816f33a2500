-- Cold tiering (issue 15): monthly partitions of `events` older than N days move to compressed
-- NDJSON segments in the artifact store (`apprentice tier`, src/runtime/tiering.ts). This is
-- the catalogue of those segments: not an event table and not a projection (`replay` reads
-- it to find the cold events, it never truncates it). A row is 'written' once the segment's
-- chunks and manifest are in the artifact store and verified, and 'tiered' once the partition
-- is dropped, in the same transaction as the drop.
CREATE TABLE IF NOT EXISTS event_segments (
  partition      TEXT        PRIMARY KEY,
  from_id        UUID        NOT NULL,
  to_id          UUID        NOT NULL,
  state          TEXT        NOT NULL CHECK (state IN ('written', 'tiered')),
  manifest_key   TEXT        NOT NULL,
  manifest       JSONB       NOT NULL,
  rows           BIGINT      NOT NULL,
  first_tx       XID8,
  first_pos      BIGINT,
  written_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  tiered_at      TIMESTAMPTZ
);
