import { describe, expect, it } from 'vitest';
import { detectDatasetDrift, detectDrift, summarizeDrift } from './detect-drift.js';
import { DEFAULT_THRESHOLDS, DriftMethod, isPValueMethod, NUMERIC_AS_CATEGORICAL_MAX_UNIQUE, SMALL_REFERENCE_MAX, verdict, type DriftResult } from './method.js';

// Drift verdicts pinned at their thresholds: a distance drifts from its threshold on (not from
// some multiple of it), a p-value at or below it; the defaults and Evidently's cut-offs.

const sizes = { referenceSize: 100, currentSize: 100 };

describe('drift verdicts at the threshold', () => {
  it('the default thresholds are 0.05 for p-value tests and 0.1 for distances', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ ks: 0.05, chisquare: 0.05, z: 0.05, wasserstein: 0.1, jensenshannon: 0.1 });
    expect([SMALL_REFERENCE_MAX, NUMERIC_AS_CATEGORICAL_MAX_UNIQUE]).toEqual([1000, 5]);
    expect(Object.values(DriftMethod).filter(isPValueMethod)).toEqual(['ks', 'chisquare', 'z']);
  });

  it('a distance at the threshold drifts; 1.2× the threshold drifts; a hair below does not', () => {
    for (const method of [DriftMethod.WASSERSTEIN, DriftMethod.JENSEN_SHANNON]) {
      expect(verdict(method, 0.1, 0.1, undefined, sizes).drifted).toBe(true);
      expect(verdict(method, 0.1, 0.12, undefined, sizes).drifted).toBe(true);
      expect(verdict(method, 0.1, 0.0999, undefined, sizes).drifted).toBe(false);
    }
    expect(verdict(DriftMethod.WASSERSTEIN, 0.1, 0.12, undefined, sizes)).toEqual({
      method: 'wasserstein',
      statistic: 0.12,
      threshold: 0.1,
      drifted: true,
      referenceSize: 100,
      currentSize: 100,
    });
  });

  it('a p-value at the threshold drifts; a hair above does not; the statistic does not decide', () => {
    for (const method of [DriftMethod.KS, DriftMethod.CHI_SQUARE, DriftMethod.Z_TEST]) {
      expect(verdict(method, 0.05, 0.001, 0.05, sizes).drifted).toBe(true);
      expect(verdict(method, 0.05, 1e9, 0.0501, sizes).drifted).toBe(false);
    }
    expect(verdict(DriftMethod.KS, 0.05, 0.3, 0.01, sizes)).toEqual({ method: 'ks', statistic: 0.3, pValue: 0.01, threshold: 0.05, drifted: true, ...sizes });
  });

  it('detectDrift: a normed Wasserstein distance of 0.12 (1.2× the default 0.1) is drift', () => {
    // 2000 reference values with std 1 (±1 alternating), current shifted by 0.12: distance 0.12.
    const reference = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? -1 : 1) + (i % 7) * 1e-9);
    const current = reference.map((x) => x + 0.12);
    const r = detectDrift(reference, current);
    expect(r.method).toBe('wasserstein');
    expect(r.threshold).toBe(0.1);
    expect(r.statistic).toBeGreaterThan(0.1);
    expect(r.statistic).toBeLessThan(0.15);
    expect(r.drifted).toBe(true);
  });

  it('detectDrift: a Jensen–Shannon distance between 0.1 and 0.15 on a large categorical feature is drift', () => {
    const reference = Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 'a' : 'b'));
    const current = Array.from({ length: 2000 }, (_, i) => (i < 1340 ? 'a' : 'b'));
    const r = detectDrift(reference, current);
    expect(r.method).toBe('jensenshannon');
    expect(r.statistic).toBeGreaterThan(0.1);
    expect(r.statistic).toBeLessThan(0.15);
    expect(r.drifted).toBe(true);
  });

  it('an explicit threshold replaces the default', () => {
    const reference = Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 'a' : 'b'));
    const current = Array.from({ length: 2000 }, (_, i) => (i < 1340 ? 'a' : 'b'));
    expect(detectDrift(reference, current, { threshold: 0.2 })).toMatchObject({ threshold: 0.2, drifted: false });
  });

  it('a binary feature with one value on both sides is a z-test with p = 1: no drift', () => {
    expect(detectDrift(['a', 'a', 'a'], ['a', 'a'])).toMatchObject({ method: 'z', statistic: 0, pValue: 1, drifted: false, referenceSize: 3, currentSize: 2 });
  });
});

describe('dataset drift share', () => {
  const r = (drifted: boolean): DriftResult => ({ method: 'ks', statistic: 0, pValue: drifted ? 0 : 1, threshold: 0.05, drifted, ...sizes });

  it('the dataset drifts when the drifted share reaches 0.5, not below', () => {
    expect(summarizeDrift({ a: r(true), b: r(false) }, [], 0.5)).toMatchObject({ driftedCount: 1, featureCount: 2, share: 0.5, datasetDrift: true });
    expect(summarizeDrift({ a: r(true), b: r(false), c: r(false) }, [], 0.5)).toMatchObject({ driftedCount: 1, share: 1 / 3, datasetDrift: false });
    expect(summarizeDrift({}, ['x'], 0.5)).toEqual({ features: {}, skipped: ['x'], driftedCount: 0, featureCount: 0, share: 0, driftShare: 0.5, datasetDrift: false });
  });

  it('detectDatasetDrift defaults driftShare to 0.5 and skips a feature with no values on one side', () => {
    const ref = { x: [1, 1, 2, 2], y: [null, null] };
    const cur = { x: [1, 1, 2, 2], y: [1, 2] };
    const report = detectDatasetDrift(ref, cur);
    expect(report).toMatchObject({ driftShare: 0.5, skipped: ['y'], featureCount: 1, driftedCount: 0, datasetDrift: false });
  });
});
