import { collectFrom, type Disposer, type GaugeSample } from '../monitoring/index.js';
import type { AgentDrift } from './agent-drift.js';
import type { DriftMetrics } from './types.js';

type FeatureLabels = 'agent' | 'feature';

/**
 * Feeds the drift and feature-quality gauges from the agents' state at scrape time: scores
 * and verdicts of the last closed window, freshness and completeness of the current one.
 * Nothing is computed between scrapes.
 */
export function wireDriftMetrics(
  metrics: DriftMetrics,
  agents: () => Iterable<AgentDrift>,
  onError?: (error: unknown) => void,
): Disposer {
  const opts = onError ? { onError } : {};
  const perFeature = <L extends string>(
    sample: (a: AgentDrift, emit: (s: GaugeSample<L>) => void) => void,
  ): (() => GaugeSample<L>[]) => {
    return () => {
      const out: GaugeSample<L>[] = [];
      const emit = (s: GaugeSample<L>): void => void out.push(s);
      for (const a of agents()) sample(a, emit);
      return out;
    };
  };
  const disposers: Disposer[] = [
    collectFrom(
      metrics.featureDriftScore,
      perFeature<FeatureLabels | 'method'>((a, emit) => {
        const features = a.lastReport?.features ?? {};
        for (const feature in features) {
          const r = features[feature]!;
          emit({ labels: { agent: a.agent, feature, method: r.method }, value: r.statistic });
        }
      }),
      opts,
    ),
    collectFrom(
      metrics.featureDriftDetected,
      perFeature<FeatureLabels>((a, emit) => {
        const features = a.lastReport?.features ?? {};
        for (const feature in features) emit({ labels: { agent: a.agent, feature }, value: features[feature]!.drifted ? 1 : 0 });
      }),
      opts,
    ),
    collectFrom(
      metrics.datasetDriftShare,
      perFeature<'agent'>((a, emit) => {
        if (a.lastReport) emit({ labels: { agent: a.agent }, value: a.lastReport.share });
      }),
      opts,
    ),
    collectFrom(
      metrics.datasetDriftDetected,
      perFeature<'agent'>((a, emit) => {
        if (a.lastReport) emit({ labels: { agent: a.agent }, value: a.drifting ? 1 : 0 });
      }),
      opts,
    ),
    collectFrom(
      metrics.featureFreshnessSeconds,
      perFeature<FeatureLabels>((a, emit) => {
        const m = a.monitor;
        if (!m) return;
        for (const [feature, q] of Object.entries(m.qualities())) {
          if (q.freshnessSeconds !== null) emit({ labels: { agent: a.agent, feature }, value: q.freshnessSeconds });
        }
      }),
      opts,
    ),
    collectFrom(
      metrics.featureCompletenessRatio,
      perFeature<FeatureLabels>((a, emit) => {
        // The last full window when there is one: a window that just opened says little.
        const qualities = a.lastQuality ?? a.monitor?.qualities() ?? {};
        for (const [feature, q] of Object.entries(qualities)) emit({ labels: { agent: a.agent, feature }, value: q.completeness });
      }),
      opts,
    ),
  ];
  return () => {
    for (const d of disposers) d();
  };
}
