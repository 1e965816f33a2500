import type { NewEvent, StoredEvent } from '../../core/index.js';

/**
 * A gap-safe checkpoint in the global order: events are ordered by the id of the
 * transaction that committed them, then by position, and readers only see transactions
 * older than every transaction still in flight (Emmett's technique). A reader that resumes
 * from a cursor never skips an event committed later with a lower position.
 */
export interface Cursor {
  readonly transactionId: bigint;
  readonly position: bigint;
}

export const START: Cursor = { transactionId: 0n, position: 0n };

export const cursorOf = (e: Pick<StoredEvent, 'transactionId' | 'position'>): Cursor => ({
  transactionId: e.transactionId,
  position: e.position,
});

/** `"<transactionId>-<position>"`, the cursor as it appears in the HTTP API. */
export const formatCursor = (c: Cursor): string => `${c.transactionId}-${c.position}`;

export function parseCursor(text: string): Cursor | undefined {
  const m = /^(\d{1,19})-(\d{1,19})$/.exec(text);
  if (!m) return undefined;
  return { transactionId: BigInt(m[1]!), position: BigInt(m[2]!) };
}

export interface ReadAllOptions {
  /** Exclusive lower bound. Default: the start. */
  readonly after?: Cursor;
  /** Default 1000, at most 10,000. */
  readonly limit?: number;
  /** Only these event types. */
  readonly types?: readonly string[];
  readonly signal?: AbortSignal;
}

/** A page of `readAll` with the position the read scanned up to. */
export interface ReadPage {
  readonly events: StoredEvent[];
  /**
   * Resume here. With a type filter this moves past events of other types: when the page is
   * not full it is the visibility horizon of the read (every transaction below it was seen),
   * so a subscription to types that are rare or absent advances on every read.
   */
  readonly cursor: Cursor;
  /** The read stopped before the visibility horizon: more may be readable at once. */
  readonly more: boolean;
  /**
   * No transaction was in progress when the read took its snapshot, so nothing can commit
   * behind its cursor later. A subscription woken for an event it could not see yet keeps
   * looking until a read finds events or is settled. Absent: unknown (treated as not settled).
   */
  readonly settled?: boolean;
}

/** Lexicographic order of cursors: negative, zero or positive. */
export function compareCursors(a: Cursor, b: Cursor): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.position === b.position ? 0 : a.position < b.position ? -1 : 1;
}

export interface ReadStreamOptions {
  /** Exclusive lower bound on position. */
  readonly afterPosition?: bigint;
  readonly limit?: number;
}

export interface AppendResult {
  /** Ids actually inserted; ids already present were skipped (idempotent re-delivery). */
  readonly inserted: readonly string[];
  readonly skipped: number;
}

export interface SubscribeOptions {
  readonly after?: Cursor;
  readonly types?: readonly string[];
  readonly batchSize?: number;
  /**
   * Least time between two reads once caught up. Default 50 ms. Without a wake-up source
   * (PostgreSQL LISTEN not connected) this is also the poll interval.
   */
  readonly pollIntervalMs?: number;
  /**
   * Safety poll while idle when appends wake the subscription (in-process appends, and
   * LISTEN/NOTIFY on PostgreSQL). Default 10,000 ms (`IDLE_POLL_MS`).
   */
  readonly idlePollMs?: number;
  readonly signal?: AbortSignal;
}

export type Disposer = () => Promise<void>;

/** Options of `replay`. */
export interface ReplayOptions {
  /**
   * Events moved to cold storage (`apprentice tier`, src/runtime/tiering.ts), batch by batch in
   * global order: replayed before the hot table.
   */
  readonly cold?: AsyncIterable<readonly StoredEvent[]>;
}

/**
 * The events moved out of the hot table to cold storage (`apprentice tier`, implemented in
 * src/runtime/tiering.ts over the artifact store). Set with `SqlEventStore.coldTier`.
 */
export interface ColdTier {
  /** A per-decision stream's events out of the cold segments named (their partitions). */
  readStream(stream: string, partitions: readonly string[]): Promise<StoredEvent[]>;
  /**
   * Every tiered event, batch by batch in global order, or undefined when nothing is tiered:
   * `replay` reads it first. Resolved before replay's transaction opens (PGlite has one
   * connection), so the catalogue is read outside it.
   */
  events(): Promise<AsyncIterable<readonly StoredEvent[]> | undefined>;
}

/** Receives new events in global order, with the cursor to checkpoint after them. */
export type EventHandler = (events: readonly StoredEvent[], cursor: Cursor) => Promise<void> | void;

/**
 * The event store port. Two adapters (PostgreSQL via `pg`, PGlite embedded) share the same
 * SQL migrations and one contract suite (`src/log/events/testing/event-store-contract.ts`).
 */
export interface AppendOptions {
  /** Apply the projections in the append's transaction. Default true. */
  readonly projections?: boolean;
  /**
   * With `projections: false`: bulk-load the batch with `COPY ... FROM STDIN` where the store
   * can (PostgreSQL; PGlite inserts as usual). A batch holding an id already stored falls back to
   * the insert, which skips it. Used by `restore`. Default false.
   */
  readonly copy?: boolean;
}

export interface EventStore {
  readonly kind: 'postgres' | 'pglite';
  /** Create/upgrade the schema. Idempotent. */
  migrate(): Promise<void>;
  /**
   * Append a batch in one transaction (multi-row insert). Event ids already stored are
   * skipped; projections are applied to the newly inserted events only, in the same
   * transaction, so a re-delivered batch changes nothing. `{ projections: false }` only
   * inserts (a restore that runs `replay` afterwards builds every projection once, set-based).
   */
  append(events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** `readAll` with the cursor to resume from, past every event the read scanned. */
  readPage(options?: ReadAllOptions): Promise<ReadPage>;
  /**
   * A stream's events by position. A per-decision stream whose events were tiered to cold
   * storage is read from its segments when the store has a cold reader, and otherwise refused
   * with `NOT_FOUND` naming the segments: never a silently partial answer.
   */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Catch up from `after`, then follow live appends. Returns a disposer. */
  subscribe(handler: EventHandler, options?: SubscribeOptions): Disposer;
  /** Run a read-only SQL query against projections (used by readers and the API). */
  query<R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Rebuild every projection from the log: the tiered events first (`options.cold`, by default
   * the store's cold tier when one is set), then the hot table. Reports progress as events are applied.
   */
  replay(onProgress?: (done: number, total: number) => void, options?: ReplayOptions): Promise<{ events: number; ms: number }>;
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
