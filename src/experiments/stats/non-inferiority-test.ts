import { normalIsf } from './distributions/normal.js';
import { studentTPpf } from './distributions/student-t.js';
import { assertNever } from '../../core/index.js';
import { checkArms, estimates, type TwoArms } from './internal/arms.js';
import { pValueFromT, pValueFromZ } from './internal/p-value.js';
import { welchParts } from './internal/summaries.js';
import { Issues } from './internal/validate.js';
import type { Interval } from './types.js';

export interface NonInferiorityOptions {
  /** How much worse B may be than A and still count as "not worse", in metric units (> 0). */
  readonly margin: number;
  /** Whether larger values of the metric are better (success rate) or worse (latency, error
   * rate). Default `true`. */
  readonly higherIsBetter?: boolean;
  /** One-sided significance level. Default `0.05`. */
  readonly alpha?: number;
}

export interface NonInferiorityResult {
  /** mean(B) − mean(A). */
  readonly difference: number;
  readonly margin: number;
  /** z (proportions) or Welch t (means) of the shifted difference. */
  readonly statistic: number;
  /** Welch degrees of freedom for means; `Infinity` for proportions (normal). */
  readonly degreesOfFreedom: number;
  /** One-sided p-value of H0 "B is worse than A by at least the margin". */
  readonly pValue: number;
  /** One-sided (1 − α) bound on the difference: `[lower, ∞)` if higher is better, else `(−∞, upper]`. */
  readonly ci: Interval;
  /** `pValue < alpha`: B is not worse than A by the margin or more. */
  readonly nonInferior: boolean;
}

/**
 * One-sided non-inferiority test of B against A, for a rollout controller deciding whether
 * the model may take more traffic. For higher-is-better metrics H0: B − A ≤ −margin versus
 * H1: B − A > −margin; for lower-is-better H0: B − A ≥ margin versus H1: B − A < margin.
 * Proportions use the unpooled Wald z (statsmodels `test_proportions_2indep(method='wald',
 * compare='diff', value=∓margin)`); means use Welch's t (scipy `ttest_ind_from_stats` on the
 * shifted mean). With zero variance in both proportion arms the Wald test is degenerate:
 * z = ±Infinity.
 *
 * @example
 * nonInferiorityTest(
 *   { metric: 'proportion', a: { successes: 900, total: 1000 }, b: { successes: 895, total: 1000 } },
 *   { margin: 0.03 },
 * ).nonInferior; // true
 */
export function nonInferiorityTest(arms: TwoArms, options: NonInferiorityOptions): NonInferiorityResult {
  const alpha = options.alpha ?? 0.05;
  const higherIsBetter = options.higherIsBetter ?? true;
  const issues = new Issues();
  checkArms(arms, issues, 2);
  issues.positive('margin', options.margin).openUnit('alpha', alpha).throwIfAny('non-inferiority input');

  const e = estimates(arms);
  const difference = e.meanB - e.meanA;
  const shifted = higherIsBetter ? difference + options.margin : difference - options.margin;
  const alternative = higherIsBetter ? 'greater' : 'less';
  let standardError: number;
  let degreesOfFreedom: number;
  switch (arms.metric) {
    case 'proportion':
      standardError = Math.sqrt(e.varMeanA + e.varMeanB);
      degreesOfFreedom = Infinity;
      break;
    case 'mean':
      ({ standardError, degreesOfFreedom } = welchParts(arms.a, arms.b));
      break;
    default:
      return assertNever(arms, 'arms');
  }
  const statistic = standardError > 0 ? shifted / standardError : shifted === 0 ? 0 : Math.sign(shifted) * Infinity;
  const pValue =
    degreesOfFreedom === Infinity ? pValueFromZ(statistic, alternative) : pValueFromT(statistic, degreesOfFreedom, alternative);
  const critical = degreesOfFreedom === Infinity ? normalIsf(alpha) : -studentTPpf(alpha, degreesOfFreedom);
  const ci: Interval = higherIsBetter
    ? [difference - critical * standardError, Infinity]
    : [-Infinity, difference + critical * standardError];
  return { difference, margin: options.margin, statistic, degreesOfFreedom, pValue, ci, nonInferior: pValue < alpha };
}
