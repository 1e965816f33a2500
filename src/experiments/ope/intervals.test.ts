/** Bootstrap, empirical Bernstein and normal intervals, the normal quantile and the PRNG. */
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  doublyRobust,
  empiricalBernsteinInterval,
  empiricalBernsteinMeanInterval,
  ips,
  mulberry32,
  normalInterval,
  normalQuantile,
  snips,
} from './index.js';
import type { OpeSample } from './index.js';

/** A small seeded log: 3 actions, uniform logging policy, rewards in [0, 1]. */
function log(n: number, seed: number): OpeSample[] {
  const next = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const action = Math.floor(next() * 3);
    return {
      action,
      reward: next() < 0.3 + 0.2 * action ? 1 : 0,
      propensity: 1 / 3,
      target: [0.2, 0.3, 0.5],
      rewardHat: [0.3, 0.5, 0.7],
    };
  });
}

describe('mulberry32', () => {
  it('is deterministic, in [0, 1), and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 3)).toEqual([b(), b(), b()]);
    expect(xs[0]).toBe(0.6011037519201636);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe('normalQuantile (Wichura AS241 = Python statistics.NormalDist.inv_cdf)', () => {
  it.each([
    [1e-300, -37.0470962993612],
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400538],
    [0.3, -0.5244005127080407],
    [0.5, 0],
    [0.8, 0.8416212335729144],
    [0.975, 1.9599639845400536],
    [0.995, 2.5758293035489],
    [1 - 1e-12, 7.0344869100478356],
  ])('Φ⁻¹(%d)', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(z)));
  });
  it('is ∓Infinity at 0 and 1', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('bootstrapInterval', () => {
  const samples = log(200, 5);

  it('is deterministic given the seed and changes with it', () => {
    const a = bootstrapInterval(samples, snips, { seed: 7, resamples: 300 });
    const b = bootstrapInterval(samples, snips, { seed: 7, resamples: 300 });
    const c = bootstrapInterval(samples, snips, { seed: 8, resamples: 300 });
    expect(a).toEqual(b);
    expect([c.lower, c.upper]).not.toEqual([a.lower, a.upper]);
    expect(a).toMatchObject({ method: 'bootstrap', alpha: 0.05, resamples: 300, failed: 0, seed: 7 });
    expect(a.estimate).toBe(snips(samples).estimate);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
  });

  it('uses the defaults alpha 0.05, 1000 resamples, seed 1', () => {
    const d = bootstrapInterval(samples, ips);
    expect(d).toMatchObject({ alpha: 0.05, resamples: 1000, seed: 1 });
    expect(d).toEqual(bootstrapInterval(samples, ips, { alpha: 0.05, resamples: 1000, seed: 1 }));
  });

  it('agrees with the normal interval for a smooth estimator and a large sample (within 15% of the width)', () => {
    const big = log(2000, 11);
    const boot = bootstrapInterval(big, doublyRobust, { resamples: 400, seed: 3 });
    const normal = normalInterval(doublyRobust(big));
    const width = normal.upper - normal.lower;
    expect(Math.abs(boot.lower - normal.lower)).toBeLessThan(0.15 * width);
    expect(Math.abs(boot.upper - normal.upper)).toBeLessThan(0.15 * width);
  });

  it('narrows as alpha grows, and a constant estimator gives a point', () => {
    const wide = bootstrapInterval(samples, ips, { alpha: 0.01, resamples: 300 });
    const narrow = bootstrapInterval(samples, ips, { alpha: 0.5, resamples: 300 });
    expect(wide.lower).toBeLessThanOrEqual(narrow.lower);
    expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper);
    const constant = bootstrapInterval(samples, () => ({ estimate: 0.25 }), { resamples: 50 });
    expect([constant.lower, constant.upper]).toEqual([0.25, 0.25]);
  });

  it('counts non-finite replicates as failed and leaves them out', () => {
    // One record the target can take (weight 2) among 9 it cannot: some resamples have no weight.
    const sparse: OpeSample[] = Array.from({ length: 10 }, (_, i) => ({
      action: i === 0 ? 0 : 1,
      reward: i === 0 ? 1 : 0,
      propensity: 0.5,
      target: [1, 0],
    }));
    const r = bootstrapInterval(sparse, snips, { resamples: 500, seed: 2 });
    expect(r.failed).toBeGreaterThan(0);
    expect(r.failed).toBeLessThan(500);
    expect([r.lower, r.upper]).toEqual([1, 1]);
    const allFailed = bootstrapInterval(sparse.slice(1), snips, { resamples: 20 });
    expect(allFailed.failed).toBe(20);
    expect(allFailed.lower).toBeNaN();
  });
});

describe('empirical Bernstein', () => {
  it('matches the Maurer & Pontil formula on a hand example', () => {
    const values = [0.2, 0.4, 0.9, 0.5];
    const r = empiricalBernsteinMeanInterval(values, { range: 1 });
    const m = 0.5;
    const v = (0.09 + 0.01 + 0.16 + 0) / 3;
    const log = Math.log(4 / 0.05);
    const half = Math.sqrt((2 * v * log) / 4) + (7 * log) / 9;
    expect(r.estimate).toBeCloseTo(m, 15);
    expect(r.variance).toBeCloseTo(v, 15);
    expect(r.lower).toBeCloseTo(m - half, 14);
    expect(r.upper).toBeCloseTo(m + half, 14);
    expect(r).toMatchObject({ method: 'empirical-bernstein', alpha: 0.05, n: 4, range: 1 });
  });

  it('is (−∞, ∞) for one value and shrinks like 1/√n', () => {
    const one = empiricalBernsteinMeanInterval([0.5], { range: 1 });
    expect([one.lower, one.upper]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    const next = mulberry32(9);
    const width = (n: number): number => {
      const r = empiricalBernsteinMeanInterval(
        Array.from({ length: n }, () => next()),
        { range: 1 },
      );
      return r.upper - r.lower;
    };
    const ratio = width(400) / width(40_000);
    expect(ratio).toBeGreaterThan(7);
    expect(ratio).toBeLessThan(20);
  });

  it('computes the IPS range from the max weight and the reward range', () => {
    const samples = log(300, 4);
    const observed = empiricalBernsteinInterval(samples);
    // weights are 0.6, 0.9, 1.5; rewards observed in [0, 1]
    expect(observed.range).toBeCloseTo(1.5, 14);
    expect(observed.estimate).toBeCloseTo(ips(samples).estimate, 14);
    expect(empiricalBernsteinInterval(samples, { rewardRange: [-1, 1] }).range).toBeCloseTo(3, 14);
    expect(empiricalBernsteinInterval(samples, { range: 10 }).range).toBe(10);
    // Wider than the normal interval at the same alpha.
    const normal = normalInterval(ips(samples));
    expect(observed.upper - observed.lower).toBeGreaterThan(normal.upper - normal.lower);
  });
});

describe('normalInterval', () => {
  it('is estimate ± 1.96 stdErr by default', () => {
    const ci = normalInterval({ estimate: 1, stdErr: 0.5 });
    expect(ci).toEqual({
      method: 'normal',
      estimate: 1,
      lower: 1 - 0.5 * 1.9599639845400536,
      upper: 1 + 0.5 * 1.9599639845400536,
      alpha: 0.05,
    });
  });
});
