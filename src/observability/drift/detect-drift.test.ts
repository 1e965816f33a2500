import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { chiSquare } from './chi-square.js';
import { detectDatasetDrift, detectDrift } from './detect-drift.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { ks } from './ks.js';
import { DriftMethod, selectMethod } from './method.js';
import { normals } from './testing/generate.js';
import { psi } from './psi.js';
import { normedWasserstein, wassersteinDistance } from './wasserstein.js';
import { zTestProportions } from './z-test.js';

describe('selectMethod follows Evidently defaults', () => {
  const cases: [Parameters<typeof selectMethod>[0], DriftMethod][] = [
    [{ kind: 'numeric', referenceSize: 1000, uniqueCount: 900 }, 'ks'],
    [{ kind: 'numeric', referenceSize: 1001, uniqueCount: 900 }, 'wasserstein'],
    [{ kind: 'numeric', referenceSize: 200, uniqueCount: 6 }, 'ks'],
    [{ kind: 'numeric', referenceSize: 200, uniqueCount: 5 }, 'chisquare'],
    [{ kind: 'numeric', referenceSize: 200, uniqueCount: 3 }, 'chisquare'],
    [{ kind: 'numeric', referenceSize: 200, uniqueCount: 2 }, 'z'],
    [{ kind: 'numeric', referenceSize: 5000, uniqueCount: 5 }, 'jensenshannon'],
    [{ kind: 'categorical', referenceSize: 1000, uniqueCount: 40 }, 'chisquare'],
    [{ kind: 'categorical', referenceSize: 1000, uniqueCount: 2 }, 'z'],
    [{ kind: 'categorical', referenceSize: 1000, uniqueCount: 1 }, 'z'],
    [{ kind: 'categorical', referenceSize: 1001, uniqueCount: 2 }, 'jensenshannon'],
    [{ kind: 'categorical', referenceSize: 50_000, uniqueCount: 40 }, 'jensenshannon'],
  ];
  it.each(cases)('%o → %s', (input, expected) => {
    expect(selectMethod(input)).toBe(expected);
  });
});

describe('detectDrift', () => {
  const ref = normals(400, 1);
  const same = normals(300, 2);
  const shifted = normals(300, 3, 0.5);

  it('uses KS for small numeric references and agrees with ks()', () => {
    const r = detectDrift(ref, shifted);
    expect(r.method).toBe(DriftMethod.KS);
    expect(r.pValue).toBe(ks(ref, shifted).pValue);
    expect(r.drifted).toBe(true);
    expect(r.threshold).toBe(0.05);
    expect(detectDrift(ref, same).drifted).toBe(false);
  });

  it('uses normed Wasserstein for large numeric references', () => {
    const big = normals(3000, 4);
    const r = detectDrift(big, shifted);
    expect(r.method).toBe(DriftMethod.WASSERSTEIN);
    expect(r.statistic).toBe(normedWasserstein(big, shifted));
    expect(r.pValue).toBeUndefined();
    expect(r.drifted).toBe(true);
    expect(detectDrift(big, same).drifted).toBe(false);
  });

  it('treats numeric features with ≤ 5 unique values as categorical', () => {
    const a = Array.from({ length: 300 }, (_, i) => i % 4);
    const b = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 0 : i % 4));
    const r = detectDrift(a, b);
    expect(r.method).toBe(DriftMethod.CHI_SQUARE);
    expect(r.pValue).toBeCloseTo(chiSquare(a, b).pValue, 12);
    const big = Array.from({ length: 3000 }, (_, i) => i % 4);
    const js = detectDrift(big, b);
    expect(js.method).toBe(DriftMethod.JENSEN_SHANNON);
    expect(js.statistic).toBeCloseTo(jensenShannonDistance(big, b), 12);
  });

  it('uses the z-test for binary categorical features and drops missing values', () => {
    const a = [true, false, true, true, null, false];
    const b = [false, false, false, true, undefined];
    const r = detectDrift(a, b);
    expect(r.method).toBe(DriftMethod.Z_TEST);
    expect(r.pValue).toBe(zTestProportions(a, b).pValue);
    expect(r.referenceSize).toBe(5);
    expect(r.currentSize).toBe(4);
  });

  it('honours a forced method and threshold', () => {
    const r = detectDrift(ref, same, { method: DriftMethod.JENSEN_SHANNON, threshold: 0.9 });
    expect(r.method).toBe('jensenshannon');
    expect(r.threshold).toBe(0.9);
    expect(r.drifted).toBe(false);
  });

  it('rejects empty samples with a ValidationError', () => {
    expect(() => detectDrift([null, NaN], [1, 2])).toThrow();
    try {
      detectDrift([1], []);
    } catch (e) {
      expect(isValidationError(e)).toBe(true);
    }
  });
});

describe('detectDatasetDrift', () => {
  it('reports share drifted and dataset drift at share ≥ 0.5', () => {
    const ref = { a: normals(300, 10), b: normals(300, 11), c: normals(300, 12), d: ['x', 'y', 'x', 'y'] };
    const cur = { a: normals(300, 13, 1), b: normals(300, 14, 1), c: normals(300, 15), d: [null] };
    const r = detectDatasetDrift(ref, cur);
    expect(r.featureCount).toBe(3);
    expect(r.skipped).toEqual(['d']);
    expect(r.driftedCount).toBe(2);
    expect(r.share).toBeCloseTo(2 / 3, 12);
    expect(r.datasetDrift).toBe(true);
    expect(detectDatasetDrift(ref, cur, { driftShare: 0.7 }).datasetDrift).toBe(false);
  });
  it('requires every reference feature in current', () => {
    expect(() => detectDatasetDrift({ a: [1, 2] }, {})).toThrow(/lacks reference features/);
  });
});

describe('properties', () => {
  const sample = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 });
  it('KS p-value is in [0, 1] and symmetric in its arguments', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const x = ks(a, b);
        const y = ks(b, a);
        expect(x.pValue).toBeGreaterThanOrEqual(0);
        expect(x.pValue).toBeLessThanOrEqual(1);
        expect(Math.abs(x.pValue - y.pValue)).toBeLessThan(1e-12);
        expect(x.statistic).toBe(y.statistic);
      }),
    );
  });
  it('identical samples never drift', () => {
    fc.assert(
      fc.property(sample, (a) => {
        expect(ks(a, a).pValue).toBe(1);
        expect(detectDrift(a, a).drifted).toBe(false);
      }),
    );
  });
});

describe('measure properties', () => {
  const cats = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 80 });
  const nums = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 80 });
  it('PSI ≥ 0, Jensen–Shannon in [0, sqrt(ln 2)], chi-square p in [0, 1]', () => {
    fc.assert(
      fc.property(cats, cats, (a, b) => {
        expect(psi(a, b)).toBeGreaterThanOrEqual(0);
        const js = jensenShannonDistance(a, b);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(Math.sqrt(Math.LN2) + 1e-12);
        const p = chiSquare(a, b).pValue;
        expect(p >= 0 && p <= 1).toBe(true);
      }),
    );
  });
  it('Wasserstein is symmetric, ≥ 0 and shifts exactly with a location change', () => {
    fc.assert(
      fc.property(nums, nums, fc.double({ min: -10, max: 10, noNaN: true }), (a, b, c) => {
        const w = wassersteinDistance(a, b);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(Math.abs(w - wassersteinDistance(b, a))).toBeLessThanOrEqual(1e-9 * (1 + w));
        const shifted = a.map((x) => x + c);
        expect(Math.abs(wassersteinDistance(a, shifted) - Math.abs(c))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(c)) + 1e-9);
      }),
    );
  });
});
