import { meanWithStdErr } from './internal/numeric.js';
import { checkSamples } from './internal/validate.js';
import { directTerms, residuals, summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeEstimate, OpeSample } from './types.js';

/**
 * Doubly robust estimator (Dudík, Langford & Li 2011):
 * V̂ = (1/n) Σᵢ [ Σₐ π(a | xᵢ) q̂(xᵢ, a) + wᵢ (rᵢ − q̂(xᵢ, aᵢ)) ].
 * The direct method corrected by importance-weighted residuals: unbiased when the propensities
 * are right, whatever the reward model; lower variance than IPS when the model is good.
 * stdErr = sd of the per-record terms / √n (Infinity for n = 1).
 *
 * @throws RangeError on invalid samples (see `diagnostics`) or a record without `rewardHat` of length K.
 * @example
 * const r = doublyRobust([{ action: 0, reward: 1, propensity: 0.5, target: [0.5, 0.5], rewardHat: [0.8, 0] }]);
 * r.estimate; // 0.6  (= 0.5·0.8 + 1·(1 − 0.8))
 */
export function doublyRobust(samples: readonly OpeSample[]): OpeEstimate {
  checkSamples(samples, 'doublyRobust', true);
  const w = weightsOf(samples);
  const terms = directTerms(samples);
  const res = residuals(samples);
  for (let i = 0; i < terms.length; i++)
    terms[i] = (terms[i] as number) + (w[i] as number) * (res[i] as number);
  return {
    estimator: 'dr',
    ...meanWithStdErr(terms),
    n: samples.length,
    diagnostics: summarizeWeights(samples, w),
  };
}
