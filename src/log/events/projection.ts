import type { StoredEvent } from '../../core/index.js';
import type { SqlExecutor } from './sql-client.js';

/**
 * A projection turns events into query tables, exactly once: it sees only events that were
 * newly inserted, in the append's own transaction. `apprentice replay` truncates `tables`
 * and re-applies the whole log.
 *
 * Two forms, use one:
 * - `sql(source)`: set-based statements over a relation named `source` with the columns of
 *   `events` (id, type, stream, data, metadata, time, position, transaction_id). Appends run
 *   them as data-modifying CTEs of the INSERT itself (one round trip, JSON parsed once by
 *   PostgreSQL) and replay runs them over the log inside the database. Each statement must
 *   be an INSERT/UPDATE usable in a `WITH` clause and must tolerate several events for the
 *   same row in one statement.
 * - `apply(tx, events)`: TypeScript over the stored events, for logic SQL cannot express.
 */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns, truncated before a replay. */
  readonly tables: readonly string[];
  /** Event types it reads. */
  readonly handles: readonly string[];
  sql?(source: string): readonly string[];
  apply?(tx: SqlExecutor, events: readonly StoredEvent[]): Promise<void>;
}
