import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArmBatch, changeAwareSequential } from './change-aware-sequential.js';
import { logOneSidedLossRatio, oneSidedLossUpperBound } from './one-sided-sequential.js';
import raw from './testing/one-sided-reference.json' with { type: 'json' };
import { expectClose } from './testing/reference.js';
import { createSeededRandom } from './testing/seeded-random.js';

const BUCKET_MS = 10_000;
/** 50 decisions/s in 10 s buckets, `share` of them on the model; scores are 0/1 labels. */
function simulate(seed: number, o: { share: number; rules: number; before: number; after: number; changeAt: number; buckets: number; stopOn?: 'loss' }) {
  const r = createSeededRandom(seed);
  const bern = (n: number, p: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (r.uniform() < p) s++;
    return { n, sum: s, sumSq: s };
  };
  const batches: ArmBatch[] = [];
  let firstLoss = -1;
  let firstChange = -1;
  let advancedOnExcluded = false;
  for (let k = 0; k < o.buckets; k++) {
    let nb = 0;
    for (let i = 0; i < 500; i++) if (r.uniform() < o.share) nb++;
    batches.push({ start: k * BUCKET_MS, a: bern(500 - nb, o.rules), b: bern(nb, k >= o.changeAt ? o.after : o.before) });
    // Every bucket is one controller tick: the analysis is recomputed from all batches so far.
    const x = changeAwareSequential(batches, { tau: 0.05 });
    if (x.ci[0] > 0 && !x.consistent) advancedOnExcluded = true;
    if (firstChange < 0 && x.changes.length > 0) firstChange = k;
    if (firstLoss < 0 && x.loss) {
      firstLoss = k;
      if (o.stopOn === 'loss') break;
    }
  }
  return { firstLoss, firstChange, advancedOnExcluded };
}

describe('one-sided loss mSPRT against numerical integration (scipy quad)', () => {
  it.each(raw.cases.map((c) => [c.difference, c.variance, c.tau, c] as const))('D=%s V=%s τ=%s', (d, v, tau, c) => {
    expectClose(logOneSidedLossRatio(d, v, tau * tau), c.logRatio, 'log Λ₋', 1e-8, 1e-10);
    expectClose(oneSidedLossUpperBound(d, v, tau * tau, c.alpha), c.upperBound, 'upper bound', 1e-7, 1e-10);
  });
});

describe('change-aware sequential analysis', () => {
  it('restarts the sequence at a change instead of keeping the pre-change interval (issue 16)', () => {
    const r = createSeededRandom(7);
    const bern = (n: number, p: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (r.uniform() < p) s++;
      return { n, sum: s, sumSq: s };
    };
    // 10 minutes with the model 19 points better, then 5 minutes 13 points worse.
    const batches: ArmBatch[] = [];
    for (let k = 0; k < 90; k++) batches.push({ start: k * BUCKET_MS, a: bern(475, k < 60 ? 0.61 : 0.84), b: bern(25, k < 60 ? 0.8 : 0.71) });
    const x = changeAwareSequential(batches, { tau: 0.05 });
    expect(x.changes.length).toBeGreaterThanOrEqual(1);
    const c = x.changes[0]!;
    expect(c.direction).toBe('down');
    expect(c.at).toBeGreaterThanOrEqual(55 * BUCKET_MS);
    expect(c.before.effect).toBeGreaterThan(0.1);
    expect(c.after.effect).toBeLessThan(0);
    expect(x.segmentStart).toBeGreaterThanOrEqual(55 * BUCKET_MS);
    expect(x.effect).toBeLessThan(0);
    expect(x.loss).toBe(true);
    expect(x.ci[0]).toBeLessThan(0); // the interval follows the estimate, not the stale pre-change evidence
  });

  it('never reports an interval that excludes its estimate as consistent, nor a loss with a non-negative estimate (property)', () => {
    const arm = fc.record({ n: fc.integer({ min: 0, max: 60 }), p: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(fc.record({ a: arm, b: arm }), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.01, max: 0.3, noNaN: true }), (bs, tau) => {
        const batches: ArmBatch[] = bs.map((b, i) => {
          const sa = Math.round(b.a.n * b.a.p);
          const sb = Math.round(b.b.n * b.b.p);
          return { start: i, a: { n: b.a.n, sum: sa, sumSq: sa }, b: { n: b.b.n, sum: sb, sumSq: sb } };
        });
        const x = changeAwareSequential(batches, { tau });
        if (x.consistent) expect(x.effect >= x.ci[0] && x.effect <= x.ci[1]).toBe(true);
        if (x.loss) {
          expect(x.effect).toBeLessThan(0);
          expect(x.lossPValue).toBeLessThan(x.lossAlpha);
        }
        expect(x.ci[0]).toBeLessThanOrEqual(x.ci[1]);
        for (const c of x.changes) expect(c.at).toBeLessThanOrEqual(c.detectedAt);
        expect(x.lossAlpha).toBeCloseTo(x.alpha / 2 ** x.changes.length, 12);
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('false alarms (any significant loss) stay at or below α with no change: 300 seeded 20-minute steps, equal arms', () => {
    const runs = 300;
    let alarms = 0;
    for (let s = 0; s < runs; s++) if (simulate(1_000 + s, { share: 0.05, rules: 0.7, before: 0.7, after: 0.7, changeAt: Infinity, buckets: 120, stopOn: 'loss' }).firstLoss >= 0) alarms++;
    expect(alarms / runs).toBeLessThanOrEqual(0.05);
  });

  it('never acts on an interval that excludes the estimate, through a change', () => {
    for (let s = 0; s < 40; s++) expect(simulate(3_000 + s, { share: 0.05, rules: 0.7, before: 0.8, after: 0.6, changeAt: 40, buckets: 70 }).advancedOnExcluded).toBe(false);
  });

  it('detects a 10-point drop (model = rules → 10 points worse) within a 5-minute window in ≥ 90% of 200 seeded runs at 5% of 50/s', () => {
    const runs = 200;
    let detected = 0;
    for (let s = 0; s < runs; s++) {
      const x = simulate(20_000 + s, { share: 0.05, rules: 0.7, before: 0.7, after: 0.6, changeAt: 30, buckets: 60, stopOn: 'loss' });
      if (x.firstLoss >= 30 && x.firstLoss < 60) detected++;
    }
    expect(detected / runs).toBeGreaterThanOrEqual(0.9);
  });

  it('rejects malformed batches with the field named', () => {
    expect(() => changeAwareSequential([{ start: 0, a: { n: -1, sum: 0, sumSq: 0 }, b: { n: 1, sum: 1, sumSq: 1 } }], { tau: 0.05 })).toThrow(/batches\[0\]\.a/);
    expect(() => changeAwareSequential([], { tau: 0 })).toThrow(/tau/);
  });
});
