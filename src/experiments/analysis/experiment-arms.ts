import type { EventStore } from '../../log/index.js';
import type { ArmBatch, ArmMoments } from '../stats/index.js';
import type { ArmSummary, ExperimentArms } from './analyze-experiment.js';

/** The window of decisions an experiment covers: one agent, from `since` until `until` (open if absent). */
export interface ExperimentWindow {
  readonly agent: string;
  readonly since: string;
  readonly until?: string | undefined;
}

/**
 * The score of a decision's outcome, higher is better: a reward as is; a label as 1 when the
 * served answer equals it, else 0; a numeric outcome as −|served − actual|.
 */
const SCORE = `CASE
  WHEN outcome_reward IS NOT NULL THEN outcome_reward
  WHEN outcome_label IS NOT NULL THEN CASE WHEN value #>> '{}' = outcome_label THEN 1.0 ELSE 0.0 END
  WHEN outcome_value IS NOT NULL AND jsonb_typeof(value) = 'number' THEN -abs((value #>> '{}')::float8 - outcome_value)
END`;

const EMPTY: ArmSummary = { units: 0, exposures: 0, outcomes: 0, mean: 0, variance: 0 };

/**
 * Exposures and outcome scores per arm, from the decisions projection (the `experiment_exposures`
 * view of migration 021 gives the same rows by experiment id once the experiments projection is
 * registered; this reads by window so it also works before).
 */
export async function readExperimentArms(store: EventStore, w: ExperimentWindow): Promise<ExperimentArms> {
  const rows = await store.query<{ variant: string; units: number; exposures: number; outcomes: number; mean: number; variance: number }>(
    `WITH x AS (
       SELECT variant, unit_id, ${SCORE} AS score FROM decisions_with_outcomes
       WHERE agent = $1 AND decided_at >= $2::timestamptz AND ($3::timestamptz IS NULL OR decided_at < $3::timestamptz))
     SELECT variant, count(DISTINCT unit_id)::int AS units, count(*)::int AS exposures, count(score)::int AS outcomes,
       coalesce(avg(score), 0)::float8 AS mean, coalesce(var_samp(score), 0)::float8 AS variance
     FROM x GROUP BY variant`,
    [w.agent, w.since, w.until ?? null],
  );
  const arm = (v: string): ArmSummary => {
    const r = rows.find((x) => x.variant === v);
    return r ? { units: r.units, exposures: r.exposures, outcomes: r.outcomes, mean: r.mean, variance: r.variance } : EMPTY;
  };
  return { deterministic: arm('deterministic'), ml: arm('ml') };
}

/** Decisions of the `ml` arm needed before its latency and fallback rate are judged. */
export const MIN_GUARDRAIL_DECISIONS = 20;

/** p95 latency and fallback rate of the `ml` arm in a window: the default guardrail readings. */
export async function readMlGuardrails(store: EventStore, w: ExperimentWindow): Promise<{ p95LatencyMs: number | undefined; fallbackRate: number | undefined; decisions: number }> {
  const rows = await store.query<{ n: number; p95: number | null; fallback: number | null }>(
    `SELECT count(*)::int AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p95,
       avg(CASE WHEN source = 'deterministic' THEN 1.0 ELSE 0.0 END)::float8 AS fallback
     FROM decisions WHERE agent = $1 AND variant = 'ml' AND decided_at >= $2::timestamptz
       AND ($3::timestamptz IS NULL OR decided_at < $3::timestamptz)`,
    [w.agent, w.since, w.until ?? null],
  );
  const r = rows[0];
  if (!r || r.n === 0) return { p95LatencyMs: undefined, fallbackRate: undefined, decisions: 0 };
  // A rate over a handful of decisions is noise (1 fallback in 2 is "50%"); a model failing on
  // every call opens its breaker, which is a guardrail of its own and acts at once.
  const enough = r.n >= MIN_GUARDRAIL_DECISIONS;
  return { p95LatencyMs: enough ? (r.p95 ?? undefined) : undefined, fallbackRate: enough ? (r.fallback ?? undefined) : undefined, decisions: r.n };
}

/**
 * The experiment cut into `bucketMs` time buckets (by decision time, aligned to `since`): count,
 * sum and sum of squares of the outcome score per arm — the batches of the change-aware
 * sequential analysis. Buckets without any outcome are left out.
 */
export async function readExperimentBatches(store: EventStore, w: ExperimentWindow, bucketMs: number): Promise<ArmBatch[]> {
  const rows = await store.query<{ bucket: number; variant: string; n: number; sum: number; sumsq: number }>(
    `WITH x AS (
       SELECT variant, floor(extract(epoch FROM decided_at - $2::timestamptz) * 1000 / $4)::int AS bucket, ${SCORE} AS score
       FROM decisions_with_outcomes
       WHERE agent = $1 AND decided_at >= $2::timestamptz AND ($3::timestamptz IS NULL OR decided_at < $3::timestamptz))
     SELECT bucket, variant, count(score)::int AS n, coalesce(sum(score), 0)::float8 AS sum, coalesce(sum(score * score), 0)::float8 AS sumsq
     FROM x WHERE score IS NOT NULL GROUP BY bucket, variant ORDER BY bucket`,
    [w.agent, w.since, w.until ?? null, bucketMs],
  );
  const since = Date.parse(w.since);
  const byBucket = new Map<number, { a: ArmMoments; b: ArmMoments }>();
  const none: ArmMoments = { n: 0, sum: 0, sumSq: 0 };
  for (const r of rows) {
    const m = byBucket.get(r.bucket) ?? { a: none, b: none };
    const moments = { n: r.n, sum: r.sum, sumSq: r.sumsq };
    byBucket.set(r.bucket, r.variant === 'ml' ? { ...m, b: moments } : r.variant === 'deterministic' ? { ...m, a: moments } : m);
  }
  return [...byBucket.entries()].sort(([x], [y]) => x - y).map(([bucket, m]) => ({ start: since + bucket * bucketMs, a: m.a, b: m.b }));
}
