import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFlagEvaluator } from './flag-evaluator.js';
import { bucketOf } from './internal/json-logic/fractional.js';
import { murmur3 } from './internal/murmurhash3.js';
import { rolloutFlag, rolloutFlagKey, rolloutPercentage, routeUnit, setPercentage } from './rollout-flag.js';

const evaluatorAt = (agent: string, pct: number) => createFlagEvaluator({ flags: { [rolloutFlagKey(agent)]: rolloutFlag(agent, pct) } });

/** Upper tail of the chi-square distribution, P(X >= x) for k degrees of freedom: Q(k/2, x/2). */
function chiSquareSf(x: number, k: number): number {
  const a = k / 2;
  const z = x / 2;
  if (z <= 0) return 1;
  const lnGammaA = lnGamma(a);
  if (z < a + 1) {
    // Series for the lower regularized gamma P(a, z).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > 1e-15 * Math.abs(sum); n++) sum += term *= z / (a + n);
    return 1 - sum * Math.exp(-z + a * Math.log(z) - lnGammaA);
  }
  // Continued fraction (Lentz) for Q(a, z).
  let b = z + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = 1 / (Math.abs(d) < 1e-300 ? 1e-300 : d);
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-z + a * Math.log(z) - lnGammaA) * h;
}

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const g = [0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61508217830746, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x - 1 + i);
  const t = x - 1 + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x - 0.5) * Math.log(t) - t + Math.log(s);
}

describe('chiSquareSf (test helper)', () => {
  it('matches tabulated critical values', () => {
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSf(123.2252214533618, 99)).toBeCloseTo(0.05, 6);
    expect(chiSquareSf(6.6348966010212145, 1)).toBeCloseTo(0.01, 6);
  });
});

describe('rolloutFlag', () => {
  it('builds a flagd fractional split with ml first', () => {
    expect(rolloutFlag('debugger', 5)).toEqual({
      state: 'ENABLED',
      variants: { ml: 'ml', deterministic: 'deterministic' },
      defaultVariant: 'deterministic',
      targeting: { fractional: [['ml', 5], ['deterministic', 95]] },
      metadata: { agent: 'debugger', percentage: 5 },
    });
    expect(rolloutPercentage(rolloutFlag('a', 25))).toBe(25);
  });

  it('rejects percentages outside 0..100 or fractional ones', () => {
    for (const p of [-1, 101, 2.5, Number.NaN]) expect(() => rolloutFlag('a', p)).toThrow(/percentage must be an integer/);
    expect(() => setPercentage({ state: 'ENABLED', variants: { a: 1 } }, 5)).toThrow(/not a rollout flag/);
  });

  it('setPercentage keeps everything else and is sticky when the percentage grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.string({ minLength: 1, maxLength: 36 }), { minLength: 1, maxLength: 50 }),
        (a, b, units) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const small = rolloutFlag('agent', lo);
          const big = setPercentage(small, hi);
          expect(rolloutPercentage(big)).toBe(hi);
          const before = createFlagEvaluator({ flags: { 'rollout-agent': small } });
          const after = createFlagEvaluator({ flags: { 'rollout-agent': big } });
          for (const u of units) {
            if (routeUnit(before, 'agent', u).variant === 'ml') expect(routeUnit(after, 'agent', u).variant).toBe('ml');
            if (routeUnit(after, 'agent', u).variant === 'deterministic') expect(routeUnit(before, 'agent', u).variant).toBe('deterministic');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('walks 5 → 25 → 50 → 100 keeping every ml unit in ml', () => {
    const units = Array.from({ length: 2000 }, (_, i) => `task-${i}`);
    let previous = new Set<string>();
    for (const pct of [5, 25, 50, 100]) {
      const ev = evaluatorAt('debugger', pct);
      const ml = new Set(units.filter((u) => routeUnit(ev, 'debugger', u).variant === 'ml'));
      for (const u of previous) expect(ml.has(u)).toBe(true);
      previous = ml;
    }
    expect(previous.size).toBe(units.length);
  });
});

describe('uniformity over 100k units', () => {
  const units = Array.from({ length: 100_000 }, (_, i) => `unit-${i.toString(36)}-${(i * 2654435761) % 1000003}`);

  it('the served share matches the percentage (χ², 1 df)', () => {
    for (const pct of [5, 25, 50]) {
      const ev = evaluatorAt('deployment-specialist', pct);
      let ml = 0;
      for (const u of units) if (routeUnit(ev, 'deployment-specialist', u).variant === 'ml') ml++;
      const expMl = (units.length * pct) / 100;
      const expDet = units.length - expMl;
      const chi2 = (ml - expMl) ** 2 / expMl + (units.length - ml - expDet) ** 2 / expDet;
      expect(chiSquareSf(chi2, 1)).toBeGreaterThan(0.001);
    }
  });

  it('buckets 0..99 are uniform (χ², 99 df)', () => {
    const counts = new Array<number>(100).fill(0);
    for (const u of units) counts[bucketOf(murmur3(`rollout-debugger${u}`), 100)]!++;
    const expected = units.length / 100;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chiSquareSf(chi2, 99)).toBeGreaterThan(0.001);
  });

  it('a skewed hash would fail the same test (the test can fail)', () => {
    const counts = new Array<number>(100).fill(1000);
    counts[0] = 1400;
    counts[1] = 600;
    const chi2 = counts.reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    expect(chiSquareSf(chi2, 99)).toBeLessThan(0.001);
  });
});

describe('routeUnit', () => {
  it('propensity is the probability of the served arm', () => {
    const ev = evaluatorAt('debugger', 25);
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const r = routeUnit(ev, 'debugger', `t${i}`);
      seen.set(r.variant, r.propensity);
      expect(r.reason).toBe('SPLIT');
    }
    expect(seen.get('ml')).toBeCloseTo(0.25, 12);
    expect(seen.get('deterministic')).toBeCloseTo(0.75, 12);
  });

  it('falls back to deterministic with propensity 1 when the flag is missing, disabled or the unit has no id', () => {
    const ev = createFlagEvaluator({ flags: { 'rollout-off': { ...rolloutFlag('off', 50), state: 'DISABLED' }, 'rollout-on': rolloutFlag('on', 100) } });
    expect(routeUnit(ev, 'nobody', 'u1')).toEqual({ variant: 'deterministic', propensity: 1, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(routeUnit(ev, 'off', 'u1')).toEqual({ variant: 'deterministic', propensity: 1, reason: 'DISABLED' });
    expect(routeUnit(ev, 'on', '')).toEqual({ variant: 'deterministic', propensity: 1, reason: 'DEFAULT' });
    expect(routeUnit(ev, 'on', 'u1')).toEqual({ variant: 'ml', propensity: 1, reason: 'SPLIT' });
  });
});
