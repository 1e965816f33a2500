import { z } from 'zod';

/** How a reward agent explores: which strategy, within which budget, never which actions. */
export const ExplorationStrategy = {
  /** ε-greedy around the served answer, ε decaying with the agent's decisions. */
  EPSILON_GREEDY: 'epsilon-greedy',
  /** Boltzmann over the model's predicted rewards (the rules' answer alone when no scores are known). */
  SOFTMAX: 'softmax',
  /** Upper confidence bounds of a linear reward model (LinUCB, Li et al. 2010); needs per-action bonuses. */
  LIN_UCB: 'lin-ucb',
} as const;
export type ExplorationStrategy = (typeof ExplorationStrategy)[keyof typeof ExplorationStrategy];

/**
 * The exploration of a reward agent (agent definition field `exploration`). Exploration never
 * serves an action the rules forbid: `forbidden` lists actions never explored, and
 * `allowedActionsField` names a context field in which the caller's rules send the actions they
 * allow for this decision (the deterministic answer's allowed set). The rules' own answer is
 * always allowed.
 */
export interface ExplorationSpec {
  readonly strategy: ExplorationStrategy;
  /** Most decisions (share) that may serve an action other than the greedy one. Default 0.05. */
  readonly budget?: number;
  /** Initial ε (epsilon-greedy; the explore/exploit mix of softmax and lin-ucb). Default = budget. */
  readonly epsilon?: number;
  /** ε_t = max(minEpsilon, ε / (1 + decay · t)) after t decisions. Default 0 (no decay). */
  readonly decay?: number;
  /** Floor of the decaying ε. Default 0.01 (always some coverage for off-policy evaluation). */
  readonly minEpsilon?: number;
  /** Softmax temperature, in reward units. Default 0.1. */
  readonly temperature?: number;
  /** Actions never served by exploration. Default none. */
  readonly forbidden?: readonly string[];
  /** Context field with the actions the rules allow for this decision (array of strings). Default none. */
  readonly allowedActionsField?: string;
}

export const ExplorationSpecSchema = z
  .object({
    strategy: z.enum(['epsilon-greedy', 'softmax', 'lin-ucb']),
    budget: z.number().min(0).max(1).optional(),
    epsilon: z.number().min(0).max(1).optional(),
    decay: z.number().min(0).optional(),
    minEpsilon: z.number().min(0).max(1).optional(),
    temperature: z.number().positive().optional(),
    forbidden: z.array(z.string().min(1)).optional(),
    allowedActionsField: z.string().min(1).max(256).optional(),
  })
  .strict();

/** The spec with every default filled in. */
export interface ResolvedExploration {
  readonly strategy: ExplorationStrategy;
  readonly budget: number;
  readonly epsilon: number;
  readonly decay: number;
  readonly minEpsilon: number;
  readonly temperature: number;
  readonly forbidden: readonly string[];
  readonly allowedActionsField: string | undefined;
}

export const DEFAULT_EXPLORATION_BUDGET = 0.05;

export function resolveExploration(spec: ExplorationSpec): ResolvedExploration {
  const budget = spec.budget ?? DEFAULT_EXPLORATION_BUDGET;
  return {
    strategy: spec.strategy,
    budget,
    epsilon: spec.epsilon ?? budget,
    decay: spec.decay ?? 0,
    minEpsilon: Math.min(spec.minEpsilon ?? 0.01, spec.epsilon ?? budget),
    temperature: spec.temperature ?? 0.1,
    forbidden: spec.forbidden ?? [],
    allowedActionsField: spec.allowedActionsField,
  };
}

/**
 * The actions exploration may serve for one decision: the agent's actions, narrowed to the
 * rules' allowed set sent in the context field `allowedActionsField` (when the spec names one
 * and the context holds an array of strings there), minus `forbidden`. The greedy answer is
 * always kept: it is what would be served without exploration.
 *
 * @example
 * allowedActions(['standard', 'canary', 'stage-first'], 'canary', { allowed: ['canary', 'stage-first'] }, spec);
 * // ['canary', 'stage-first'] with spec.allowedActionsField = 'allowed'
 */
export function allowedActions(actions: readonly string[], greedy: string, context: unknown, spec: Pick<ResolvedExploration, 'forbidden' | 'allowedActionsField'>): string[] {
  let set: readonly string[] = actions;
  const field = spec.allowedActionsField;
  if (field !== undefined && context !== null && typeof context === 'object') {
    const v = (context as Record<string, unknown>)[field];
    // A malformed allowed set allows nothing beyond the greedy answer: the safe reading.
    set = Array.isArray(v) ? actions.filter((a) => v.includes(a)) : [];
  }
  return actions.filter((a) => a === greedy || (set.includes(a) && !spec.forbidden.includes(a)));
}
