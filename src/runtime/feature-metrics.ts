import { Counter, Gauge, type Registry } from 'prom-client';
import type { FeatureMaterialiser, ReadStatus } from '../decisions/index.js';

/**
 * Feature-view metrics (issue 13), on the injected registry. Names here, in one place; their
 * mapping to the original plan's `feast_feature_*` names is in docs/features.md.
 */
export const FeatureMetricName = {
  freshness: 'apprentice_feature_view_freshness_seconds',
  completeness: 'apprentice_feature_view_completeness_ratio',
  reads: 'apprentice_feature_view_reads_total',
  applied: 'apprentice_feature_view_inputs_applied_total',
  backfill: 'apprentice_feature_view_backfill_progress_ratio',
  losses: 'apprentice_feature_store_losses_total',
} as const;

export interface FeatureMetrics {
  onRead(view: string, status: ReadStatus): void;
  onBatch(view: string, inputs: number): void;
  onLost(view: string): void;
  /** Unregister the metrics (close). */
  dispose(): void;
}

/**
 * Freshness: seconds since the view's materialiser last caught up with the log (0 while it
 * keeps up; exported where the materialiser runs). Completeness: the share of reads since the
 * last scrape served `fresh` (stale or missing reads lower it; the last value stays when
 * nothing was read). Backfill progress: log events of the view's types applied / in the log
 * during a (re)build, 1 once live.
 */
export function createFeatureMetrics(registry: Registry, materialiser: () => FeatureMaterialiser | undefined, now: () => number = Date.now): FeatureMetrics {
  const reads = new Counter({ name: FeatureMetricName.reads, help: 'Online feature reads by view and how they were served (fresh, stale, missing).', labelNames: ['view', 'status'], registers: [registry] });
  const applied = new Counter({ name: FeatureMetricName.applied, help: 'Inputs (events) applied to a feature view by the materialiser, backfill included.', labelNames: ['view'], registers: [registry] });
  const losses = new Counter({ name: FeatureMetricName.losses, help: "Times the online store was found to have lost a view's state (Redis restarted empty), each followed by a rebuild from the log.", labelNames: ['view'], registers: [registry] });
  const window = new Map<string, { fresh: number; all: number; last: number | undefined }>();
  // Gauges read at scrape time (their collect); registered on the registry, never touched here.
  const _completeness = new Gauge({
    name: FeatureMetricName.completeness,
    help: 'Share of online feature reads served fresh since the previous scrape (stale and missing reads count against it).',
    labelNames: ['view'],
    registers: [registry],
    collect() {
      for (const [view, w] of window) {
        if (w.all > 0) w.last = w.fresh / w.all;
        w.fresh = w.all = 0;
        if (w.last !== undefined) this.set({ view }, w.last);
      }
    },
  });
  const _freshness = new Gauge({
    name: FeatureMetricName.freshness,
    help: "Seconds since the view's materialiser last caught up with the event log (where the materialiser runs).",
    labelNames: ['view'],
    registers: [registry],
    collect() {
      for (const s of materialiser()?.statuses() ?? []) if (s.caughtUpAt !== null) this.set({ view: s.view }, Math.max(0, (now() - s.caughtUpAt) / 1000));
    },
  });
  const _backfill = new Gauge({
    name: FeatureMetricName.backfill,
    help: "Progress of a view's backfill from the log in [0, 1]; 1 once the view is live.",
    labelNames: ['view'],
    registers: [registry],
    collect() {
      for (const s of materialiser()?.statuses() ?? []) {
        if (s.phase === 'live') this.set({ view: s.view }, 1);
        else if (s.total !== null && s.total > 0) this.set({ view: s.view }, Math.min(1, s.events / s.total));
        else if (s.total === 0) this.set({ view: s.view }, 1);
      }
    },
  });
  return {
    onRead(view, status) {
      reads.inc({ view, status });
      let w = window.get(view);
      if (!w) window.set(view, (w = { fresh: 0, all: 0, last: undefined }));
      w.all++;
      if (status === 'fresh') w.fresh++;
    },
    onBatch: (view, n) => void (n > 0 && applied.inc({ view }, n)),
    onLost: (view) => losses.inc({ view }),
    dispose() {
      for (const name of Object.values(FeatureMetricName)) registry.removeSingleMetric(name);
    },
  };
}
