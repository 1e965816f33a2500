import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArmSummary, type ExperimentAnalysis, analyzeExperiment } from '../analysis/analyze-experiment.js';
import type { ArmBatch } from '../stats/index.js';
import { freshShadowEvidence } from './rollout-controller.js';
import { DEFAULT_ROLLOUT_POLICY, evaluateRollout } from './rollout-policy.js';
import type { CanaryState } from './rollout-state.js';

const canary = (percentage: 5 | 25 | 50): CanaryState => ({ phase: 'canary', percentage, experimentId: 'e', since: '2025-01-01T00:00:00.000Z' });
const policy = { ...DEFAULT_ROLLOUT_POLICY, minStepDurationMs: 60_000, minSamplePerArm: 30 };
const arm = (n: number, mean: number, variance: number): ArmSummary => ({ units: n, exposures: n, outcomes: n, mean, variance });

/** Arms summarised from batches, as the controller reads both. */
function armsOf(batches: readonly ArmBatch[]): { deterministic: ArmSummary; ml: ArmSummary } {
  const sum = (k: 'a' | 'b') => batches.reduce((s, b) => ({ n: s.n + b[k].n, sum: s.sum + b[k].sum, sumSq: s.sumSq + b[k].sumSq }), { n: 0, sum: 0, sumSq: 0 });
  const one = (m: { n: number; sum: number; sumSq: number }) => arm(m.n, m.n ? m.sum / m.n : 0, m.n > 1 ? Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1)) : 0);
  return { deterministic: one(sum('a')), ml: one(sum('b')) };
}

describe('verdicts say what they do and never contradict their numbers', () => {
  it('issue 16: an estimate of −0.0566 beside a locked-in interval [0.0977, 0.114] never advances', () => {
    const a = analyzeExperiment({ percentage: 5, arms: { deterministic: arm(9000, 0.84, 0.13), ml: arm(470, 0.7834, 0.17) } }, { mde: 0.05, previous: { pValue: 1e-6, ci: [0.0977, 0.114] } });
    expect(a.effect).toBeCloseTo(-0.0566, 4);
    expect(a.consistent).toBe(false);
    const v = evaluateRollout(canary(5), { elapsedMs: 600_000, analysis: a }, policy);
    expect(v.action).not.toBe('advance');
  });

  it('property: an advance names its rule and its numbers satisfy it; "superior" never beside a non-positive effect; a loss rollback has a negative effect', () => {
    const armGen = fc.record({ n: fc.integer({ min: 0, max: 80 }), p: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(
        fc.array(fc.record({ a: armGen, b: armGen }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom<5 | 25 | 50>(5, 25, 50),
        fc.constantFrom('accuracy' as const, 'mae' as const),
        fc.constantFrom(0.05, 0.001, 1e-6),
        (raw, percentage, metric, lossAlpha) => {
          const batches: ArmBatch[] = raw.map((b, i) => {
            const sa = Math.round(b.a.n * b.a.p);
            const sb = Math.round(b.b.n * b.b.p);
            return { start: i * 10_000, a: { n: b.a.n, sum: sa, sumSq: sa }, b: { n: b.b.n, sum: sb, sumSq: sb } };
          });
          const a: ExperimentAnalysis = analyzeExperiment({ percentage, arms: armsOf(batches), batches }, { metric, mde: 0.05, margin: 0.02, lossAlpha });
          const v = evaluateRollout(canary(percentage), { elapsedMs: 600_000, analysis: a }, { ...policy, lossAlpha });
          const text = v.reasons.join('; ');
          if (v.action === 'advance') {
            expect(a.effect >= a.ci[0] && a.effect <= a.ci[1]).toBe(true);
            expect(v.rule).toBeDefined();
            if (v.rule === 'superiority') {
              expect(a.effect).toBeGreaterThan(0);
              expect(a.ci[0]).toBeGreaterThan(0);
              expect(text).toMatch(/^superior on /);
            } else {
              expect(a.ci[0]).toBeGreaterThan(-a.margin);
              expect(text).toMatch(/^non-inferior /);
            }
          }
          if (/(^|; )superior /.test(text)) expect(a.effect).toBeGreaterThan(0);
          if (v.action === 'rollback') {
            expect(a.effect).toBeLessThan(0);
            expect(text).toMatch(/^significant loss on /);
          }
          // Every "p X < Y" a reason states is true of its own numbers (a rollback once said
          // "one-sided p 0.013 < 0.000001" when the step's interval, not the loss test, found it).
          for (const [, x, y] of text.matchAll(/p ([-+\d.e]+) < ([-+\d.e]+)/g)) expect(Number(x), text).toBeLessThan(Number(y));
          if (v.action !== 'rollback' && v.rule) expect(text.startsWith(v.rule) || text.includes(v.rule === 'superiority' ? 'superior' : 'non-inferior')).toBe(true);
          expect(text).toContain(v.action === 'advance' || v.action === 'rollback' || /outcomes per arm|mismatch/.test(text) ? '' : metric);
        },
      ),
      { numRuns: 400, seed: 1616 },
    );
  });

  it('per-step rule: at 5% (superiority) a model that is only non-inferior holds; at 25% (non-inferiority) it advances', () => {
    const a = analyzeExperiment({ percentage: 5, arms: { deterministic: arm(190000, 0.7, 0.21), ml: arm(10000, 0.7, 0.21) } }, { mde: 0.05, margin: 0.02 });
    const at5 = evaluateRollout(canary(5), { elapsedMs: 600_000, analysis: a }, policy);
    expect(at5).toMatchObject({ action: 'hold', rule: 'superiority' });
    expect(at5.reasons[0]).toMatch(/^superiority not shown on accuracy: effect /);
    const at25 = evaluateRollout(canary(25), { elapsedMs: 600_000, analysis: { ...a, percentage: 25 } }, policy);
    expect(at25).toMatchObject({ action: 'advance', rule: 'non-inferiority' });
    const custom = evaluateRollout(canary(25), { elapsedMs: 600_000, analysis: a }, { ...policy, stepRules: ['superiority', 'superiority', 'superiority'] });
    expect(custom).toMatchObject({ action: 'hold', rule: 'superiority' });
  });

  it('regression agents: the margin is relative to the rules\' MAE, and the verdict names MAE with rounded numbers', () => {
    // detektor-coder: shadow MAE 4.87 against 5.92 for the rules (score = −|error|).
    const a = analyzeExperiment({ percentage: 5, arms: { deterministic: arm(7600, -5.92, 9), ml: arm(400, -4.87, 9) } }, { metric: 'mae' });
    expect(a.margin).toBeCloseTo(0.05 * 5.92, 12);
    expect(a.tau).toBeCloseTo(0.1 * 5.92, 12);
    const v = evaluateRollout(canary(5), { elapsedMs: 600_000, analysis: a }, policy);
    expect(v.action).toBe('advance');
    expect(v.reasons[0]).toMatch(/^superior on mae: effect \+1\.050 \(MAE reduction\), 95% CI \[\+\d\.\d{3}, \+\d\.\d{3}\] \(model MAE 4\.870 vs rules 5\.920\)$/);
  });

  it('a significant loss rolls back at once, whatever the step and its minimum duration', () => {
    for (const p of [5, 25, 50] as const) {
      const a = analyzeExperiment({ percentage: p, arms: { deterministic: arm(4000, 0.8, 0.16), ml: arm(300, 0.6, 0.24) } }, {});
      const v = evaluateRollout(canary(p), { elapsedMs: 1_000, analysis: a }, { ...policy, minStepDurationMs: 3_600_000 });
      expect(v.action).toBe('rollback');
      expect(v.reasons[0]).toMatch(/^significant loss on accuracy: effect -0\.200, 95% CI .* one-sided p .* < 0\.05$/);
    }
  });

  it('after a rollback, shadow evidence counts only the outcomes that came after it', () => {
    const before = { n: 1000, modelQuality: 0.8, rulesQuality: 0.6, higherIsBetter: true };
    // 200 new outcomes on which the model scored 0.5 and the rules 0.85: cumulative still looks good.
    const now = { n: 1200, modelQuality: (0.8 * 1000 + 0.5 * 200) / 1200, rulesQuality: (0.6 * 1000 + 0.85 * 200) / 1200, higherIsBetter: true };
    expect(now.modelQuality).toBeGreaterThan(now.rulesQuality);
    const fresh = freshShadowEvidence(now, before)!;
    expect(fresh.n).toBe(200);
    expect(fresh.modelQuality).toBeCloseTo(0.5, 12);
    expect(fresh.rulesQuality).toBeCloseTo(0.85, 12);
    expect(evaluateRollout({ phase: 'shadow', since: '2025-01-01T00:00:00.000Z' }, { elapsedMs: 0, shadow: fresh }, { ...policy, minShadowOutcomes: 100 }).action).toBe('hold');
    expect(freshShadowEvidence(before, before)?.n).toBe(0);
  });
});
