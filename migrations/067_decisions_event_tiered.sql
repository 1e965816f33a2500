-- Cold tiering (issue 15): a decision whose `DecisionMade` event was moved to cold storage
-- (`apprentice tier`) keeps its projection row, but the view can no longer read its features
-- and context from the event. `event_tiered` says so, so a read by decision id can tell the
-- reader instead of answering with the payload silently missing. Appended at the end of both
-- views (CREATE OR REPLACE keeps every existing column as it is).
CREATE OR REPLACE VIEW decisions AS
  SELECT d.decision_id, d.agent, d.unit_id, d.value, d.deterministic, d.source, d.reason, d.model_version,
         d.variant, d.propensity, d.latency_ms, e.data->'features' AS features,
         COALESCE(c.context, e.data->'context') AS context, d.subject_id, d.context_hash, d.decided_at,
         d.action_propensity, (d.event_id IS NOT NULL AND e.id IS NULL) AS event_tiered
  FROM decision_rows d
  LEFT JOIN events e ON e.id = d.event_id
  LEFT JOIN decision_contexts c ON c.decision_id = d.decision_id;

CREATE OR REPLACE VIEW decisions_with_outcomes AS
  SELECT d.decision_id, d.agent, d.unit_id, d.value, d.deterministic, d.source, d.reason, d.model_version,
         d.variant, d.propensity, d.latency_ms, d.features, d.context, d.subject_id, d.context_hash, d.decided_at,
         d.action_propensity,
         o.label AS outcome_label, o.value AS outcome_value, o.reward AS outcome_reward,
         o.kind AS outcome_kind, o.rating AS outcome_rating, o.recorded_at AS outcome_at,
         d.event_tiered
  FROM decisions d LEFT JOIN outcomes o USING (decision_id);
