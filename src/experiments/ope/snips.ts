import { sum } from './internal/numeric.js';
import { checkSamples } from './internal/validate.js';
import { summarizeWeights, weightsOf } from './internal/weights.js';
import type { OpeEstimate, OpeSample } from './types.js';

/**
 * Self-normalized IPS (Swaminathan & Joachims 2015): V̂ = Σ wᵢ rᵢ / Σ wᵢ. Slightly biased, much
 * lower variance than IPS, and always within [min r, max r].
 * stdErr by the delta method: √(Σ wᵢ² (rᵢ − V̂)²) / Σ wᵢ (Infinity for n = 1).
 * When every weight is 0 (the target policy never takes a logged action) the estimate and
 * stdErr are NaN.
 *
 * @throws RangeError on invalid samples (see `diagnostics`).
 * @example
 * const r = snips([
 *   { action: 0, reward: 1, propensity: 0.5, target: [1, 0] },
 *   { action: 0, reward: 0, propensity: 0.25, target: [1, 0] },
 * ]);
 * r.estimate; // 1/3  (= (2·1 + 4·0) / (2 + 4))
 */
export function snips(samples: readonly OpeSample[]): OpeEstimate {
  checkSamples(samples, 'snips');
  const n = samples.length;
  const w = weightsOf(samples);
  const diagnostics = summarizeWeights(samples, w);
  const sw = sum(w);
  if (sw === 0) return { estimator: 'snips', estimate: Number.NaN, stdErr: Number.NaN, n, diagnostics };
  const wr = new Float64Array(n);
  for (let i = 0; i < n; i++) wr[i] = (w[i] as number) * (samples[i] as OpeSample).reward;
  const estimate = sum(wr) / sw;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = ((w[i] as number) * ((samples[i] as OpeSample).reward - estimate)) ** 2;
  const stdErr = n < 2 ? Number.POSITIVE_INFINITY : Math.sqrt(sum(sq)) / sw;
  return { estimator: 'snips', estimate, stdErr, n, diagnostics };
}
