/** Algebraic properties of the estimators on random inputs (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  diagnostics,
  directMethod,
  doublyRobust,
  doublyRobustClipped,
  ips,
  normalInterval,
  shrinkWeight,
  snips,
  switchDoublyRobust,
} from './index.js';
import type { OpeSample } from './index.js';

const normalize = (xs: number[]): number[] => {
  const total = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / total);
};
const reward = fc.double({ min: -5, max: 5, noNaN: true });
const probs = (k: number) =>
  fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: k, maxLength: k }).map(normalize);

interface Drawn {
  action: number;
  reward: number;
  logging: number[];
  target: number[];
  rewardHat: number[];
}
const record = (k: number): fc.Arbitrary<Drawn> =>
  fc.record({
    action: fc.integer({ min: 0, max: k - 1 }),
    reward,
    logging: probs(k),
    // Some target entries exactly 0, so some weights are 0.
    target: fc
      .array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })), {
        minLength: k,
        maxLength: k,
      })
      .map((xs) => (xs.some((x) => x > 0) ? normalize(xs) : normalize(xs.map(() => 1)))),
    rewardHat: fc.array(reward, { minLength: k, maxLength: k }),
  });
const drawn = fc
  .integer({ min: 2, max: 5 })
  .chain((k) => fc.array(record(k), { minLength: 1, maxLength: 40 }));
const toSamples = (rows: Drawn[]): OpeSample[] =>
  rows.map((r) => ({
    action: r.action,
    reward: r.reward,
    propensity: r.logging[r.action] as number,
    target: r.target,
    rewardHat: r.rewardHat,
  }));
const samplesArb = drawn.map(toSamples);

const near = (a: number, b: number, scale = 1): void => {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return; // also ±Infinity, NaN (SNIPS with no weight)
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b), scale));
};
const RUNS = { numRuns: 200 };
/** Weights and thresholds of realistic size (no subnormal products). */
const positiveOrZero = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e4, noNaN: true }));

describe('OPE estimator properties', () => {
  it('IPS equals the on-policy mean reward when the target is the logging policy (and so does SNIPS)', () => {
    fc.assert(
      fc.property(drawn, (rows) => {
        const samples = toSamples(rows).map((s, i) => ({ ...s, target: (rows[i] as Drawn).logging }));
        const mean = samples.reduce((a, s) => a + s.reward, 0) / samples.length;
        near(ips(samples).estimate, mean, 5);
        near(snips(samples).estimate, mean, 5);
        const d = diagnostics(samples);
        expect(d.meanWeight).toBe(1);
        expect(d.maxWeight).toBe(1);
        near(d.effectiveSampleSize, samples.length);
      }),
      RUNS,
    );
  });

  it('SNIPS lies within [min reward, max reward] whenever some weight is positive', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const r = snips(samples);
        if (r.diagnostics.maxWeight === 0) {
          expect(r.estimate).toBeNaN();
          return;
        }
        const rewards = samples.map((s) => s.reward);
        expect(r.estimate).toBeGreaterThanOrEqual(Math.min(...rewards) - 1e-12);
        expect(r.estimate).toBeLessThanOrEqual(Math.max(...rewards) + 1e-12);
      }),
      RUNS,
    );
  });

  it('DR, clipped DR and SWITCH-DR equal DM when every weight is 0', () => {
    fc.assert(
      fc.property(drawn, (rows) => {
        // The target never takes the logged action.
        const samples = toSamples(rows).map((s) => {
          const raw = s.target.map((p, a) => (a === s.action ? 0 : p + 0.1));
          return { ...s, target: normalize(raw) };
        });
        const dm = directMethod(samples);
        expect(dm.diagnostics.maxWeight).toBe(0);
        expect(dm.diagnostics.effectiveSampleSize).toBe(0);
        expect(doublyRobust(samples).estimate).toBe(dm.estimate);
        expect(doublyRobustClipped(samples, { lambda: 3, shrinkage: 'optimistic' }).estimate).toBe(
          dm.estimate,
        );
        expect(switchDoublyRobust(samples, { tau: 2 }).estimate).toBe(dm.estimate);
        expect(ips(samples).estimate).toBe(0);
      }),
      RUNS,
    );
  });

  it('DR equals IPS when the reward model predicts 0 everywhere', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const zero = samples.map((s) => ({ ...s, rewardHat: s.target.map(() => 0) }));
        const dr = doublyRobust(zero);
        const ipsR = ips(zero);
        near(dr.estimate, ipsR.estimate, ipsR.diagnostics.maxWeight * 5);
        near(dr.stdErr, ipsR.stdErr, ipsR.diagnostics.maxWeight * 5);
      }),
      RUNS,
    );
  });

  it('clipping and switching reduce to DR at λ, τ ≥ max weight and to DM at λ = τ = 0', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const dr = doublyRobust(samples);
        const dm = directMethod(samples);
        const wMax = dr.diagnostics.maxWeight;
        for (const lambda of [wMax, wMax * 2, Number.POSITIVE_INFINITY]) {
          const clipped = doublyRobustClipped(samples, { lambda });
          expect(clipped.estimate).toBe(dr.estimate);
          expect(clipped.clipped).toBe(0);
        }
        for (const tau of [wMax, Number.POSITIVE_INFINITY]) {
          const sw = switchDoublyRobust(samples, { tau });
          expect(sw.estimate).toBe(dr.estimate);
          expect(sw.switched).toBe(0);
        }
        expect(
          doublyRobustClipped(samples, { lambda: Number.POSITIVE_INFINITY, shrinkage: 'optimistic' })
            .estimate,
        ).toBe(dr.estimate);
        expect(doublyRobustClipped(samples, { lambda: 0 }).estimate).toBe(dm.estimate);
        expect(doublyRobustClipped(samples, { lambda: 0, shrinkage: 'optimistic' }).estimate).toBe(
          dm.estimate,
        );
        expect(switchDoublyRobust(samples, { tau: 0 }).estimate).toBe(dm.estimate);
      }),
      RUNS,
    );
  });

  it('shrunk weights are in [0, w], monotone in λ, and pessimistic ones at most λ, optimistic at most √λ / 2', () => {
    fc.assert(
      fc.property(positiveOrZero, positiveOrZero, positiveOrZero, (w, l1, l2) => {
        const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
        for (const shrinkage of ['pessimistic', 'optimistic'] as const) {
          const a = shrinkWeight(w, lo, shrinkage);
          const b = shrinkWeight(w, hi, shrinkage);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(w);
          expect(a).toBeLessThanOrEqual(b * (1 + 1e-12));
        }
        expect(shrinkWeight(w, lo)).toBeLessThanOrEqual(lo);
        expect(shrinkWeight(w, lo, 'optimistic')).toBeLessThanOrEqual((Math.sqrt(lo) / 2) * (1 + 1e-12));
      }),
      RUNS,
    );
  });

  it('DM ignores rewards and propensities', () => {
    fc.assert(
      fc.property(samplesArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (samples, p) => {
        const changed = samples.map((s) => ({ ...s, reward: -s.reward + 1, propensity: p }));
        expect(directMethod(changed).estimate).toBe(directMethod(samples).estimate);
      }),
      RUNS,
    );
  });

  it('SNIPS and DR are equivariant under an affine change of reward units r → a·r + b', () => {
    fc.assert(
      fc.property(
        samplesArb,
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (samples, a, b) => {
          const moved = samples.map((s) => ({
            ...s,
            reward: a * s.reward + b,
            rewardHat: (s.rewardHat as number[]).map((q) => a * q + b),
          }));
          const scale = 20 * (1 + doublyRobust(samples).diagnostics.maxWeight);
          near(doublyRobust(moved).estimate, a * doublyRobust(samples).estimate + b, scale);
          if (samples.length > 1) {
            // (with one record both are Infinity, and 0 · Infinity is NaN)
            near(doublyRobust(moved).stdErr, Math.abs(a) * doublyRobust(samples).stdErr, scale);
          }
          const s0 = snips(samples);
          if (Number.isFinite(s0.estimate)) near(snips(moved).estimate, a * s0.estimate + b, 20);
        },
      ),
      RUNS,
    );
  });

  it('estimates do not depend on the order of the records', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const reversed = [...samples].reverse();
        const scale = 5 * (1 + ips(samples).diagnostics.maxWeight);
        for (const f of [ips, snips, directMethod, doublyRobust])
          near(f(reversed).estimate, f(samples).estimate, scale);
        near(diagnostics(reversed).effectiveSampleSize, diagnostics(samples).effectiveSampleSize);
      }),
      RUNS,
    );
  });

  it('the effective sample size is between 1 and n when some weight is positive', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const d = diagnostics(samples);
        if (d.maxWeight === 0) return;
        expect(d.effectiveSampleSize).toBeGreaterThanOrEqual(1 - 1e-12);
        expect(d.effectiveSampleSize).toBeLessThanOrEqual(samples.length * (1 + 1e-12));
        expect(d.meanWeight).toBeLessThanOrEqual(d.maxWeight);
      }),
      RUNS,
    );
  });

  it('the normal interval is symmetric around the estimate and widens as alpha shrinks', () => {
    fc.assert(
      fc.property(
        samplesArb.filter((s) => s.length > 1),
        (samples) => {
          const dr = doublyRobust(samples);
          const ci95 = normalInterval(dr);
          const ci99 = normalInterval(dr, { alpha: 0.01 });
          near(ci95.estimate - ci95.lower, ci95.upper - ci95.estimate, 1 + dr.stdErr);
          expect(ci99.lower).toBeLessThanOrEqual(ci95.lower);
          expect(ci99.upper).toBeGreaterThanOrEqual(ci95.upper);
        },
      ),
      RUNS,
    );
  });

  it('a single record has an infinite standard error (no variance estimate)', () => {
    const one = [{ action: 0, reward: 1, propensity: 0.5, target: [1, 0], rewardHat: [0.5, 0.5] }];
    for (const f of [ips, snips, directMethod, doublyRobust])
      expect(f(one).stdErr).toBe(Number.POSITIVE_INFINITY);
    const ci = normalInterval(doublyRobust(one));
    expect([ci.lower, ci.upper]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });
});
