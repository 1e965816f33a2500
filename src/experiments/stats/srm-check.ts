import { chiSquareSf } from './distributions/chi-square.js';
import { Issues } from './internal/validate.js';

export interface SrmCheckOptions {
  /** p-value below which the split is reported as a mismatch. Default `0.001`. */
  readonly threshold?: number;
}

export interface SrmCheckResult {
  /** Pearson χ² statistic. */
  readonly chi2: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  /** Expected count per arm under the intended split. */
  readonly expected: readonly number[];
  /** `pValue < threshold`: the observed split is not the intended one. */
  readonly mismatch: boolean;
}

/**
 * Sample-ratio-mismatch check: Pearson's χ² goodness-of-fit of the observed arm counts against
 * the intended weights (normalised to sum to 1; equal weights by default). Matches scipy
 * `chisquare(observed, f_exp)`. With no units at all there is nothing to test: χ² = 0, p = 1.
 *
 * @example
 * srmCheck([5000, 5300], [0.5, 0.5]).mismatch; // false (p ≈ 0.0031)
 * srmCheck([5000, 5400]).mismatch; // true (p ≈ 0.000088)
 */
export function srmCheck(
  observedCounts: readonly number[],
  expectedWeights?: readonly number[],
  options: SrmCheckOptions = {},
): SrmCheckResult {
  const threshold = options.threshold ?? 0.001;
  const weights = expectedWeights ?? observedCounts.map(() => 1);
  const issues = new Issues();
  if (observedCounts.length < 2) issues.add('observedCounts', 'must have at least 2 arms');
  if (weights.length !== observedCounts.length) issues.add('expectedWeights', 'must have one weight per arm');
  observedCounts.forEach((c, i) => issues.nonNegativeInteger(`observedCounts.${i}`, c));
  weights.forEach((w, i) => issues.positive(`expectedWeights.${i}`, w));
  issues.openUnit('threshold', threshold).throwIfAny('SRM check input');

  const total = observedCounts.reduce((s, c) => s + c, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  const expected = weights.map((w) => (total * w) / weightSum);
  const degreesOfFreedom = observedCounts.length - 1;
  if (total === 0) return { chi2: 0, degreesOfFreedom, pValue: 1, expected, mismatch: false };

  let chi2 = 0;
  observedCounts.forEach((o, i) => {
    const e = expected[i] as number;
    chi2 += ((o - e) * (o - e)) / e;
  });
  const pValue = chiSquareSf(chi2, degreesOfFreedom);
  return { chi2, degreesOfFreedom, pValue, expected, mismatch: pValue < threshold };
}
