import { ValidationError } from '../../core/index.js';
import { kolmogorovSf } from './internal/kolmogorov.js';
import { exactTwoSampleKs, roundHalfEven } from './internal/ks-exact.js';

/** How the p-value of {@link ks} was computed. */
export type KsMethod = 'exact' | 'asymp';

export interface KsResult {
  /** Two-sided statistic D = sup |F_ref − F_cur| (snapped to the lattice when exact, as scipy). */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: KsMethod;
}

/** scipy's `MAX_AUTO_N`: 'auto' tries the exact distribution when max(n1, n2) ≤ this. */
export const KS_MAX_EXACT_N = 10_000;

/** Two-sided D statistic of two sorted samples (ECDF difference at every data point). */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    // Next distinct value; advance both ECDFs past every copy of it (searchsorted 'right').
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minAbs = Math.min(1, Math.max(0, -minS));
  return minAbs > maxS ? minAbs : maxS;
}

/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(ref, cur)` with
 * `method='auto'`: exact lattice-path p-value when max(n1, n2) ≤ 10 000 (falling back
 * to asymptotic if the exact computation fails), otherwise `kstwo.sf(D, round(n1·n2/(n1+n2)))`.
 * NaN values are not allowed; pass finite numbers.
 *
 * @example
 * const { statistic, pValue } = ks([0.1, 0.4, 0.7], [0.5, 0.9, 1.2, 1.4]);
 */
export function ks(reference: ArrayLike<number>, current: ArrayLike<number>): KsResult {
  if (reference.length === 0 || current.length === 0) {
    throw new ValidationError('ks needs two non-empty samples', [
      { path: reference.length === 0 ? 'reference' : 'current', message: 'must not be empty' },
    ]);
  }
  const a = Float64Array.from(reference).sort();
  const b = Float64Array.from(current).sort();
  if (Number.isNaN(a[a.length - 1]!) || Number.isNaN(b[b.length - 1]!)) {
    throw new ValidationError('ks samples must not contain NaN', [{ path: 'reference|current', message: 'NaN' }]);
  }
  return ksSorted(a, b);
}

/** {@link ks} for samples already sorted ascending (no copy, no NaN check). */
export function ksSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatisticSorted(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactTwoSampleKs(n1, n2, d);
    d = exact.d;
    if (exact.ok) return { statistic: d, pValue: exact.p, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymp' };
}
