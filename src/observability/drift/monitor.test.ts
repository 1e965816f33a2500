import { describe, expect, it, vi } from 'vitest';
import { createDriftMonitor, type DriftChange } from './monitor.js';
import { buildReference, OTHER_CATEGORY } from './reference.js';
import { normals } from './testing/generate.js';

/**
 * False-alarm checks: 1,000 seeded no-drift windows, each against a fresh reference so the
 * trials are independent. The nominal level is 0.05; the bound adds 3 Monte Carlo standard
 * deviations, 3·sqrt(0.05·0.95/1000) ≈ 0.021, so a correct test fails with probability < 0.2 %
 * (and never, since the seeds are fixed).
 */
const TRIALS = 1000;
const FALSE_ALARM_BOUND = 0.05 + 3 * Math.sqrt((0.05 * 0.95) / TRIALS);

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createDriftMonitor', () => {
  it('detects a 0.5 sd mean shift on the KS path and stays quiet without one', () => {
    const monitor = createDriftMonitor({ reference: { x: buildReference(normals(500, 1)) }, windowSize: 200, now: clock().now });
    for (const v of normals(200, 2)) monitor.observe('x', v);
    expect(monitor.lastReport?.features.x?.method).toBe('ks');
    expect(monitor.lastReport?.features.x?.drifted).toBe(false);
    for (const v of normals(200, 3, 0.5)) monitor.observe('x', v);
    const r = monitor.lastReport!;
    expect(r.windowIndex).toBe(1);
    expect(r.features.x?.drifted).toBe(true);
    expect(r.features.x!.pValue!).toBeLessThan(0.001);
    expect(r.datasetDrift).toBe(true);
  });

  it('detects a 0.5 sd mean shift on the normed-Wasserstein path', () => {
    const monitor = createDriftMonitor({ reference: { x: buildReference(normals(5000, 4)) }, windowSize: 500, now: clock().now });
    for (const v of normals(500, 5, 0.5)) monitor.observe('x', v);
    const r = monitor.lastReport!.features.x!;
    expect(r.method).toBe('wasserstein');
    expect(r.statistic).toBeGreaterThan(0.3);
    expect(r.drifted).toBe(true);
  });

  it(`KS path false-alarm rate over ${TRIALS} no-drift windows is within the nominal level`, () => {
    let alarms = 0;
    for (let i = 0; i < TRIALS; i++) {
      const m = createDriftMonitor({ reference: { x: buildReference(normals(300, 10_000 + i)) }, windowSize: 200, now: () => 0 });
      for (const v of normals(200, 50_000 + i)) m.observe('x', v);
      if (m.lastReport!.features.x!.drifted) alarms++;
    }
    expect(alarms / TRIALS).toBeLessThanOrEqual(FALSE_ALARM_BOUND);
    expect(alarms).toBeGreaterThan(0); // the test is live: a 5 % test does alarm sometimes
  });

  it(`drift-score path false-alarm rate over ${TRIALS} no-drift windows is within the nominal level`, () => {
    const reference = { x: buildReference(normals(2000, 7)) };
    // Distances are not calibrated tests: with Evidently's defaults they are meant for large
    // samples (reference > 1000); windows of the monitor's default 1000 values are used here.
    // (With 300-value windows about 17 % of no-drift windows exceed 0.1.)
    const m = createDriftMonitor({ reference, windowSize: 1000, now: () => 0 });
    let alarms = 0;
    let windows = 0;
    for (let i = 0; i < TRIALS; i++) {
      for (const v of normals(1000, 90_000 + i)) m.observe('x', v);
      windows++;
      if (m.lastReport!.features.x!.drifted) alarms++;
    }
    expect(windows).toBe(TRIALS);
    expect(m.lastReport!.features.x!.method).toBe('wasserstein');
    expect(alarms / TRIALS).toBeLessThanOrEqual(FALSE_ALARM_BOUND);
  });

  it('keeps constant memory: sketch sizes do not grow with observations', () => {
    const m = createDriftMonitor({
      reference: { x: buildReference(normals(3000, 1)), c: buildReference(['a', 'b', 'c', 'a', 'd', 'e', 'f']) },
      windowSize: 1_000_000,
      reservoirSize: 256,
      now: () => 0,
    });
    const values = normals(1000, 2);
    for (let i = 0; i < 1000; i++) {
      m.observe('x', values[i]!);
      m.observe('c', `new-${i}`);
    }
    const early = m.footprint();
    for (let i = 0; i < 100_000; i++) {
      m.observe('x', values[i % 1000]! + i);
      m.observe('c', `other-${i}`);
    }
    expect(m.footprint()).toEqual(early);
    expect(early.x!.sampleValues).toBe(256);
    expect(early.c!.categories).toBe(6);
    expect(m.quality('c').topCategories).toEqual([{ value: OTHER_CATEGORY, count: 101_000 }]);
  });

  it('rolls tumbling windows by time with an injected clock', () => {
    const c = clock();
    const m = createDriftMonitor({ reference: { x: buildReference(normals(300, 1)) }, windowMs: 60_000, now: c.now });
    for (const v of normals(50, 2)) m.observe('x', v);
    expect(m.lastReport).toBeUndefined();
    expect(m.evaluate().features.x?.currentSize).toBe(50);
    c.advance(60_000);
    expect(m.tick()?.features.x?.currentSize).toBe(50);
    expect(m.lastReport?.windowIndex).toBe(0);
    c.advance(30_000);
    m.observe('x', 0.1);
    c.advance(30_000);
    m.observe('x', 0.2); // rolls first: this value opens window 2
    expect(m.lastReport?.windowIndex).toBe(1);
    expect(m.lastReport?.features.x?.currentSize).toBe(1);
    expect(m.evaluate().features.x?.currentSize).toBe(1);
  });

  it('notifies onDrift only on changes, and the disposer unsubscribes', () => {
    const m = createDriftMonitor({ reference: { x: buildReference(normals(500, 1)) }, windowSize: 200, now: () => 0 });
    const seen: DriftChange[] = [];
    const dispose = m.onDrift((ch) => seen.push(ch));
    for (const v of normals(200, 2)) m.observe('x', v); // no drift: nothing changed
    expect(seen).toHaveLength(0);
    for (const v of normals(200, 3, 1)) m.observe('x', v);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.changed.map((c) => [c.feature, c.drifted])).toEqual([['x', true]]);
    expect(seen[0]!.datasetDriftChanged).toBe(true);
    for (const v of normals(200, 4, 1)) m.observe('x', v); // still drifted: no change
    expect(seen).toHaveLength(1);
    dispose();
    for (const v of normals(200, 5)) m.observe('x', v);
    expect(seen).toHaveLength(1);
  });

  it('a throwing listener does not break observe', () => {
    const onListenerError = vi.fn();
    const m = createDriftMonitor({ reference: { x: buildReference(normals(500, 1)) }, windowSize: 100, now: () => 0, onListenerError });
    m.onDrift(() => {
      throw new Error('boom');
    });
    for (const v of normals(100, 3, 2)) m.observe('x', v);
    expect(onListenerError).toHaveBeenCalledOnce();
  });

  it('reports feature quality: freshness, completeness, Welford moments, top categories', () => {
    const c = clock();
    const m = createDriftMonitor({
      reference: { x: buildReference([1, 2, 3, 4, 5, 6, 7, 8]), tool: buildReference(['grep', 'ls', 'cat', 'grep']) },
      windowSize: 1000,
      now: c.now,
    });
    expect(m.quality('x').freshnessSeconds).toBeNull();
    for (const v of [2, 4, null, 4, 4, 5, NaN, 5, 7, 9]) m.observe('x', v);
    m.observe('x', Infinity);
    m.observe('x', 'oops');
    m.observeRow({ tool: 'grep', unknown: 1 });
    m.observeRow({ tool: 'ls' });
    m.observeRow({ tool: 'grep' });
    m.observeRow({ tool: null });
    c.advance(2500);
    const q = m.quality('x');
    expect(q.total).toBe(12);
    expect(q.count).toBe(8);
    expect(q.completeness).toBeCloseTo(8 / 12, 12);
    expect(q.mean).toBeCloseTo(5, 12);
    expect(q.std).toBeCloseTo(2, 12); // population std of 2,4,4,4,5,5,7,9
    expect([q.min, q.max]).toEqual([2, 9]);
    expect(q.freshnessSeconds).toBe(2.5);
    const t = m.quality('tool');
    expect(t.completeness).toBe(0.75);
    expect(t.topCategories).toEqual([
      { value: 'grep', count: 2 },
      { value: 'ls', count: 1 },
    ]);
    expect(m.ignored).toBe(1);
    expect(Object.keys(m.qualities())).toEqual(['x', 'tool']);
  });

  it('uses chi-square / z-test / Jensen–Shannon for categorical features as Evidently', () => {
    const ref = Array.from({ length: 600 }, (_, i) => ['a', 'b', 'c'][i % 3]!);
    const m = createDriftMonitor({ reference: { t: buildReference(ref), flag: buildReference(ref.map((v) => v === 'a')) }, windowSize: 300, now: () => 0 });
    for (let i = 0; i < 300; i++) {
      m.observe('t', i % 2 ? 'a' : 'new');
      m.observe('flag', i % 3 === 0);
    }
    const r = m.lastReport!;
    expect(r.features.t?.method).toBe('chisquare');
    expect(r.features.t?.drifted).toBe(true);
    expect(r.features.flag?.method).toBe('z');
    expect(r.features.flag?.drifted).toBe(false);
    const big = createDriftMonitor({ reference: { t: buildReference([...ref, ...ref]) }, windowSize: 300, now: () => 0 });
    for (let i = 0; i < 300; i++) big.observe('t', ['a', 'b', 'c'][i % 3]!);
    expect(big.lastReport?.features.t?.method).toBe('jensenshannon');
    expect(big.lastReport?.features.t?.drifted).toBe(false);
  });

  it('validates its options', () => {
    expect(() => createDriftMonitor({ reference: {} })).toThrow(/invalid drift monitor options/);
    expect(() => createDriftMonitor({ reference: { x: buildReference([1, 2, 3, 4, 5, 6]) }, windowSize: 0 })).toThrow();
  });
});

describe('buildReference', () => {
  it('keeps a bounded sorted sample with exact size and std, and quantile bins', () => {
    const xs = normals(10_000, 3);
    const r = buildReference(xs);
    if (r.kind !== 'numeric') throw new Error('expected numeric');
    expect(r.size).toBe(10_000);
    expect(r.sample).toHaveLength(2000);
    expect([...r.sample].sort((a, b) => a - b)).toEqual(r.sample);
    expect(r.cutPoints).toHaveLength(9);
    r.binProportions.forEach((p) => expect(p).toBeCloseTo(0.1, 3));
  });
  it('makes numeric features with ≤ 5 unique values categorical and bounds categories', () => {
    expect(buildReference([1, 2, 2, 3, 3, 3]).kind).toBe('categorical');
    const r = buildReference(['a', 'a', 'a', 'b', 'b', 'c', 'd'], { maxCategories: 2 });
    expect(r).toEqual({ kind: 'categorical', size: 7, categories: ['a', 'b'], counts: [3, 2], otherCount: 2 });
  });
});
