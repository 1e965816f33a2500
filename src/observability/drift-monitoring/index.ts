// Public API of drift monitoring: drift and feature quality of every agent's decisions, as metrics, events and a route.
export { createDriftService, type DriftService } from './drift-service.js';
export { driftRoutes } from './drift-routes.js';
export { driftDetectedEvent, driftStream, type DriftDetectedData, type DriftFeatureVerdict } from './drift-event.js';
export { wireDriftMetrics } from './drift-metrics.js';
export {
  ReferenceSource,
  type AgentDriftStatus,
  type DriftMetrics,
  type DriftReference,
  type DriftServiceOptions,
  type EventSink,
} from './types.js';
export {
  ConceptDriftMonitor,
  conceptDriftEvent,
  describeConceptDrift,
  type ConceptDriftDetectedData,
  type ConceptDriftMetrics,
  type ConceptDriftOptions,
  type ConceptOutcome,
  type ConceptTest,
} from './concept-drift.js';
