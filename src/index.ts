/**
 * apprentice: agents that learn from their own decisions without putting production at risk.
 * Explicit public API (STYLE.md §5). Heavy adapters are also available as subpath exports:
 * `apprentice/postgres`, `apprentice/redis`.
 */

// Wiring
export { createApprentice } from './runtime/create-apprentice.js';
export type { Apprentice, ApprenticeOptions } from './runtime/create-apprentice.js';
export { loadConfig, ConfigSchema } from './core/config.js';
export type { ApprenticeConfig, ConfigInput, LoadConfigOptions } from './core/config.js';

// Errors
export {
  ApprenticeError,
  ValidationError,
  ConfigError,
  NotFoundError,
  ConflictError,
  UnavailableError,
  IntegrityError,
  ClosedError,
  ErrorCode,
  isApprenticeError,
  isValidationError,
  isUnavailableError,
} from './core/errors.js';
export type { FieldIssue } from './core/errors.js';

// Events
export { EventType } from './core/events.js';
export type { NewEvent, StoredEvent, EventMetadata, DecisionData, OutcomeData, OutcomeKind } from './core/events.js';
export { uuidv7 } from './core/ids.js';
export type { EventStore, Cursor, ReadAllOptions, SubscribeOptions, AppendResult } from './log/events/event-store.js';
export { createPgliteEventStore } from './log/events/pglite-event-store.js';
export type { Projection } from './log/events/projection.js';

// Learning bus
export type { LearningBus, BusMessage, GroupInfo } from './log/bus/learning-bus.js';
export { createMemoryBus } from './log/bus/memory-bus.js';
export { createSpool } from './log/bus/spool.js';
export type { Spool } from './log/bus/spool.js';

// CQRS
export { AsyncLearningWriter } from './decisions/async-learning-writer.js';
export type { AsyncLearningWriterOptions, DecisionInput, OutcomeInput, WriterStats } from './decisions/async-learning-writer.js';
export { CachedDecisionReader } from './decisions/cached-decision-reader.js';
export type { CachedDecisionReaderOptions, ReaderStats } from './decisions/cached-decision-reader.js';
export type { DecisionView } from './decisions/decision-view.js';
export { DecisionEngine } from './decisions/decision-engine.js';
export type { Decision } from './decisions/decision-engine.js';
export { Projector } from './log/projector/projector.js';
export type { ProjectorOptions, ProjectorStats } from './log/projector/projector.js';

// Server
export { buildServer } from './server/app.js';
export type { RouteModule } from './core/http/route-module.js';
export type { ServerOptions } from './runtime/server-context.js';

// Pure capabilities, as namespaces (DESIGN.md §5)
export * as stats from './experiments/stats/index.js';
export * as ope from './experiments/ope/index.js';
export * as drift from './observability/drift/index.js';
export * as metrics from './learning/evaluation/index.js';

// Learning: the online learners, the feature encoder and the feature spec (also `apprentice/learning`)
export {
  LogisticRegression,
  createLogisticRegression,
  LinearRegression,
  createLinearRegression,
  HoeffdingTree,
  createHoeffdingTree,
  OzaBagging,
  createOzaBagging,
  learnerFromJSON,
  FeatureEncoder,
  createFeatureEncoder,
  FeatureType,
  resolveFeatureSpec,
  specHash,
  loadOnnxModel,
} from './learning/learners/index.js';
export type { AnyLearner, LearnerJSON, Features, Label, Task, FeatureSpec, FeatureField, ResolvedField, FeatureEncoderJSON } from './learning/learners/index.js';

// Flags and OpenFeature
export { ApprenticeProvider } from './experiments/flags/apprentice-provider.js';
export { createFlagEvaluator, parseFlagConfiguration } from './experiments/flags/index.js';
