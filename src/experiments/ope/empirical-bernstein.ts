import { mean, sampleVariance } from './internal/numeric.js';
import { checkAlpha, checkSamples } from './internal/validate.js';
import { summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeInterval, OpeSample } from './types.js';

export interface EmpiricalBernsteinResult extends OpeInterval {
  readonly method: 'empirical-bernstein';
  readonly n: number;
  /** Width R of the interval the values are known to lie in. */
  readonly range: number;
  /** Sample variance (ddof 1) of the values. */
  readonly variance: number;
}

export interface EmpiricalBernsteinMeanOptions {
  /** Width R = b − a of an interval [a, b] known a priori to contain every value. Required. */
  readonly range: number;
  /** 1 − coverage of the two-sided interval. Default 0.05. */
  readonly alpha?: number;
}

/** Slack on the check that the observed spread fits in `range` (floating-point rounding). */
const SPREAD_SLACK = 1e-12;

/**
 * Empirical Bernstein interval for the mean of i.i.d. values known to lie in an interval of
 * width R (Maurer & Pontil 2009, Theorem 4, applied to each side at α/2):
 * mean ∓ ( √(2 V ln(4/α) / n) + 7 R ln(4/α) / (3 (n − 1)) ), V the sample variance (ddof 1).
 * Valid for every n (not asymptotic), hence conservative. (−∞, ∞) for n = 1.
 *
 * @throws RangeError for no values, a non-finite value, range < 0 or smaller than the observed
 *   spread max − min, alpha outside (0, 1).
 * @example
 * empiricalBernsteinMeanInterval([0.2, 0.4, 0.9, 0.5], { range: 1 }); // { lower, upper, ... }
 */
export function empiricalBernsteinMeanInterval(
  values: readonly number[],
  options: EmpiricalBernsteinMeanOptions,
): EmpiricalBernsteinResult {
  return bernstein(values, options.range, options.alpha ?? 0.05, 'empiricalBernsteinMeanInterval');
}

function bernstein(
  values: readonly number[],
  range: number,
  alpha: number,
  who: string,
): EmpiricalBernsteinResult {
  checkAlpha(alpha, who);
  if (!Array.isArray(values) || values.length === 0)
    throw new RangeError(`${who}: values must be a non-empty array`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`${who}: values[${i}] must be finite, got ${String(v)}`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (typeof range !== 'number' || !(range >= 0) || !Number.isFinite(range)) {
    throw new RangeError(`${who}: range must be a finite number >= 0, got ${String(range)}`);
  }
  if (hi - lo > range * (1 + SPREAD_SLACK) + SPREAD_SLACK) {
    throw new RangeError(`${who}: the values spread over ${hi - lo}, more than range ${range}`);
  }
  const n = values.length;
  const m = mean(values);
  const variance = n < 2 ? Number.NaN : sampleVariance(values, m);
  const log = Math.log(4 / alpha);
  const half =
    n < 2
      ? Number.POSITIVE_INFINITY
      : Math.sqrt((2 * variance * log) / n) + (7 * range * log) / (3 * (n - 1));
  return {
    method: 'empirical-bernstein',
    estimate: m,
    lower: m - half,
    upper: m + half,
    alpha,
    n,
    range,
    variance,
  };
}

export interface EmpiricalBernsteinOptions {
  /** 1 − coverage of the two-sided interval. Default 0.05. */
  readonly alpha?: number;
  /**
   * Width R of the support of the IPS terms w·r. Default: maxWeight · (max(rMax, 0) − min(rMin, 0)),
   * with maxWeight the largest observed weight and [rMin, rMax] = `rewardRange`.
   */
  readonly range?: number;
  /** Known bounds [rMin, rMax] of the reward. Default: the observed minimum and maximum reward. */
  readonly rewardRange?: readonly [number, number];
}

/**
 * Empirical Bernstein interval (Maurer & Pontil 2009) for the IPS estimate, i.e. for the mean
 * of the terms wᵢ rᵢ, as in high-confidence off-policy evaluation (Thomas et al. 2015). It
 * holds for every n when `range` really bounds w·r; the default range plugs in the observed
 * maximum weight (and observed rewards unless `rewardRange` is given), so it is valid only
 * if that weight is the largest possible — pass `range` for a guaranteed bound. Wide when
 * weights are large: use it as a conservative check next to the normal interval.
 *
 * @throws RangeError on invalid samples (see `diagnostics`), alpha outside (0, 1), a
 *   `rewardRange` that is not finite with min ≤ max or does not contain every reward, or a
 *   `range` smaller than the observed spread of w·r.
 * @example
 * const ci = empiricalBernsteinInterval(samples, { rewardRange: [0, 1] });
 * ci.lower; // a lower confidence bound on the target policy's value
 */
export function empiricalBernsteinInterval(
  samples: readonly OpeSample[],
  options: EmpiricalBernsteinOptions = {},
): EmpiricalBernsteinResult {
  const who = 'empiricalBernsteinInterval';
  checkSamples(samples, who);
  const w = weightsOf(samples);
  let rMin = Number.POSITIVE_INFINITY;
  let rMax = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    rMin = Math.min(rMin, s.reward);
    rMax = Math.max(rMax, s.reward);
  }
  if (options.rewardRange !== undefined) {
    const [lo, hi] = options.rewardRange;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new RangeError(
        `${who}: rewardRange must be finite [min, max] with min <= max, got [${lo}, ${hi}]`,
      );
    }
    if (rMin < lo || rMax > hi) {
      throw new RangeError(`${who}: rewards span [${rMin}, ${rMax}], outside rewardRange [${lo}, ${hi}]`);
    }
    [rMin, rMax] = [lo, hi];
  }
  const range =
    options.range ?? summarizeWeights(samples, w).maxWeight * (Math.max(rMax, 0) - Math.min(rMin, 0));
  const terms = Array.from(w, (wi, i) => wi * (samples[i] as OpeSample).reward);
  return bernstein(terms, range, options.alpha ?? 0.05, who);
}
