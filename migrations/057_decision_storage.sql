-- Storage per decision (issue 15): a decision's features and context are stored once, in its
-- `DecisionMade` event. The projection keeps the columns it is queried by and a pointer to the
-- event (`event_id`, the events primary key); `decisions` becomes a view with the same columns
-- as before, reading `features` and `context` from the event, so every reader is unchanged.
-- A context re-encrypted under a new master key (`apprentice security rotate --reencrypt`)
-- cannot be written into the append-only event: it goes to `decision_contexts`, which the view
-- prefers. Writes through the view (retention's DELETE, re-encryption's UPDATE of `context`)
-- are redirected by INSTEAD OF triggers.
DROP VIEW IF EXISTS experiment_exposures;
DROP VIEW IF EXISTS decisions_with_outcomes;

ALTER TABLE decisions RENAME TO decision_rows;
ALTER INDEX IF EXISTS decisions_pkey RENAME TO decision_rows_pkey;
ALTER INDEX IF EXISTS decisions_agent_time RENAME TO decision_rows_agent_time;
ALTER TABLE decision_rows ADD COLUMN event_id UUID;

CREATE TABLE IF NOT EXISTS decision_contexts (
  decision_id  UUID PRIMARY KEY,
  context      JSONB
);

-- Existing rows: point at their event; keep a context that differs from the event's (re-encrypted).
UPDATE decision_rows d SET event_id = e.id
  FROM events e WHERE e.type = 'DecisionMade' AND (e.data->>'decisionId')::uuid = d.decision_id;
INSERT INTO decision_contexts (decision_id, context)
  SELECT d.decision_id, d.context FROM decision_rows d LEFT JOIN events e ON e.id = d.event_id
  WHERE d.event_id IS NULL OR d.context IS DISTINCT FROM e.data->'context'
  ON CONFLICT (decision_id) DO NOTHING;
ALTER TABLE decision_rows DROP COLUMN features;
ALTER TABLE decision_rows DROP COLUMN context;

-- Equality lookups only (the cached reader's getDecision(context)): a hash index stores a
-- 4-byte hash code per row instead of the 64-character hex text.
DROP INDEX IF EXISTS decisions_context;
CREATE INDEX IF NOT EXISTS decision_rows_context ON decision_rows USING hash (context_hash);

CREATE VIEW decisions AS
  SELECT d.decision_id, d.agent, d.unit_id, d.value, d.deterministic, d.source, d.reason, d.model_version,
         d.variant, d.propensity, d.latency_ms, e.data->'features' AS features,
         COALESCE(c.context, e.data->'context') AS context, d.subject_id, d.context_hash, d.decided_at,
         d.action_propensity
  FROM decision_rows d
  LEFT JOIN events e ON e.id = d.event_id
  LEFT JOIN decision_contexts c ON c.decision_id = d.decision_id;

CREATE OR REPLACE FUNCTION apprentice_decisions_write() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM decision_contexts WHERE decision_id = OLD.decision_id;
    DELETE FROM decision_rows WHERE decision_id = OLD.decision_id;
    RETURN OLD;
  END IF;
  IF NEW.decision_id IS DISTINCT FROM OLD.decision_id OR NEW.features IS DISTINCT FROM OLD.features THEN
    RAISE EXCEPTION 'decisions: only context can be updated' USING ERRCODE = 'feature_not_supported';
  END IF;
  INSERT INTO decision_contexts (decision_id, context) VALUES (NEW.decision_id, NEW.context)
    ON CONFLICT (decision_id) DO UPDATE SET context = EXCLUDED.context;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_write INSTEAD OF UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION apprentice_decisions_write();

CREATE VIEW decisions_with_outcomes AS
  SELECT d.*, o.label AS outcome_label, o.value AS outcome_value, o.reward AS outcome_reward,
         o.kind AS outcome_kind, o.rating AS outcome_rating, o.recorded_at AS outcome_at
  FROM decisions d LEFT JOIN outcomes o USING (decision_id);

-- Exposures need no payload: straight from the narrow table.
CREATE VIEW experiment_exposures AS
  SELECT e.id AS experiment_id, d.decision_id, d.agent, d.unit_id, d.variant, d.source, d.reason,
         d.propensity, d.latency_ms, d.value, d.deterministic, d.decided_at,
         o.label AS outcome_label, o.value AS outcome_value, o.reward AS outcome_reward, o.recorded_at AS outcome_at
  FROM experiments e
  JOIN decision_rows d ON d.agent = e.agent AND d.decided_at >= e.started_at
                      AND (e.ended_at IS NULL OR d.decided_at < e.ended_at)
  LEFT JOIN outcomes o ON o.decision_id = d.decision_id;

-- Shadow results are read through the statistics that follow the log, not by agent and time.
DROP INDEX IF EXISTS shadow_results_agent_time;
