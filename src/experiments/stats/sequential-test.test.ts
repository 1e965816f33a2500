import { describe, expect, it } from 'vitest';
import type { TwoArms } from './internal/arms.js';
import { sequentialTest } from './sequential-test.js';
import { createSequentialTracker } from './sequential-tracker.js';
import { expectClose, reference } from './testing/reference.js';
import { createSeededRandom } from './testing/seeded-random.js';
import type { SampleSummary } from './types.js';
import { welchTTest } from './welch-t-test.js';

interface Row {
  arms: TwoArms;
  options: { tau: number; alpha: number };
  expected: { likelihoodRatio: number; pValue: number; ci: [number, number] };
}

describe('sequentialTest (mSPRT)', () => {
  const rows = reference.sequentialTest as Row[];

  it.each(rows.map((r) => [JSON.stringify(r.arms), r] as const))('%s matches the Johari et al. closed form', (_a, row) => {
    const r = sequentialTest(row.arms, row.options);
    expectClose(r.likelihoodRatio, row.expected.likelihoodRatio, 'likelihoodRatio', 1e-9);
    expectClose(r.pValue, row.expected.pValue, 'pValue', 1e-9);
    expectClose(r.ci[0], row.expected.ci[0], 'ci.lower', 1e-9);
    expectClose(r.ci[1], row.expected.ci[1], 'ci.upper', 1e-9);
  });

  it('carries the running minimum p-value and the intersected interval between looks', () => {
    const strong: TwoArms = { metric: 'proportion', a: { successes: 100, total: 1000 }, b: { successes: 160, total: 1000 } };
    const weaker: TwoArms = { metric: 'proportion', a: { successes: 200, total: 2000 }, b: { successes: 215, total: 2000 } };
    const first = sequentialTest(strong, { tau: 0.05 });
    const second = sequentialTest(weaker, { tau: 0.05, previous: first });
    expect(second.lookPValue).toBeGreaterThan(first.pValue);
    expect(second.pValue).toBe(first.pValue);
    expect(second.ci[0]).toBeGreaterThanOrEqual(first.ci[0]);
    expect(second.ci[1]).toBeLessThanOrEqual(first.ci[1]);
  });

  it('treats a look without variance as no evidence', () => {
    const r = sequentialTest({ metric: 'proportion', a: { successes: 0, total: 5 }, b: { successes: 0, total: 5 } }, { tau: 0.1 });
    expect(r).toMatchObject({ likelihoodRatio: 1, pValue: 1, significant: false });
    expect(r.ci).toEqual([-Infinity, Infinity]);
    expect(() => sequentialTest(r as never, { tau: 0 })).toThrowError(/tau/);
  });

  it('the tracker keeps state across updates', () => {
    const tracker = createSequentialTracker({ tau: 0.02 });
    expect(tracker.state).toBeUndefined();
    const a = tracker.update({ metric: 'proportion', a: { successes: 50, total: 500 }, b: { successes: 80, total: 500 } });
    const b = tracker.update({ metric: 'proportion', a: { successes: 100, total: 1000 }, b: { successes: 110, total: 1000 } });
    expect(tracker.looks).toBe(2);
    expect(b.pValue).toBeLessThanOrEqual(a.pValue);
    expect(tracker.state).toEqual({ pValue: b.pValue, ci: b.ci });
  });
});

/**
 * Continuous peeking under the null: 500 simulated A/A experiments, 50 looks each, 20 new
 * N(0, 1) observations per arm per look (seeded, deterministic). A fixed-horizon Welch test
 * re-run at every look rejects far more often than α; the mSPRT's always-valid p-value must
 * not. Documented Monte-Carlo slack: α + 3·√(α(1−α)/500) ≈ 0.079 (three binomial standard
 * errors), although the mSPRT's true rate is well below α.
 */
describe('mSPRT under continuous peeking (simulation)', () => {
  it('keeps the false-positive rate at α while the naive repeated t-test exceeds it', () => {
    const alpha = 0.05;
    const experiments = 500;
    const looks = 50;
    const perLook = 20;
    const random = createSeededRandom(20240611);
    let sequentialRejections = 0;
    let naiveRejections = 0;
    for (let e = 0; e < experiments; e++) {
      const sums = { a: 0, a2: 0, b: 0, b2: 0 };
      const tracker = createSequentialTracker({ tau: 0.2, alpha });
      let sequentialRejected = false;
      let naiveRejected = false;
      for (let look = 1; look <= looks; look++) {
        for (let i = 0; i < perLook; i++) {
          const x = random.normal();
          const y = random.normal();
          sums.a += x;
          sums.a2 += x * x;
          sums.b += y;
          sums.b2 += y * y;
        }
        const n = look * perLook;
        const summary = (s: number, s2: number): SampleSummary => ({ mean: s / n, variance: (s2 - (s * s) / n) / (n - 1), count: n });
        const a = summary(sums.a, sums.a2);
        const b = summary(sums.b, sums.b2);
        if (tracker.update({ metric: 'mean', a, b }).significant) sequentialRejected = true;
        if (welchTTest(a, b, { alpha }).significant) naiveRejected = true;
      }
      if (sequentialRejected) sequentialRejections++;
      if (naiveRejected) naiveRejections++;
    }
    const sequentialRate = sequentialRejections / experiments;
    const naiveRate = naiveRejections / experiments;
    const slack = 3 * Math.sqrt((alpha * (1 - alpha)) / experiments);
    expect(sequentialRate).toBeLessThanOrEqual(alpha + slack);
    expect(naiveRate).toBeGreaterThan(3 * alpha);
  });
});
