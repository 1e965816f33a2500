/** The model registry: immutable versions with verified artifacts, movable aliases with history. */
export { ModelFormat, modelFromArtifact, modelFromOnnx, parseArtifact, sha256, verifyDigest } from './model-artifact.js';
export type { JsonArtifact, LearnerArtifact, LoadedModel, OnnxMeta, RewardArtifact } from './model-artifact.js';
export { ModelRegistry, loadVersion } from './model-registry.js';
export type { AliasMove, Lineage, ModelRegistryOptions, ModelVersion, RegisterInput, RegisterOptions } from './model-registry.js';
export { Alias, ALIAS_RE, formatModelUri, parseModelUri } from './model-uri.js';
export type { ModelRef } from './model-uri.js';
export { ServingModels } from './serving-models.js';
export type { ServingModel, ServingModelsOptions } from './serving-models.js';
export { registryProjection } from './registry-projection.js';
export { registryRoutes } from './registry-routes.js';
export { artifactKey, type ArtifactStore, type StoredArtifact } from './artifacts/artifact-store.js';
export { createFsArtifactStore } from './artifacts/fs-artifact-store.js';
export { createPgArtifactStore } from './artifacts/pg-artifact-store.js';
export { createS3ArtifactStore, type S3ArtifactStoreOptions } from './artifacts/s3-artifact-store.js';
