import type { Variant } from '../../core/index.js';
import type { FlagEvaluator } from '../flags/flag-evaluator.js';
import { routeUnit } from '../flags/rollout-flag.js';

/** The arm a unit is served and the probability it had of being served it (the engine's `Route`). */
export interface Route {
  readonly variant: Variant;
  readonly propensity: number;
}

/** What the router reads flags from: an evaluator, or anything holding one (the flag store). */
export type FlagCache = FlagEvaluator | { readonly evaluator: FlagEvaluator };

/**
 * The decision engine's `router` seam over the per-instance flag cache: each agent's
 * `rollout-<agent>` flag splits units between `deterministic` and `ml`, sticky as the
 * percentage grows. Never throws and never does I/O: a missing or broken flag routes to the
 * rules with propensity 1.
 *
 * @example
 * const router = createRouter(flagStore);
 * const engine = new DecisionEngine({ writer, router });
 * router('debugger', 'task-42'); // { variant: 'ml', propensity: 0.25, reason: 'SPLIT' }
 */
export function createRouter(flags: FlagCache): (agent: string, unitId: string) => Route {
  const evaluator = 'evaluator' in flags ? flags.evaluator : flags;
  return (agent, unitId) => routeUnit(evaluator, agent, unitId);
}
