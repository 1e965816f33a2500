/**
 * Typed access to `reference.json` (written by scripts/reference/stats_reference.py from
 * scipy / statsmodels / mpmath) and the comparison used by every reference test.
 */
import raw from './reference.json' with { type: 'json' };
import { expect } from 'vitest';

/** JSON number, or a non-finite float spelled as a string. */
export type Encoded = number | 'Infinity' | '-Infinity' | 'NaN';

export function decode(value: Encoded | null): number {
  if (value === null) return Number.NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (value === 'NaN') return Number.NaN;
  return value;
}

/** A value read from the JSON: its shape is checked by the tests that use it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by shape, checked by use
export type Loose = any;
/** Expected values of one reference case, by field. */
export type Expected = Record<string, Loose>;

export const reference: Loose = raw;

/**
 * |actual − expected| ≤ rel·|expected| + abs. Infinite values must match exactly.
 * The default (1e-6 relative, 1e-14 absolute) is the project's "equal to scipy/statsmodels
 * within 1e-6" promise; the absolute floor only matters for results at or near 0.
 */
export function expectClose(actual: number, expected: Encoded | null, label: string, rel = 1e-6, abs = 1e-14): void {
  const e = decode(expected);
  if (!Number.isFinite(e)) {
    expect(actual, label).toBe(e);
    return;
  }
  const error = Math.abs(actual - e);
  if (!(error <= rel * Math.abs(e) + abs)) {
    expect.fail(`${label}: got ${actual}, expected ${e} (error ${error.toExponential(2)}, allowed ${(rel * Math.abs(e) + abs).toExponential(2)})`);
  }
}
