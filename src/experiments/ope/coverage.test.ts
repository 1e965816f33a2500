/**
 * Coverage of the intervals on a small simulated contextual bandit with a known policy value:
 * 5 equally likely contexts, 3 actions, Bernoulli rewards, a logging policy that gives every
 * action at least 0.1, a different target policy and a deliberately biased reward model.
 * Every trial is seeded (mulberry32), so the counts are deterministic.
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  doublyRobust,
  empiricalBernsteinInterval,
  ips,
  mulberry32,
  normalInterval,
} from './index.js';
import type { OpeSample } from './index.js';

const MEAN_REWARD = [
  [0.2, 0.5, 0.8],
  [0.7, 0.3, 0.4],
  [0.5, 0.9, 0.1],
  [0.3, 0.3, 0.6],
  [0.85, 0.15, 0.5],
];
const LOGGING = [
  [0.6, 0.3, 0.1],
  [0.2, 0.5, 0.3],
  [0.1, 0.1, 0.8],
  [0.4, 0.4, 0.2],
  [0.15, 0.7, 0.15],
];
const TARGET = [
  [0.05, 0.15, 0.8],
  [0.9, 0.05, 0.05],
  [0.1, 0.8, 0.1],
  [0.1, 0.1, 0.8],
  [0.7, 0.1, 0.2],
];
/** The reward model is off by up to ±0.15: DM is biased, DR must not be. */
const MODEL_BIAS = [
  [0.1, -0.15, 0.05],
  [-0.1, 0.1, 0.15],
  [0.05, -0.1, 0.1],
  [0.15, 0.05, -0.05],
  [-0.15, 0.1, 0],
];
const row = (table: number[][], x: number): number[] => table[x] as number[];

/** True value of the target policy: E_x Σ_a π(a|x) μ(x, a). */
const TRUE_VALUE =
  MEAN_REWARD.reduce(
    (acc, mu, x) => acc + mu.reduce((s, m, a) => s + (row(TARGET, x)[a] as number) * m, 0),
    0,
  ) / MEAN_REWARD.length;
/** Largest possible weight max π/μ_log (rewards in [0, 1]), the a-priori range of w·r. */
const MAX_WEIGHT = Math.max(...TARGET.flatMap((t, x) => t.map((p, a) => p / (row(LOGGING, x)[a] as number))));

function simulate(n: number, seed: number): OpeSample[] {
  const next = mulberry32(seed);
  const samples: OpeSample[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.floor(next() * MEAN_REWARD.length);
    const logging = row(LOGGING, x);
    let u = next();
    let action = 0;
    while (action < logging.length - 1 && u >= (logging[action] as number)) u -= logging[action++] as number;
    const mu = row(MEAN_REWARD, x);
    samples.push({
      action,
      reward: next() < (mu[action] as number) ? 1 : 0,
      propensity: logging[action] as number,
      target: row(TARGET, x),
      rewardHat: mu.map((m, a) => m + (row(MODEL_BIAS, x)[a] as number)),
    });
  }
  return samples;
}

const covers = (ci: { lower: number; upper: number }): boolean =>
  ci.lower <= TRUE_VALUE && TRUE_VALUE <= ci.upper;

describe('interval coverage on a simulated contextual bandit (seeded)', () => {
  it('the simulation is what it claims', () => {
    expect(TRUE_VALUE).toBeCloseTo(0.684, 12);
    expect(MAX_WEIGHT).toBe(8);
    // Many samples: DR and IPS near the truth.
    const big = simulate(40_000, 99);
    expect(Math.abs(doublyRobust(big).estimate - TRUE_VALUE)).toBeLessThan(0.01);
    expect(Math.abs(ips(big).estimate - TRUE_VALUE)).toBeLessThan(0.02);
  });

  it('DR 95% normal interval covers the true value in >= 93% of 200 trials (n = 300)', () => {
    let covered = 0;
    let biasSum = 0;
    for (let t = 0; t < 200; t++) {
      const dr = doublyRobust(simulate(300, 10_000 + t));
      biasSum += dr.estimate - TRUE_VALUE;
      if (covers(normalInterval(dr))) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.93);
    expect(Math.abs(biasSum / 200)).toBeLessThan(0.01);
  });

  it('IPS empirical Bernstein 95% interval (range 8) covers in >= 95% of 200 trials and is wider than the normal one', () => {
    let covered = 0;
    for (let t = 0; t < 200; t++) {
      const samples = simulate(300, 20_000 + t);
      const eb = empiricalBernsteinInterval(samples, { range: MAX_WEIGHT });
      const normal = normalInterval(ips(samples));
      expect(eb.upper - eb.lower).toBeGreaterThan(normal.upper - normal.lower);
      if (covers(eb)) covered++;
    }
    expect(covered / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('IPS 90% percentile bootstrap covers in >= 85% of 100 trials (n = 150, 200 resamples)', () => {
    // The percentile bootstrap under-covers a little at this n (about 91% over 300 trials).
    let covered = 0;
    for (let t = 0; t < 100; t++) {
      const ci = bootstrapInterval(simulate(150, 30_000 + t), ips, { alpha: 0.1, resamples: 200, seed: t });
      if (covers(ci)) covered++;
    }
    expect(covered / 100).toBeGreaterThanOrEqual(0.85);
  });
});
