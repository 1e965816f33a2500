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

/**
 * What a step must show before it advances: `superiority` — the model is better than the rules
 * (interval above 0); `non-inferiority` — the model is not worse by the margin or more
 * (interval above −margin).
 */
export type StepRule = 'superiority' | 'non-inferiority';

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
  /**
   * The rule of each traffic step below 100%, in step order (5, 25, 50). Default
   * `['superiority', 'non-inferiority', 'non-inferiority']`: the model must prove itself
   * better on 5% of traffic, then not worse at scale.
   */
  readonly stepRules: readonly StepRule[];
  /** Time bucket of the sequential analysis (one look per bucket). Default 10 s. */
  readonly bucketMs: number;
  /** Recent window compared with the cumulative evidence (change detection). Default 60 s. */
  readonly lossWindowMs: number;
  /** Level of the one-sided loss test that rolls back, at any step and any time. Default 0.05. */
  readonly lossAlpha: number;
  /** CUSUM threshold (log-likelihood ratio) for a change of the effect. Default 10. */
  readonly changeThreshold: number;
  /**
   * What concept drift of the served model (`DriftDetected` of kind `concept`) does to a rollout
   * that serves it: `rollback` to the rules, or `hold` (pause: no advance, safety still rolls
   * back). Default 'rollback'.
   */
  readonly conceptDrift: 'hold' | 'rollback';
  /** Traffic steps (% of units served by the model), increasing, ending at 100. Default `[5, 25, 50, 100]`. */
  readonly steps: readonly number[];
  /** Manual gates: steps an operator must approve before the controller advances into them. Default none. */
  readonly gates: readonly number[];
  /** Significance level of each step's sequential test. Default: `ANALYSIS_DEFAULTS.alpha` (0.05). */
  readonly alpha?: number | undefined;
  /** Smallest improvement worth detecting (mSPRT τ). Default: `ANALYSIS_DEFAULTS` (0.05; MAE: 10% of the rules' MAE). */
  readonly mde?: number | undefined;
  /** Non-inferiority margin. Default: `ANALYSIS_DEFAULTS` (0.02; MAE: 5% of the rules' MAE). */
  readonly margin?: number | undefined;
  /** How often the scheduled controller evaluates this rollout. Default: every scheduled tick (30 s). */
  readonly evaluationIntervalMs?: number | undefined;
  /** OPE gate (shadow → first step): the DR lower bound must beat the served value by this much. Default 0. */
  readonly opeMargin: number;
  /** OPE gate: least effective sample size of the importance weights. Default 100. */
  readonly opeMinEffectiveSampleSize: number;
  /** OPE gate: 1 − confidence of the DR interval. Default 0.05. */
  readonly opeAlpha: number;
  /** Label delay: share of its expected outcomes every arm needs in before a step is judged (0 = never wait). Default 0.9. */
  readonly minOutcomeCompleteness: number;
  /** Label delay: how far back the agent's log is read to estimate its outcome delays. Default 7 days. */
  readonly delayHistoryMs: number;
}

export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = {
  minShadowOutcomes: 200,
  minSamplePerArm: 100,
  minStepDurationMs: 10 * 60_000,
  maxP95LatencyMs: 100,
  maxFallbackRate: 0.05,
  stepRules: ['superiority', 'non-inferiority', 'non-inferiority'],
  bucketMs: 10_000,
  lossWindowMs: 60_000,
  lossAlpha: 0.05,
  changeThreshold: 10,
  conceptDrift: 'rollback',
  steps: [5, 25, 50, 100],
  gates: [],
  opeMargin: 0,
  opeMinEffectiveSampleSize: 100,
  opeAlpha: 0.05,
  minOutcomeCompleteness: 0.9,
  delayHistoryMs: 7 * 86_400_000,
};

/** The rule of a step below 100% (the i-th such step takes `stepRules[i]`); undefined at 100%. */
export function stepRuleOf(percentage: number, policy: RolloutPolicy): StepRule | undefined {
  const i = policy.steps.filter((s) => s < 100).indexOf(percentage);
  if (i < 0) return undefined;
  return policy.stepRules[i] ?? policy.stepRules.at(-1) ?? 'superiority';
}

/** What the controller should do next, and why. */
export interface Verdict {
  readonly action: 'advance' | 'hold' | 'rollback';
  readonly reasons: readonly string[];
  /** The step's rule, when a traffic step's statistics were judged. */
  readonly rule?: StepRule | undefined;
}

/** A number for people: 3 decimals, sign on effects. */
export const round3 = (x: number): string => (Number.isFinite(x) ? (Math.round(x * 1000) / 1000).toFixed(3) : String(x));
const signed = (x: number): string => (x > 0 ? `+${round3(x)}` : round3(x));
const pText = (p: number): string => (p < 0.001 ? p.toExponential(1) : round3(p));

/** The effect, interval and both arms in the metric's own terms (MAE is shown as MAE, not as −MAE). */
export function describeEffect(a: ExperimentAnalysis): string {
  const [lo, hi] = a.ci;
  const arms = a.metric === 'mae' ? `model MAE ${round3(-a.arms.ml.mean)} vs rules ${round3(-a.arms.deterministic.mean)}` : `model ${round3(a.arms.ml.mean)} vs rules ${round3(a.arms.deterministic.mean)}`;
  return `${a.metric}: effect ${signed(a.effect)}${a.metric === 'mae' ? ' (MAE reduction)' : ''}, ${Math.round((1 - a.alpha) * 100)}% CI [${signed(lo)}, ${signed(hi)}] (${arms})`;
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
  if (a && (a.loss || (a.inferior && a.effect < 0))) {
    const since = a.changes.length > 0 && a.segmentStart ? ` since the change at ${a.segmentStart}` : '';
    // Name the test that found the loss, with its own numbers: the one-sided loss test, or the
    // step's confidence sequence lying wholly below 0 (its p-value is then below alpha, not
    // necessarily the loss test's below lossAlpha).
    const why = a.loss
      ? `one-sided p ${pText(a.lossPValue)} < ${a.lossAlpha}`
      : `the whole ${Math.round((1 - a.alpha) * 100)}% interval is below 0, p ${pText(a.pValue)} < ${a.alpha}`;
    return { action: 'rollback', reasons: [`significant loss on ${describeEffect(a)}, ${why}${since}`] };
  }
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
  const rule = stepRuleOf(percentage, policy) ?? 'superiority';
  const held = (reason: string): Verdict => ({ action: 'hold', reasons: [reason], rule });
  const n = Math.min(a.arms.deterministic.outcomes, a.arms.ml.outcomes);
  if (n < policy.minSamplePerArm) return held(`${rule}: outcomes per arm ${n} < ${policy.minSamplePerArm}`);
  if (a.srm.mismatch) return held(`${rule}: sample ratio mismatch (p ${a.srm.pValue.toExponential(2)})`);
  // Never advance on an interval that excludes the current estimate: it is stale evidence.
  if (!a.consistent) return held(`${rule}: the interval excludes the current estimate on ${describeEffect(a)}; waiting for fresh evidence`);
  if (rule === 'superiority') {
    if (!(a.superior && a.effect > 0 && a.ci[0] > 0)) return held(`superiority not shown on ${describeEffect(a)}: CI lower ≤ 0`);
    return { action: 'advance', reasons: [`superior on ${describeEffect(a)}`], rule };
  }
  if (!(a.nonInferior && a.ci[0] > -a.margin)) return held(`non-inferiority not shown on ${describeEffect(a)}: CI lower ≤ −margin ${round3(a.margin)}`);
  return { action: 'advance', reasons: [`non-inferior (margin ${round3(a.margin)}) on ${describeEffect(a)}`], rule };
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
