/**
 * The seams through which the decision engine reaches a loaded model and the breakers in
 * front of it. The decisions wing owns these shapes; `learning` (ServingModels) and `safety`
 * (ModelGuard) implement them, so the engine never imports either wing.
 */

/** A model the engine can serve: a loaded registry version. */
export interface DecisionModel {
  readonly version: { readonly version: number };
  /** Synchronous prediction: built-in learners only (absent for ONNX). */
  readonly predictSync?: (features: Readonly<Record<string, unknown>>) => unknown;
  predict(features: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Why a guarded call fell back to the rules. */
export type GuardFallbackReason = 'BREAKER_OPEN' | 'TIMEOUT' | 'MODEL_ERROR';

/** A guarded call's result as data: it never throws. */
export type GuardOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: GuardFallbackReason };

/** Breakers and a time budget in front of one agent's model. */
export interface DecisionGuard {
  execute<T>(
    fn: (context: { readonly signal: AbortSignal }) => T | PromiseLike<T>,
    options?: { readonly budgetMs?: number },
  ): Promise<GuardOutcome<T>>;
}
