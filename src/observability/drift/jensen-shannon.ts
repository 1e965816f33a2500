import { binCategorical, binNumeric } from './internal/binning.js';
import { prepare, type BinnedOptions } from './psi.js';
import type { FeatureValue } from './internal/kind.js';

const relEntr = (x: number, y: number): number => {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
};

/**
 * `scipy.spatial.distance.jensenshannon(p, q)` (natural log): both vectors are normalised
 * to sum 1, then sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q) / 2.
 */
export function jensenShannonFromProportions(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    left += relEntr(a, m);
    right += relEntr(b, m);
  }
  return Math.sqrt((left + right) / 2);
}

/**
 * Jensen–Shannon distance (base e) between the binned distributions of two samples, with
 * Evidently's binning and no epsilon (see internal/binning.ts). Evidently's drift threshold
 * is 0.1. Missing values are dropped.
 *
 * @example
 * jensenShannonDistance(['a', 'a', 'b'], ['a', 'b', 'b']);
 */
export function jensenShannonDistance(
  reference: readonly FeatureValue[],
  current: readonly FeatureValue[],
  options: BinnedOptions = {},
): number {
  const { ref, cur, kind } = prepare(reference, current, options);
  const b = kind === 'numeric' ? binNumeric(ref as number[], cur as number[], false) : binCategorical(ref, cur, false);
  return jensenShannonFromProportions(b.reference, b.current);
}
