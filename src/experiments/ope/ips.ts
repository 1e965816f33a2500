import { meanWithStdErr } from './internal/numeric.js';
import { checkSamples } from './internal/validate.js';
import { summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeEstimate, OpeSample } from './types.js';

/**
 * Inverse propensity scoring (Horvitz & Thompson 1952): V̂ = (1/n) Σ wᵢ rᵢ with
 * wᵢ = π(aᵢ | xᵢ) / pᵢ. Unbiased when every action the target policy may take has a positive
 * logging propensity; its variance grows with the weights (see `diagnostics`).
 * stdErr = sd(wᵢ rᵢ, ddof 1) / √n (Infinity for n = 1).
 *
 * @throws RangeError on invalid samples (see `diagnostics`).
 * @example
 * const r = ips([
 *   { action: 0, reward: 1, propensity: 0.5, target: [1, 0] },
 *   { action: 1, reward: 0, propensity: 0.5, target: [1, 0] },
 * ]);
 * r.estimate; // 1  (= (2·1 + 0·0) / 2)
 */
export function ips(samples: readonly OpeSample[]): OpeEstimate {
  checkSamples(samples, 'ips');
  const w = weightsOf(samples);
  const terms = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) terms[i] = (w[i] as number) * (samples[i] as OpeSample).reward;
  return {
    estimator: 'ips',
    ...meanWithStdErr(terms),
    n: samples.length,
    diagnostics: summarizeWeights(samples, w),
  };
}
