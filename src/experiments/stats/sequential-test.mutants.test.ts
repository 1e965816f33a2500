// Mutation tests (issue 20, docs/quality.md "stats") for sequential-test.ts: a non-zero null
// difference, the "no variance yet" floor at exactly 1e-300, the intersection of confidence
// sequences (touching, overlapping, disjoint) and p exactly α. Closed-form reference values
// (scipy-free; Python math): with V = 0.02, τ² = 0.01, θ̂ − θ₀ = 0.3,
// ln Λ = ½ ln(V/(V+τ²)) + τ²(θ̂−θ₀)²/(2V(V+τ²)) = 0.5472674459459179, and the half-width
// √(2V(V+τ²)/τ² · (ln(1/α) + ½ ln((V+τ²)/V))) = 0.6195286751337413 at α 0.05.
import { describe, expect, it } from 'vitest';
import type { TwoArms } from './internal/arms.js';
import { sequentialTest } from './sequential-test.js';
import { expectClose } from './testing/reference.js';

const ARMS: TwoArms = { metric: 'mean', a: { mean: 0, variance: 1, count: 100 }, b: { mean: 0.5, variance: 1, count: 100 } };
const EQUAL: TwoArms = { metric: 'mean', a: { mean: 0, variance: 1, count: 100 }, b: { mean: 0, variance: 1, count: 100 } };

describe('sequentialTest', () => {
  it('tests against the null difference θ₀ = 0.2: θ̂ − θ₀ = 0.3, Λ 1.72852', () => {
    const r = sequentialTest(ARMS, { tau: 0.1, nullDifference: 0.2 });
    expectClose(r.variance, 0.02, 'variance', 1e-12);
    expectClose(r.likelihoodRatio, 1.7285232753881883, 'likelihoodRatio');
    expectClose(r.lookPValue, 0.5785285128864822, 'lookPValue');
    expectClose(r.ci[0], 0.5 - 0.6195286751337413, 'ci lower');
    expectClose(r.ci[1], 0.5 + 0.6195286751337413, 'ci upper');
  });

  it('a variance of exactly 1e-300 is "no variance yet" (Λ 1, the whole line); 2e-300 is evidence', () => {
    const at = (varianceB: number): TwoArms => ({
      metric: 'mean',
      a: { mean: 0, variance: 0, count: 2 },
      b: { mean: 1, variance: varianceB, count: 2 },
    });
    const floor = sequentialTest(at(2e-300), { tau: 0.1 });
    expect(floor.variance).toBe(1e-300);
    expect(floor).toMatchObject({ likelihoodRatio: 1, lookPValue: 1, ci: [-Infinity, Infinity], significant: false });
    const above = sequentialTest(at(4e-300), { tau: 0.1 });
    expect(above.pValue).toBe(0);
    expect(Number.isFinite(above.ci[0]) && Number.isFinite(above.ci[1])).toBe(true);
  });

  it('intersects with the previous sequence: touching gives one point, overlapping the overlap, disjoint keeps the previous', () => {
    const look = sequentialTest(ARMS, { tau: 0.1 }).ci;
    const [lo, hi] = look;
    expect(sequentialTest(ARMS, { tau: 0.1, previous: { pValue: 1, ci: [lo - 1, lo] } }).ci).toEqual([lo, lo]);
    expect(sequentialTest(ARMS, { tau: 0.1, previous: { pValue: 1, ci: [lo - 1, lo + 0.25] } }).ci).toEqual([lo, lo + 0.25]);
    expect(sequentialTest(ARMS, { tau: 0.1, previous: { pValue: 1, ci: [hi - 0.25, hi + 1] } }).ci).toEqual([hi - 0.25, hi]);
    expect(sequentialTest(ARMS, { tau: 0.1, previous: { pValue: 1, ci: [lo - 2, lo - 1] } }).ci).toEqual([lo - 2, lo - 1]);
  });

  it('a running p-value exactly α is not significant; just below α is', () => {
    // Equal means: Λ < 1, this look's p-value is 1, so the running minimum is the previous one.
    const at = sequentialTest(EQUAL, { tau: 0.1, previous: { pValue: 0.05, ci: [-Infinity, Infinity] } });
    expect(at).toMatchObject({ lookPValue: 1, pValue: 0.05, significant: false });
    const below = sequentialTest(EQUAL, { tau: 0.1, previous: { pValue: 0.0499, ci: [-Infinity, Infinity] } });
    expect(below).toMatchObject({ pValue: 0.0499, significant: true });
  });
});
