// Mutation tests (issue 20, docs/quality.md "stats") for non-inferiority-test.ts: means go
// through Welch's t (finite degrees of freedom), proportions through z; the one-sided bound on
// each side; zero standard error; p exactly α. Reference values: scipy 1.17.1
// (`ttest_ind_from_stats(meanB ± margin, sdB, nB, meanA, sdA, nA, equal_var=False,
// alternative=...)`, `t.ppf`, `norm.cdf`, `norm.isf`).
import { describe, expect, it } from 'vitest';
import type { TwoArms } from './internal/arms.js';
import { nonInferiorityTest } from './non-inferiority-test.js';
import { expectClose } from './testing/reference.js';

describe('nonInferiorityTest: means use Welch t', () => {
  it('higher is better: B 9.8 (var 9, n 60) vs A 10 (var 4, n 50), margin 0.5', () => {
    const arms: TwoArms = { metric: 'mean', a: { mean: 10, variance: 4, count: 50 }, b: { mean: 9.8, variance: 9, count: 60 } };
    const r = nonInferiorityTest(arms, { margin: 0.5 });
    expectClose(r.statistic, 0.6255432421712258, 'statistic');
    expectClose(r.degreesOfFreedom, 103.32673468008916, 'df');
    expectClose(r.pValue, 0.266496900606152, 'pValue');
    expectClose(r.ci[0], -0.9959807702453356, 'ci lower');
    expect(r.ci[1]).toBe(Infinity);
    expect(r.nonInferior).toBe(false);
  });

  it('lower is better: latency B 203 (var 900, n 45) vs A 200 (var 400, n 40), margin 10', () => {
    const arms: TwoArms = { metric: 'mean', a: { mean: 200, variance: 400, count: 40 }, b: { mean: 203, variance: 900, count: 45 } };
    const r = nonInferiorityTest(arms, { margin: 10, higherIsBetter: false });
    expectClose(r.statistic, -1.2780193008453875, 'statistic');
    expectClose(r.degreesOfFreedom, 77.22, 'df');
    expectClose(r.pValue, 0.10253553174343155, 'pValue');
    expect(r.ci[0]).toBe(-Infinity);
    expectClose(r.ci[1], 12.118631797311739, 'ci upper');
  });
});

describe('nonInferiorityTest: proportions use the Wald z', () => {
  it('lower is better: error rate 5.5% vs 5%, 1000 each, margin 0.02', () => {
    const arms: TwoArms = { metric: 'proportion', a: { successes: 50, total: 1000 }, b: { successes: 55, total: 1000 } };
    const r = nonInferiorityTest(arms, { margin: 0.02, higherIsBetter: false });
    expectClose(r.statistic, -1.5039530720489116, 'statistic');
    expect(r.degreesOfFreedom).toBe(Infinity);
    expectClose(r.pValue, 0.06629672517037706, 'pValue');
    expect(r.ci[0]).toBe(-Infinity);
    expectClose(r.ci[1], 0.021405302042210052, 'ci upper');
    expect(r.nonInferior).toBe(false);
  });

  it('p exactly α is not non-inferior; a hair above α is', () => {
    const arms: TwoArms = { metric: 'proportion', a: { successes: 50, total: 1000 }, b: { successes: 55, total: 1000 } };
    const p = nonInferiorityTest(arms, { margin: 0.02, higherIsBetter: false }).pValue;
    expect(nonInferiorityTest(arms, { margin: 0.02, higherIsBetter: false, alpha: p }).nonInferior).toBe(false);
    expect(nonInferiorityTest(arms, { margin: 0.02, higherIsBetter: false, alpha: p * (1 + 1e-9) }).nonInferior).toBe(true);
  });
});

describe('nonInferiorityTest: zero standard error', () => {
  it('both arms all successes: the shifted difference +margin is z +∞, p 0', () => {
    const r = nonInferiorityTest({ metric: 'proportion', a: { successes: 10, total: 10 }, b: { successes: 10, total: 10 } }, { margin: 0.05 });
    expect(r).toMatchObject({ statistic: Infinity, pValue: 0, nonInferior: true, ci: [0, Infinity] });
  });

  it('lower is better, both arms all failures: z −∞, p 0', () => {
    const r = nonInferiorityTest(
      { metric: 'proportion', a: { successes: 0, total: 10 }, b: { successes: 0, total: 10 } },
      { margin: 0.05, higherIsBetter: false },
    );
    expect(r).toMatchObject({ statistic: -Infinity, pValue: 0, nonInferior: true, ci: [-Infinity, 0] });
  });

  it('B worse by exactly the margin with no variance: z 0, p 0.5', () => {
    const r = nonInferiorityTest({ metric: 'proportion', a: { successes: 10, total: 10 }, b: { successes: 0, total: 10 } }, { margin: 1 });
    expect(r).toMatchObject({ difference: -1, statistic: 0, pValue: 0.5, nonInferior: false });
  });
});
