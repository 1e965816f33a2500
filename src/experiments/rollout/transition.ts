import { assertNever } from '../../core/index.js';
import { ConflictError } from '../../core/index.js';
import { ROLLOUT_STEPS, RolloutPhase, type RolloutState, describeState, percentageOf } from './rollout-state.js';

/** What can be done to a rollout, by the controller or an operator. */
export type RolloutCommand =
  /** shadow → first step, then each next step (default 5 → 25 → 50 → 100), 100 → promoted; rolled_back → shadow (re-arm: the model must earn 5% again). */
  | { readonly kind: 'advance' }
  /** Any state but shadow and rolled_back → rolled_back (0%). */
  | { readonly kind: 'rollback'; readonly reason: string }
  /** shadow or canary → paused. */
  | { readonly kind: 'pause' }
  /** paused → the state it paused. */
  | { readonly kind: 'resume' };

export interface TransitionContext {
  /** ISO time of the change. */
  readonly now: string;
  /** Id of the experiment a new traffic step starts. */
  readonly newExperimentId: () => string;
  /** The policy's traffic steps, increasing, ending at 100. Default `ROLLOUT_STEPS`. */
  readonly steps?: readonly number[];
}

/** The first step above `p` (a policy changed mid-rollout still moves forward); undefined past the last. */
const nextStep = (p: number, steps: readonly number[]): number | undefined => steps.find((s) => s > p);

function refuse(state: RolloutState, command: RolloutCommand): never {
  throw new ConflictError(`cannot ${command.kind} a rollout in state ${describeState(state)}`);
}

/**
 * The rollout state machine, pure: the state after `command`, or a `ConflictError` when the
 * command does not apply (advance while paused, resume when not paused, rollback of shadow...).
 *
 * @example
 * transition({ phase: 'shadow', since }, { kind: 'advance' }, ctx); // { phase: 'canary', percentage: 5, ... }
 */
export function transition(state: RolloutState, command: RolloutCommand, ctx: TransitionContext): RolloutState {
  switch (command.kind) {
    case 'advance':
      return advance(state, command, ctx);
    case 'rollback':
      if (state.phase === RolloutPhase.SHADOW || state.phase === RolloutPhase.ROLLED_BACK) return refuse(state, command);
      return { phase: RolloutPhase.ROLLED_BACK, since: ctx.now, fromPercentage: percentageOf(state), reason: command.reason };
    case 'pause':
      if (state.phase === RolloutPhase.SHADOW || state.phase === RolloutPhase.CANARY) return { phase: RolloutPhase.PAUSED, since: ctx.now, paused: state };
      return refuse(state, command);
    case 'resume':
      if (state.phase !== RolloutPhase.PAUSED) return refuse(state, command);
      // The step's clock restarts: its minimum duration counts from the resume.
      return { ...state.paused, since: ctx.now };
    default:
      return assertNever(command, 'rollout command');
  }
}

function advance(state: RolloutState, command: RolloutCommand, ctx: TransitionContext): RolloutState {
  switch (state.phase) {
    case RolloutPhase.SHADOW:
      return { phase: RolloutPhase.CANARY, percentage: (ctx.steps ?? ROLLOUT_STEPS)[0] ?? 100, experimentId: ctx.newExperimentId(), since: ctx.now };
    case RolloutPhase.CANARY: {
      const next = nextStep(state.percentage, ctx.steps ?? ROLLOUT_STEPS);
      if (next === undefined) return { phase: RolloutPhase.PROMOTED, since: ctx.now };
      return { phase: RolloutPhase.CANARY, percentage: next, experimentId: ctx.newExperimentId(), since: ctx.now };
    }
    case RolloutPhase.ROLLED_BACK:
      return { phase: RolloutPhase.SHADOW, since: ctx.now };
    case RolloutPhase.PROMOTED:
    case RolloutPhase.PAUSED:
      return refuse(state, command);
    default:
      return assertNever(state, 'rollout state');
  }
}
