import type { EventStore } from '../../log/index.js';
import type { ExperimentWindow } from './experiment-arms.js';
import type { OpeLoggedDecision } from './ope-gate.js';

/**
 * An agent's rewarded decisions in a window, from the decisions projection, for the OPE gate:
 * features, served action, its propensity under the policy that served it (`action_propensity`;
 * NULL = a deterministic policy = 1) and the reward. Reads `decisions` and `outcomes` directly
 * (the `decisions_with_outcomes` view predates `action_propensity`).
 */
export async function readOpeLog(store: EventStore, w: ExperimentWindow, limit = 100_000): Promise<OpeLoggedDecision[]> {
  const rows = await store.query<{ features: Record<string, unknown> | null; served: string | null; propensity: number; reward: number }>(
    `SELECT d.features, d.value #>> '{}' AS served, coalesce(d.action_propensity, 1)::float8 AS propensity, o.reward::float8 AS reward
     FROM decisions d JOIN outcomes o USING (decision_id)
     WHERE d.agent = $1 AND d.decided_at >= $2::timestamptz AND ($3::timestamptz IS NULL OR d.decided_at < $3::timestamptz)
       AND o.reward IS NOT NULL AND jsonb_typeof(d.value) = 'string'
     ORDER BY d.decided_at DESC LIMIT $4`,
    [w.agent, w.since, w.until ?? null, limit],
  );
  return rows.filter((r) => r.served !== null).map((r) => ({ features: r.features ?? {}, served: r.served!, propensity: r.propensity, reward: r.reward }));
}
