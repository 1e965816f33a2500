/**
 * OPE at its edges, each value computed by hand: compensated sums, the bootstrap's resamples
 * and percentiles, the Bernstein slack and ranges, error messages naming the function, and
 * values that are not numbers. Nothing here runs at collection time, so a broken helper fails
 * a test (not the file's import).
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  doublyRobustClipped,
  empiricalBernsteinInterval,
  empiricalBernsteinMeanInterval,
  ips,
  mulberry32,
  normalInterval,
  normalQuantile,
  snips,
  switchDoublyRobust,
  toOpeSamples,
} from './index.js';
import type { OpeSample } from './index.js';

const onPolicy = (rewards: readonly number[]): OpeSample[] =>
  rewards.map((reward) => ({ action: 0, reward, propensity: 1, target: [1, 0], rewardHat: [0, 0] }));
const good = (): OpeSample[] => [
  { action: 0, reward: 1, propensity: 0.5, target: [0.5, 0.5], rewardHat: [0.5, 0.5] },
  { action: 1, reward: 0, propensity: 0.5, target: [0.5, 0.5], rewardHat: [0.5, 0.5] },
];
const bad = <T>(x: unknown): T => x as T;

describe('compensated sums (Neumaier)', () => {
  it('IPS and SNIPS keep what plain summation loses: [1, 1e100, 1, −1e100] sums to 2', () => {
    expect(ips(onPolicy([1, 1e100, 1, -1e100])).estimate).toBe(0.5);
    expect(ips(onPolicy([1e100, 1, -1e100, 1])).estimate).toBe(0.5);
    expect(ips(onPolicy([1e16, 1, -1e16])).estimate).toBe(1 / 3);
    expect(snips(onPolicy([1, 1e100, 1, -1e100])).estimate).toBe(0.5);
  });
});

describe('mulberry32 and normalQuantile, called inside tests', () => {
  it('mulberry32(42) gives its known sequence; an integer seed of any sign is accepted', () => {
    const next = mulberry32(42);
    expect(next()).toBe(0.6011037519201636);
    expect(() => mulberry32(-7)).not.toThrow();
    expect(() => mulberry32(0.5)).toThrow('mulberry32: seed must be an integer, got 0.5');
  });

  it('Φ⁻¹ at reference points, and p outside [0, 1] is refused with its value', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 14);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(() => normalQuantile(-0.1)).toThrow('normalQuantile: p must be in [0, 1], got -0.1');
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});

describe('bootstrapInterval', () => {
  it('each resample has n records, drawn at floor(next() · n) of mulberry32(seed)', () => {
    const samples = onPolicy([10, 20, 30]);
    const drawn: number[][] = [];
    const first = (s: readonly OpeSample[]) => {
      drawn.push(s.map((x) => x.reward));
      return { estimate: s.length };
    };
    const r = bootstrapInterval(samples, first, { resamples: 2, seed: 9 });
    expect(r.lower).toBe(3);
    expect(r.upper).toBe(3);
    const next = mulberry32(9);
    const expected = [0, 1].map(() => [0, 1, 2].map(() => [10, 20, 30][Math.floor(next() * 3)]));
    expect(drawn.slice(1)).toEqual(expected);
  });

  it('percentiles interpolate linearly (numpy type 7): replicates 1..5 at α 0.4 give 1.8 and 4.2', () => {
    let k = 0;
    const counter = () => ({ estimate: k++ });
    const r = bootstrapInterval(onPolicy([1, 2]), counter, { resamples: 5, alpha: 0.4 });
    expect(r.estimate).toBe(0);
    expect(r.lower).toBeCloseTo(1.8, 12);
    expect(r.upper).toBeCloseTo(4.2, 12);
    expect(r.failed).toBe(0);
  });

  it('one resample is allowed; the seed is checked by bootstrapInterval itself', () => {
    const r = bootstrapInterval(onPolicy([1, 2]), ips, { resamples: 1 });
    expect(r.resamples).toBe(1);
    expect(r.lower).toBe(r.upper);
    expect(() => bootstrapInterval(onPolicy([1]), ips, { seed: 1.5 })).toThrow(
      'bootstrapInterval: seed must be an integer, got 1.5',
    );
  });
});

describe('empirical Bernstein', () => {
  it('range 0 is allowed for constant values (a point), with 1e-12 of absolute slack and no more', () => {
    const r = empiricalBernsteinMeanInterval([0.5, 0.5, 0.5], { range: 0 });
    expect([r.lower, r.upper]).toEqual([0.5, 0.5]);
    expect(() => empiricalBernsteinMeanInterval([0, 1e-12], { range: 0 })).not.toThrow();
    expect(() => empiricalBernsteinMeanInterval([0, 3e-12], { range: 0 })).toThrow(RangeError);
  });

  it('names the spread max − min and the function in its errors', () => {
    expect(() => empiricalBernsteinMeanInterval([1, 3], { range: 1 })).toThrow(
      'empiricalBernsteinMeanInterval: the values spread over 2, more than range 1',
    );
    expect(() => empiricalBernsteinMeanInterval([1, 2], { range: 1, alpha: 0 })).toThrow(
      'empiricalBernsteinMeanInterval: alpha must be in (0, 1), got 0',
    );
  });

  it('rewardRange: both ends finite, min = max allowed, rewards below min refused', () => {
    const ones = onPolicy([1, 1]);
    for (const range of [[Number.NEGATIVE_INFINITY, 1], [0, Number.POSITIVE_INFINITY], [Number.NaN, 1]] as const)
      expect(() => empiricalBernsteinInterval(ones, { rewardRange: range })).toThrow(
        /empiricalBernsteinInterval: rewardRange must be finite \[min, max\]/,
      );
    // the default range is maxWeight · (max(rMax, 0) − min(rMin, 0)) = 1 · (1 − 0)
    expect(empiricalBernsteinInterval(ones, { rewardRange: [1, 1] }).range).toBe(1);
    expect(() => empiricalBernsteinInterval(onPolicy([0, 1]), { rewardRange: [0.5, 1] })).toThrow(
      'empiricalBernsteinInterval: rewards span [0, 1], outside rewardRange [0.5, 1]',
    );
  });
});

describe('messages name the function', () => {
  it('normalInterval, doublyRobustClipped, switchDoublyRobust', () => {
    expect(() => normalInterval({ estimate: 0, stdErr: 1 }, { alpha: 1 })).toThrow(
      'normalInterval: alpha must be in (0, 1), got 1',
    );
    expect(() => doublyRobustClipped(good(), { lambda: -1 })).toThrow(/^doublyRobustClipped: lambda must be/);
    expect(() => switchDoublyRobust(good(), { tau: -1 })).toThrow(/^switchDoublyRobust: tau must be/);
  });
});

describe('values that are not numbers', () => {
  it('a propensity, target probability or threshold given as a string is refused', () => {
    const s = good();
    expect(() => ips([{ ...s[0]!, propensity: bad<number>('0.5') }])).toThrow(/samples\[0\]\.propensity must be in \(0, 1\]/);
    expect(() => ips([{ ...s[0]!, target: bad<number[]>(['0.5', 0.5]) }])).toThrow(
      /samples\[0\]\.target\[0\] must be a probability in \[0, 1\]/,
    );
    expect(() => switchDoublyRobust(s, { tau: bad<number>('5') })).toThrow(/tau must be a number >= 0/);
    expect(() => doublyRobustClipped(s, { lambda: bad<number>(null) })).toThrow(/lambda must be a number >= 0/);
  });

  it('a negative target probability is refused even when the vector sums to 1', () => {
    const s: OpeSample = { action: 0, reward: 1, propensity: 0.5, target: [-0.5, 0.75, 0.75] };
    expect(() => ips([s])).toThrow(/samples\[0\]\.target\[0\] must be a probability in \[0, 1\], got -0.5/);
  });
});

describe('SNIPS with every weight 0 and toOpeSamples', () => {
  it('SNIPS: estimate and stdErr NaN, also for a single record', () => {
    const zero: OpeSample = { action: 1, reward: 1, propensity: 0.5, target: [1, 0] };
    for (const samples of [[zero], [zero, zero]]) {
      const r = snips(samples);
      expect(r.estimate).toBeNaN();
      expect(r.stdErr).toBeNaN();
    }
  });

  it('carries rewardHat when given with the right length, and has no rewardHat key without it', () => {
    const logged = [{ action: 0, reward: 1, propensity: 0.5 }];
    expect(toOpeSamples(logged, [[1, 0]], [[0.3, 0.4]])).toEqual([
      { action: 0, reward: 1, propensity: 0.5, target: [1, 0], rewardHat: [0.3, 0.4] },
    ]);
    const [plain] = toOpeSamples(logged, [[1, 0]]);
    expect(Object.keys(plain!)).toEqual(['action', 'reward', 'propensity', 'target']);
  });
});
