/**
 * Resilience and isolation: breakers in front of every agent's model, a bounded worker pool
 * for learning and shadow work, an event-loop throttle, and the learning impact estimator.
 */
export {
  BreakerKind,
  BreakerStateName,
  FallbackReason,
  type BreakerListener,
  type BreakerStateChange,
  type Disposer,
} from './breaker-types.js';
export { Circuit, type CircuitOptions, type CircuitState } from './circuit.js';
export { SlowCallBreaker, type SlowCallBreakerOptions } from './slow-call-breaker.js';
export {
  AccuracyBreaker,
  degradation,
  type AccuracyOptions,
  type QualityReport,
} from './accuracy-breaker.js';
export { ModelGuard, createModelGuard, type ModelGuardOptions } from './model-guard.js';
export { ServedQualityFeed } from './served-quality.js';
export {
  type BreakerSnapshot,
  type GuardCallOptions,
  type GuardResult,
  type GuardStats,
  type Prediction,
  type PredictionContext,
} from './guard-result.js';
export { pooledPrediction } from './pooled-prediction.js';
export { CpuPacer } from './cpu-pacer.js';
export { WorkerPool, createWorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { PoolFailure, type PoolResult, type PoolStats } from './pool-result.js';
export { resolveWorkerEntry, type WorkerEntry } from './worker-entry-location.js';
export {
  EventLoopThrottle,
  createEventLoopThrottle,
  createLoopSampler,
  nextThrottleStep,
  type LoopSample,
  type LoopSampler,
  type ThrottleChange,
  type ThrottleOptions,
  type ThrottleState,
  type ThrottleStep,
} from './throttle.js';
export { ImpactEstimator, createImpactEstimator, type ImpactOptions, type ImpactSnapshot } from './impact.js';
