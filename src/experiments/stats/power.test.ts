import { describe, expect, it } from 'vitest';
import { minimumDetectableEffect, power, sampleSize, type PowerMetric } from './power.js';
import { expectClose, reference, type Expected } from './testing/reference.js';
import type { Alternative } from './types.js';

interface Row {
  metric: PowerMetric;
  mde: number;
  options: { alpha: number; power: number; ratio: number; alternative: Alternative };
  expected: Expected;
}

describe('power analysis (statsmodels NormalIndPower)', () => {
  const rows = reference.power as Row[];

  it.each(rows.map((r, i) => [i, JSON.stringify(r.metric), r.mde, JSON.stringify(r.options), r] as const))(
    'case %d: %s mde=%d %s',
    (_i, _m, _d, _o, row) => {
      const { alpha, ratio, alternative } = row.options;
      const size = sampleSize({ metric: row.metric, mde: row.mde, ...row.options });
      expectClose(size.effectSize, row.expected.effectSize, 'effectSize', 1e-12, 1e-15);
      expectClose(size.exactA, row.expected.nobs1, 'nobs1');
      expect(size.a).toBe(Math.ceil(size.exactA));
      expect(size.b).toBe(Math.ceil(size.exactA * ratio));

      const p = power({ metric: row.metric, mde: row.mde, sampleSizeA: 1000, alpha, ratio, alternative });
      expectClose(p, row.expected.powerAt1000, 'power at n=1000');

      const mde = minimumDetectableEffect({ metric: row.metric, sampleSizeA: 1000, ...row.options });
      expectClose(mde.effectSize, row.expected.mdeEffectSizeAt1000, 'MDE effect size');
      if (row.expected.mdeAt1000 === null) expect(mde.mde).toBeNull();
      else expectClose(mde.mde ?? Number.NaN, row.expected.mdeAt1000, 'MDE');
    },
  );

  it('round-trips: the sample size for an MDE reaches exactly the target power', () => {
    const metric: PowerMetric = { kind: 'proportion', baselineRate: 0.2 };
    const size = sampleSize({ metric, mde: 0.03, power: 0.9 });
    expect(power({ metric, mde: 0.03, sampleSizeA: size.exactA })).toBeCloseTo(0.9, 10);
    expect(minimumDetectableEffect({ metric, sampleSizeA: size.exactA, power: 0.9 }).mde).toBeCloseTo(0.03, 9);
  });

  it('rejects an effect pointing against a one-sided alternative and a power not above alpha', () => {
    const metric: PowerMetric = { kind: 'mean', standardDeviation: 1 };
    expect(() => sampleSize({ metric, mde: -0.1, alternative: 'greater' })).toThrowError(/mde must be > 0/);
    expect(() => sampleSize({ metric, mde: 0.1, power: 0.01 })).toThrowError(/power must exceed alpha/);
    expect(() => sampleSize({ metric: { kind: 'proportion', baselineRate: 0.95 }, mde: 0.1 })).toThrowError(/\[0, 1\]/);
  });
});
