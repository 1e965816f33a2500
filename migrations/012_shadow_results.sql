-- Shadow predictions beside the served (rules') answers; projection of ShadowPredicted.
CREATE TABLE IF NOT EXISTS shadow_results (
  decision_id    UUID NOT NULL,
  agent          TEXT NOT NULL,
  unit_id        TEXT NOT NULL,
  model_version  INTEGER NOT NULL,
  rules_value    JSONB,
  model_value    JSONB,
  agree          BOOLEAN NOT NULL,
  latency_ms     DOUBLE PRECISION NOT NULL,
  error          TEXT,
  predicted_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (decision_id, model_version)
);
CREATE INDEX IF NOT EXISTS shadow_results_agent_time ON shadow_results (agent, predicted_at);
