// Mutation tests (issue 20, docs/quality.md "stats"): every message a user of the statistics
// module sees for invalid input, in full, and the edges of each field check (α 0 and 1, NaN,
// a number given as a string). The messages are read off the checks in internal/validate.ts.
import { describe, expect, it } from 'vitest';
import { adjustPValues } from './adjust-p-values.js';
import { intervalFor } from './internal/interval.js';
import { pValueFromT, pValueFromZ } from './internal/p-value.js';
import { effectSize, minimumDetectableEffect, normalIndependentPower, power, sampleSize } from './power.js';
import { nonInferiorityTest } from './non-inferiority-test.js';
import { sequentialTest } from './sequential-test.js';
import { srmCheck } from './srm-check.js';
import { twoProportionZTest } from './two-proportion-z-test.js';
import { welchTTest } from './welch-t-test.js';

const VALID = { successesA: 10, totalA: 100, successesB: 12, totalB: 100 };
const ALTERNATIVE = "alternative must be 'two-sided', 'greater' or 'less'";
const OPEN = 'must be in the open interval (0, 1)';

describe('statistics input: the whole message', () => {
  it('two-proportion z-test names every field, in order, joined by "; "', () => {
    expect(() =>
      twoProportionZTest({ successesA: 5, totalA: 3, successesB: -1, totalB: 0 }, { alpha: 2, alternative: 'both' as never }),
    ).toThrowError(
      'invalid two-proportion z-test input: A.successes must not exceed total; B.successes must be an integer ≥ 0; ' +
        `B.total must be > 0; alpha ${OPEN}; ${ALTERNATIVE}`,
    );
  });

  it('a total that is negative or not an integer is named by its own path', () => {
    expect(() => twoProportionZTest({ successesA: 1, totalA: -1, successesB: 1, totalB: 2.5 })).toThrowError(
      /^invalid two-proportion z-test input: A.total must be an integer ≥ 0; A.successes must not exceed total; B.total must be an integer ≥ 0$/,
    );
  });

  it('alpha is strictly inside (0, 1): 0 and 1 are refused, a number given as a string too', () => {
    for (const alpha of [0, 1, '0.5' as never, Number.NaN]) {
      expect(() => twoProportionZTest(VALID, { alpha }), String(alpha)).toThrowError(
        `invalid two-proportion z-test input: alpha ${OPEN}`,
      );
    }
    expect(twoProportionZTest(VALID, { alpha: 1e-9 }).alpha).toBe(1e-9);
    expect(twoProportionZTest(VALID, { alpha: 1 - 1e-9 }).alpha).toBe(1 - 1e-9);
  });

  it('Welch t-test: a NaN mean, a negative or NaN variance, a count below 2', () => {
    expect(() =>
      welchTTest({ mean: Number.NaN, variance: -1, count: 1 }, { mean: 1, variance: Number.NaN, count: 5 }, {
        alpha: 1,
        alternative: 'x' as never,
      }),
    ).toThrowError(
      'invalid Welch t-test input: A.mean must be a finite number; A.variance must be a finite number ≥ 0; A.count must be ≥ 2; ' +
        `B.variance must be a finite number ≥ 0; alpha ${OPEN}; ${ALTERNATIVE}`,
    );
    expect(() => welchTTest({ mean: 1, variance: 1, count: 5 }, { mean: Infinity, variance: Infinity, count: 5 })).toThrowError(
      'invalid Welch t-test input: B.mean must be a finite number; B.variance must be a finite number ≥ 0',
    );
    // A variance of exactly 0 is allowed.
    expect(welchTTest({ mean: 1, variance: 0, count: 5 }, { mean: 1, variance: 1, count: 5 }).standardError).toBeCloseTo(
      Math.sqrt(0.2),
      15,
    );
  });

  it('SRM check: arms, weights, counts and threshold', () => {
    expect(() => srmCheck([10], [1, 2], { threshold: 0 })).toThrowError(
      `invalid SRM check input: observedCounts must have at least 2 arms; expectedWeights must have one weight per arm; threshold ${OPEN}`,
    );
    expect(() => srmCheck([10, 2.5], [1, Number.NaN])).toThrowError(
      'invalid SRM check input: observedCounts.1 must be an integer ≥ 0; expectedWeights.1 must be a finite number > 0',
    );
  });

  it('p-value adjustment: out of [0, 1], NaN, a string, an unknown method', () => {
    expect(() => adjustPValues([0.5, -0.1, 1.5, '0.5' as never, Number.NaN], 'sidak' as never)).toThrowError(
      'invalid p-value adjustment input: pValues.1 must be in [0, 1]; pValues.2 must be in [0, 1]; pValues.3 must be in [0, 1]; ' +
        "pValues.4 must be in [0, 1]; method must be 'holm', 'bonferroni' or 'benjamini-hochberg'",
    );
    expect(adjustPValues([0, 1], 'bonferroni')).toEqual([0, 1]);
  });

  it('sample size: every option, the metric, the power and the effect', () => {
    expect(() =>
      sampleSize({
        metric: { kind: 'proportion', baselineRate: 1 },
        mde: Number.NaN,
        alpha: 0,
        ratio: Number.NaN,
        alternative: 'x' as never,
        power: 1,
      }),
    ).toThrowError(
      `invalid sample size input: alpha ${OPEN}; ratio must be a finite number > 0; ${ALTERNATIVE}; ` +
        `metric.baselineRate ${OPEN}; power ${OPEN}; mde must be a finite number; mde baselineRate + mde must be in [0, 1]`,
    );
  });

  it('power: an unknown metric kind, a zero effect, no units', () => {
    expect(() => power({ metric: { kind: 'median' } as never, mde: 0, sampleSizeA: 0 })).toThrowError(
      "invalid power input: metric.kind must be 'proportion' or 'mean'; mde must not be 0; sampleSizeA must be a finite number > 0",
    );
    expect(() => power({ metric: { kind: 'mean', standardDeviation: 0 }, mde: 1, sampleSizeA: 10 })).toThrowError(
      'invalid power input: metric.standardDeviation must be a finite number > 0',
    );
  });

  it('power: the effect must point the way of a one-sided alternative, and 0 is refused once', () => {
    const metric = { kind: 'mean', standardDeviation: 1 } as const;
    expect(() => power({ metric, mde: 0, sampleSizeA: 10, alternative: 'greater' })).toThrowError(
      /^invalid power input: mde must not be 0$/,
    );
    expect(() => power({ metric, mde: 0, sampleSizeA: 10, alternative: 'less' })).toThrowError(
      /^invalid power input: mde must not be 0$/,
    );
    expect(() => power({ metric, mde: 0.1, sampleSizeA: 10, alternative: 'less' })).toThrowError(
      /^invalid power input: mde must be < 0 for alternative 'less'$/,
    );
    expect(() => power({ metric, mde: -0.1, sampleSizeA: 10, alternative: 'greater' })).toThrowError(
      /^invalid power input: mde must be > 0 for alternative 'greater'$/,
    );
  });

  it('power must exceed alpha: equal is refused (sample size and MDE)', () => {
    const metric = { kind: 'mean', standardDeviation: 1 } as const;
    expect(() => sampleSize({ metric, mde: 0.2, alpha: 0.05, power: 0.05 })).toThrowError(
      /^invalid sample size input: power must exceed alpha$/,
    );
    expect(() => minimumDetectableEffect({ metric, sampleSizeA: 100, alpha: 0.05, power: 0.05 })).toThrowError(
      /^invalid MDE input: power must exceed alpha$/,
    );
    expect(() => minimumDetectableEffect({ metric, sampleSizeA: 0, power: 1 })).toThrowError(
      `invalid MDE input: power ${OPEN}; sampleSizeA must be a finite number > 0`,
    );
    expect(sampleSize({ metric, mde: 0.2, alpha: 0.05, power: 0.06 }).a).toBeGreaterThan(0);
    expect(minimumDetectableEffect({ metric, sampleSizeA: 100, alpha: 0.05, power: 0.06 }).effectSize).toBeGreaterThan(0);
  });

  it('non-inferiority test: margin and alpha', () => {
    const arms = { metric: 'proportion', a: { successes: 9, total: 10 }, b: { successes: 9, total: 10 } } as const;
    expect(() => nonInferiorityTest(arms, { margin: 0, alpha: 1 })).toThrowError(
      `invalid non-inferiority input: margin must be a finite number > 0; alpha ${OPEN}`,
    );
  });

  it('sequential test: tau, alpha, null difference and the previous p-value', () => {
    const arms = { metric: 'proportion', a: { successes: 1, total: 10 }, b: { successes: 2, total: 10 } } as const;
    expect(() =>
      sequentialTest(arms, { tau: Number.NaN, alpha: 1, nullDifference: Infinity, previous: { pValue: 1.5, ci: [0, 1] } }),
    ).toThrowError(
      `invalid sequential test input: tau must be a finite number > 0; alpha ${OPEN}; nullDifference must be a finite number; ` +
        'previous.pValue must be in [0, 1]',
    );
    for (const pValue of [-0.1, 1.5, Number.NaN]) {
      expect(() => sequentialTest(arms, { tau: 0.1, previous: { pValue, ci: [0, 1] } }), String(pValue)).toThrowError(
        /^invalid sequential test input: previous.pValue must be in \[0, 1\]$/,
      );
    }
    // 0 and 1 are valid previous p-values: 0 stays 0, 1 gives way to this look's own.
    const look = sequentialTest(arms, { tau: 0.1 }).pValue;
    expect(sequentialTest(arms, { tau: 0.1, previous: { pValue: 0, ci: [-1, 1] } }).pValue).toBe(0);
    expect(sequentialTest(arms, { tau: 0.1, previous: { pValue: 1, ci: [-1, 1] } }).pValue).toBe(look);
  });
});

describe('statistics internals: an impossible alternative or metric is named', () => {
  it('normalIndependentPower, effectSize, the p-value and interval helpers', () => {
    expect(() => normalIndependentPower(0.2, 100, { alternative: 'x' as never })).toThrowError('unexpected alternative: "x"');
    expect(() => effectSize({ kind: 'x' } as never, 0.1)).toThrowError('unexpected metric: {"kind":"x"}');
    expect(() => pValueFromZ(1, 'x' as never)).toThrowError('unexpected alternative: "x"');
    expect(() => pValueFromT(1, 5, 'x' as never)).toThrowError('unexpected alternative: "x"');
    expect(() => intervalFor(0, 1, 0.05, 'x' as never, () => 1)).toThrowError('unexpected alternative: "x"');
  });
});
