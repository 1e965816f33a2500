/**
 * learning — models: learners and the feature encoder, evaluation metrics (equal to
 * scikit-learn's), the training loop with progressive validation, the model registry with
 * aliases and artifacts, and shadow prediction with its statistics. Imports the wings below it.
 */
export { ModelRegistry } from './registry/model-registry.js';
export { type ArtifactStore, createFsArtifactStore, createPgArtifactStore, createS3ArtifactStore } from './registry/index.js';
export { registryProjection } from './registry/registry-projection.js';
export { registryRoutes } from './registry/registry-routes.js';
export { ServingModels } from './registry/serving-models.js';
export { shadowRoutes } from './shadow/shadow-routes.js';
export { ShadowRunner, shadowWorkerModule, type ShadowDropReason } from './shadow/shadow-runner.js';
export type { ShadowResultData } from './shadow/shadow-result.js';
export { VersionQuality, type AnswerQuality } from './shadow/version-quality.js';
export { VersionAuc, type VersionAucRow } from './shadow/version-auc.js';
export { type AgentShadowStats, ShadowStats } from './shadow/shadow-stats.js';
export { TrainingLoop, type TrainingLoopOptions } from './training/training-loop.js';
export { BanditExplorer, type BanditExplorerOptions, type ExplorationStats, LinUcb } from './bandits/index.js';
