import { countCategories } from './internal/binning.js';
import { normalTwoSided } from './internal/special.js';
import { prepare } from './psi.js';
import type { FeatureValue } from './internal/kind.js';

export interface ZTestResult {
  /** z of p_ref − p_cur for the target category (sign depends on which category is the target). */
  readonly statistic: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)); does not depend on the target category. */
  readonly pValue: number;
}

/**
 * Two-proportion z-test with pooled variance from counts of the target category:
 * z = (p1 − p2) / sqrt(P(1 − P)(1/n1 + 1/n2)), P = (x1 + x2)/(n1 + n2).
 */
export function zTestFromCounts(x1: number, n1: number, x2: number, n2: number): ZTestResult {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  if (Number.isNaN(z)) return { statistic: 0, pValue: 1 };
  return { statistic: z, pValue: normalTwoSided(z) };
}

/**
 * Evidently's `z` stat test for binary features: when both samples hold one and the same
 * value the p-value is 1; otherwise the first category (in order of first appearance,
 * reference first) is the target and the pooled two-proportion z-test is applied.
 * Drift when p ≤ 0.05. Missing values are dropped.
 *
 * @example
 * zTestProportions([true, false, false], [true, true, false]).pValue;
 */
export function zTestProportions(reference: readonly FeatureValue[], current: readonly FeatureValue[]): ZTestResult {
  const { ref, cur } = prepare(reference, current, { kind: 'categorical' });
  const counts = countCategories(ref, cur);
  if (counts.keys.length === 1) return { statistic: 0, pValue: 1 };
  return zTestFromCounts(counts.reference[0]!, ref.length, counts.current[0]!, cur.length);
}

