import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chanceToWin } from './chance-to-win.js';
import { nonInferiorityTest } from './non-inferiority-test.js';
import { sequentialTest } from './sequential-test.js';
import { createSequentialTracker } from './sequential-tracker.js';
import { srmCheck } from './srm-check.js';
import { twoProportionZTest } from './two-proportion-z-test.js';
import type { Alternative } from './types.js';
import { welchTTest } from './welch-t-test.js';

const arm = fc
  .integer({ min: 1, max: 1_000_000 })
  .chain((total) => fc.record({ successes: fc.integer({ min: 0, max: total }), total: fc.constant(total) }));
const summary = fc.record({
  mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  variance: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  count: fc.integer({ min: 2, max: 1_000_000 }),
});
const alternative = fc.constantFrom<Alternative>('two-sided', 'greater', 'less');
const alpha = fc.double({ min: 0.001, max: 0.5, noNaN: true });

const inUnit = (p: number): void => {
  expect(p).toBeGreaterThanOrEqual(0);
  expect(p).toBeLessThanOrEqual(1);
};

describe('properties', () => {
  it('two-proportion z-test: p in [0,1], CI contains the estimate, two-sided symmetric under A/B swap', () => {
    fc.assert(
      fc.property(arm, arm, alternative, alpha, (a, b, alt, level) => {
        const input = { successesA: a.successes, totalA: a.total, successesB: b.successes, totalB: b.total };
        const r = twoProportionZTest(input, { alternative: alt, alpha: level });
        inUnit(r.pValue);
        expect(r.ci[0]).toBeLessThanOrEqual(r.difference);
        expect(r.ci[1]).toBeGreaterThanOrEqual(r.difference);
        const swapped = { successesA: b.successes, totalA: b.total, successesB: a.successes, totalB: a.total };
        const two = twoProportionZTest(input);
        const back = twoProportionZTest(swapped);
        expect(back.pValue).toBeCloseTo(two.pValue, 12);
        expect(back.zScore).toBeCloseTo(-two.zScore, 9);
      }),
    );
  });

  it('Welch t-test: p in [0,1], CI contains the estimate, two-sided symmetric under A/B swap', () => {
    fc.assert(
      fc.property(summary, summary, alternative, alpha, (a, b, alt, level) => {
        const r = welchTTest(a, b, { alternative: alt, alpha: level });
        inUnit(r.pValue);
        expect(r.ci[0]).toBeLessThanOrEqual(r.difference);
        expect(r.ci[1]).toBeGreaterThanOrEqual(r.difference);
        const two = welchTTest(a, b);
        const back = welchTTest(b, a);
        expect(back.pValue).toBeCloseTo(two.pValue, 12);
        expect(back.degreesOfFreedom).toBeCloseTo(two.degreesOfFreedom, 6);
      }),
    );
  });

  it('SRM check: p in [0,1] and equal to the check with permuted arms', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 2, maxLength: 6 }), (counts) => {
        const r = srmCheck(counts);
        inUnit(r.pValue);
        expect(srmCheck([...counts].reverse()).pValue).toBeCloseTo(r.pValue, 12);
      }),
    );
  });

  it('chance to win: in [0,1], complementary under swap, losses non-negative', () => {
    fc.assert(
      fc.property(
        arm.filter((x) => x.total <= 20_000),
        arm.filter((x) => x.total <= 20_000),
        (a, b) => {
          const r = chanceToWin({ metric: 'proportion', a, b });
          inUnit(r.chanceToWin);
          expect(r.expectedLossA).toBeGreaterThanOrEqual(0);
          expect(r.expectedLossB).toBeGreaterThanOrEqual(0);
          expect(chanceToWin({ metric: 'proportion', a: b, b: a }).chanceToWin).toBeCloseTo(1 - r.chanceToWin, 9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('mSPRT: p in [0,1], interval contains the estimate, tracker p never increases and intervals nest', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(summary, summary), { minLength: 1, maxLength: 8 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (looks, tau) => {
        const tracker = createSequentialTracker({ tau });
        let previous = tracker.state;
        for (const [a, b] of looks) {
          const single = sequentialTest({ metric: 'mean', a, b }, { tau });
          inUnit(single.pValue);
          expect(single.ci[0]).toBeLessThanOrEqual(single.difference);
          expect(single.ci[1]).toBeGreaterThanOrEqual(single.difference);
          const r = tracker.update({ metric: 'mean', a, b });
          if (previous) {
            expect(r.pValue).toBeLessThanOrEqual(previous.pValue);
            expect(r.ci[0]).toBeGreaterThanOrEqual(previous.ci[0]);
            expect(r.ci[1]).toBeLessThanOrEqual(previous.ci[1]);
          }
          previous = tracker.state;
        }
      }),
      { numRuns: 50 },
    );
  });

  it('non-inferiority: p in [0,1] and monotone in the margin', () => {
    fc.assert(
      fc.property(arm, arm, fc.double({ min: 1e-4, max: 0.5, noNaN: true }), (a, b, margin) => {
        const arms = { metric: 'proportion', a, b } as const;
        const r = nonInferiorityTest(arms, { margin });
        inUnit(r.pValue);
        expect(nonInferiorityTest(arms, { margin: margin * 2 }).pValue).toBeLessThanOrEqual(r.pValue);
      }),
    );
  });
});
