-- Current flag definitions (projection of FlagChanged events; rebuildable by replay).
-- The latest event per key wins (UUIDv7 ids order by time), as in every instance's cache.
-- A deleted flag keeps its row with a NULL definition.
CREATE TABLE IF NOT EXISTS flags (
  key         TEXT PRIMARY KEY,
  version     INTEGER NOT NULL,
  definition  JSONB,
  event_id    UUID NOT NULL,
  updated_by  TEXT,
  updated_at  TIMESTAMPTZ NOT NULL
);
