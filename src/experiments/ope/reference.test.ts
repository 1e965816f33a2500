/**
 * Every estimator, interval and diagnostic against numpy (ope-reference.json, written by
 * scripts/reference/ope_reference.py), to 1e-9 absolute or relative (whichever is larger).
 */
import { describe, expect, it } from 'vitest';
import reference from './ope-reference.json' with { type: 'json' };
import {
  diagnostics,
  directMethod,
  doublyRobust,
  doublyRobustClipped,
  empiricalBernsteinInterval,
  ips,
  normalInterval,
  snips,
  switchDoublyRobust,
  toOpeSamples,
} from './index.js';
import type { OpeSample, Shrinkage } from './index.js';

interface Est {
  estimate: number;
  stdErr: number;
}
interface RefCase {
  name: string;
  action: number[];
  reward: number[];
  propensity: number[];
  target: number[][];
  rewardHat?: number[][];
  diagnostics: {
    n: number;
    effectiveSampleSize: number;
    minPropensity: number;
    maxWeight: number;
    meanWeight: number;
  };
  ips: Est;
  snips: Est;
  dm?: Est;
  dr?: Est;
  drClipped?: (Est & { lambda: number; shrinkage: Shrinkage; clipped: number })[];
  switchDr?: (Est & { tau: number; switched: number })[];
  normal: { estimator: 'ips' | 'snips' | 'dm' | 'dr'; alpha: number; lower: number; upper: number }[];
  empiricalBernstein: {
    alpha: number;
    options: { range?: number; rewardRange?: [number, number] };
    range: number;
    lower: number;
    upper: number;
  }[];
}

const cases = reference.cases as RefCase[];
const TOL = 1e-9;
const close = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected)));
};
const closeEst = (actual: Est, expected: Est): void => {
  close(actual.estimate, expected.estimate);
  close(actual.stdErr, expected.stdErr);
};
const samplesOf = (c: RefCase): OpeSample[] =>
  toOpeSamples(
    c.action.map((action, i) => ({
      action,
      reward: c.reward[i] as number,
      propensity: c.propensity[i] as number,
    })),
    c.target,
    c.rewardHat,
  );

describe('OPE equals the numpy reference (ope-reference.json, 1e-9)', () => {
  it('has the cases the generator writes', () => {
    expect(cases.map((c) => c.name)).toHaveLength(7);
    expect(cases.filter((c) => c.rewardHat !== undefined)).toHaveLength(6);
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const samples = samplesOf(c);

    it('diagnostics', () => {
      const d = diagnostics(samples);
      expect(d.n).toBe(c.diagnostics.n);
      close(d.effectiveSampleSize, c.diagnostics.effectiveSampleSize);
      close(d.minPropensity, c.diagnostics.minPropensity);
      close(d.maxWeight, c.diagnostics.maxWeight);
      close(d.meanWeight, c.diagnostics.meanWeight);
      expect(ips(samples).diagnostics).toEqual(d);
    });

    it('ips and snips', () => {
      closeEst(ips(samples), c.ips);
      closeEst(snips(samples), c.snips);
      expect(ips(samples).n).toBe(samples.length);
    });

    it('directMethod and doublyRobust (or a RangeError without a reward model)', () => {
      if (c.rewardHat === undefined) {
        expect(() => directMethod(samples)).toThrow(/rewardHat is required/);
        expect(() => doublyRobust(samples)).toThrow(RangeError);
        return;
      }
      closeEst(directMethod(samples), c.dm as Est);
      closeEst(doublyRobust(samples), c.dr as Est);
    });

    it('doublyRobustClipped at every λ and shrinkage', () => {
      if (c.rewardHat === undefined) {
        expect(() => doublyRobustClipped(samples, { lambda: 1 })).toThrow(/rewardHat is required/);
        return;
      }
      for (const ref of c.drClipped ?? []) {
        const r = doublyRobustClipped(samples, { lambda: ref.lambda, shrinkage: ref.shrinkage });
        closeEst(r, ref);
        expect(r.clipped).toBe(ref.clipped);
      }
      expect(c.drClipped?.length).toBeGreaterThanOrEqual(10);
    });

    it('switchDoublyRobust at every τ', () => {
      if (c.rewardHat === undefined) {
        expect(() => switchDoublyRobust(samples, { tau: 1 })).toThrow(/rewardHat is required/);
        return;
      }
      for (const ref of c.switchDr ?? []) {
        const r = switchDoublyRobust(samples, { tau: ref.tau });
        closeEst(r, ref);
        expect(r.switched).toBe(ref.switched);
      }
      expect(c.switchDr?.length).toBeGreaterThanOrEqual(5);
    });

    it('normalInterval', () => {
      const estimators = { ips, snips, dm: directMethod, dr: doublyRobust };
      for (const ref of c.normal) {
        const ci = normalInterval(estimators[ref.estimator](samples), { alpha: ref.alpha });
        close(ci.lower, ref.lower);
        close(ci.upper, ref.upper);
      }
    });

    it('empiricalBernsteinInterval', () => {
      for (const ref of c.empiricalBernstein) {
        const ci = empiricalBernsteinInterval(samples, { alpha: ref.alpha, ...ref.options });
        close(ci.range, ref.range);
        close(ci.lower, ref.lower);
        close(ci.upper, ref.upper);
      }
    });
  });
});
