-- Checkpoints of the in-memory consumers that follow the log (the training loop, the quality
-- feeds, the shadow statistics): the cursor each processed up to and its state, so a restart
-- resumes there instead of reading the log from its start (issue 15). Not an event table: one
-- row per consumer, overwritten as it advances; losing a row costs one rescan, nothing else.
CREATE TABLE IF NOT EXISTS consumer_checkpoints (
  name            TEXT PRIMARY KEY,
  transaction_id  XID8        NOT NULL,
  position        BIGINT      NOT NULL,
  state           TEXT        NOT NULL,
  saved_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
