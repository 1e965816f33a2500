import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/errors.js';
import { analyzeExperiment, type ArmSummary, type ExperimentAnalysis } from '../analysis/analyze-experiment.js';
import type { ChangePoint } from '../stats/index.js';
import { DEFAULT_ROLLOUT_POLICY, describeEffect, evaluateRollout, guardrailBreaches, round3, stepRuleOf, type RolloutPolicy } from './rollout-policy.js';
import { describeState, experimentOf, initialRolloutState, percentageOf, type CanaryState, type RolloutState, type ShadowState } from './rollout-state.js';
import { transition, type RolloutCommand } from './transition.js';

// What an operator reads in a verdict, word for word, and which rule judges each step — the
// texts and fallbacks that the boundary tests (rollout-policy.boundaries.test.ts) leave open.
// Analyses are real ones (analyzeExperiment) with the fields under test set by hand.

const T0 = '2025-01-01T00:00:00.000Z';
const LONG = 10 * 60_000;
const canary = (percentage: number): CanaryState => ({ phase: 'canary', percentage, experimentId: 'e', since: T0 });
const arm = (n: number, mean: number): ArmSummary => ({ units: n, exposures: n, outcomes: n, mean, variance: 0.16 });
const base = analyzeExperiment({ percentage: 25, arms: { deterministic: arm(3000, 0.6), ml: arm(1000, 0.7) } });

/** A consistent, SRM-healthy analysis with 1000 outcomes per arm and the given fields. */
const analysis = (o: Partial<ExperimentAnalysis>): ExperimentAnalysis => ({
  ...base,
  arms: { deterministic: { ...base.arms.deterministic, outcomes: 1000 }, ml: { ...base.arms.ml, outcomes: 1000 } },
  effect: 0.1,
  ci: [0.05, 0.15],
  alpha: 0.05,
  margin: 0.02,
  superior: true,
  nonInferior: true,
  inferior: false,
  loss: false,
  consistent: true,
  changes: [],
  segmentStart: undefined,
  ...o,
});
/** Only non-inferior: the interval straddles 0 above −margin. */
const onlyNonInferior = analysis({ effect: 0.01, ci: [-0.01, 0.03], superior: false });
const change = { at: 0, detectedAt: 0 } as ChangePoint;

describe('stepRuleOf: which rule judges each step', () => {
  it('default steps: 5% superiority, 25% and 50% non-inferiority; 100% and non-steps have none', () => {
    expect([5, 25, 50, 100, 10].map((p) => stepRuleOf(p, DEFAULT_ROLLOUT_POLICY))).toEqual(['superiority', 'non-inferiority', 'non-inferiority', undefined, undefined]);
  });

  it('steps beyond the listed rules take the last rule; no rules at all means superiority', () => {
    const policy: RolloutPolicy = { ...DEFAULT_ROLLOUT_POLICY, steps: [1, 2, 3, 4, 5, 100], stepRules: ['non-inferiority', 'non-inferiority', 'superiority'] };
    expect([1, 2, 3, 4, 5].map((p) => stepRuleOf(p, policy))).toEqual(['non-inferiority', 'non-inferiority', 'superiority', 'superiority', 'superiority']);
    expect(stepRuleOf(1, { ...policy, stepRules: [] })).toBe('superiority');
  });

  it('a step the policy no longer lists (changed mid-rollout) is judged by superiority', () => {
    const policy: RolloutPolicy = { ...DEFAULT_ROLLOUT_POLICY, steps: [10, 50, 100] };
    const v = evaluateRollout(canary(25), { elapsedMs: LONG, analysis: onlyNonInferior }, policy);
    expect(v).toMatchObject({ action: 'hold', rule: 'superiority' });
    // At a listed non-inferiority step the same evidence advances.
    expect(evaluateRollout(canary(50), { elapsedMs: LONG, analysis: onlyNonInferior }, policy)).toMatchObject({ action: 'advance', rule: 'non-inferiority' });
  });
});

describe('numbers in verdicts', () => {
  it('round3: three decimals, a non-finite value as itself', () => {
    expect([0.12345, -0.1, 0, 2, NaN, Infinity, -Infinity].map(round3)).toEqual(['0.123', '-0.100', '0.000', '2.000', 'NaN', 'Infinity', '-Infinity']);
  });

  it('describeEffect: signed effect and bounds (zero unsigned), the CI level from alpha, both arms', () => {
    const a = analysis({ effect: 0.1234, ci: [0, 0.2], alpha: 0.05 });
    expect(describeEffect({ ...a, arms: { deterministic: { ...a.arms.deterministic, mean: 0.6 }, ml: { ...a.arms.ml, mean: 0.7 } } })).toBe(
      'accuracy: effect +0.123, 95% CI [0.000, +0.200] (model 0.700 vs rules 0.600)',
    );
    const mae = analysis({ metric: 'mae', effect: 1.05, ci: [-0.1, 2], alpha: 0.1 });
    expect(describeEffect({ ...mae, arms: { deterministic: { ...mae.arms.deterministic, mean: -5.92 }, ml: { ...mae.arms.ml, mean: -4.87 } } })).toBe(
      'mae: effect +1.050 (MAE reduction), 90% CI [-0.100, +2.000] (model MAE 4.870 vs rules 5.920)',
    );
  });

  it('the step duration is shown in whole seconds, with the policy minimum', () => {
    expect(evaluateRollout(canary(25), { elapsedMs: 90_600, analysis: analysis({}) }, { ...DEFAULT_ROLLOUT_POLICY, minStepDurationMs: 120_000 }).reasons).toEqual(['step running 91 s < 120 s']);
  });

  it('guardrail messages name the configured limits', () => {
    const policy = { ...DEFAULT_ROLLOUT_POLICY, maxP95LatencyMs: 250, maxFallbackRate: 0.1 };
    expect(guardrailBreaches({ p95LatencyMs: 250, fallbackRate: 0.1 }, policy)).toEqual([]);
    expect(guardrailBreaches({ p95LatencyMs: 251, fallbackRate: 0.12 }, policy)).toEqual(['p95 latency 251.0 ms > 250 ms', 'fallback rate 12.0% > 10.0%']);
  });

  it('a shadow hold names the configured minimum', () => {
    const s: ShadowState = { phase: 'shadow', since: T0 };
    const shadow = { n: 49, modelQuality: 0.9, rulesQuality: 0.5, higherIsBetter: true };
    expect(evaluateRollout(s, { elapsedMs: 0, shadow }, { ...DEFAULT_ROLLOUT_POLICY, minShadowOutcomes: 50 }).reasons).toEqual(['shadow outcomes 49 < 50']);
    expect(evaluateRollout(s, { elapsedMs: 0, shadow: { ...shadow, n: 50 } }, { ...DEFAULT_ROLLOUT_POLICY, minShadowOutcomes: 50 }).action).toBe('advance');
  });
});

describe('significant loss: the rollback names the test that found it', () => {
  it('the one-sided loss test, its p in three decimals or, below 0.001, in exponent form', () => {
    const v = evaluateRollout(canary(25), { elapsedMs: 0, analysis: analysis({ effect: -0.1, ci: [-0.2, 0.01], superior: false, nonInferior: false, loss: true, lossPValue: 0.0123, lossAlpha: 0.05 }) });
    expect(v.action).toBe('rollback');
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/^significant loss on accuracy: effect -0\.100, 95% CI \[-0\.200, \+0\.010\] \(model .*\), one-sided p 0\.012 < 0\.05$/);
    const tiny = evaluateRollout(canary(25), { elapsedMs: 0, analysis: analysis({ effect: -0.1, loss: true, lossPValue: 0.00042, lossAlpha: 0.01 }) });
    expect(tiny.reasons[0]).toMatch(/, one-sided p 4\.2e-4 < 0\.01$/);
    expect(evaluateRollout(canary(25), { elapsedMs: 0, analysis: analysis({ effect: -0.1, loss: true, lossPValue: 0.001, lossAlpha: 0.01 }) }).reasons[0]).toMatch(/, one-sided p 0\.001 < 0\.01$/);
  });

  it("the step's interval wholly below 0 (no loss-test verdict): its level and p-value", () => {
    const a = analysis({ effect: -0.1, ci: [-0.15, -0.05], superior: false, nonInferior: false, inferior: true, loss: false, pValue: 0.003, alpha: 0.1 });
    expect(evaluateRollout(canary(50), { elapsedMs: 0, analysis: a }).reasons[0]).toMatch(/\), the whole 90% interval is below 0, p 0\.003 < 0\.1$/);
  });

  it('an interval below 0 beside an estimate that is not negative is no rollback', () => {
    const a = analysis({ effect: 0, ci: [-0.15, -0.05], superior: false, nonInferior: false, inferior: true, loss: false, consistent: false });
    expect(evaluateRollout(canary(50), { elapsedMs: LONG, analysis: a }).action).toBe('hold');
  });

  it('after a detected change it says since when; without a change, or without a segment start, it does not', () => {
    const lossy = { effect: -0.1, loss: true, lossPValue: 0.01, lossAlpha: 0.05 };
    const since = evaluateRollout(canary(25), { elapsedMs: 0, analysis: analysis({ ...lossy, changes: [change], segmentStart: '2025-01-01T00:05:00.000Z' }) });
    expect(since.reasons[0]).toMatch(/one-sided p 0\.010 < 0\.05 since the change at 2025-01-01T00:05:00\.000Z$/);
    for (const o of [{ changes: [], segmentStart: '2025-01-01T00:05:00.000Z' }, { changes: [change], segmentStart: undefined }]) {
      expect(evaluateRollout(canary(25), { elapsedMs: 0, analysis: analysis({ ...lossy, ...o }) }).reasons[0]).toMatch(/one-sided p 0\.010 < 0\.05$/);
    }
  });

  it('a paused step rolls back on a loss with the same words', () => {
    const a = analysis({ effect: -0.1, loss: true, lossPValue: 0.01, lossAlpha: 0.05 });
    const v = evaluateRollout({ phase: 'paused', since: T0, paused: canary(25) }, { elapsedMs: 0, analysis: a });
    expect(v.action).toBe('rollback');
    expect(v.reasons[0]).toMatch(/^significant loss on accuracy: .*one-sided p 0\.010 < 0\.05$/);
  });
});

describe('step verdicts: each condition of each rule, with its words', () => {
  const at5 = (o: Partial<ExperimentAnalysis>) => evaluateRollout(canary(5), { elapsedMs: LONG, analysis: analysis(o) });
  const at25 = (o: Partial<ExperimentAnalysis>) => evaluateRollout(canary(25), { elapsedMs: LONG, analysis: analysis(o) });

  it('superiority advances only when the flag, the estimate and the lower bound all say so', () => {
    expect(at5({})).toEqual({ action: 'advance', reasons: [`superior on ${describeEffect(analysis({}))}`], rule: 'superiority' });
    for (const o of [{ superior: false }, { effect: 0 }, { ci: [0, 0.2] as const }]) {
      const v = at5(o);
      expect(v).toEqual({ action: 'hold', reasons: [`superiority not shown on ${describeEffect(analysis(o))}: CI lower ≤ 0`], rule: 'superiority' });
    }
  });

  it('non-inferiority advances above −margin only: a lower bound at −margin holds', () => {
    expect(at25({ ci: [-0.019, 0.2] })).toEqual({ action: 'advance', reasons: [`non-inferior (margin 0.020) on ${describeEffect(analysis({ ci: [-0.019, 0.2] }))}`], rule: 'non-inferiority' });
    const edge = analysis({ ci: [-0.02, 0.2] });
    expect(at25({ ci: [-0.02, 0.2] })).toEqual({ action: 'hold', reasons: [`non-inferiority not shown on ${describeEffect(edge)}: CI lower ≤ −margin 0.020`], rule: 'non-inferiority' });
    expect(at25({ nonInferior: false }).action).toBe('hold');
  });

  it('a sample ratio mismatch and an inconsistent interval hold with their words', () => {
    const srm = at25({ srm: { ...base.srm, mismatch: true, pValue: 0.0000123 } });
    expect(srm).toEqual({ action: 'hold', reasons: ['non-inferiority: sample ratio mismatch (p 1.23e-5)'], rule: 'non-inferiority' });
    const stale = analysis({ consistent: false });
    expect(at25({ consistent: false })).toEqual({
      action: 'hold',
      reasons: [`non-inferiority: the interval excludes the current estimate on ${describeEffect(stale)}; waiting for fresh evidence`],
      rule: 'non-inferiority',
    });
  });

  it('a paused step with healthy evidence holds as "paused"; a paused shadow ignores a breach', () => {
    expect(evaluateRollout({ phase: 'paused', since: T0, paused: canary(25) }, { elapsedMs: LONG, analysis: analysis({}) })).toEqual({ action: 'hold', reasons: ['paused'] });
    const pausedShadow: RolloutState = { phase: 'paused', since: T0, paused: { phase: 'shadow', since: T0 } };
    expect(evaluateRollout(pausedShadow, { elapsedMs: 0, guardrails: { breaker: 'open' } })).toEqual({ action: 'hold', reasons: ['paused'] });
  });
});

describe('transitions with a policy of its own steps, and the refusals an operator reads', () => {
  const NOW = '2025-02-01T00:00:00.000Z';
  let n = 0;
  const ctx = (steps?: readonly number[]) => ({ now: NOW, newExperimentId: () => `x${++n}`, ...(steps ? { steps } : {}) });
  const advance: RolloutCommand = { kind: 'advance' };

  it("the policy's steps: shadow enters the first, a step the policy no longer lists moves to the next above it", () => {
    expect(transition({ phase: 'shadow', since: T0 }, advance, ctx([10, 30, 100]))).toMatchObject({ phase: 'canary', percentage: 10, since: NOW });
    expect(transition(canary(25), advance, ctx([10, 30, 100]))).toMatchObject({ phase: 'canary', percentage: 30, since: NOW });
    expect(transition(canary(30), advance, ctx([10, 30]))).toEqual({ phase: 'promoted', since: NOW });
    expect(transition({ phase: 'shadow', since: T0 }, advance, ctx([]))).toMatchObject({ phase: 'canary', percentage: 100 });
  });

  it('every new step gets a new experiment id from the context, and a resume keeps the paused step whole', () => {
    n = 0;
    expect(transition({ phase: 'shadow', since: T0 }, advance, ctx())).toEqual({ phase: 'canary', percentage: 5, experimentId: 'x1', since: NOW });
    expect(transition(canary(5), advance, ctx())).toEqual({ phase: 'canary', percentage: 25, experimentId: 'x2', since: NOW });
    expect(transition({ phase: 'paused', since: T0, paused: canary(25) }, { kind: 'resume' }, ctx())).toEqual({ ...canary(25), since: NOW });
    expect(transition({ phase: 'rolled_back', since: T0, fromPercentage: 5, reason: 'x' }, advance, ctx())).toEqual({ phase: 'shadow', since: NOW });
    expect(transition({ phase: 'promoted', since: T0 }, { kind: 'rollback', reason: 'why' }, ctx())).toEqual({ phase: 'rolled_back', since: NOW, fromPercentage: 100, reason: 'why' });
    expect(transition(canary(25), { kind: 'pause' }, ctx())).toEqual({ phase: 'paused', since: NOW, paused: canary(25) });
  });

  it('a refused command says what was refused and in which state', () => {
    const cases: [RolloutState, RolloutCommand, string][] = [
      [{ phase: 'paused', since: T0, paused: canary(25) }, advance, 'cannot advance a rollout in state paused(canary-25)'],
      [{ phase: 'shadow', since: T0 }, { kind: 'rollback', reason: 'x' }, 'cannot rollback a rollout in state shadow'],
      [canary(5), { kind: 'resume' }, 'cannot resume a rollout in state canary-5'],
      [{ phase: 'promoted', since: T0 }, { kind: 'pause' }, 'cannot pause a rollout in state promoted'],
      [{ phase: 'rolled_back', since: T0, fromPercentage: 5, reason: 'x' }, { kind: 'rollback', reason: 'x' }, 'cannot rollback a rollout in state rolled_back'],
    ];
    for (const [state, command, message] of cases) {
      let err: unknown;
      try {
        transition(state, command, ctx());
      } catch (e) {
        err = e;
      }
      expect(isApprenticeError(err) && err.code).toBe('CONFLICT');
      expect((err as Error).message).toBe(message);
    }
  });

  it('a new rollout starts in shadow, since the time given', () => {
    expect(initialRolloutState(NOW)).toEqual({ phase: 'shadow', since: NOW });
  });

  it('a paused shadow has no experiment and serves 0%; a paused step keeps both', () => {
    const pausedShadow: RolloutState = { phase: 'paused', since: T0, paused: { phase: 'shadow', since: T0 } };
    expect([experimentOf(pausedShadow), percentageOf(pausedShadow), describeState(pausedShadow)]).toEqual([undefined, 0, 'paused(shadow)']);
    expect(experimentOf({ phase: 'shadow', since: T0 })).toBeUndefined();
    expect(experimentOf({ phase: 'promoted', since: T0 })).toBeUndefined();
    const pausedStep: RolloutState = { phase: 'paused', since: T0, paused: canary(50) };
    expect([experimentOf(pausedStep), percentageOf(pausedStep)]).toEqual(['e', 50]);
  });
});
