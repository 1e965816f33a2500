import { type StreamId, compareStreamIds, nextStreamId } from './stream-id.js';

/** What trimming needs to know about one consumer group. */
export interface GroupPosition {
  readonly lastDelivered: StreamId;
  /** Oldest entry delivered but not acknowledged, if any. */
  readonly oldestPending?: StreamId | undefined;
}

/**
 * The `MINID` below which every group has delivered and acknowledged every entry, or
 * `undefined` when nothing may be trimmed (no group: nobody has processed anything).
 * Entries with an id lower than the result are safe to drop; nothing at or above it is.
 */
export function trimPoint(groups: readonly GroupPosition[]): StreamId | undefined {
  let min: StreamId | undefined;
  for (const g of groups) {
    // Everything up to lastDelivered was delivered; of that, only the pending ones are unprocessed.
    // Taking the lower of the two also stays safe when both come from different snapshots.
    const afterDelivered = nextStreamId(g.lastDelivered);
    const keepFrom =
      g.oldestPending && compareStreamIds(g.oldestPending, afterDelivered) < 0 ? g.oldestPending : afterDelivered;
    if (min === undefined || compareStreamIds(keepFrom, min) < 0) min = keepFrom;
  }
  return min;
}
