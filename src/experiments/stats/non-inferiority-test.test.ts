import { describe, expect, it } from 'vitest';
import type { TwoArms } from './internal/arms.js';
import { nonInferiorityTest } from './non-inferiority-test.js';
import { expectClose, reference, type Expected } from './testing/reference.js';

interface Row {
  arms: TwoArms;
  options: { margin: number; higherIsBetter: boolean };
  expected: Expected;
}

describe('nonInferiorityTest', () => {
  const rows = reference.nonInferiorityTest as Row[];

  it.each(rows.map((r) => [r.arms.metric, JSON.stringify(r.options), r] as const))(
    '%s %s matches statsmodels/scipy',
    (_m, _o, row) => {
      const r = nonInferiorityTest(row.arms, row.options);
      expectClose(r.statistic, row.expected.statistic, 'statistic');
      expectClose(r.pValue, row.expected.pValue, 'pValue');
      expect(r.nonInferior).toBe(r.pValue < 0.05);
    },
  );

  it('bounds the difference on the side that matters', () => {
    const arms: TwoArms = { metric: 'proportion', a: { successes: 900, total: 1000 }, b: { successes: 895, total: 1000 } };
    const higher = nonInferiorityTest(arms, { margin: 0.03 });
    expect(higher.nonInferior).toBe(true);
    expect(higher.ci[1]).toBe(Infinity);
    expect(higher.ci[0]).toBeGreaterThan(-0.03); // the interval view of the same decision
    const lower = nonInferiorityTest(arms, { margin: 0.03, higherIsBetter: false });
    expect(lower.ci[0]).toBe(-Infinity);
    expect(() => nonInferiorityTest(arms, { margin: 0 })).toThrowError(/margin/);
  });
});
