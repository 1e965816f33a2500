/** Flag persistence and distribution: flags as `FlagChanged` events, cached per instance, pushed to every instance. */
export {
  type ChangeMeta,
  type FlagChangedData,
  type FlagChangedMessage,
  type StoredFlag,
  flagChangedEvent,
  flagStream,
  isFlagChangedMessage,
} from './flag-changed.js';
export { type FlagDistribution, type LocalFlagDistributionOptions, createLocalFlagDistribution } from './flag-distribution.js';
export { type RedisFlagDistributionOptions, createRedisFlagDistribution } from './redis-flag-distribution.js';
export { type FlagChange, type FlagStore, type FlagStoreOptions, type FlagStoreStats, assertFlagKey, createFlagStore } from './flag-store.js';
export { flagsProjection } from './flags-projection.js';
export { changeMeta, flagRoutes } from './flag-routes.js';
