import { quantileSorted } from './internal/numeric.js';
import { checkAlpha, checkSamples } from './internal/validate.js';
import { mulberry32 } from './prng.js';
import type { OpeEstimator, OpeInterval, OpeSample } from './types.js';

export interface BootstrapOptions {
  /** 1 − coverage of the two-sided interval. Default 0.05. */
  readonly alpha?: number;
  /** Number of bootstrap resamples, an integer ≥ 1. Default 1000. */
  readonly resamples?: number;
  /** Seed of the mulberry32 generator; the same seed gives the same interval. Default 1. */
  readonly seed?: number;
}

export interface BootstrapResult extends OpeInterval {
  readonly method: 'bootstrap';
  readonly resamples: number;
  /** Resamples whose estimate was not finite (e.g. SNIPS with all weights 0); left out of the percentiles. */
  readonly failed: number;
  readonly seed: number;
}

/**
 * Percentile bootstrap interval (Efron 1979): resample the records with replacement
 * `resamples` times, apply `estimator` to each resample, and take the α/2 and 1 − α/2
 * quantiles (linear interpolation, numpy's default) of the finite replicate estimates.
 * Deterministic given `seed`. NaN bounds if no replicate is finite.
 *
 * @param estimator e.g. `snips`, or `(s) => doublyRobustClipped(s, { lambda: 20 })`.
 * @throws RangeError on invalid samples (see `diagnostics`), alpha outside (0, 1), a
 *   non-integer or < 1 `resamples`, a non-integer `seed`; and whatever `estimator` throws.
 * @example
 * const ci = bootstrapInterval(samples, snips, { resamples: 2000, seed: 7 });
 * [ci.lower, ci.upper];
 */
export function bootstrapInterval(
  samples: readonly OpeSample[],
  estimator: OpeEstimator,
  options: BootstrapOptions = {},
): BootstrapResult {
  const who = 'bootstrapInterval';
  const { alpha = 0.05, resamples = 1000, seed = 1 } = options;
  checkAlpha(alpha, who);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`${who}: resamples must be an integer >= 1, got ${String(resamples)}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`${who}: seed must be an integer, got ${String(seed)}`);
  checkSamples(samples, who);
  const estimate = estimator(samples).estimate;
  const n = samples.length;
  const next = mulberry32(seed);
  const replicates: number[] = [];
  const resample = new Array<OpeSample>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(next() * n)] as OpeSample;
    const value = estimator(resample).estimate;
    if (Number.isFinite(value)) replicates.push(value);
  }
  const sorted = Float64Array.from(replicates).sort();
  return {
    method: 'bootstrap',
    estimate,
    lower: quantileSorted(sorted, alpha / 2),
    upper: quantileSorted(sorted, 1 - alpha / 2),
    alpha,
    resamples,
    failed: resamples - replicates.length,
    seed,
  };
}
