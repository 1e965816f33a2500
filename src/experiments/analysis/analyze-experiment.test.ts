import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArmSummary, analyzeExperiment } from './analyze-experiment.js';

const armArb = fc.record({
  units: fc.integer({ min: 0, max: 100_000 }),
  outcomes: fc.integer({ min: 0, max: 100_000 }),
  mean: fc.double({ min: -10, max: 10, noNaN: true }),
  variance: fc.double({ min: 0, max: 10, noNaN: true }),
}).map((a): ArmSummary => ({ ...a, exposures: a.units }));

describe('analyzeExperiment', () => {
  it('p-value in [0, 1], the interval contains the effect, verdict flags are consistent', () => {
    fc.assert(
      fc.property(armArb, armArb, fc.constantFrom(5, 25, 50), (det, ml, percentage) => {
        const a = analyzeExperiment({ percentage, arms: { deterministic: det, ml } });
        expect(a.pValue).toBeGreaterThanOrEqual(0);
        expect(a.pValue).toBeLessThanOrEqual(1);
        expect(a.srm.pValue).toBeGreaterThanOrEqual(0);
        if (a.testable && Number.isFinite(a.ci[0])) expect(a.ci[0]).toBeLessThanOrEqual(a.effect + 1e-9);
        if (a.superior) expect(a.nonInferior).toBe(true);
        expect(a.superior && a.inferior).toBe(false);
      }),
    );
  });

  it('with too few outcomes there is no test and no verdict-driving flag', () => {
    const a = analyzeExperiment({ percentage: 5, arms: { deterministic: { units: 10, exposures: 10, outcomes: 1, mean: 1, variance: 0 }, ml: { units: 1, exposures: 1, outcomes: 1, mean: 0, variance: 0 } } });
    expect(a).toMatchObject({ testable: false, nonInferior: false, inferior: false, pValue: 1 });
  });

  it('carries the sequential state: the p-value never rises between looks', () => {
    const arm = (n: number, mean: number): ArmSummary => ({ units: n, exposures: n, outcomes: n, mean, variance: 0.25 });
    const first = analyzeExperiment({ percentage: 50, arms: { deterministic: arm(400, 0.5), ml: arm(400, 0.6) } });
    const second = analyzeExperiment({ percentage: 50, arms: { deterministic: arm(800, 0.5), ml: arm(800, 0.5) } }, { previous: first.sequential });
    expect(second.pValue).toBeLessThanOrEqual(first.pValue);
    expect(second.tau).toBe(0.05);
  });
});

describe('sequential burn-in', () => {
  const arm = (outcomes: number, mean: number, variance: number) => ({ units: 1000, exposures: 1000, outcomes, mean, variance });
  it('does not look before each arm has minOutcomes outcomes (a tiny plug-in variance would lock in a wrong interval)', () => {
    const early = analyzeExperiment({ percentage: 50, arms: { deterministic: arm(3, 0.5, 1e-6), ml: arm(3, 0.9, 1e-6) } });
    expect(early.testable).toBe(false);
    expect(early.pValue).toBe(1);
    expect(early.superior).toBe(false);
    const ready = analyzeExperiment({ percentage: 50, arms: { deterministic: arm(30, 0.5, 0.25), ml: arm(30, 0.9, 0.09) } });
    expect(ready.testable).toBe(true);
    expect(ready.ci[0]).toBeLessThanOrEqual(ready.effect);
    expect(ready.ci[1]).toBeGreaterThanOrEqual(ready.effect);
  });
});
