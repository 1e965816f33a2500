import { meanWithStdErr } from './internal/numeric.js';
import { checkSamples } from './internal/validate.js';
import { directTerms, summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeEstimate, OpeSample } from './types.js';

/**
 * Direct method: V̂ = (1/n) Σᵢ Σₐ π(a | xᵢ) q̂(xᵢ, a), the reward model's prediction of the
 * target policy's value. Ignores the observed rewards and propensities: low variance, biased
 * exactly as much as the reward model. stdErr = sd of the per-record terms / √n (Infinity for
 * n = 1), which does not include the model's bias.
 *
 * @throws RangeError on invalid samples (see `diagnostics`) or a record without `rewardHat` of length K.
 * @example
 * const r = directMethod([{ action: 0, reward: 1, propensity: 0.5, target: [0.5, 0.5], rewardHat: [1, 0] }]);
 * r.estimate; // 0.5
 */
export function directMethod(samples: readonly OpeSample[]): OpeEstimate {
  checkSamples(samples, 'directMethod', true);
  const w = weightsOf(samples);
  return {
    estimator: 'dm',
    ...meanWithStdErr(directTerms(samples)),
    n: samples.length,
    diagnostics: summarizeWeights(samples, w),
  };
}
