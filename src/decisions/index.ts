/**
 * decisions — the hot path and its records: agent definitions and feature specs, the decision
 * engine (flag arm → model under budget → deterministic fallback, failures as data), the
 * asynchronous learning writer, and the cached decision reader. It owns the seams through which
 * it reaches models and breakers (`model-seams.ts`), so it never imports learning or safety.
 * Imports core and log.
 */
export { type AgentDefinition, DEFAULT_TIME_BUDGET_MS } from './agents/agent-definition.js';
export {
  DEFAULT_EXPLORATION_BUDGET,
  type ExplorationSpec,
  ExplorationStrategy,
  type ResolvedExploration,
  allowedActions,
  resolveExploration,
} from './agents/exploration-spec.js';
export type { ActionScorer, DecisionExplorer, ExplorationChoice, ExplorationRequest } from './model-seams.js';
export { AgentRegistry, type DeterministicPolicy } from './agents/agent-registry.js';
export { agentRoutes } from './agents/agent-routes.js';
export { agentsProjection } from './agents/agents-projection.js';
export { AsyncLearningWriter, type OutcomeInput } from './async-learning-writer.js';
export { CachedDecisionReader } from './cached-decision-reader.js';
export { type Decision, DecisionEngine, type DecisionEngineOptions, type ShadowJob } from './decision-engine.js';
export type { DecisionView } from './decision-view.js';
export { type FeatureField, type FeatureSpec, FeatureType, type ResolvedField, resolveFeatureSpec, specHash } from './feature-spec.js';
export { AGENT_NAME_RE, agentParam, assertAgentName } from './validate.js';
export {
  type Enrichment, type EntityState, type FeatureEnricher, type FeatureRead, FeatureMaterialiser, FeatureReader, type FeatureValue, type FeatureViewDefinition,
  FeatureViewRegistry, FeatureViewSchema, MemoryOnlineStore, type OnlineStore, RedisOnlineStore, type ReadStatus, type VersionedFeatureView, type ViewStatus,
  decisionRequests, featureRoutes, parseFeatureView, pointInTimeJoin, readFeatures, type ViewReport,
  FeatureHistory, type HistoricalFeatures, type PastDecision, unservedViews, viewFieldsOf, OnlineCache,
} from './features/index.js';
