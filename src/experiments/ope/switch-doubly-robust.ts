import { meanWithStdErr } from './internal/numeric.js';
import { checkSamples, checkThreshold } from './internal/validate.js';
import { directTerms, residuals, summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeSample, SwitchDrEstimate } from './types.js';

export interface SwitchDoublyRobustOptions {
  /** Weight threshold τ ≥ 0. Required. τ = 0 gives the direct method; Infinity gives plain DR. */
  readonly tau: number;
}

/**
 * SWITCH-DR (Wang, Agarwal & Dudík 2017, "Optimal and adaptive off-policy evaluation in
 * contextual bandits"): DR on the records whose weight is at most τ, the direct method alone on
 * the others, V̂ = (1/n) Σᵢ [ Σₐ π(a | xᵢ) q̂(xᵢ, a) + 1{wᵢ ≤ τ} wᵢ (rᵢ − q̂(xᵢ, aᵢ)) ].
 * Uses only the served action's propensity (as in Open Bandit Pipeline), so the switch is per
 * record, not per action. stdErr = sd of the per-record terms / √n (Infinity for n = 1).
 *
 * @throws RangeError on invalid samples (see `diagnostics`), a record without `rewardHat`, or
 *   τ that is not a number ≥ 0.
 * @example
 * const r = switchDoublyRobust(
 *   [
 *     { action: 0, reward: 1, propensity: 0.01, target: [1, 0], rewardHat: [0.5, 0] },
 *     { action: 0, reward: 1, propensity: 0.5, target: [1, 0], rewardHat: [0.5, 0] },
 *   ],
 *   { tau: 10 },
 * );
 * r.estimate; // 1  (= ((0.5) + (0.5 + 2·0.5)) / 2); r.switched === 1
 */
export function switchDoublyRobust(
  samples: readonly OpeSample[],
  options: SwitchDoublyRobustOptions,
): SwitchDrEstimate {
  const who = 'switchDoublyRobust';
  const { tau } = options;
  checkThreshold(tau, 'tau', who);
  checkSamples(samples, who, true);
  const w = weightsOf(samples);
  const terms = directTerms(samples);
  const res = residuals(samples);
  let switched = 0;
  for (let i = 0; i < terms.length; i++) {
    const wi = w[i] as number;
    if (wi <= tau) terms[i] = (terms[i] as number) + wi * (res[i] as number);
    else switched++;
  }
  return {
    estimator: 'switch-dr',
    ...meanWithStdErr(terms),
    n: samples.length,
    diagnostics: summarizeWeights(samples, w),
    tau,
    switched,
  };
}
