import { normalIsf } from './distributions/normal.js';
import { intervalFor } from './internal/interval.js';
import { pValueFromZ } from './internal/p-value.js';
import { relativeLiftVariance } from './internal/summaries.js';
import { Issues } from './internal/validate.js';
import type { Alternative, Interval } from './types.js';

export interface TwoProportionInput {
  readonly successesA: number;
  readonly totalA: number;
  readonly successesB: number;
  readonly totalB: number;
}

export interface TwoProportionZTestOptions {
  /** Significance level. Default `0.05`. */
  readonly alpha?: number;
  /** Alternative about rateB − rateA. Default `'two-sided'`. */
  readonly alternative?: Alternative;
}

export interface TwoProportionZTestResult {
  readonly rateA: number;
  readonly rateB: number;
  /** rateB − rateA. */
  readonly difference: number;
  /** rateB / rateA − 1; `null` when rateA is 0. */
  readonly relativeLift: number | null;
  /** z with the pooled standard error (statsmodels `proportions_ztest`); 0 when it is 0. */
  readonly zScore: number;
  readonly pValue: number;
  /** Unpooled Wald interval for the difference (one-sided for one-sided alternatives). */
  readonly ci: Interval;
  /** Delta-method interval for the relative lift; `null` when rateA is 0. */
  readonly relativeLiftCi: Interval | null;
  /** Unpooled standard error of the difference (used by `ci`). */
  readonly standardError: number;
  /** Pooled standard error of the difference (used by `zScore`). */
  readonly pooledStandardError: number;
  readonly alpha: number;
  readonly alternative: Alternative;
  /** `pValue < alpha`. */
  readonly significant: boolean;
}

/**
 * Two-sample z-test for proportions, B versus A. The p-value uses the pooled variance exactly
 * as statsmodels `proportions_ztest([sB, sA], [nB, nA])`; the interval for the difference
 * uses the unpooled (Wald) variance as statsmodels `confint_proportions_2indep(method='wald')`.
 * When both arms are all-failure or all-success the pooled variance is 0: statsmodels
 * returns NaN there, this returns z = 0 and p = 1 (no evidence of a difference).
 *
 * @example
 * const r = twoProportionZTest({ successesA: 120, totalA: 1000, successesB: 150, totalB: 1000 });
 * r.pValue; // 0.0496...
 * r.ci; // [0.000076..., 0.0599...]
 */
export function twoProportionZTest(
  input: TwoProportionInput,
  options: TwoProportionZTestOptions = {},
): TwoProportionZTestResult {
  const alpha = options.alpha ?? 0.05;
  const alternative = options.alternative ?? 'two-sided';
  new Issues()
    .proportionArm('A', { successes: input.successesA, total: input.totalA })
    .proportionArm('B', { successes: input.successesB, total: input.totalB })
    .openUnit('alpha', alpha)
    .alternative('alternative', alternative)
    .throwIfAny('two-proportion z-test input');

  const { successesA, totalA, successesB, totalB } = input;
  const rateA = successesA / totalA;
  const rateB = successesB / totalB;
  const difference = rateB - rateA;
  const pooled = (successesA + successesB) / (totalA + totalB);
  const pooledStandardError = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  const zScore = pooledStandardError > 0 ? difference / pooledStandardError : 0;
  const pValue = pooledStandardError > 0 ? pValueFromZ(zScore, alternative) : 1;

  const varA = (rateA * (1 - rateA)) / totalA;
  const varB = (rateB * (1 - rateB)) / totalB;
  const standardError = Math.sqrt(varA + varB);
  const ci = intervalFor(difference, standardError, alpha, alternative, normalIsf);

  let relativeLift: number | null = null;
  let relativeLiftCi: Interval | null = null;
  if (rateA > 0) {
    relativeLift = rateB / rateA - 1;
    const se = Math.sqrt(relativeLiftVariance(rateA, rateB, varA, varB));
    relativeLiftCi = intervalFor(relativeLift, se, alpha, alternative, normalIsf);
  }

  return {
    rateA,
    rateB,
    difference,
    relativeLift,
    zScore,
    pValue,
    ci,
    relativeLiftCi,
    standardError,
    pooledStandardError,
    alpha,
    alternative,
    significant: pValue < alpha,
  };
}
