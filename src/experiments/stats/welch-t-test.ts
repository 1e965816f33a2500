import { studentTPpf } from './distributions/student-t.js';
import { intervalFor } from './internal/interval.js';
import { pValueFromT } from './internal/p-value.js';
import { relativeLiftVariance, toSummary, welchParts } from './internal/summaries.js';
import { Issues } from './internal/validate.js';
import type { Alternative, Interval, SampleSummary } from './types.js';

export interface WelchTTestOptions {
  /** Significance level. Default `0.05`. */
  readonly alpha?: number;
  /** Alternative about meanB − meanA. Default `'two-sided'`. */
  readonly alternative?: Alternative;
}

export interface WelchTTestResult {
  readonly meanA: number;
  readonly meanB: number;
  /** meanB − meanA. */
  readonly difference: number;
  /** meanB / meanA − 1; `null` when meanA is 0. */
  readonly relativeLift: number | null;
  readonly tStatistic: number;
  /** Welch–Satterthwaite degrees of freedom (nA + nB − 2 when both variances are 0). */
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  /** Interval for the difference with the t critical value (one-sided for one-sided alternatives). */
  readonly ci: Interval;
  /** Delta-method interval for the relative lift, same critical value; `null` when meanA is 0. */
  readonly relativeLiftCi: Interval | null;
  readonly standardError: number;
  readonly alpha: number;
  readonly alternative: Alternative;
  readonly significant: boolean;
}

/**
 * Welch's unequal-variance t-test of B versus A, from summaries (`variance` with ddof = 1) or
 * raw samples. Matches scipy `ttest_ind(b, a, equal_var=False)` /
 * `ttest_ind_from_stats(..., equal_var=False)` including its `confidence_interval()`. When
 * both variances are 0 the statistic is 0 (equal means, p = 1) or ±Infinity.
 *
 * @example
 * const r = welchTTest({ mean: 10, variance: 4, count: 50 }, { mean: 11, variance: 9, count: 60 });
 * r.degreesOfFreedom; // 103.3...
 * r.pValue; // 0.0395...
 */
export function welchTTest(
  a: SampleSummary | readonly number[],
  b: SampleSummary | readonly number[],
  options: WelchTTestOptions = {},
): WelchTTestResult {
  const alpha = options.alpha ?? 0.05;
  const alternative = options.alternative ?? 'two-sided';
  const sa = toSummary(a);
  const sb = toSummary(b);
  new Issues()
    .sampleSummary('A', sa, 2)
    .sampleSummary('B', sb, 2)
    .openUnit('alpha', alpha)
    .alternative('alternative', alternative)
    .throwIfAny('Welch t-test input');

  const { standardError, degreesOfFreedom } = welchParts(sa, sb);
  const difference = sb.mean - sa.mean;
  const tStatistic = standardError > 0 ? difference / standardError : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const pValue = standardError > 0 || difference !== 0 ? pValueFromT(tStatistic, degreesOfFreedom, alternative) : 1;
  const critical = (tail: number): number => -studentTPpf(tail, degreesOfFreedom);
  const ci = intervalFor(difference, standardError, alpha, alternative, critical);

  let relativeLift: number | null = null;
  let relativeLiftCi: Interval | null = null;
  if (sa.mean !== 0) {
    relativeLift = sb.mean / sa.mean - 1;
    const se = Math.sqrt(relativeLiftVariance(sa.mean, sb.mean, sa.variance / sa.count, sb.variance / sb.count));
    relativeLiftCi = intervalFor(relativeLift, se, alpha, alternative, critical);
  }

  return {
    meanA: sa.mean,
    meanB: sb.mean,
    difference,
    relativeLift,
    tStatistic,
    degreesOfFreedom,
    pValue,
    ci,
    relativeLiftCi,
    standardError,
    alpha,
    alternative,
    significant: pValue < alpha,
  };
}
