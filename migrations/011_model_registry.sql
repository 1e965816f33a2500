-- Model registry projections (ModelVersionRegistered, ModelAliasMoved); rebuildable by replay.
CREATE TABLE IF NOT EXISTS model_versions (
  agent       TEXT NOT NULL,
  version     INTEGER NOT NULL,
  format      TEXT NOT NULL,
  file        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  size        BIGINT NOT NULL,
  spec_hash   TEXT NOT NULL,
  metrics     JSONB NOT NULL,
  lineage     JSONB NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (agent, version)
);
CREATE TABLE IF NOT EXISTS model_aliases (
  agent     TEXT NOT NULL,
  alias     TEXT NOT NULL,
  version   INTEGER NOT NULL,
  moved_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (agent, alias)
);
CREATE TABLE IF NOT EXISTS model_alias_history (
  event_id      UUID PRIMARY KEY,
  agent         TEXT NOT NULL,
  alias         TEXT NOT NULL,
  from_version  INTEGER,
  to_version    INTEGER NOT NULL,
  rollback      BOOLEAN NOT NULL,
  actor         TEXT NOT NULL,
  reason        TEXT NOT NULL,
  moved_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS model_alias_history_agent ON model_alias_history (agent, alias, moved_at);
