/**
 * Vocabulary of off-policy evaluation (OPE): estimate how a *target* policy would have done
 * from decisions logged under another (*logging*) policy, without serving it.
 *
 * Notation used across the folder, per logged record i: served action aᵢ, reward rᵢ, logging
 * propensity pᵢ = μ(aᵢ | xᵢ), target policy π(· | xᵢ), reward model q̂(xᵢ, ·). The importance
 * weight is wᵢ = π(aᵢ | xᵢ) / pᵢ.
 */

/** One decision as logged: the served action, its reward, and its probability under the logging policy. */
export interface LoggedBandit {
  /** Index of the served action, an integer in `[0, K)`. */
  readonly action: number;
  /** Observed reward (any finite number; higher is better). */
  readonly reward: number;
  /** Probability the logging policy gave the served action, in `(0, 1]`. */
  readonly propensity: number;
}

/** A logged record together with what the estimators need about the target policy and reward model. */
export interface OpeSample extends LoggedBandit {
  /** π(· | x): the target policy's probability of each of the K actions in this context (sums to 1). */
  readonly target: readonly number[];
  /** q̂(x, ·): a reward model's prediction for each of the K actions. Required by DM and the DR family. */
  readonly rewardHat?: readonly number[];
}

/** Summary of the importance weights wᵢ = π(aᵢ | xᵢ) / pᵢ of a sample. */
export interface WeightDiagnostics {
  readonly n: number;
  /** Kish effective sample size (Σw)² / Σw²; 0 when every weight is 0. At most n. */
  readonly effectiveSampleSize: number;
  /** Smallest logging propensity pᵢ. */
  readonly minPropensity: number;
  /** Largest importance weight. */
  readonly maxWeight: number;
  /** Mean importance weight; its expectation is 1 when the logging policy covers the target policy. */
  readonly meanWeight: number;
}

export type OpeEstimatorName = 'ips' | 'snips' | 'dm' | 'dr' | 'dr-clipped' | 'switch-dr';

/** Result of an estimator: point estimate of the target policy's value and its standard error. */
export interface OpeEstimate {
  readonly estimator: OpeEstimatorName;
  /** Estimated expected reward of the target policy; NaN where the estimator is undefined (see each one). */
  readonly estimate: number;
  /** Estimated standard error of `estimate`; Infinity with a single record (no variance estimate). */
  readonly stdErr: number;
  readonly n: number;
  readonly diagnostics: WeightDiagnostics;
}

/**
 * How `doublyRobustClipped` shrinks a weight w at λ (Su et al. 2020):
 * - `pessimistic`: min(w, λ), plain clipping;
 * - `optimistic`: w·λ / (w² + λ), the DRos shrinkage.
 */
export type Shrinkage = 'pessimistic' | 'optimistic';

export interface ClippedDrEstimate extends OpeEstimate {
  readonly estimator: 'dr-clipped';
  readonly lambda: number;
  readonly shrinkage: Shrinkage;
  /** Records whose weight the shrinkage changed. */
  readonly clipped: number;
}

export interface SwitchDrEstimate extends OpeEstimate {
  readonly estimator: 'switch-dr';
  readonly tau: number;
  /** Records with weight > τ, for which only the reward model (DM) was used. */
  readonly switched: number;
}

/** Any function from samples to an estimate; what `bootstrapInterval` resamples. */
export type OpeEstimator = (samples: readonly OpeSample[]) => { readonly estimate: number };

export type IntervalMethod = 'normal' | 'bootstrap' | 'empirical-bernstein';

/** Two-sided (1 − α) confidence interval for the target policy's value. */
export interface OpeInterval {
  readonly method: IntervalMethod;
  /** The point estimate the interval is about. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly alpha: number;
}
