import { EventType } from '../../core/index.js';
import type { Projection } from '../../log/index.js';
import type { ShadowResultData } from './shadow-result.js';

/** `shadow_results`: one row per shadowed decision (migration 012); join `outcomes` for quality. */
export const shadowResultsProjection: Projection = {
  name: 'shadow-results',
  tables: ['shadow_results'],
  handles: [EventType.ShadowPredicted],
  async apply(tx, events) {
    const rows = events
      .filter((e) => e.type === EventType.ShadowPredicted)
      .map((e) => {
        const d = e.data as ShadowResultData;
        return {
          decision_id: d.decisionId,
          agent: d.agent,
          unit_id: d.unitId,
          model_version: d.modelVersion,
          rules_value: d.rulesValue ?? null,
          model_value: d.modelValue ?? null,
          agree: d.agree,
          latency_ms: d.latencyMs,
          error: d.error ?? null,
          predicted_at: e.time,
        };
      });
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO shadow_results (decision_id, agent, unit_id, model_version, rules_value, model_value, agree, latency_ms, error, predicted_at)
       SELECT decision_id, agent, unit_id, model_version, rules_value, model_value, agree, latency_ms, error, predicted_at
       FROM json_to_recordset($1::json) AS r(decision_id uuid, agent text, unit_id text, model_version int, rules_value jsonb,
         model_value jsonb, agree boolean, latency_ms float8, error text, predicted_at timestamptz)
       ON CONFLICT (decision_id, model_version) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  },
};
