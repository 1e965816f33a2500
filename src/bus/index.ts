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
