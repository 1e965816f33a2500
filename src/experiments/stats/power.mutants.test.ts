// Mutation tests (issue 20, docs/quality.md "stats") for power.ts: the edges of the effect
// check (a rate moved exactly to 0 or 1 is allowed), the total of a sample size, the search's
// ceiling and an MDE with no rate in [0, 1] that far away. Reference values: scipy 1.17.1
// (norm.sf/norm.cdf/norm.isf, optimize.brentq on the NormalIndPower formula; statsmodels is
// not installed here, the formula is the one in the header of power.ts).
import { describe, expect, it } from 'vitest';
import { minimumDetectableEffect, power, sampleSize, type PowerMetric } from './power.js';
import { expectClose } from './testing/reference.js';

describe('power: the effect may move a rate exactly to 0 or 1, not past it', () => {
  it('baseline 0.1, mde −0.1 (rate 0): Cohen h −0.6435, power 0.99521 at 100 a side', () => {
    const metric: PowerMetric = { kind: 'proportion', baselineRate: 0.1 };
    expectClose(power({ metric, mde: -0.1, sampleSizeA: 100 }), 0.995205049421196, 'power');
    expectClose(sampleSize({ metric, mde: -0.1 }).effectSize, -0.6435011087932844, 'effect size', 1e-12);
    expect(() => power({ metric, mde: -0.1000001, sampleSizeA: 100 })).toThrowError(
      /^invalid power input: mde baselineRate \+ mde must be in \[0, 1\]$/,
    );
    expect(() => power({ metric, mde: -0.2, sampleSizeA: 100 })).toThrowError(/baselineRate \+ mde must be in \[0, 1\]/);
  });

  it('baseline 0.9, mde +0.1 (rate 1): power 0.99521 at 100 a side; +0.1000001 is refused', () => {
    const metric: PowerMetric = { kind: 'proportion', baselineRate: 0.9 };
    expectClose(power({ metric, mde: 0.1, sampleSizeA: 100 }), 0.9952050494211959, 'power');
    expect(() => power({ metric, mde: 0.1000001, sampleSizeA: 100 })).toThrowError(/baselineRate \+ mde must be in \[0, 1\]/);
  });
});

describe('sampleSize', () => {
  it('total is a + b: 10% → 12% with twice as many in B needs 2876 + 5752 = 8628', () => {
    const r = sampleSize({ metric: { kind: 'proportion', baselineRate: 0.1 }, mde: 0.02, ratio: 2 });
    expectClose(r.exactA, 2875.9468049078546, 'exactA');
    expect(r).toMatchObject({ a: 2876, b: 5752, total: 8628 });
  });

  it('an effect that needs more than 1e300 units a side answers Infinity', () => {
    // es = 1e-150 needs about 7.85 / es² ≈ 1.6e301 units: past the search's ceiling.
    const r = sampleSize({ metric: { kind: 'mean', standardDeviation: 1 }, mde: 1e-150 });
    expect(r.exactA).toBe(Infinity);
    expect(r.total).toBe(Infinity);
    // 1e-149 needs about 1.6e299: still found.
    expectClose(sampleSize({ metric: { kind: 'mean', standardDeviation: 1 }, mde: 1e-149 }).exactA, 1.5697721018651823e299, 'exactA', 1e-6);
  });
});

describe('minimumDetectableEffect', () => {
  it('half of all units converting, 1000 a side: es 0.12529, mde +0.06248', () => {
    const r = minimumDetectableEffect({ metric: { kind: 'proportion', baselineRate: 0.5 }, sampleSizeA: 1000 });
    expectClose(r.effectSize, 0.12529054640575402, 'effect size');
    expectClose(r.mde ?? Number.NaN, 0.062481503792418125, 'mde');
  });

  it('a tiny effect is solved to the same relative precision: 1e11 units a side, es 1.2529e-5', () => {
    const r = minimumDetectableEffect({ metric: { kind: 'mean', standardDeviation: 1 }, sampleSizeA: 1e11 });
    expectClose(r.effectSize, 1.2529054640575401e-5, 'effect size', 1e-9);
  });

  it('no rate in [0, 1] is far enough: null above 1 (greater) and below 0 (less)', () => {
    const up = minimumDetectableEffect({ metric: { kind: 'proportion', baselineRate: 0.99 }, sampleSizeA: 10, alternative: 'greater' });
    expect(up.effectSize).toBeGreaterThan(1);
    expect(up.mde).toBeNull();
    const down = minimumDetectableEffect({ metric: { kind: 'proportion', baselineRate: 0.01 }, sampleSizeA: 10, alternative: 'less' });
    expect(down.effectSize).toBeLessThan(-1);
    expect(down.mde).toBeNull();
  });
});
