import type { DecisionData, Variant } from '../core/events.js';
import { hashContext } from './context-hash.js';
import type { AsyncLearningWriter } from './async-learning-writer.js';
import { assertAgentName, assertUnitId } from './validate.js';

/** What `decide()` returns (DESIGN.md §1). */
export interface Decision<T = unknown> {
  readonly decisionId: string;
  readonly agent: string;
  readonly unitId: string;
  readonly value: T;
  readonly source: 'deterministic' | 'ml';
  /** Why this answer: `RULES`, `MODEL`, `BREAKER_OPEN`, `TIMEOUT`, `MODEL_ERROR`, `NO_MODEL`, `ML_DISABLED`... */
  readonly reason: string;
  readonly modelVersion?: number;
  readonly variant: Variant;
  readonly propensity: number;
  readonly latencyMs: number;
}

export interface DecisionEngineOptions {
  readonly writer: AsyncLearningWriter;
  /** Called after each decision (metrics). */
  readonly onDecision?: (d: Decision, startedAt: number) => void;
}

/**
 * The decision path (DESIGN.md §2.1): validate → route → (model) → deterministic fallback →
 * record → return. A decision never throws for model problems: failures are data in `reason`.
 * Bad input (agent name, unitId) is a `ValidationError` before anything is recorded.
 */
export class DecisionEngine {
  readonly #writer: AsyncLearningWriter;
  readonly #onDecision: DecisionEngineOptions['onDecision'];

  constructor(options: DecisionEngineOptions) {
    this.#writer = options.writer;
    this.#onDecision = options.onDecision;
  }

  decide<T>(agent: string, unitId: string, context: unknown, deterministic: T): Decision<T> {
    const t0 = performance.now();
    assertAgentName(agent);
    assertUnitId(unitId);
    const variant: Variant = 'deterministic';
    const data: Omit<DecisionData, 'decisionId'> = {
      agent,
      unitId,
      value: deterministic,
      deterministic,
      source: 'deterministic',
      reason: 'RULES',
      variant,
      propensity: 1,
      latencyMs: performance.now() - t0,
      context,
      contextHash: hashContext(agent, context),
    };
    const decisionId = this.#writer.recordDecision(data);
    const decision: Decision<T> = {
      decisionId,
      agent,
      unitId,
      value: deterministic,
      source: 'deterministic',
      reason: 'RULES',
      variant,
      propensity: 1,
      latencyMs: performance.now() - t0,
    };
    this.#onDecision?.(decision, t0);
    return decision;
  }
}
