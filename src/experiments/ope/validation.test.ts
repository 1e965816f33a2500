/** Bad input fails loudly with a RangeError naming the function, record and field. */
import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  diagnostics,
  directMethod,
  doublyRobust,
  doublyRobustClipped,
  empiricalBernsteinInterval,
  empiricalBernsteinMeanInterval,
  importanceWeights,
  ips,
  mulberry32,
  normalInterval,
  normalQuantile,
  snips,
  switchDoublyRobust,
  toOpeSamples,
} from './index.js';
import type { OpeSample } from './index.js';

const good: OpeSample[] = [
  { action: 0, reward: 1, propensity: 0.5, target: [0.5, 0.5], rewardHat: [0.5, 0.5] },
  { action: 1, reward: 0, propensity: 0.5, target: [0.5, 0.5], rewardHat: [0.5, 0.5] },
];
const withSecond = (patch: Partial<OpeSample>): OpeSample[] => [
  good[0] as OpeSample,
  { ...(good[1] as OpeSample), ...patch },
];
const estimators = { ips, snips, directMethod, doublyRobust, diagnostics, importanceWeights };

describe('input validation', () => {
  it.each(Object.entries(estimators))('%s rejects empty input', (name, f) => {
    expect(() => f([])).toThrow(RangeError);
    expect(() => f([])).toThrow(`${name}: samples must be a non-empty array`);
  });

  it.each([0, -0.1, 1.0000001, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects propensity %d',
    (propensity) => {
      for (const f of Object.values(estimators)) {
        expect(() => f(withSecond({ propensity }))).toThrow(RangeError);
        expect(() => f(withSecond({ propensity }))).toThrow(/samples\[1\]\.propensity must be in \(0, 1\]/);
      }
    },
  );

  it('accepts propensity 1', () => {
    expect(ips(withSecond({ propensity: 1 })).n).toBe(2);
  });

  it('rejects a NaN or infinite reward', () => {
    expect(() => ips(withSecond({ reward: Number.NaN }))).toThrow(
      /ips: samples\[1\]\.reward must be a finite number, got NaN/,
    );
    expect(() => doublyRobust(withSecond({ reward: Number.POSITIVE_INFINITY }))).toThrow(RangeError);
  });

  it('rejects a target of another length than the first record', () => {
    expect(() => ips(withSecond({ target: [0.2, 0.3, 0.5] }))).toThrow(
      /samples\[1\]\.target must have length 2 \(the length of samples\[0\]\.target\), got an array of length 3/,
    );
    expect(() => snips([{ ...(good[0] as OpeSample), target: [] }])).toThrow(/non-empty probability vector/);
  });

  it('rejects a target that is not a probability vector', () => {
    expect(() => ips(withSecond({ target: [0.5, 0.6] }))).toThrow(/target must sum to 1/);
    expect(() => ips(withSecond({ target: [1.5, -0.5] }))).toThrow(
      /target\[0\] must be a probability in \[0, 1\]/,
    );
    expect(() => ips(withSecond({ target: [Number.NaN, 1] }))).toThrow(RangeError);
  });

  it('rejects an action outside [0, K) or not an integer', () => {
    expect(() => ips(withSecond({ action: 2 }))).toThrow(/action must be an integer in \[0, 2\), got 2/);
    expect(() => ips(withSecond({ action: -1 }))).toThrow(RangeError);
    expect(() => ips(withSecond({ action: 0.5 }))).toThrow(RangeError);
  });

  it('DM and the DR family require a reward model of length K; IPS and SNIPS do not', () => {
    const noHat = good.map(({ rewardHat: _h, ...rest }) => rest);
    expect(ips(noHat).n).toBe(2);
    expect(snips(noHat).n).toBe(2);
    expect(() => directMethod(noHat)).toThrow(/directMethod: samples\[0\]\.rewardHat is required/);
    expect(() => doublyRobust(noHat)).toThrow(/doublyRobust: samples\[0\]\.rewardHat is required/);
    expect(() => doublyRobustClipped(noHat, { lambda: 5 })).toThrow(RangeError);
    expect(() => switchDoublyRobust(noHat, { tau: 5 })).toThrow(RangeError);
    expect(() => doublyRobust(withSecond({ rewardHat: [1] }))).toThrow(/rewardHat must have length 2/);
    expect(() => doublyRobust(withSecond({ rewardHat: [1, Number.NaN] }))).toThrow(
      /rewardHat\[1\] must be a finite number/,
    );
    // a malformed rewardHat is rejected even where it is not used
    expect(() => ips(withSecond({ rewardHat: [1] }))).toThrow(RangeError);
  });

  it('rejects bad thresholds and shrinkage', () => {
    expect(() => doublyRobustClipped(good, { lambda: -1 })).toThrow(/lambda must be a number >= 0/);
    expect(() => doublyRobustClipped(good, { lambda: Number.NaN })).toThrow(RangeError);
    expect(() => doublyRobustClipped(good, { lambda: 1, shrinkage: 'wild' as 'optimistic' })).toThrow(
      /shrinkage must be/,
    );
    expect(() => switchDoublyRobust(good, { tau: Number.NaN })).toThrow(/tau must be a number >= 0/);
    expect(doublyRobustClipped(good, { lambda: Number.POSITIVE_INFINITY }).estimate).toBe(
      doublyRobust(good).estimate,
    );
  });

  it('rejects bad interval options', () => {
    expect(() => normalInterval(ips(good), { alpha: 0 })).toThrow(/alpha must be in \(0, 1\)/);
    expect(() => normalInterval(ips(good), { alpha: 1 })).toThrow(RangeError);
    expect(() => bootstrapInterval(good, ips, { resamples: 0 })).toThrow(/resamples must be an integer >= 1/);
    expect(() => bootstrapInterval(good, ips, { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => bootstrapInterval([], ips)).toThrow(/bootstrapInterval: samples must be a non-empty array/);
    expect(() => empiricalBernsteinMeanInterval([], { range: 1 })).toThrow(/non-empty/);
    expect(() => empiricalBernsteinMeanInterval([0, 2], { range: 1 })).toThrow(
      /spread over 2, more than range 1/,
    );
    expect(() => empiricalBernsteinMeanInterval([0, Number.NaN], { range: 1 })).toThrow(
      /values\[1\] must be finite/,
    );
    expect(() => empiricalBernsteinMeanInterval([0, 1], { range: -1 })).toThrow(
      /range must be a finite number >= 0/,
    );
    expect(() => empiricalBernsteinInterval(good, { rewardRange: [0, 0.5] })).toThrow(/outside rewardRange/);
    expect(() => empiricalBernsteinInterval(good, { rewardRange: [1, 0] })).toThrow(/min <= max/);
    expect(() => empiricalBernsteinInterval(good, { range: 0.1 })).toThrow(
      /empiricalBernsteinInterval: the values spread/,
    );
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => mulberry32(0.5)).toThrow(RangeError);
  });

  it('toOpeSamples checks the row counts', () => {
    const logged = [{ action: 0, reward: 1, propensity: 0.5 }];
    expect(() => toOpeSamples(logged, [])).toThrow(/targetProbs has 0 rows for 1 logged records/);
    expect(() => toOpeSamples(logged, [[1, 0]], [])).toThrow(/rewardHat has 0 rows/);
    expect(toOpeSamples(logged, [[1, 0]])).toEqual([
      { action: 0, reward: 1, propensity: 0.5, target: [1, 0] },
    ]);
  });
});
