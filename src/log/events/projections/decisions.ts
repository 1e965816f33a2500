import { EventType } from '../../../core/index.js';
import type { Projection } from '../projection.js';

/**
 * `decisions` and `outcomes`, set-based. Outcomes: the latest event per decision wins
 * (UUIDv7 ids order by time), so a correction replaces an earlier outcome and a
 * re-delivered old one changes nothing.
 */
export const decisionsProjection: Projection = {
  name: 'decisions',
  // `decisions` is a view (migrations/057): the row points at its event for features and context.
  tables: ['decision_rows', 'decision_contexts', 'outcomes'],
  handles: [EventType.DecisionMade, EventType.OutcomeRecorded],
  sql: (src) => [
    `INSERT INTO decision_rows (decision_id, agent, unit_id, value, deterministic, source, reason, model_version,
       variant, propensity, latency_ms, subject_id, context_hash, decided_at, action_propensity, event_id)
     SELECT (data->>'decisionId')::uuid, data->>'agent', data->>'unitId', data->'value', data->'deterministic',
       data->>'source', data->>'reason', (data->>'modelVersion')::int, data->>'variant',
       (data->>'propensity')::float8, (data->>'latencyMs')::float8,
       data->>'subjectId', data->>'contextHash', time, (data->>'actionPropensity')::float8, id
     FROM ${src} WHERE type = '${EventType.DecisionMade}'
     ON CONFLICT (decision_id) DO NOTHING`,
    `INSERT INTO outcomes (decision_id, event_id, agent, label, value, reward, kind, rating, recorded_at)
     SELECT DISTINCT ON ((data->>'decisionId')::uuid) (data->>'decisionId')::uuid, id, data->>'agent',
       data->>'label', (data->>'value')::float8, (data->>'reward')::float8, data->>'kind',
       (data->>'rating')::smallint, time
     FROM ${src} WHERE type = '${EventType.OutcomeRecorded}'
     ORDER BY (data->>'decisionId')::uuid, id DESC
     ON CONFLICT (decision_id) DO UPDATE SET event_id = EXCLUDED.event_id, label = EXCLUDED.label,
       value = EXCLUDED.value, reward = EXCLUDED.reward, kind = EXCLUDED.kind, rating = EXCLUDED.rating,
       recorded_at = EXCLUDED.recorded_at
     WHERE outcomes.event_id < EXCLUDED.event_id`,
  ],
};
