import { describe, expect, it } from 'vitest';
import {
  adjustPValues,
  chanceToWin,
  minimumDetectableEffect,
  nonInferiorityTest,
  power,
  sampleSize,
  srmCheck,
  twoProportionZTest,
  welchTTest,
} from './index.js';

/** The `@example` snippets of the public API, run as written (STYLE.md §15 "docs that compile"). */
describe('documented examples', () => {
  it('match their comments', () => {
    const z = twoProportionZTest({ successesA: 120, totalA: 1000, successesB: 150, totalB: 1000 });
    expect(z.pValue).toBeCloseTo(0.0496, 4);
    expect(z.ci[0]).toBeCloseTo(0.000076, 6);
    const w = welchTTest({ mean: 10, variance: 4, count: 50 }, { mean: 11, variance: 9, count: 60 });
    expect(w.degreesOfFreedom).toBeCloseTo(103.3, 1);
    expect(w.pValue).toBeCloseTo(0.0395, 4);
    expect(srmCheck([5000, 5300], [0.5, 0.5]).mismatch).toBe(false);
    expect(srmCheck([5000, 5400]).mismatch).toBe(true);
    expect(adjustPValues([0.01, 0.04, 0.03], 'holm')).toEqual([0.03, 0.06, 0.06]);
    expect(sampleSize({ metric: { kind: 'proportion', baselineRate: 0.1 }, mde: 0.02 }).a).toBe(3835);
    expect(power({ metric: { kind: 'mean', standardDeviation: 1 }, mde: 0.2, sampleSizeA: 400 })).toBeCloseTo(0.807, 3);
    expect(minimumDetectableEffect({ metric: { kind: 'mean', standardDeviation: 2 }, sampleSizeA: 1000 }).mde).toBeCloseTo(0.2506, 4);
    const ctw = chanceToWin({ metric: 'proportion', a: { successes: 100, total: 1000 }, b: { successes: 120, total: 1000 } });
    expect(ctw.chanceToWin).toBeCloseTo(0.923, 3);
    const ni = nonInferiorityTest(
      { metric: 'proportion', a: { successes: 900, total: 1000 }, b: { successes: 895, total: 1000 } },
      { margin: 0.03 },
    );
    expect(ni.nonInferior).toBe(true);
  });
});
