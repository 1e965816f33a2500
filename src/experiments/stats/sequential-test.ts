import { checkArms, estimates, type TwoArms } from './internal/arms.js';
import { Issues } from './internal/validate.js';
import type { Interval } from './types.js';

/**
 * Mixture sequential probability ratio test (mSPRT) for the difference B − A, after
 * Johari, Pekelis & Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests"
 * (2017; the method behind Optimizely's Stats Engine), with the normal approximation to the
 * difference of two means/proportions. With V = Var(θ̂) = σ²_A/n_A + σ²_B/n_B (unpooled,
 * plug-in) and a normal mixture N(θ₀, τ²) over the alternative, the mixture likelihood ratio
 * is
 *
 *   Λ = √(V / (V + τ²)) · exp( τ²(θ̂ − θ₀)² / (2V(V + τ²)) ).
 *
 * The always-valid p-value is the running minimum of 1/Λ over all looks, and the
 * always-valid (1 − α) confidence sequence is {θ₀ : Λ(θ₀) < 1/α}, intersected over looks
 * (an empty intersection keeps the previous interval).
 * Both stay valid however often the experiment is peeked at. The stateless
 * `sequentialTest` takes the previous look's state to carry the running minimum and
 * intersection; `createSequentialTracker` keeps it for you. While V = 0 (no variance yet)
 * there is no evidence: Λ = 1 and the interval is the whole line.
 */

export interface SequentialTestOptions {
  /** Standard deviation τ of the normal mixture over the effect B − A, in metric units. A
   * good choice is about the effect you hope to detect (the MDE). Required. */
  readonly tau: number;
  /** Significance level of the p-value / coverage 1 − α of the sequence. Default `0.05`. */
  readonly alpha?: number;
  /** Null difference θ₀. Default `0`. */
  readonly nullDifference?: number;
  /** State after the previous look of the same experiment; omit on the first look. */
  readonly previous?: SequentialState;
}

/** What carries over between looks. */
export interface SequentialState {
  readonly pValue: number;
  readonly ci: Interval;
}

export interface SequentialTestResult extends SequentialState {
  /** θ̂ = mean(B) − mean(A). */
  readonly difference: number;
  /** V, the plug-in variance of θ̂. */
  readonly variance: number;
  /** Λ at θ₀ for this look. */
  readonly likelihoodRatio: number;
  /** This look's p-value alone, min(1, 1/Λ); `pValue` is the running minimum. */
  readonly lookPValue: number;
  readonly alpha: number;
  /** `pValue < alpha`: it is safe to stop and declare a difference. */
  readonly significant: boolean;
}

/** ln Λ(θ₀) for one look. */
/**
 * Variances below this are treated as zero ("no variance yet"): a subnormal V underflows
 * `V·(V + τ²)` to 0 and turns the statistic into 0/0.
 */
const MIN_VARIANCE = 1e-300;

export function logMixtureLikelihoodRatio(difference: number, variance: number, tau2: number, nullDifference: number): number {
  if (!(variance > MIN_VARIANCE)) return 0;
  const d = difference - nullDifference;
  return 0.5 * Math.log(variance / (variance + tau2)) + (tau2 * d * d) / (2 * variance * (variance + tau2));
}

/** Half-width of {θ₀ : Λ(θ₀) < 1/α} around θ̂. */
export function confidenceSequenceHalfWidth(variance: number, tau2: number, alpha: number): number {
  if (!(variance > MIN_VARIANCE)) return Infinity;
  const v = variance + tau2;
  return Math.sqrt(((2 * variance * v) / tau2) * (Math.log(1 / alpha) + 0.5 * Math.log(v / variance)));
}

function intersect(previous: Interval, current: Interval): Interval {
  const lower = Math.max(previous[0], current[0]);
  const upper = Math.min(previous[1], current[1]);
  // An empty intersection means the normal model is misspecified (e.g. a drifting variance or
  // effect); keep the previous sequence so intervals stay nested.
  return lower <= upper ? [lower, upper] : previous;
}

/**
 * One look of the mSPRT for B − A.
 *
 * @example
 * let state: SequentialState | undefined;
 * for (const look of looks) {
 *   const r = sequentialTest({ metric: 'proportion', a: look.a, b: look.b }, { tau: 0.02, previous: state });
 *   state = r;
 *   if (r.significant) break; // safe under continuous peeking
 * }
 */
export function sequentialTest(arms: TwoArms, options: SequentialTestOptions): SequentialTestResult {
  const alpha = options.alpha ?? 0.05;
  const nullDifference = options.nullDifference ?? 0;
  const issues = new Issues();
  checkArms(arms, issues, 2);
  issues.positive('tau', options.tau).openUnit('alpha', alpha).finite('nullDifference', nullDifference);
  if (options.previous) {
    const p = options.previous.pValue;
    if (!(p >= 0 && p <= 1)) issues.add('previous.pValue', 'must be in [0, 1]');
  }
  issues.throwIfAny('sequential test input');

  const e = estimates(arms);
  const difference = e.meanB - e.meanA;
  const variance = e.varMeanA + e.varMeanB;
  const tau2 = options.tau * options.tau;
  const logLr = logMixtureLikelihoodRatio(difference, variance, tau2, nullDifference);
  const lookPValue = Math.min(1, Math.exp(-logLr));
  const half = confidenceSequenceHalfWidth(variance, tau2, alpha);
  const look: Interval = [difference - half, difference + half];
  const pValue = options.previous ? Math.min(options.previous.pValue, lookPValue) : lookPValue;
  const ci = options.previous ? intersect(options.previous.ci, look) : look;
  return {
    difference,
    variance,
    likelihoodRatio: Math.exp(logLr),
    lookPValue,
    pValue,
    ci,
    alpha,
    significant: pValue < alpha,
  };
}
