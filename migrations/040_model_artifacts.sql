-- Model artifacts, content-addressed (key = 'sha256/<hex>'): the server-mode artifact store, so
-- every instance on this database can load every registered version. Written once per key,
-- never updated; not an event table (the registry's events reference keys).
CREATE TABLE IF NOT EXISTS model_artifacts (
  key         TEXT PRIMARY KEY,
  sha256      TEXT NOT NULL,
  size        BIGINT NOT NULL,
  bytes       BYTEA NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
