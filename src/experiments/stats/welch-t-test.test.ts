import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { expectClose, reference, type Expected } from './testing/reference.js';
import { welchTTest } from './welch-t-test.js';

describe('welchTTest', () => {
  const rows = reference.welchTTest as Array<{ kind: string; a: never; b: never; options: never; expected: Expected }>;

  it.each(rows.map((r, i) => [i, r.kind, JSON.stringify(r.options), r] as const))(
    'case %d (%s, %s) matches scipy ttest_ind(equal_var=False)',
    (_i, _k, _o, row) => {
      const r = welchTTest(row.a, row.b, row.options);
      const e = row.expected;
      expectClose(r.difference, e.difference, 'difference', 1e-9, 1e-12);
      expectClose(r.tStatistic, e.tStatistic, 'tStatistic');
      expectClose(r.degreesOfFreedom, e.degreesOfFreedom, 'degreesOfFreedom');
      expectClose(r.pValue, e.pValue, 'pValue');
      const ci = e.ci as unknown as never[];
      expectClose(r.ci[0], ci[0] ?? null, 'ci.lower');
      expectClose(r.ci[1], ci[1] ?? null, 'ci.upper');
      if (e.relativeLift === null) {
        expect(r.relativeLift).toBeNull();
      } else {
        expectClose(r.relativeLift ?? Number.NaN, e.relativeLift, 'relativeLift', 1e-6, 1e-12);
        const lift = e.relativeLiftCi as unknown as never[];
        expectClose(r.relativeLiftCi?.[0] ?? Number.NaN, lift[0] ?? null, 'relativeLiftCi.lower', 1e-6, 1e-12);
        expectClose(r.relativeLiftCi?.[1] ?? Number.NaN, lift[1] ?? null, 'relativeLiftCi.upper', 1e-6, 1e-12);
      }
    },
  );

  it('gives the same answer from samples and from their summary', () => {
    const a = [1, 2, 3, 4, 5.5];
    const b = [2, 2.5, 4, 6, 7, 8];
    const fromSamples = welchTTest(a, b);
    const fromSummary = welchTTest({ mean: 3.1, variance: 3.05, count: 5 }, { mean: 29.5 / 6, variance: 181.25 / 30, count: 6 });
    expect(fromSamples.pValue).toBeCloseTo(fromSummary.pValue, 12);
  });

  it('handles zero variance in both arms without NaN', () => {
    const same = welchTTest({ mean: 3, variance: 0, count: 4 }, { mean: 3, variance: 0, count: 4 });
    expect(same).toMatchObject({ tStatistic: 0, pValue: 1, degreesOfFreedom: 6 });
    const apart = welchTTest({ mean: 3, variance: 0, count: 4 }, { mean: 4, variance: 0, count: 4 });
    expect(apart.tStatistic).toBe(Infinity);
    expect(apart.pValue).toBe(0);
  });

  it('rejects arms with fewer than two observations', () => {
    expect(() => welchTTest([1], [1, 2])).toThrowError(/A.count must be ≥ 2/);
    try {
      welchTTest({ mean: Number.NaN, variance: -1, count: 3 }, [1, 2]);
    } catch (error) {
      expect(isValidationError(error)).toBe(true);
    }
  });
});
