import { describe, expect, it } from 'vitest';
import { analyzeExperiment, type ArmSummary } from '../analysis/analyze-experiment.js';
import { DEFAULT_ROLLOUT_POLICY, evaluateRollout } from './rollout-policy.js';
import type { CanaryState, RolloutState } from './rollout-state.js';

const T0 = '2025-01-01T00:00:00.000Z';
const canary = (percentage: 5 | 25 | 50 | 100): CanaryState => ({ phase: 'canary', percentage, experimentId: 'e', since: T0 });
const arm = (units: number, mean: number, sd = 0.4): ArmSummary => ({ units, exposures: units, outcomes: units, mean, variance: sd * sd });
const policy = { ...DEFAULT_ROLLOUT_POLICY, minStepDurationMs: 60_000, minSamplePerArm: 100, minShadowOutcomes: 50 };
const analysis = (det: ArmSummary, ml: ArmSummary, percentage = 25) => analyzeExperiment({ percentage, arms: { deterministic: det, ml } }, { mde: 0.05, margin: 0.02 });
const long = 120_000;

describe('rollout policy', () => {
  it('shadow advances only with enough outcomes and a model at least as good as the rules', () => {
    const s: RolloutState = { phase: 'shadow', since: T0 };
    expect(evaluateRollout(s, { elapsedMs: long }, policy).action).toBe('hold');
    expect(evaluateRollout(s, { elapsedMs: long, shadow: { n: 10, modelQuality: 0.9, rulesQuality: 0.5, higherIsBetter: true } }, policy).action).toBe('hold');
    expect(evaluateRollout(s, { elapsedMs: long, shadow: { n: 500, modelQuality: 0.4, rulesQuality: 0.5, higherIsBetter: true } }, policy).action).toBe('hold');
    expect(evaluateRollout(s, { elapsedMs: long, shadow: { n: 500, modelQuality: 0.6, rulesQuality: 0.5, higherIsBetter: true } }, policy).action).toBe('advance');
    // lower-is-better (MAE)
    expect(evaluateRollout(s, { elapsedMs: long, shadow: { n: 500, modelQuality: 3, rulesQuality: 4, higherIsBetter: false } }, policy).action).toBe('advance');
  });

  it('a step holds until its minimum duration and sample, then advances when non-inferior', () => {
    const good = analysis(arm(3000, 0.6), arm(1000, 0.7));
    expect(evaluateRollout(canary(25), { elapsedMs: 10, analysis: good }, policy).action).toBe('hold');
    expect(evaluateRollout(canary(25), { elapsedMs: long, analysis: analysis(arm(50, 0.6), arm(20, 0.7)) }, policy).action).toBe('hold');
    const v = evaluateRollout(canary(25), { elapsedMs: long, analysis: good }, policy);
    expect(v.action).toBe('advance');
    expect(v.reasons[0]).toMatch(/^non-inferior \(margin 0\.020\) on accuracy: effect \+/);
    expect(v.rule).toBe('non-inferiority');
  });

  it('holds on an inconclusive result and on a sample ratio mismatch', () => {
    const flat = analysis(arm(300, 0.6, 0.5), arm(100, 0.6, 0.5));
    expect(flat.nonInferior).toBe(false);
    expect(evaluateRollout(canary(25), { elapsedMs: long, analysis: flat }, policy).action).toBe('hold');
    const srm = analysis(arm(3000, 0.6), arm(3000, 0.7)); // 50/50 observed at 25%
    expect(srm.srm.mismatch).toBe(true);
    expect(evaluateRollout(canary(25), { elapsedMs: long, analysis: srm }, policy).reasons[0]).toMatch(/sample ratio mismatch/);
  });

  it('rolls back on a significant loss or a guardrail breach, even before the minimum duration and while paused', () => {
    const bad = analysis(arm(3000, 0.7), arm(1000, 0.5));
    expect(bad.inferior).toBe(true);
    expect(evaluateRollout(canary(5), { elapsedMs: 0, analysis: bad }, policy).action).toBe('rollback');
    for (const g of [{ breaker: 'open' as const }, { p95LatencyMs: 500 }, { fallbackRate: 0.5 }]) {
      expect(evaluateRollout(canary(100), { elapsedMs: 0, guardrails: g }, policy).action).toBe('rollback');
    }
    const paused: RolloutState = { phase: 'paused', since: T0, paused: canary(25) };
    expect(evaluateRollout(paused, { elapsedMs: long, analysis: bad }, policy).action).toBe('rollback');
    expect(evaluateRollout(paused, { elapsedMs: long, analysis: analysis(arm(3000, 0.6), arm(1000, 0.7)) }, policy).action).toBe('hold');
  });

  it('100% promotes after the minimum duration with healthy guardrails; terminal states hold', () => {
    expect(evaluateRollout(canary(100), { elapsedMs: 10, guardrails: {} }, policy).action).toBe('hold');
    expect(evaluateRollout(canary(100), { elapsedMs: long, guardrails: { p95LatencyMs: 3, fallbackRate: 0, breaker: 'closed' } }, policy).action).toBe('advance');
    expect(evaluateRollout({ phase: 'promoted', since: T0 }, { elapsedMs: long }, policy).action).toBe('hold');
    expect(evaluateRollout({ phase: 'rolled_back', since: T0, fromPercentage: 5, reason: 'x' }, { elapsedMs: long }, policy).action).toBe('hold');
  });
});
