-- Current agent definitions (projection of AgentDefined events; rebuildable by replay).
CREATE TABLE IF NOT EXISTS agents (
  name        TEXT PRIMARY KEY,
  version     INTEGER NOT NULL,
  definition  JSONB NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL
);
