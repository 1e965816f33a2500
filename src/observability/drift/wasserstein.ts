import { ValidationError } from '../../core/index.js';

function check(reference: ArrayLike<number>, current: ArrayLike<number>): void {
  if (reference.length === 0 || current.length === 0) {
    throw new ValidationError('wasserstein needs two non-empty samples', [
      { path: reference.length === 0 ? 'reference' : 'current', message: 'must not be empty' },
    ]);
  }
}

/** {@link wassersteinDistance} for samples already sorted ascending (one merge pass, O(n1 + n2)). */
export function wassersteinSorted(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const nu = u.length;
  const nv = v.length;
  let iu = 0;
  let iv = 0;
  let s = 0;
  // Walk the merged order; between consecutive merged values x < y the CDFs are
  // F_u = #u ≤ x / nu and F_v = #v ≤ x / nv (scipy's searchsorted 'right').
  let x = Math.min(u[0]!, v[0]!);
  while (iu < nu || iv < nv) {
    while (iu < nu && u[iu]! <= x) iu++;
    while (iv < nv && v[iv]! <= x) iv++;
    if (iu === nu && iv === nv) break;
    const y = iu === nu ? v[iv]! : iv === nv ? u[iu]! : Math.min(u[iu]!, v[iv]!);
    s += Math.abs(iu / nu - iv / nv) * (y - x);
    x = y;
  }
  return s;
}

/**
 * First Wasserstein (earth mover's) distance between two 1-D samples, as
 * `scipy.stats.wasserstein_distance(u, v)`: ∫ |F_u − F_v|.
 *
 * @example
 * wassersteinDistance([0, 1, 3], [5, 6, 8]); // 5
 */
export function wassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  check(reference, current);
  return wassersteinSorted(Float64Array.from(reference).sort(), Float64Array.from(current).sort());
}

/** `np.std(x)` (population standard deviation, ddof = 0). */
export function populationStd(x: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i]! - mean) ** 2;
  return Math.sqrt(ss / x.length);
}

/** Evidently's floor on the normalising standard deviation. */
export const NORMED_WASSERSTEIN_MIN_STD = 0.001;

/**
 * Evidently's `wasserstein` stat test: `wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)`.
 * Drift when ≥ 0.1 (Evidently's default threshold).
 *
 * @example
 * normedWasserstein(referenceLatencies, currentLatencies) >= 0.1;
 */
export function normedWasserstein(reference: ArrayLike<number>, current: ArrayLike<number>, referenceStd?: number): number {
  check(reference, current);
  const std = referenceStd ?? populationStd(reference);
  return wassersteinDistance(reference, current) / Math.max(std, NORMED_WASSERSTEIN_MIN_STD);
}

