import { EventType, type NewEvent, uuidv7 } from '../../core/index.js';
import type { DelayCheck } from '../analysis/label-delay.js';
import type { OpeGateResult } from '../analysis/ope-gate.js';
import type { ExperimentRecord } from './rollout-log.js';
import { rolloutStream } from './rollout-events.js';
import type { Verdict } from './rollout-policy.js';

/**
 * The two evidence gates of issue 12 around the step statistics: the off-policy evaluation gate
 * before the first step (the OPE gate itself is `evaluateOpeGate`) and the label-delay wait
 * before a step is judged. Pure helpers of the rollout controller.
 */

/** Payload of `OutcomeDelayChecked` (stream `rollout-<agent>`): the step and its completeness. */
export interface OutcomeDelayCheckedData extends DelayCheck {
  readonly agent: string;
  readonly experimentId: string;
  readonly percentage: number;
}

export function outcomeDelayEvent(x: ExperimentRecord, check: DelayCheck, now: number): NewEvent<typeof EventType.OutcomeDelayChecked, OutcomeDelayCheckedData> {
  return {
    id: uuidv7(now),
    type: EventType.OutcomeDelayChecked,
    stream: rolloutStream(x.agent),
    data: { agent: x.agent, experimentId: x.id, percentage: x.percentage, ...check },
    metadata: { actor: 'controller', reason: check.reason },
    time: new Date(now).toISOString(),
  };
}

/**
 * A step's verdict while its late outcomes are not in: the outcome statistics are not judged at
 * all (neither an advance nor a loss: both would be biased towards the arm whose outcomes come
 * fastest), while `safety` — the verdict on the guardrails alone, which do not wait for outcomes
 * (latency, fallback rate, breaker) — still rolls back.
 */
export function waitingVerdict(safety: Verdict, check: DelayCheck): Verdict {
  if (safety.action === 'rollback') return safety;
  return { action: 'hold', reasons: [check.reason] };
}

/** The part of an OPE result kept in a `RolloutStepChanged` event's evidence. */
export const opeEvidence = (o: OpeGateResult): Record<string, unknown> => ({
  pass: o.pass,
  n: o.n,
  estimate: o.dr.estimate,
  lower: o.interval.lower,
  upper: o.interval.upper,
  servedValue: o.servedValue,
  margin: o.margin,
  effectiveSampleSize: o.effectiveSampleSize,
});

/** Key of an OPE result: a gate evaluation is audited again only when its evidence changed. */
export const opeKey = (since: string, o: OpeGateResult): string => `${since} ${o.n} ${o.pass} ${o.dr.estimate} ${o.interval.lower}`;
