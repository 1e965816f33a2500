import type { EventStore } from '../../log/index.js';
import type { ExperimentWindow } from './experiment-arms.js';
import { type DelayCheck, type DelayRecord, type StepRecord, checkOutcomeDelay, estimateDelays } from './label-delay.js';

/** Log-scale time buckets: 20 per e-fold, i.e. a bucket spans about 5% of its age. */
const PER_E_FOLD = 20;
const bucketSql = (seconds: string): string => `floor(${PER_E_FOLD} * ln(1 + greatest(0, ${seconds})))::int`;
/** The middle of a bucket, in ms. */
const middleMs = (b: number): number => (Math.exp((b + 0.5) / PER_E_FOLD) - 1) * 1000;

/** An agent's decisions for the delay analysis: its recent history (delay estimation) and the step. */
export interface DelayLog {
  readonly history: readonly DelayRecord[];
  readonly step: readonly StepRecord[];
}

/** Most recent decisions read to estimate the delay distribution (the step itself is always read whole). */
export const DELAY_HISTORY_LIMIT = 50_000;

type BucketRow = { action: string; arm: string; age_b: number; delay_b: number | null; n: number };

const COLUMNS = `CASE WHEN jsonb_typeof(d.value) = 'string' THEN d.value #>> '{}' ELSE '' END AS action, d.variant AS arm,
  ${bucketSql(`extract(epoch FROM $2::timestamptz - d.decided_at)`)} AS age_b,
  CASE WHEN o.recorded_at IS NULL OR o.recorded_at > $2::timestamptz THEN NULL
    ELSE ${bucketSql(`extract(epoch FROM o.recorded_at - d.decided_at)`)} END AS delay_b,
  count(*)::int AS n`;

/**
 * An agent's decisions for the delay analysis, aggregated by served action, arm, age and delay
 * to outcome in log-scale buckets (about 5% wide): a step of a million decisions reads a few
 * hundred rows, and the estimate of a delay distribution needs no finer resolution. The history
 * is the latest `DELAY_HISTORY_LIMIT` decisions in [`historySince`, `now`); the step is read
 * whole. Outcomes recorded after `now` count as not yet in. Served values that are not strings
 * (regression answers) share one pooled action `''`.
 */
export async function readDelayLog(store: EventStore, w: ExperimentWindow, now: number, historySince: string): Promise<DelayLog> {
  const at = new Date(now).toISOString();
  const history = await store.query<BucketRow>(
    `SELECT ${COLUMNS}
     FROM (SELECT decision_id, value, variant, decided_at FROM decisions
           WHERE agent = $1 AND decided_at >= $3::timestamptz AND decided_at < $2::timestamptz
           ORDER BY decided_at DESC LIMIT $4) d
     LEFT JOIN outcomes o USING (decision_id)
     GROUP BY 1, 2, 3, 4`,
    [w.agent, at, historySince, DELAY_HISTORY_LIMIT],
  );
  const step = await store.query<BucketRow>(
    `SELECT ${COLUMNS}
     FROM decisions d LEFT JOIN outcomes o USING (decision_id)
     WHERE d.agent = $1 AND d.decided_at >= $3::timestamptz AND ($4::timestamptz IS NULL OR d.decided_at < $4::timestamptz) AND d.decided_at < $2::timestamptz
     GROUP BY 1, 2, 3, 4`,
    [w.agent, at, w.since, w.until ?? null],
  );
  const record = (r: BucketRow) => {
    const decidedAt = now - middleMs(r.age_b);
    // An outcome is never before its decision nor after now, whatever the rounding of the buckets.
    const outcomeAt = r.delay_b === null ? undefined : Math.min(now, decidedAt + middleMs(r.delay_b));
    return { action: r.action, decidedAt, outcomeAt, weight: r.n };
  };
  return { history: history.map(record), step: step.map((r) => ({ ...record(r), arm: r.arm })) };
}

/**
 * The default outcome-delay check of a step: the agent's delays estimated from its own log of
 * the last `historyMs` (the step included), then how complete each arm's outcomes are expected to
 * be now. Ready at once when nothing is logged.
 */
export async function checkStepOutcomes(store: EventStore, w: ExperimentWindow, now: number, requiredFraction: number, historyMs: number): Promise<DelayCheck> {
  const log = await readDelayLog(store, w, now, new Date(now - historyMs).toISOString());
  return checkOutcomeDelay(log.step, estimateDelays(log.history, now), now, requiredFraction);
}
