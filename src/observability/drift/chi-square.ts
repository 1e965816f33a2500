import { countCategories } from './internal/binning.js';
import { chiSquareSf } from './internal/special.js';
import { prepare } from './psi.js';
import type { FeatureValue } from './internal/kind.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  /** Degrees of freedom: number of categories − 1. */
  readonly df: number;
}

/**
 * `scipy.stats.chisquare(f_obs, f_exp)` where f_obs are current counts and f_exp the
 * reference counts scaled to the current size. A category seen in current but never in
 * reference has expected count 0: the statistic is +∞ and the p-value 0 (as scipy).
 */
export function chiSquareFromCounts(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquareResult {
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < reference.length; i++) {
    nRef += reference[i]!;
    nCur += current[i]!;
  }
  const k = nCur / nRef;
  let stat = 0;
  for (let i = 0; i < reference.length; i++) {
    const exp = reference[i]! * k;
    const obs = current[i]!;
    if (exp === 0) {
      if (obs !== 0) stat = Infinity;
      else stat = NaN; // 0/0, scipy gives nan for the whole statistic
      continue;
    }
    stat += (obs - exp) ** 2 / exp;
  }
  const df = reference.length - 1;
  if (Number.isNaN(stat) || df < 1) return { statistic: stat, pValue: df < 1 ? 1 : NaN, df };
  return { statistic: stat, pValue: stat === Infinity ? 0 : Math.min(1, chiSquareSf(stat, df)), df };
}

/**
 * Evidently's chi-square stat test for categorical features: a goodness-of-fit test of
 * the current frequencies against the reference proportions over the union of categories
 * (`chisquare(f_obs=cur_counts, f_exp=ref_counts · n_cur / n_ref)`), not a 2×k
 * contingency test of independence. Drift when p ≤ 0.05. Missing values are dropped.
 *
 * @example
 * chiSquare(['a', 'b', 'c', 'a'], ['c', 'c', 'b', 'a']).pValue;
 */
export function chiSquare(reference: readonly FeatureValue[], current: readonly FeatureValue[]): ChiSquareResult {
  const { ref, cur } = prepare(reference, current, { kind: 'categorical' });
  const counts = countCategories(ref, cur);
  return chiSquareFromCounts(counts.reference, counts.current);
}
