import { describe, expect, it } from 'vitest';
import { chanceToWin } from './chance-to-win.js';
import type { TwoArms } from './internal/arms.js';
import { expectClose, reference, type Expected } from './testing/reference.js';

interface Row {
  arms: TwoArms;
  expected: Expected;
}

describe('chanceToWin', () => {
  const rows = reference.chanceToWin as Row[];

  it.each(rows.map((r) => [JSON.stringify(r.arms), r] as const))('%s matches exact sums / scipy quadrature', (_a, row) => {
    const r = chanceToWin(row.arms);
    expectClose(r.chanceToWin, row.expected.chanceToWin, 'chanceToWin', 1e-6, 1e-12);
    expectClose(r.expectedLossA, row.expected.expectedLossA, 'expectedLossA', 1e-6, 1e-12);
    expectClose(r.expectedLossB, row.expected.expectedLossB, 'expectedLossB', 1e-6, 1e-12);
  });

  it('is 1/2 for identical arms and complementary when arms swap', () => {
    const a = { successes: 37, total: 400 };
    const b = { successes: 52, total: 410 };
    expect(chanceToWin({ metric: 'proportion', a, b: a }).chanceToWin).toBeCloseTo(0.5, 12);
    const forward = chanceToWin({ metric: 'proportion', a, b });
    const backward = chanceToWin({ metric: 'proportion', a: b, b: a });
    expect(forward.chanceToWin + backward.chanceToWin).toBeCloseTo(1, 12);
    expect(forward.expectedLossB).toBeCloseTo(backward.expectedLossA, 14);
  });

  it('stays exact and fast for a million units per arm', () => {
    const r = chanceToWin({
      metric: 'proportion',
      a: { successes: 500_000, total: 1_000_000 },
      b: { successes: 500_000, total: 1_000_000 },
    });
    expect(r.chanceToWin).toBeCloseTo(0.5, 9);
  });

  it('accepts only positive integer priors', () => {
    const arms: TwoArms = { metric: 'proportion', a: { successes: 1, total: 2 }, b: { successes: 1, total: 2 } };
    expect(() => chanceToWin(arms, { prior: { alpha: 0.5, beta: 1 } })).toThrowError(/prior.alpha/);
  });
});
