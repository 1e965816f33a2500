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
export { AccuracyBreaker, degradation, type AccuracyOptions, type QualityReport } from './accuracy-breaker.js';
export {
  ModelGuard,
  createModelGuard,
  type BreakerSnapshot,
  type GuardCallOptions,
  type GuardResult,
  type GuardStats,
  type ModelGuardOptions,
  type Prediction,
} from './model-guard.js';
export { pooledPrediction } from './pooled-prediction.js';
export { CpuPacer } from './cpu-pacer.js';
export {
  PoolFailure,
  WorkerPool,
  createWorkerPool,
  resolveWorkerEntry,
  type PoolResult,
  type PoolStats,
  type WorkerEntry,
  type WorkerPoolOptions,
} from './worker-pool.js';
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
