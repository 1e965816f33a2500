import type { StoredEvent } from '../../core/index.js';
import { START, compareCursors, type Cursor, type Disposer, type EventStore } from '../events/event-store.js';

/**
 * An in-memory consumer of the log whose whole state can be saved and restored: the training
 * loop, the quality feeds, the shadow statistics. `snapshot()` must be plain JSON.
 */
export interface CheckpointedConsumer<S> {
  /** Unique per kind of consumer (one row in `consumer_checkpoints`). */
  readonly name: string;
  readonly types: readonly string[];
  apply(events: readonly StoredEvent[], cursor: Cursor): void | Promise<void>;
  snapshot(): S;
  /** Load a snapshot into a fresh consumer; throws (changing nothing) on a state it cannot use. */
  restore(state: S): void;
}

export interface FollowOptions {
  /** A save every this often when the consumer moved since the last one. Default 10,000 ms. A last save runs at dispose. */
  readonly everyMs?: number;
  /** Events per read. Default 1000. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** Told about a checkpoint that could not be read, restored or saved; following carries on. */
  readonly onError?: (error: unknown) => void;
}

export interface Following {
  /** Where following resumed: the checkpoint's cursor, or the start of the log. */
  readonly resumedFrom: Cursor;
  /** Stop following and save a last checkpoint. */
  readonly dispose: Disposer;
  /** Save a checkpoint now (what `everyMs` does on its own). */
  save(): Promise<void>;
}

/** Read and write checkpoints in `consumer_checkpoints` (migrations/056). */
export async function loadCheckpoint<S>(store: EventStore, name: string): Promise<{ cursor: Cursor; state: S } | undefined> {
  const [row] = await store.query<{ t: string; p: string; state: string }>(
    'SELECT transaction_id::text AS t, position::text AS p, state FROM consumer_checkpoints WHERE name = $1',
    [name],
  );
  return row ? { cursor: { transactionId: BigInt(row.t), position: BigInt(row.p) }, state: JSON.parse(row.state) as S } : undefined;
}

/**
 * Save unless a checkpoint further along is stored already (another instance of the same
 * consumer saved it: each instance's state is a function of the log up to its cursor, so the
 * furthest one wins).
 */
export async function saveCheckpoint(store: EventStore, name: string, cursor: Cursor, state: unknown): Promise<void> {
  await saveCheckpointText(store, name, cursor, JSON.stringify(state));
}

async function saveCheckpointText(store: EventStore, name: string, cursor: Cursor, state: string): Promise<void> {
  await store.query(
    `INSERT INTO consumer_checkpoints AS c (name, transaction_id, position, state, saved_at)
     VALUES ($1, $2::text::xid8, $3::bigint, $4, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
       state = EXCLUDED.state, saved_at = EXCLUDED.saved_at
     WHERE (c.transaction_id, c.position) <= (EXCLUDED.transaction_id, EXCLUDED.position)`,
    [name, cursor.transactionId.toString(), cursor.position.toString(), state],
  );
}

/**
 * Follow the log with a consumer that resumes from its last checkpoint: restore the saved
 * state, subscribe from the saved cursor, and save again every `everyMs` while events flow and
 * once more at dispose. A restart therefore reads what is new since the checkpoint, however
 * long the log is (issue 15). Without a checkpoint, or with one that cannot be restored
 * (reported to `onError`), it starts from the beginning of the log, as before.
 * @example
 * const f = await followFromCheckpoint(store, { name: 'training', types: [...], apply, snapshot, restore });
 * await f.dispose();
 */
export async function followFromCheckpoint<S>(store: EventStore, consumer: CheckpointedConsumer<S>, options: FollowOptions = {}): Promise<Following> {
  const everyMs = options.everyMs ?? 10_000;
  let resumedFrom: Cursor = START;
  try {
    const saved = await loadCheckpoint<S>(store, consumer.name);
    if (saved) {
      consumer.restore(saved.state);
      resumedFrom = saved.cursor;
    }
  } catch (e) {
    options.onError?.(e);
  }
  let cursor = resumedFrom;
  let savedCursor = resumedFrom;
  let applying = false;
  let writes: Promise<void> = Promise.resolve();
  /**
   * The snapshot is taken at once, between two batches (a batch half applied would be applied
   * again after a restore); only the write waits, in order, behind the previous one.
   */
  const save = (): Promise<void> => {
    if (applying || compareCursors(cursor, savedCursor) <= 0) return writes;
    const at = cursor;
    let text: string;
    try {
      text = JSON.stringify(consumer.snapshot());
    } catch (e) {
      options.onError?.(e);
      return writes;
    }
    const before = savedCursor;
    savedCursor = at;
    writes = writes.then(() =>
      saveCheckpointText(store, consumer.name, at, text).catch((e: unknown) => {
        if (savedCursor === at) savedCursor = before; // the next tick tries again
        options.onError?.(e);
      }),
    );
    return writes;
  };
  // Saves while events flow, and once after they stop (the last batch is saved within `everyMs`).
  const timer = setInterval(() => void save(), Math.max(everyMs, 10));
  timer.unref();
  const unsubscribe = store.subscribe(
    async (events, at) => {
      applying = true;
      try {
        await consumer.apply(events, at);
      } finally {
        applying = false;
      }
      cursor = at;
    },
    {
      after: resumedFrom,
      types: consumer.types,
      batchSize: options.batchSize ?? 1000,
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    },
  );
  let disposed: Promise<void> | undefined;
  return {
    resumedFrom,
    save,
    dispose: () =>
      (disposed ??= (async () => {
        clearInterval(timer);
        await unsubscribe();
        await save();
      })()),
  };
}
