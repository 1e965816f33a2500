import { describe, expect, it } from 'vitest';
import { analyzeExperiment, type ArmSummary, type ExperimentAnalysis } from '../analysis/analyze-experiment.js';
import { DEFAULT_ROLLOUT_POLICY, evaluateRollout, guardrailBreaches, type ShadowEvidence } from './rollout-policy.js';
import type { CanaryState, RolloutState } from './rollout-state.js';

// Each default of the rollout policy pinned at its boundary, with the default policy itself
// (not a test copy), so that a changed default or a flipped comparison fails a named test.

const T0 = '2025-01-01T00:00:00.000Z';
const TEN_MINUTES = 10 * 60_000;
const shadow: RolloutState = { phase: 'shadow', since: T0 };
const canary = (percentage: 5 | 25 | 50 | 100): CanaryState => ({ phase: 'canary', percentage, experimentId: 'e', since: T0 });
const arm = (n: number, mean: number): ArmSummary => ({ units: n, exposures: n, outcomes: n, mean, variance: 0.16 });

/** A clearly non-inferior, SRM-healthy analysis at 25%, with `perArm` outcomes in each arm. */
function goodAnalysis(perArm: number): ExperimentAnalysis {
  const a = analyzeExperiment({ percentage: 25, arms: { deterministic: arm(3000, 0.6), ml: arm(1000, 0.7) } });
  expect(a).toMatchObject({ nonInferior: true, superior: true, inferior: false, srm: { mismatch: false } });
  return { ...a, arms: { deterministic: { ...a.arms.deterministic, outcomes: perArm }, ml: { ...a.arms.ml, outcomes: perArm } } };
}

const evidence = (s: Partial<ShadowEvidence>): { elapsedMs: number; shadow: ShadowEvidence } => ({
  elapsedMs: TEN_MINUTES,
  shadow: { n: 1000, modelQuality: 0.8, rulesQuality: 0.7, higherIsBetter: true, ...s },
});

describe('rollout policy defaults, pinned at their boundaries', () => {
  it('the defaults are 200 shadow outcomes, 100 per arm, 10 minutes, 100 ms p95, 5% fallbacks', () => {
    expect(DEFAULT_ROLLOUT_POLICY).toEqual({
      minShadowOutcomes: 200,
      minSamplePerArm: 100,
      minStepDurationMs: TEN_MINUTES,
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
    });
  });

  it('minSamplePerArm is 100: 99 outcomes per arm do not advance, 100 do', () => {
    const held = evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES, analysis: goodAnalysis(99) });
    expect(held).toEqual({ action: 'hold', reasons: ['non-inferiority: outcomes per arm 99 < 100'], rule: 'non-inferiority' });
    expect(evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES, analysis: goodAnalysis(100) }).action).toBe('advance');
  });

  it('minSamplePerArm counts the smaller arm: 100 rules outcomes and 99 model outcomes hold', () => {
    const a = goodAnalysis(100);
    const lopsided = { ...a, arms: { ...a.arms, ml: { ...a.arms.ml, outcomes: 99 } } };
    expect(evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES, analysis: lopsided }).reasons).toEqual(['non-inferiority: outcomes per arm 99 < 100']);
  });

  it('minStepDurationMs is 10 minutes: one millisecond short holds, exactly 10 minutes advances', () => {
    const held = evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES - 1, analysis: goodAnalysis(100) });
    expect(held).toEqual({ action: 'hold', reasons: ['step running 600 s < 600 s'] });
    expect(evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES, analysis: goodAnalysis(100) }).action).toBe('advance');
    expect(evaluateRollout(canary(100), { elapsedMs: TEN_MINUTES - 1 }).action).toBe('hold');
    expect(evaluateRollout(canary(100), { elapsedMs: TEN_MINUTES })).toEqual({
      action: 'advance',
      reasons: ['100% for the minimum duration with healthy guardrails'],
    });
  });

  it('minShadowOutcomes is 200: 199 shadow outcomes hold, 200 advance', () => {
    expect(evaluateRollout(shadow, evidence({ n: 199 }))).toEqual({ action: 'hold', reasons: ['shadow outcomes 199 < 200'] });
    expect(evaluateRollout(shadow, evidence({ n: 200 })).action).toBe('advance');
  });

  it('shadow tie: a model exactly as good as the rules advances (accuracy, higher is better)', () => {
    const v = evaluateRollout(shadow, evidence({ modelQuality: 0.75, rulesQuality: 0.75, higherIsBetter: true }));
    expect(v).toEqual({ action: 'advance', reasons: ['shadow: model 0.7500 vs rules 0.7500 on 1000 outcomes'] });
  });

  it('shadow tie: a model exactly as good as the rules advances (MAE, lower is better)', () => {
    expect(evaluateRollout(shadow, evidence({ modelQuality: 3, rulesQuality: 3, higherIsBetter: false })).action).toBe('advance');
  });

  it('shadow: a model a hair worse than the rules holds, in either orientation', () => {
    expect(evaluateRollout(shadow, evidence({ modelQuality: 0.7499, rulesQuality: 0.75, higherIsBetter: true }))).toEqual({
      action: 'hold',
      reasons: ['model quality 0.7499 worse than rules 0.7500 in shadow'],
    });
    expect(evaluateRollout(shadow, evidence({ modelQuality: 3.001, rulesQuality: 3, higherIsBetter: false })).action).toBe('hold');
  });

  it('no shadow evidence holds with its reason', () => {
    expect(evaluateRollout(shadow, { elapsedMs: TEN_MINUTES })).toEqual({ action: 'hold', reasons: ['no shadow evidence'] });
  });

  it('maxP95LatencyMs is 100: 100 ms is healthy, 100.1 ms rolls back', () => {
    expect(guardrailBreaches({ p95LatencyMs: 100 }, DEFAULT_ROLLOUT_POLICY)).toEqual([]);
    expect(guardrailBreaches({ p95LatencyMs: 100.1 }, DEFAULT_ROLLOUT_POLICY)).toEqual(['p95 latency 100.1 ms > 100 ms']);
    expect(evaluateRollout(canary(5), { elapsedMs: 0, guardrails: { p95LatencyMs: 100.1 } })).toEqual({
      action: 'rollback',
      reasons: ['guardrail: p95 latency 100.1 ms > 100 ms'],
    });
  });

  it('maxFallbackRate is 0.05: 5% is healthy, 5.1% rolls back', () => {
    expect(guardrailBreaches({ fallbackRate: 0.05 }, DEFAULT_ROLLOUT_POLICY)).toEqual([]);
    expect(guardrailBreaches({ fallbackRate: 0.051 }, DEFAULT_ROLLOUT_POLICY)).toEqual(['fallback rate 5.1% > 5.0%']);
  });

  it('only an open breaker is a breach; half-open and closed are not', () => {
    expect(guardrailBreaches({ breaker: 'half-open' }, DEFAULT_ROLLOUT_POLICY)).toEqual([]);
    expect(guardrailBreaches({ breaker: 'closed' }, DEFAULT_ROLLOUT_POLICY)).toEqual([]);
    expect(guardrailBreaches({ breaker: 'open' }, DEFAULT_ROLLOUT_POLICY)).toEqual(['breaker open']);
    expect(guardrailBreaches(undefined, DEFAULT_ROLLOUT_POLICY)).toEqual([]);
  });

  it('every breach is reported, in order: breaker, latency, fallbacks', () => {
    const v = evaluateRollout(canary(50), { elapsedMs: 0, guardrails: { breaker: 'open', p95LatencyMs: 250, fallbackRate: 0.2 } });
    expect(v).toEqual({
      action: 'rollback',
      reasons: ['guardrail: breaker open', 'guardrail: p95 latency 250.0 ms > 100 ms', 'guardrail: fallback rate 20.0% > 5.0%'],
    });
  });

  it('a canary step without experiment data holds', () => {
    expect(evaluateRollout(canary(25), { elapsedMs: TEN_MINUTES })).toEqual({ action: 'hold', reasons: ['no experiment data'] });
  });

  it('a paused shadow holds even with evidence that would advance it; a paused step without a breach holds', () => {
    expect(evaluateRollout({ phase: 'paused', since: T0, paused: shadow }, evidence({}))).toEqual({ action: 'hold', reasons: ['paused'] });
    expect(evaluateRollout({ phase: 'paused', since: T0, paused: canary(25) }, { elapsedMs: TEN_MINUTES, analysis: goodAnalysis(500) })).toEqual({
      action: 'hold',
      reasons: ['paused'],
    });
    expect(evaluateRollout({ phase: 'paused', since: T0, paused: canary(25) }, { elapsedMs: 0, guardrails: { breaker: 'open' } }).action).toBe('rollback');
  });

  it('terminal states hold with their own reason', () => {
    expect(evaluateRollout({ phase: 'promoted', since: T0 }, { elapsedMs: TEN_MINUTES }).reasons).toEqual(['promoted']);
    expect(evaluateRollout({ phase: 'rolled_back', since: T0, fromPercentage: 25, reason: 'x' }, { elapsedMs: TEN_MINUTES }).reasons).toEqual(['rolled back']);
  });
});
