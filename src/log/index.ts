/**
 * log — the durable path: the immutable event store (PostgreSQL and PGlite, one SQL
 * implementation, gap-safe reads, projections), the learning bus (Redis Streams and in-process,
 * one contract), the crash-safe spool, and the projector that appends bus entries to the store
 * exactly once. Imports only core.
 */
export type { LearningBus } from './bus/learning-bus.js';
export { createMemoryBus } from './bus/memory-bus.js';
export { createRedisBus } from './bus/redis-bus.js';
export { createSpool, type Spool } from './bus/spool.js';
export { type Durability, Journal, type JournalOptions, type JournalStats } from './journal/journal.js';
export { type CheckpointedConsumer, type FollowOptions, type Following, followFromCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoints/checkpoints.js';
export { type ColdTier, compareCursors, type Cursor, cursorOf, type EventStore, formatCursor, parseCursor, type ReadPage, type ReplayOptions, START } from './events/event-store.js';
export { HIGH_VOLUME_TYPES } from './events/sql-event-store.js';
export { carveDefaultPartition, type CarveOptions } from './events/partitions.js';
export { createPgliteEventStore } from './events/pglite-event-store.js';
export { createPostgresEventStore } from './events/postgres-event-store.js';
export type { Projection } from './events/projection.js';
export { decisionsProjection } from './events/projections/decisions.js';
export type { SqlClient, SqlExecutor } from './events/sql-client.js';
export { Projector, type ProjectorOptions } from './projector/projector.js';
