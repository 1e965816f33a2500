/**
 * Off-policy evaluation (OPE) for contextual bandits: estimate the expected reward a target
 * policy would get from decisions logged under another policy, with confidence intervals and
 * weight diagnostics. Pure functions; self-contained (imports nothing else from `src/`).
 *
 * Estimators: `ips`, `snips`, `directMethod`, `doublyRobust`, `doublyRobustClipped`,
 * `switchDoublyRobust`. Intervals: `normalInterval` (the rollout gate's default),
 * `bootstrapInterval`, `empiricalBernsteinInterval`. Checked against numpy in
 * `ope-reference.json` (scripts/reference/ope_reference.py).
 *
 * @example
 * import { doublyRobust, normalInterval, diagnostics } from './index.js';
 * const dr = doublyRobust(samples);
 * const ci = normalInterval(dr, { alpha: 0.05 });
 * if (dr.diagnostics.effectiveSampleSize < 100) console.warn('few effective samples');
 */
export type {
  ClippedDrEstimate,
  IntervalMethod,
  LoggedBandit,
  OpeEstimate,
  OpeEstimator,
  OpeEstimatorName,
  OpeInterval,
  OpeSample,
  Shrinkage,
  SwitchDrEstimate,
  WeightDiagnostics,
} from './types.js';
export { toOpeSamples } from './to-ope-samples.js';
export { diagnostics, importanceWeights } from './diagnostics.js';
export { ips } from './ips.js';
export { snips } from './snips.js';
export { directMethod } from './direct-method.js';
export { doublyRobust } from './doubly-robust.js';
export { doublyRobustClipped, shrinkWeight } from './doubly-robust-clipped.js';
export type { DoublyRobustClippedOptions } from './doubly-robust-clipped.js';
export { switchDoublyRobust } from './switch-doubly-robust.js';
export type { SwitchDoublyRobustOptions } from './switch-doubly-robust.js';
export { normalInterval } from './normal-interval.js';
export type { NormalIntervalOptions } from './normal-interval.js';
export { bootstrapInterval } from './bootstrap-interval.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap-interval.js';
export { empiricalBernsteinInterval, empiricalBernsteinMeanInterval } from './empirical-bernstein.js';
export type {
  EmpiricalBernsteinMeanOptions,
  EmpiricalBernsteinOptions,
  EmpiricalBernsteinResult,
} from './empirical-bernstein.js';
export { normalQuantile } from './normal-quantile.js';
export { mulberry32 } from './prng.js';
