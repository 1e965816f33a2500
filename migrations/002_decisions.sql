-- Projections of decisions and their outcomes. Rebuildable from the log (`apprentice replay`).
-- Outcomes have their own table so an outcome projected before its decision is never lost.
CREATE TABLE IF NOT EXISTS decisions (
  decision_id    UUID PRIMARY KEY,
  agent          TEXT NOT NULL,
  unit_id        TEXT NOT NULL,
  value          JSONB,
  deterministic  JSONB,
  source         TEXT NOT NULL,
  reason         TEXT NOT NULL,
  model_version  INTEGER,
  variant        TEXT NOT NULL,
  propensity     DOUBLE PRECISION NOT NULL,
  latency_ms     DOUBLE PRECISION NOT NULL,
  features       JSONB,
  context        JSONB,
  subject_id     TEXT,
  context_hash   TEXT,
  decided_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_agent_time ON decisions (agent, decided_at);
CREATE INDEX IF NOT EXISTS decisions_context ON decisions (context_hash) WHERE context_hash IS NOT NULL;

CREATE TABLE IF NOT EXISTS outcomes (
  decision_id  UUID PRIMARY KEY,
  event_id     UUID NOT NULL,
  agent        TEXT,
  label        TEXT,
  value        DOUBLE PRECISION,
  reward       DOUBLE PRECISION,
  kind         TEXT NOT NULL,
  rating       SMALLINT,
  recorded_at  TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE VIEW decisions_with_outcomes AS
  SELECT d.*, o.label AS outcome_label, o.value AS outcome_value, o.reward AS outcome_reward,
         o.kind AS outcome_kind, o.rating AS outcome_rating, o.recorded_at AS outcome_at
  FROM decisions d LEFT JOIN outcomes o USING (decision_id);
