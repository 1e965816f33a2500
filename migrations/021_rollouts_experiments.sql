-- Rollout state per agent and one experiment per rollout step (projections of
-- RolloutStepChanged events; rebuildable by replay). Exposures and outcomes are not
-- copied: `experiment_exposures` joins the decisions of an experiment's time window.
CREATE TABLE IF NOT EXISTS rollouts (
  agent       TEXT PRIMARY KEY,
  phase       TEXT NOT NULL,
  percentage  INTEGER NOT NULL,
  state       JSONB NOT NULL,
  version     INTEGER NOT NULL,
  event_id    UUID NOT NULL,
  updated_by  TEXT,
  reason      TEXT,
  updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS experiments (
  id          TEXT PRIMARY KEY,
  agent       TEXT NOT NULL,
  percentage  INTEGER NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL,
  ended_at    TIMESTAMPTZ,
  end_phase   TEXT,
  end_reason  TEXT
);
CREATE INDEX IF NOT EXISTS experiments_agent ON experiments (agent, started_at);

CREATE OR REPLACE VIEW experiment_exposures AS
  SELECT e.id AS experiment_id, d.decision_id, d.agent, d.unit_id, d.variant, d.source, d.reason,
         d.propensity, d.latency_ms, d.value, d.deterministic, d.decided_at,
         o.label AS outcome_label, o.value AS outcome_value, o.reward AS outcome_reward, o.recorded_at AS outcome_at
  FROM experiments e
  JOIN decisions d ON d.agent = e.agent AND d.decided_at >= e.started_at
                  AND (e.ended_at IS NULL OR d.decided_at < e.ended_at)
  LEFT JOIN outcomes o ON o.decision_id = d.decision_id;
