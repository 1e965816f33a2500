import { describe, expect, it } from 'vitest';
import { isValidationError, type ValidationError } from '../../core/errors.js';
import { detectDatasetDrift, detectDrift, summarizeDrift } from './detect-drift.js';
import { normals } from './testing/generate.js';

// detectDrift's input checks and per-method paths, named after the Stryker survivors they kill
// (docs/quality.md, drift group).

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (isValidationError(e)) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('detectDrift input checks', () => {
  it('an empty reference is a ValidationError on path "reference"', () => {
    const e = validationError(() => detectDrift([null, Number.NaN], [1, 2]));
    expect(e.message).toBe('detectDrift needs non-missing values in both samples');
    expect(e.issues).toEqual([{ path: 'reference', message: 'has no non-missing value' }]);
  });

  it('an empty current sample is a ValidationError on path "current"', () => {
    expect(validationError(() => detectDrift([1, 2], [undefined])).issues).toEqual([{ path: 'current', message: 'has no non-missing value' }]);
  });

  it('a numeric method forced on text is a ValidationError naming the method', () => {
    const ks = validationError(() => detectDrift(['a', 'b'], ['a', 'c'], { method: 'ks' }));
    expect(ks.message).toBe('ks needs numeric values');
    expect(ks.issues).toEqual([{ path: 'values', message: 'got string' }]);
    expect(validationError(() => detectDrift(['a'], ['b'], { method: 'wasserstein' })).message).toBe('wasserstein needs numeric values');
    // Numbers in the reference, text in the current sample: the current side is checked too.
    expect(validationError(() => detectDrift([1, 2], ['a'], { method: 'ks' })).message).toBe('ks needs numeric values');
  });

  it('a dataset whose current data lacks a reference feature is a ValidationError naming it', () => {
    const e = validationError(() => detectDatasetDrift({ x: [1], y: [2] }, { x: [1] }));
    expect(e.message).toBe('current data lacks reference features');
    expect(e.issues).toEqual([{ path: 'current.y', message: 'missing' }]);
  });

  it('nothing evaluated is no dataset drift, even with a drift share of 0', () => {
    expect(summarizeDrift({}, ['x'], 0)).toMatchObject({ featureCount: 0, share: 0, datasetDrift: false });
  });

  it('a dataset feature with no values in current is skipped, not an error', () => {
    expect(detectDatasetDrift({ x: [1, 2, 3], y: [1, 2] }, { x: [1, 2, 3], y: [null] })).toMatchObject({ skipped: ['y'], featureCount: 1 });
  });
});

describe('detectDrift method paths', () => {
  it('a binary feature whose only value is the same on both sides is not drift (p = 1, no test run)', () => {
    expect(detectDrift([true, true], [true, true, true])).toMatchObject({ method: 'z', statistic: 0, pValue: 1, drifted: false });
  });

  it('Jensen–Shannon on categories uses the raw proportions (no zero filling): equals the closed form', () => {
    // Reference all "a", current half "a" half "b": p = (1, 0), q = (.5, .5), m = (.75, .25).
    const reference = Array.from({ length: 1500 }, () => 'a');
    const current = Array.from({ length: 1500 }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
    const kl = (p: number[], m: number[]): number => p.reduce((s, pi, i) => (pi > 0 ? s + pi * Math.log(pi / m[i]!) : s), 0);
    const expected = Math.sqrt((kl([1, 0], [0.75, 0.25]) + kl([0.5, 0.5], [0.75, 0.25])) / 2);
    const r = detectDrift(reference, current);
    expect(r.method).toBe('jensenshannon');
    expect(r.statistic).toBeCloseTo(expected, 12);
  });

  it('Jensen–Shannon on a numeric feature with few values uses the raw proportions too (no zero filling)', () => {
    const reference = Array.from({ length: 1500 }, () => 1);
    const current = Array.from({ length: 1500 }, (_, i) => (i % 2 === 0 ? 1 : 2));
    const kl = (p: number[], m: number[]): number => p.reduce((s, pi, i) => (pi > 0 ? s + pi * Math.log(pi / m[i]!) : s), 0);
    const r = detectDrift(reference, current);
    expect(r.method).toBe('jensenshannon');
    expect(r.statistic).toBeCloseTo(Math.sqrt((kl([1, 0], [0.75, 0.25]) + kl([0.5, 0.5], [0.75, 0.25])) / 2), 12);
  });

  it('Jensen–Shannon forced on a continuous numeric feature bins it into a histogram, not one category per value', () => {
    // Two samples of the same normal: per-value categories would be disjoint (distance √ln2 ≈ 0.83).
    const r = detectDrift(normals(1500, 1), normals(1500, 2), { method: 'jensenshannon' });
    expect(r.statistic).toBeLessThan(0.2);
    expect(r.drifted).toBe(false);
  });
});
