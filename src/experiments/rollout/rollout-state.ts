import { assertNever } from '../../core/index.js';

/** The default traffic steps of a rollout, in order: the share of units served by the model (a policy's `steps` replace them). */
export const ROLLOUT_STEPS = [5, 25, 50, 100] as const;
export type StepPercentage = (typeof ROLLOUT_STEPS)[number];

export const RolloutPhase = {
  SHADOW: 'shadow',
  CANARY: 'canary',
  PROMOTED: 'promoted',
  ROLLED_BACK: 'rolled_back',
  PAUSED: 'paused',
} as const;
export type RolloutPhase = (typeof RolloutPhase)[keyof typeof RolloutPhase];

/** The model only runs in shadow: 0% of units served. */
export interface ShadowState {
  readonly phase: typeof RolloutPhase.SHADOW;
  readonly since: string;
}

/** A traffic step (the policy's steps, default 5 → 25 → 50 → 100%) with its experiment. */
export interface CanaryState {
  readonly phase: typeof RolloutPhase.CANARY;
  readonly percentage: number;
  readonly experimentId: string;
  readonly since: string;
}

/** The model serves every unit for good. */
export interface PromotedState {
  readonly phase: typeof RolloutPhase.PROMOTED;
  readonly since: string;
}

/** Back to the rules (0%), from `fromPercentage`, because of `reason`. */
export interface RolledBackState {
  readonly phase: typeof RolloutPhase.ROLLED_BACK;
  readonly since: string;
  readonly fromPercentage: number;
  readonly reason: string;
}

/** Frozen where it was: traffic unchanged, no automatic advance (a loss or breach still rolls back). */
export interface PausedState {
  readonly phase: typeof RolloutPhase.PAUSED;
  readonly since: string;
  readonly paused: ShadowState | CanaryState;
}

/** The per-agent rollout state machine (DESIGN.md §1): shadow → canary 5/25/50/100 → promoted, or rolled_back. */
export type RolloutState = ShadowState | CanaryState | PromotedState | RolledBackState | PausedState;

export const initialRolloutState = (since: string): ShadowState => ({ phase: RolloutPhase.SHADOW, since });

/** The share of units (0–100) the model serves in a state. */
export function percentageOf(state: RolloutState): number {
  switch (state.phase) {
    case RolloutPhase.SHADOW:
    case RolloutPhase.ROLLED_BACK:
      return 0;
    case RolloutPhase.CANARY:
      return state.percentage;
    case RolloutPhase.PROMOTED:
      return 100;
    case RolloutPhase.PAUSED:
      return percentageOf(state.paused);
    default:
      return assertNever(state, 'rollout state');
  }
}

/** The experiment running in a state, if any (a paused step keeps its experiment). */
export function experimentOf(state: RolloutState): string | undefined {
  if (state.phase === RolloutPhase.CANARY) return state.experimentId;
  if (state.phase === RolloutPhase.PAUSED && state.paused.phase === RolloutPhase.CANARY) return state.paused.experimentId;
  return undefined;
}

/** A short label: `shadow`, `canary-25`, `paused(canary-5)`, `promoted`, `rolled_back`. */
export function describeState(state: RolloutState): string {
  switch (state.phase) {
    case RolloutPhase.CANARY:
      return `canary-${state.percentage}`;
    case RolloutPhase.PAUSED:
      return `paused(${describeState(state.paused)})`;
    case RolloutPhase.SHADOW:
    case RolloutPhase.PROMOTED:
    case RolloutPhase.ROLLED_BACK:
      return state.phase;
    default:
      return assertNever(state, 'rollout state');
  }
}
