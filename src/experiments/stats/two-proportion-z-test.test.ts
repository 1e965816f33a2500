import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { expectClose, reference, type Expected } from './testing/reference.js';
import { twoProportionZTest } from './two-proportion-z-test.js';

describe('twoProportionZTest', () => {
  const rows = reference.twoProportionZTest as Array<{ input: never; options: never; expected: Expected }>;

  it.each(rows.map((r) => [JSON.stringify(r.input), JSON.stringify(r.options), r] as const))(
    'matches statsmodels for %s %s',
    (_i, _o, row) => {
      const r = twoProportionZTest(row.input, row.options);
      const e = row.expected;
      expectClose(r.difference, e.difference, 'difference');
      expectClose(r.zScore, e.zScore, 'zScore');
      expectClose(r.pValue, e.pValue, 'pValue');
      expectClose(r.standardError, e.standardError, 'standardError');
      expectClose(r.ci[0], (e.ci as never[])[0] ?? null, 'ci.lower');
      expectClose(r.ci[1], (e.ci as never[])[1] ?? null, 'ci.upper');
      if (e.relativeLift === null) {
        expect(r.relativeLift).toBeNull();
        expect(r.relativeLiftCi).toBeNull();
      } else {
        expectClose(r.relativeLift ?? Number.NaN, e.relativeLift, 'relativeLift');
        const ci = e.relativeLiftCi as unknown as never[];
        expectClose(r.relativeLiftCi?.[0] ?? Number.NaN, ci[0] ?? null, 'relativeLiftCi.lower');
        expectClose(r.relativeLiftCi?.[1] ?? Number.NaN, ci[1] ?? null, 'relativeLiftCi.upper');
      }
    },
  );

  it('reports significance against alpha and returns no evidence for identical all-zero arms', () => {
    const r = twoProportionZTest({ successesA: 120, totalA: 1000, successesB: 150, totalB: 1000 });
    expect(r.significant).toBe(r.pValue < 0.05);
    const zero = twoProportionZTest({ successesA: 0, totalA: 10, successesB: 0, totalB: 20 });
    expect(zero).toMatchObject({ zScore: 0, pValue: 1, significant: false, relativeLift: null });
  });

  it('names every invalid field', () => {
    try {
      twoProportionZTest({ successesA: 5, totalA: 3, successesB: -1, totalB: 0 }, { alpha: 2 });
      expect.unreachable();
    } catch (error) {
      expect(isValidationError(error)).toBe(true);
      const paths = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['A.successes', 'B.successes', 'B.total', 'alpha']));
    }
  });
});
