/** The data shapes of a guarded call: what a prediction gets and what the caller gets back. */
import type { BreakerStateName, FallbackReason } from './breaker-types.js';

export interface GuardCallOptions {
  /** Time budget of this call (ms); the prediction's signal aborts when it runs out. */
  readonly budgetMs?: number;
  /** The caller's own cancellation; its abort ends the call as `TIMEOUT` without blaming the model. */
  readonly signal?: AbortSignal;
}

/** Result as data: a guarded call never throws. */
export type GuardResult<T> =
  | { readonly ok: true; readonly value: T; readonly latencyMs: number }
  | {
      readonly ok: false;
      readonly reason: FallbackReason;
      readonly latencyMs: number;
      readonly error?: unknown;
    };

/** What a prediction receives (the shape of cockatiel's policy context). */
export interface PredictionContext {
  /** Aborts when the time budget runs out or the caller cancels; stop work then. */
  readonly signal: AbortSignal;
}

/** A prediction: synchronous or returning a promise. */
export type Prediction<T> = (context: PredictionContext) => T | PromiseLike<T>;

/**
 * Creates the AbortController only when the prediction reads `signal`: most in-process
 * models are synchronous and never do, and a controller + signal per call would cost more
 * than the rest of the closed-state path together.
 */
export class CallContext implements PredictionContext {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }
  abort(reason: unknown): void {
    this.abortedWith ??= { reason };
    this.controller?.abort(reason);
  }
}

/** Counters for metrics wiring (monotonic). */
export interface GuardStats {
  calls: number;
  served: number;
  slow: number;
  breakerOpen: number;
  timeout: number;
  modelError: number;
}

export interface BreakerSnapshot {
  readonly failure: BreakerStateName;
  readonly slow: BreakerStateName;
  readonly accuracy: BreakerStateName;
}
