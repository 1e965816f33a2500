/** Progressive rollout: the per-agent state machine, its policy, the controller and its API. */
export {
  type CanaryState,
  type PausedState,
  type PromotedState,
  ROLLOUT_STEPS,
  type RolledBackState,
  RolloutPhase,
  type RolloutState,
  type ShadowState,
  type StepPercentage,
  describeState,
  experimentOf,
  initialRolloutState,
  percentageOf,
} from './rollout-state.js';
export { type RolloutCommand, type TransitionContext, transition } from './transition.js';
export {
  type BreakerStatus,
  DEFAULT_ROLLOUT_POLICY,
  type GuardrailReport,
  type RolloutPolicy,
  type ShadowEvidence,
  type StepEvidence,
  type Verdict,
  evaluateRollout,
  guardrailBreaches,
} from './rollout-policy.js';
export {
  type AuditMeta,
  EMERGENCY_STREAM,
  type EmergencyRollbackData,
  type RolloutStepChangedData,
  emergencyRollbackEvent,
  rolloutStepChangedEvent,
  rolloutStream,
} from './rollout-events.js';
export { type ExperimentRecord, type GateApproval, type RolloutGateApprovedData, type RolloutRecord, RolloutLog, experimentChanges } from './rollout-log.js';
export { type RolloutPolicyLayer, presentPolicy, resolveRolloutPolicy } from './resolve-policy.js';
export { rolloutsProjection } from './rollouts-projection.js';
export {
  type ControllerTimers,
  type RolloutChange,
  RolloutController,
  type RolloutControllerOptions,
  type RolloutStatus,
  type TickResult,
  gateAhead,
} from './rollout-controller.js';
export { presentRollout, presentStatus, rolloutRoutes } from './rollout-routes.js';
