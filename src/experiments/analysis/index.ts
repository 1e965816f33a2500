/** Experiments: the A/B statistics behind each rollout step, the router, and the installer. */
export {
  ANALYSIS_DEFAULTS,
  type AnalysisOptions,
  type ArmSummary,
  type ExperimentAnalysis,
  type ExperimentArms,
  analyzeExperiment,
} from './analyze-experiment.js';
export { type ExperimentWindow, readExperimentArms, readMlGuardrails } from './experiment-arms.js';
export { experimentRoutes } from './experiment-routes.js';
export { type FlagCache, type Route, createRouter } from './router.js';
