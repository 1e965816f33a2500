/** Shadow mode: the model predicts beside the rules, off the decision path, never served. */
export { ShadowLearner, shadowLearnerStats } from './shadow-learner.js';
export type { DecisionRecorder, ShadowLearnerOptions, ShadowLearnerStats } from './shadow-learner.js';
export { ShadowRunner, shadowWorkerModule } from './shadow-runner.js';
export type { ShadowRunnerOptions, ShadowRunnerStats } from './shadow-runner.js';
export { agrees, shadowEvent } from './shadow-result.js';
export type { ShadowResultData } from './shadow-result.js';
export { ShadowStats } from './shadow-stats.js';
export type { AgentShadowStats, ShadowQuality, ShadowStatsOptions } from './shadow-stats.js';
export { shadowRoutes } from './shadow-routes.js';
