-- Storage per decision (issue 15): `shadow_results` was a copy of every `ShadowPredicted` event
-- (185 B a decision, 7% of what a decision cost on disk) that no query read: the shadow
-- statistics follow the log (src/learning/shadow), the panel and the API never select from it.
-- It becomes a view over the event with the same columns, so it stays a projection rebuildable
-- from the log (trivially: it is the log) and costs nothing on ingest. First prediction per
-- (decision, model version) wins, as the table's ON CONFLICT DO NOTHING did. Reading it scans
-- the ShadowPredicted events: fine for an audit query, not for a hot path.
DROP TABLE IF EXISTS shadow_results;

CREATE VIEW shadow_results AS
  SELECT DISTINCT ON ((data->>'decisionId')::uuid, (data->>'modelVersion')::int)
    (data->>'decisionId')::uuid AS decision_id,
    data->>'agent' AS agent,
    data->>'unitId' AS unit_id,
    (data->>'modelVersion')::int AS model_version,
    NULLIF(data->'rulesValue', 'null'::jsonb) AS rules_value,
    NULLIF(data->'modelValue', 'null'::jsonb) AS model_value,
    (data->>'agree')::boolean AS agree,
    (data->>'latencyMs')::float8 AS latency_ms,
    data->>'error' AS error,
    time AS predicted_at
  FROM events
  WHERE type = 'ShadowPredicted'
  ORDER BY (data->>'decisionId')::uuid, (data->>'modelVersion')::int, transaction_id, position;
