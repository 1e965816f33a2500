import type { DetektorAgent } from '../agent-definition.js';
import type { Rng } from './rng.js';

/** The feedback a unit produces, without its delay. */
export type OutcomePayload = { readonly label: string } | { readonly value: number } | { readonly reward: number };

/** One generated unit: its context and its hidden ground truth. */
export interface WorldUnit {
  readonly context: Record<string, unknown>;
  /** The outcome for a served action. Pure: the unit's randomness was drawn at generation. */
  readonly outcome: (served: string | number) => OutcomePayload;
  /** How many later decisions (of any agent) pass before the outcome is known. */
  readonly delay: number;
  /**
   * Reward worlds with a known truth: the expected reward of an action in this context (the
   * noise averaged out). A policy's true value is the mean of `expected(π(x))` over contexts.
   */
  readonly expected?: (served: string) => number;
  /** Worlds whose delay depends on what was served (delayed labels): the delay for that action. Default `delay`. */
  readonly delayFor?: (served: string) => number;
}

/**
 * The hidden model of one agent's world. The rules only approximate it: it has non-linear
 * interactions, factors the rules ignore, and noise.
 */
export interface World {
  readonly agent: DetektorAgent;
  /** Prefix of generated unit ids, e.g. `task`, `pr`, `deploy`. */
  readonly unitPrefix: string;
  /** Share of units whose outcome never arrives. */
  readonly missingOutcomeRate: number;
  /** Context fields that are sometimes absent (a form not filled in, a probe that failed). */
  readonly optionalFields: readonly string[];
  generate(rng: Rng): WorldUnit;
}

/** Replace the label by another one of `labels` with probability `rate` (annotation noise). */
export function noisyLabel(rng: Rng, label: string, labels: readonly string[], rate: number): string {
  if (!rng.chance(rate)) return label;
  const others = labels.filter((l) => l !== label);
  return others.length === 0 ? label : rng.pick(others);
}
