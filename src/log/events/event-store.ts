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
   * LISTEN/NOTIFY on PostgreSQL). Default 2000 ms.
   */
  readonly idlePollMs?: number;
  readonly signal?: AbortSignal;
}

export type Disposer = () => Promise<void>;

/** Receives new events in global order, with the cursor to checkpoint after them. */
export type EventHandler = (events: readonly StoredEvent[], cursor: Cursor) => Promise<void> | void;

/**
 * The event store port. Two adapters (PostgreSQL via `pg`, PGlite embedded) share the same
 * SQL migrations and one contract suite (`src/log/events/testing/event-store-contract.ts`).
 */
export interface EventStore {
  readonly kind: 'postgres' | 'pglite';
  /** Create/upgrade the schema. Idempotent. */
  migrate(): Promise<void>;
  /**
   * Append a batch in one transaction (multi-row insert). Event ids already stored are
   * skipped; projections are applied to the newly inserted events only, in the same
   * transaction, so a re-delivered batch changes nothing.
   */
  append(events: readonly NewEvent[]): Promise<AppendResult>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** `readAll` with the cursor to resume from, past every event the read scanned. */
  readPage(options?: ReadAllOptions): Promise<ReadPage>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Catch up from `after`, then follow live appends. Returns a disposer. */
  subscribe(handler: EventHandler, options?: SubscribeOptions): Disposer;
  /** Run a read-only SQL query against projections (used by readers and the API). */
  query<R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rebuild every projection from the log. Reports progress as events are applied. */
  replay(onProgress?: (done: number, total: number) => void): Promise<{ events: number; ms: number }>;
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
