import type { ResolvedExploration } from './agents/exploration-spec.js';

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

/** What the engine asks an explorer for one decision of a reward agent with an `exploration` spec. */
export interface ExplorationRequest {
  readonly agent: string;
  /** The agent's exploration, defaults filled in. */
  readonly spec: ResolvedExploration;
  /** The agent's actions (its labels), in order. */
  readonly actions: readonly string[];
  /** The answer the serving policy would give without exploration (the rules' or the model's). */
  readonly greedy: string;
  /** Actions exploration may serve for this decision (the rules' allowed set minus `forbidden`); always holds `greedy`. */
  readonly allowed: readonly string[];
  /** The model's predicted reward per action (same order as `actions`), when a model answered. */
  readonly scores?: readonly number[] | undefined;
  /** Upper-confidence bonus per action (LinUCB), when the model provides one. */
  readonly bonuses?: readonly number[] | undefined;
}

/** The served action and its exact probability under the policy that served it. */
export interface ExplorationChoice {
  readonly action: string;
  /** P(action | context, history) under the exploring policy, in (0, 1]. */
  readonly propensity: number;
  /** The action differs from `greedy` (it counts against the exploration budget). */
  readonly explored: boolean;
}

/** Exploration for reward agents (implemented by the learning wing's bandits). */
export interface DecisionExplorer {
  choose(request: ExplorationRequest): ExplorationChoice;
}

/** Optional face of a reward model: predicted reward (and bonus) per action, in the agent's label order. */
export interface ActionScorer {
  readonly actionScores?: (features: Readonly<Record<string, unknown>>) => { readonly scores: readonly number[]; readonly bonuses?: readonly number[] } | undefined;
}
