import { checkAlpha } from './internal/validate.js';
import { normalQuantile } from './normal-quantile.js';
import type { OpeInterval } from './types.js';

export interface NormalIntervalOptions {
  /** 1 − coverage of the two-sided interval. Default 0.05 (a 95% interval). */
  readonly alpha?: number;
}

/**
 * Normal-approximation (Wald) interval estimate ± z₁₋α/₂ · stdErr: what the rollout gate uses
 * by default. Relies on the central limit theorem for the per-record terms; with heavy weights
 * (small `effectiveSampleSize`) it can under-cover — prefer `empiricalBernsteinInterval` or
 * clipping there. An infinite stdErr (one record) gives (−∞, ∞); a NaN estimate gives NaN bounds.
 *
 * @param estimate anything with `estimate` and `stdErr`, e.g. the result of `doublyRobust`.
 * @throws RangeError if alpha is not in (0, 1).
 * @example
 * const ci = normalInterval(doublyRobust(samples)); // 95%
 * if (ci.lower > baselineValue) promote();
 */
export function normalInterval(
  estimate: { readonly estimate: number; readonly stdErr: number },
  options: NormalIntervalOptions = {},
): OpeInterval {
  const { alpha = 0.05 } = options;
  checkAlpha(alpha, 'normalInterval');
  const half = normalQuantile(1 - alpha / 2) * estimate.stdErr;
  return {
    method: 'normal',
    estimate: estimate.estimate,
    lower: estimate.estimate - half,
    upper: estimate.estimate + half,
    alpha,
  };
}
