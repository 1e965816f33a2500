/**
 * experiments — deciding with evidence: flags (flagd format, OpenFeature provider), statistics
 * (z-test, Welch, SRM, power, mSPRT), off-policy evaluation, experiment analysis, and the
 * rollout controller that moves flags and aliases. Imports the wings below it.
 */
export type { AnalysisOptions } from './analysis/analyze-experiment.js';
export { experimentRoutes } from './analysis/experiment-routes.js';
export { OPE_GATE_DEFAULTS, type OpeCandidate, type OpeGateOptions, type OpeGateResult, type OpeLoggedDecision, evaluateOpeGate } from './analysis/ope-gate.js';
export { type OpeGateCheckOptions, type OpeGateEvaluatedData, createOpeGateCheck, opeGateEvent, opeGateVerdict } from './analysis/ope-gate-check.js';
export { readOpeLog } from './analysis/ope-log.js';
export { type ArmCompleteness, type DelayCheck, type DelayModel, type DelayRecord, type StepRecord, checkOutcomeDelay, estimateDelays } from './analysis/label-delay.js';
export { createRouter, type Route } from './analysis/router.js';
export { createLocalFlagDistribution } from './flags/store/flag-distribution.js';
export { flagRoutes } from './flags/store/flag-routes.js';
export { createFlagStore, type FlagStore } from './flags/store/flag-store.js';
export { flagsProjection } from './flags/store/flags-projection.js';
export { createRedisFlagDistribution } from './flags/store/redis-flag-distribution.js';
export { DEFAULT_CONTROLLER_INTERVAL_MS, RolloutController, type RolloutChange, type RolloutControllerOptions } from './rollout/rollout-controller.js';
export type { RolloutPolicy, ShadowEvidence } from './rollout/rollout-policy.js';
export { rolloutRoutes } from './rollout/rollout-routes.js';
export { type RolloutPolicyLayer, resolveRolloutPolicy } from './rollout/resolve-policy.js';
export { RolloutPhase } from './rollout/rollout-state.js';
export { rolloutsProjection } from './rollout/rollouts-projection.js';
