import { EventType, type DecisionData, type OutcomeData, type StoredEvent } from '../../core/events.js';
import type { Projection } from '../projection.js';

/**
 * `decisions` and `outcomes` tables. Rows go in as one JSON array per batch
 * (`json_to_recordset`), a single round trip whatever the batch size.
 */
export const decisionsProjection: Projection = {
  name: 'decisions',
  tables: ['decisions', 'outcomes'],
  handles: [EventType.DecisionMade, EventType.OutcomeRecorded],
  async apply(tx, events) {
    const decisions: unknown[] = [];
    const outcomes = new Map<string, unknown>();
    for (const e of events) {
      if (e.type === EventType.DecisionMade) decisions.push(decisionRow(e as StoredEvent<string, DecisionData>));
      else if (e.type === EventType.OutcomeRecorded) {
        const o = e as StoredEvent<string, OutcomeData>;
        // Later outcomes (corrections) win within a batch as they do across batches.
        outcomes.set(o.data.decisionId, outcomeRow(o));
      }
    }
    if (decisions.length > 0) {
      await tx.query(
        `INSERT INTO decisions (decision_id, agent, unit_id, value, deterministic, source, reason, model_version,
           variant, propensity, latency_ms, features, context, subject_id, context_hash, decided_at)
         SELECT decision_id, agent, unit_id, value, deterministic, source, reason, model_version, variant,
           propensity, latency_ms, features, context, subject_id, context_hash, decided_at
         FROM json_to_recordset($1::json) AS r(decision_id uuid, agent text, unit_id text, value jsonb,
           deterministic jsonb, source text, reason text, model_version int, variant text,
           propensity float8, latency_ms float8, features jsonb, context jsonb, subject_id text, context_hash text, decided_at timestamptz)
         ON CONFLICT (decision_id) DO NOTHING`,
        [JSON.stringify(decisions)],
      );
    }
    if (outcomes.size > 0) {
      await tx.query(
        `INSERT INTO outcomes (decision_id, event_id, agent, label, value, reward, kind, rating, recorded_at)
         SELECT decision_id, event_id, agent, label, value, reward, kind, rating, recorded_at
         FROM json_to_recordset($1::json) AS r(decision_id uuid, event_id uuid, agent text, label text,
           value float8, reward float8, kind text, rating smallint, recorded_at timestamptz)
         ON CONFLICT (decision_id) DO UPDATE SET event_id = EXCLUDED.event_id, label = EXCLUDED.label,
           value = EXCLUDED.value, reward = EXCLUDED.reward, kind = EXCLUDED.kind, rating = EXCLUDED.rating,
           recorded_at = EXCLUDED.recorded_at
         WHERE outcomes.event_id < EXCLUDED.event_id`,
        [JSON.stringify([...outcomes.values()])],
      );
    }
  },
};

function decisionRow(e: StoredEvent<string, DecisionData>): Record<string, unknown> {
  const d = e.data;
  return {
    decision_id: d.decisionId,
    agent: d.agent,
    unit_id: d.unitId,
    value: d.value ?? null,
    deterministic: d.deterministic ?? null,
    source: d.source,
    reason: d.reason,
    model_version: d.modelVersion ?? null,
    variant: d.variant,
    propensity: d.propensity,
    latency_ms: d.latencyMs,
    features: d.features ?? null,
    context: d.context ?? null,
    subject_id: d.subjectId ?? null,
    context_hash: d.contextHash ?? null,
    decided_at: e.time,
  };
}

function outcomeRow(e: StoredEvent<string, OutcomeData>): Record<string, unknown> {
  const o = e.data;
  return {
    decision_id: o.decisionId,
    event_id: e.id,
    agent: o.agent ?? null,
    label: o.label ?? null,
    value: o.value ?? null,
    reward: o.reward ?? null,
    kind: o.kind,
    rating: o.rating ?? null,
    recorded_at: e.time,
  };
}
