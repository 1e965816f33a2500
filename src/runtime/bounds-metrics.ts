import { onCollect, type Disposer, type Metrics } from '../observability/index.js';

/** What a bounded in-process map reports (`bounds()` of the decision cache, the log's followers...). */
export interface BoundStats {
  readonly size: number;
  readonly capacity: number;
  /** Cumulative. */
  readonly evictions: number;
}

/**
 * Report bounded components as `apprentice_bounded_entries`, `apprentice_bounded_capacity` and
 * `apprentice_bounded_evictions_total` (label `component`), read from `sources` at every scrape:
 * an operator sees each cache and waiting map, how full it is against its bound, and what the
 * bound cost. Eviction counts are cumulative in the components and become counter increments here.
 * @example
 * const stop = collectBounds(a.metrics, () => ({ decision_cache: a.reader.bounds().decisions }));
 */
export function collectBounds(m: Metrics, sources: () => Readonly<Record<string, BoundStats>>): Disposer {
  const reported = new Map<string, number>();
  return onCollect(m.boundedEntries, () => {
    for (const [component, b] of Object.entries(sources())) {
      m.boundedEntries.set({ component }, b.size);
      m.boundedCapacity.set({ component }, b.capacity);
      const delta = b.evictions - (reported.get(component) ?? 0);
      if (delta > 0) m.boundedEvictionsTotal.inc({ component }, delta);
      else if (!reported.has(component)) m.boundedEvictionsTotal.inc({ component }, 0);
      reported.set(component, Math.max(b.evictions, reported.get(component) ?? 0));
    }
  });
}
