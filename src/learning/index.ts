export { ModelRegistry } from './registry/model-registry.js';
export { registryProjection } from './registry/registry-projection.js';
export { registryRoutes } from './registry/registry-routes.js';
export { ServingModels } from './registry/serving-models.js';
export { shadowResultsProjection } from './shadow/shadow-projection.js';
export { shadowRoutes } from './shadow/shadow-routes.js';
export { ShadowRunner, shadowWorkerModule } from './shadow/shadow-runner.js';
export { type AgentShadowStats, ShadowStats } from './shadow/shadow-stats.js';
export { TrainingLoop, type TrainingLoopOptions } from './training/training-loop.js';
