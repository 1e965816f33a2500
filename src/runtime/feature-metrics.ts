import type { FeatureMaterialiser, ReadStatus } from '../decisions/index.js';
import { onCollect, type Metrics } from '../observability/index.js';

export interface FeatureMetrics {
  onRead(view: string, status: ReadStatus): void;
  onBatch(view: string, inputs: number): void;
  onLost(view: string): void;
  /** Stop setting the scrape-time gauges (close). */
  dispose(): void;
}

/**
 * Feature-view metrics (issue 13), catalogue instruments (docs/metrics.md, with their mapping to
 * the original plan's `feast_feature_*` names). Freshness: seconds since the view's materialiser
 * last caught up with the log (0 while it keeps up; exported where the materialiser runs).
 * Completeness: the share of reads since the last scrape served `fresh` (stale or missing reads
 * lower it; the last value stays when nothing was read). Backfill progress: log events of the
 * view's types applied / in the log during a (re)build, 1 once live.
 */
export function createFeatureMetrics(m: Metrics, materialiser: () => FeatureMaterialiser | undefined, now: () => number = Date.now): FeatureMetrics {
  const window = new Map<string, { fresh: number; all: number; last: number | undefined }>();
  const disposers = [
    onCollect(m.featureViewCompletenessRatio, () => {
      for (const [view, w] of window) {
        if (w.all > 0) w.last = w.fresh / w.all;
        w.fresh = w.all = 0;
        if (w.last !== undefined) m.featureViewCompletenessRatio.set({ view }, w.last);
      }
    }),
    onCollect(m.featureViewFreshnessSeconds, () => {
      for (const s of materialiser()?.statuses() ?? []) if (s.caughtUpAt !== null) m.featureViewFreshnessSeconds.set({ view: s.view }, Math.max(0, (now() - s.caughtUpAt) / 1000));
    }),
    onCollect(m.featureViewBackfillProgressRatio, () => {
      for (const s of materialiser()?.statuses() ?? []) {
        const g = m.featureViewBackfillProgressRatio;
        if (s.phase === 'live') g.set({ view: s.view }, 1);
        else if (s.total !== null && s.total > 0) g.set({ view: s.view }, Math.min(1, s.events / s.total));
        else if (s.total === 0) g.set({ view: s.view }, 1);
      }
    }),
  ];
  return {
    onRead(view, status) {
      m.featureViewReadsTotal.inc({ view, status });
      let w = window.get(view);
      if (!w) window.set(view, (w = { fresh: 0, all: 0, last: undefined }));
      w.all++;
      if (status === 'fresh') w.fresh++;
    },
    onBatch: (view, n) => void (n > 0 && m.featureViewInputsAppliedTotal.inc({ view }, n)),
    onLost: (view) => m.featureStoreLossesTotal.inc({ view }),
    dispose() {
      for (const d of disposers) d();
    },
  };
}
