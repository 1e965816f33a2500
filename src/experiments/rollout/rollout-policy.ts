import { assertNever } from '../../core/index.js';
import type { ExperimentAnalysis } from '../analysis/analyze-experiment.js';
import { RolloutPhase, type RolloutState } from './rollout-state.js';

/** Shadow quality of an agent's model against its rules, read from the shadow module. */
export interface ShadowEvidence {
  /** Outcomes both were scored on. */
  readonly n: number;
  readonly modelQuality: number;
  readonly rulesQuality: number;
  /** Accuracy: true; MAE: false. */
  readonly higherIsBetter: boolean;
}

export type BreakerStatus = 'closed' | 'open' | 'half-open';

/** Guardrail readings of an agent's model arm; absent readings are not checked. */
export interface GuardrailReport {
  readonly p95LatencyMs?: number | undefined;
  /** Share of `ml`-arm decisions served by the rules instead (breaker, timeout, error). */
  readonly fallbackRate?: number | undefined;
  readonly breaker?: BreakerStatus | undefined;
}

export interface RolloutPolicy {
  /** Shadow outcomes needed before 5%. Default 200. */
  readonly minShadowOutcomes: number;
  /** Outcomes per arm needed before a step may advance. Default 100. */
  readonly minSamplePerArm: number;
  /** Time a step must run before it may advance. Default 10 minutes. */
  readonly minStepDurationMs: number;
  /** Guardrail: highest acceptable p95 latency of the model arm. Default 100 ms. */
  readonly maxP95LatencyMs: number;
  /** Guardrail: highest acceptable fallback rate of the model arm. Default 0.05. */
  readonly maxFallbackRate: number;
}

export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = {
  minShadowOutcomes: 200,
  minSamplePerArm: 100,
  minStepDurationMs: 10 * 60_000,
  maxP95LatencyMs: 100,
  maxFallbackRate: 0.05,
};

/** What the controller should do next, and why. */
export interface Verdict {
  readonly action: 'advance' | 'hold' | 'rollback';
  readonly reasons: readonly string[];
}

export interface StepEvidence {
  readonly shadow?: ShadowEvidence | undefined;
  readonly analysis?: ExperimentAnalysis | undefined;
  readonly guardrails?: GuardrailReport | undefined;
  /** Milliseconds the current state has lasted. */
  readonly elapsedMs: number;
}

const hold = (...reasons: string[]): Verdict => ({ action: 'hold', reasons });

export function guardrailBreaches(g: GuardrailReport | undefined, policy: RolloutPolicy): string[] {
  if (!g) return [];
  const out: string[] = [];
  if (g.breaker === 'open') out.push('breaker open');
  if (g.p95LatencyMs !== undefined && g.p95LatencyMs > policy.maxP95LatencyMs)
    out.push(`p95 latency ${g.p95LatencyMs.toFixed(1)} ms > ${policy.maxP95LatencyMs} ms`);
  if (g.fallbackRate !== undefined && g.fallbackRate > policy.maxFallbackRate)
    out.push(`fallback rate ${(g.fallbackRate * 100).toFixed(1)}% > ${(policy.maxFallbackRate * 100).toFixed(1)}%`);
  return out;
}

function shadowVerdict(s: ShadowEvidence | undefined, policy: RolloutPolicy): Verdict {
  if (!s) return hold('no shadow evidence');
  if (s.n < policy.minShadowOutcomes) return hold(`shadow outcomes ${s.n} < ${policy.minShadowOutcomes}`);
  const asGood = s.higherIsBetter ? s.modelQuality >= s.rulesQuality : s.modelQuality <= s.rulesQuality;
  if (!asGood) return hold(`model quality ${s.modelQuality.toPrecision(4)} worse than rules ${s.rulesQuality.toPrecision(4)} in shadow`);
  return { action: 'advance', reasons: [`shadow: model ${s.modelQuality.toPrecision(4)} vs rules ${s.rulesQuality.toPrecision(4)} on ${s.n} outcomes`] };
}

/** Safety checks that apply whenever the model serves traffic, paused or not. */
function safetyVerdict(e: StepEvidence, policy: RolloutPolicy): Verdict | undefined {
  const breaches = guardrailBreaches(e.guardrails, policy);
  if (breaches.length > 0) return { action: 'rollback', reasons: breaches.map((b) => `guardrail: ${b}`) };
  const a = e.analysis;
  if (a?.inferior)
    return { action: 'rollback', reasons: [`significant loss: effect ${a.effect.toPrecision(3)}, CI [${a.ci[0].toPrecision(3)}, ${a.ci[1].toPrecision(3)}], p ${a.pValue.toPrecision(3)}`] };
  return undefined;
}

function stepVerdict(percentage: number, e: StepEvidence, policy: RolloutPolicy): Verdict {
  const unsafe = safetyVerdict(e, policy);
  if (unsafe) return unsafe;
  if (e.elapsedMs < policy.minStepDurationMs) return hold(`step running ${Math.round(e.elapsedMs / 1000)} s < ${Math.round(policy.minStepDurationMs / 1000)} s`);
  // At 100% there is no rules arm left to compare with: time and guardrails decide.
  if (percentage >= 100) return { action: 'advance', reasons: ['100% for the minimum duration with healthy guardrails'] };
  const a = e.analysis;
  if (!a) return hold('no experiment data');
  const n = Math.min(a.arms.deterministic.outcomes, a.arms.ml.outcomes);
  if (n < policy.minSamplePerArm) return hold(`outcomes per arm ${n} < ${policy.minSamplePerArm}`);
  if (a.srm.mismatch) return hold(`sample ratio mismatch (p ${a.srm.pValue.toExponential(2)})`);
  if (!a.nonInferior) return hold(`not yet non-inferior: CI lower ${a.ci[0].toPrecision(3)} ≤ −${a.margin}`);
  return { action: 'advance', reasons: [`${a.superior ? 'superior' : 'non-inferior'}: effect ${a.effect.toPrecision(3)}, CI [${a.ci[0].toPrecision(3)}, ${a.ci[1].toPrecision(3)}]`] };
}

/**
 * The controller's decision for one agent, pure. Shadow advances on shadow evidence; a step
 * rolls back on a guardrail breach or a significant loss, holds until its minimum duration and
 * sample, a healthy SRM and non-inferiority, then advances. Paused rollouts never advance but
 * still roll back when unsafe. Promoted and rolled-back rollouts hold.
 */
export function evaluateRollout(state: RolloutState, evidence: StepEvidence, policy: RolloutPolicy = DEFAULT_ROLLOUT_POLICY): Verdict {
  switch (state.phase) {
    case RolloutPhase.SHADOW:
      return shadowVerdict(evidence.shadow, policy);
    case RolloutPhase.CANARY:
      return stepVerdict(state.percentage, evidence, policy);
    case RolloutPhase.PAUSED:
      return state.paused.phase === RolloutPhase.CANARY ? (safetyVerdict(evidence, policy) ?? hold('paused')) : hold('paused');
    case RolloutPhase.PROMOTED:
      return hold('promoted');
    case RolloutPhase.ROLLED_BACK:
      return hold('rolled back');
    default:
      return assertNever(state, 'rollout state');
  }
}
