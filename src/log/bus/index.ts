// The Redis adapter is a subpath export (`apprentice/redis` → ./redis-bus.js) so that embedded
// users never load node-redis; the contract suite lives in ./testing/bus-contract.js.
export type {
  BusMessage,
  BusOptions,
  ClaimOptions,
  ClaimResult,
  GroupInfo,
  LearningBus,
  ReadOptions,
} from './learning-bus.js';
export type { DeadLetterMessage } from './dead-letter.js';
export { createMemoryBus } from './memory-bus.js';
export type { MemoryBusOptions } from './memory-bus.js';
export { createSpool } from './spool.js';
export type { DrainResult, Spool, SpoolOptions, SpoolSize } from './spool.js';
