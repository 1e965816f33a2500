import type { StoredEvent } from '../core/events.js';
import type { SqlExecutor } from './sql-client.js';

/**
 * A projection turns events into query tables. `apply` runs in the same transaction as the
 * append, and only for events that were newly inserted, so projections are exactly-once.
 * `apprentice replay` truncates `tables` and re-applies the whole log.
 */
export interface Projection {
  readonly name: string;
  /** Tables this projection owns, truncated before a replay. */
  readonly tables: readonly string[];
  /** Event types it reads. */
  readonly handles: readonly string[];
  apply(tx: SqlExecutor, events: readonly StoredEvent[]): Promise<void>;
}
