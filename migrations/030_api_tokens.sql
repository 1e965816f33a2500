-- API tokens (src/auth/sql-token-store.ts). Only the SHA-256 of a token is stored; the
-- clear token is shown once when it is created.
CREATE TABLE IF NOT EXISTS api_tokens (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  hash        TEXT NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  created_at  TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ,
  revoked_at  TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS api_tokens_created ON api_tokens (created_at, id);
