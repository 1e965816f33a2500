import { checkSamples } from './internal/validate.js';
import { summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeSample, WeightDiagnostics } from './types.js';

/**
 * Importance weights wᵢ = π(aᵢ | xᵢ) / pᵢ of the samples, in order.
 *
 * @throws RangeError on invalid samples (see `diagnostics`).
 * @example
 * importanceWeights([{ action: 0, reward: 1, propensity: 0.5, target: [1, 0] }]); // [2]
 */
export function importanceWeights(samples: readonly OpeSample[]): number[] {
  checkSamples(samples, 'importanceWeights');
  return Array.from(weightsOf(samples));
}

/**
 * How well the logged data supports the target policy: Kish effective sample size
 * (Σw)² / Σw² (0 if every weight is 0), smallest propensity, largest and mean weight.
 * A small effective sample size or a mean weight far from 1 means the estimates rest on few
 * records or the logging policy does not cover the target policy.
 *
 * @throws RangeError for empty input, a propensity outside (0, 1], a non-finite reward, an
 *   action outside [0, K), a target of another length than `samples[0].target` or not summing to 1.
 * @example
 * const d = diagnostics([
 *   { action: 0, reward: 1, propensity: 0.5, target: [1, 0] },
 *   { action: 1, reward: 0, propensity: 0.5, target: [1, 0] },
 * ]);
 * // { n: 2, effectiveSampleSize: 1, minPropensity: 0.5, maxWeight: 2, meanWeight: 1 }
 */
export function diagnostics(samples: readonly OpeSample[]): WeightDiagnostics {
  checkSamples(samples, 'diagnostics');
  return summarizeWeights(samples, weightsOf(samples));
}
