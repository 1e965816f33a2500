// Mutation tests (issue 20, docs/quality.md "stats"): "significant" / "mismatch" is p < α,
// strictly: p exactly α is not, a hair above α is. Welch's t with no variance and equal means
// is no evidence on either side. Reference values: scipy 1.17.1 (`chisquare`).
import { describe, expect, it } from 'vitest';
import { srmCheck } from './srm-check.js';
import { expectClose } from './testing/reference.js';
import { twoProportionZTest } from './two-proportion-z-test.js';
import { welchTTest } from './welch-t-test.js';

describe('p exactly α is not significant', () => {
  it('two-proportion z-test', () => {
    const input = { successesA: 120, totalA: 1000, successesB: 150, totalB: 1000 };
    const p = twoProportionZTest(input).pValue;
    expect(twoProportionZTest(input, { alpha: p }).significant).toBe(false);
    expect(twoProportionZTest(input, { alpha: p * (1 + 1e-9) }).significant).toBe(true);
  });

  it('Welch t-test', () => {
    const a = { mean: 10, variance: 4, count: 50 };
    const b = { mean: 11, variance: 9, count: 60 };
    const p = welchTTest(a, b).pValue;
    expect(welchTTest(a, b, { alpha: p }).significant).toBe(false);
    expect(welchTTest(a, b, { alpha: p * (1 + 1e-9) }).significant).toBe(true);
    expect(welchTTest(a, b, { alpha: p * (1 - 1e-9) }).significant).toBe(false);
  });

  it('SRM check: 5000 vs 5300 has χ² 8.7379, p 0.0031167; a threshold equal to p is no mismatch', () => {
    const r = srmCheck([5000, 5300]);
    expectClose(r.chi2, 8.737864077669903, 'chi2', 1e-9);
    expectClose(r.pValue, 0.003116693839866867, 'pValue');
    expect(srmCheck([5000, 5300], undefined, { threshold: r.pValue }).mismatch).toBe(false);
    expect(srmCheck([5000, 5300], undefined, { threshold: r.pValue * (1 + 1e-9) }).mismatch).toBe(true);
  });
});

describe('welchTTest with no variance in either arm', () => {
  it('equal means: t 0 and p 1 for every alternative, df nA + nB − 2', () => {
    const a = { mean: 5, variance: 0, count: 10 };
    for (const alternative of ['two-sided', 'greater', 'less'] as const) {
      const r = welchTTest(a, { ...a }, { alternative });
      expect(r, alternative).toMatchObject({ tStatistic: 0, pValue: 1, degreesOfFreedom: 18, significant: false });
    }
  });
});
