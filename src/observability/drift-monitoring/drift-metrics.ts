import type { Gauge } from 'prom-client';
import { onCollect, type Disposer } from '../metrics/index.js';
import type { AgentDrift } from './agent-drift.js';
import type { DriftMetrics } from './types.js';

type Emit<L extends string> = (key: string, labels: Record<L, string>, value: number) => void;

/**
 * Sets `gauge` at every scrape from what `produce` emits and removes the label sets it
 * emitted last time but not now. Like `collectFrom`, but each sample comes with a key the
 * caller builds cheaply (`agent␀feature`): with 8 agents × 70 features × 4 gauges the
 * generic JSON label key of `collectFrom` was a visible share of a scrape.
 */
function feed<L extends string>(
  gauge: Gauge<L>,
  produce: (emit: Emit<L>) => void,
  onError: ((error: unknown) => void) | undefined,
  generation?: () => number | undefined,
): Disposer {
  let previous = new Map<string, Record<L, string>>();
  let seen: number | undefined;
  return onCollect(gauge as unknown as Gauge<string>, () => {
    // Values that only change when a window closes keep what the last scrape set.
    const g = generation?.();
    if (g !== undefined && g === seen) return;
    seen = g;
    const current = new Map<string, Record<L, string>>();
    try {
      produce((key, labels, value) => {
        gauge.set(labels, value);
        current.set(key, labels);
      });
    } catch (error) {
      seen = undefined;
      onError?.(error);
      return;
    }
    for (const [key, labels] of previous) if (!current.has(key)) gauge.remove(labels);
    previous = current;
  });
}

/**
 * Feeds the drift and feature-quality gauges from the agents' state at scrape time: scores
 * and verdicts of the last closed window, freshness of the current one, completeness of the
 * last full window. Nothing is computed between scrapes.
 */
export function wireDriftMetrics(
  metrics: DriftMetrics,
  agents: () => Iterable<AgentDrift>,
  onError?: (error: unknown) => void,
): Disposer {
  // Strictly grows when an agent is added or any agent's report, quality, reference or state changes.
  const generation = (): number => {
    let g = 0;
    for (const a of agents()) g += a.generation + 1;
    return g;
  };
  // Before an agent's first window closes, its completeness is the open window's: always fresh.
  const completenessGeneration = (): number | undefined => {
    for (const a of agents()) if (a.monitor && !a.lastQuality) return undefined;
    return generation();
  };
  const disposers: Disposer[] = [
    feed(
      metrics.featureDriftScore,
      (emit) => {
        for (const a of agents()) {
          const features = a.lastReport?.features ?? {};
          for (const feature in features) {
            const r = features[feature]!;
            emit(`${a.agent}\0${feature}\0${r.method}`, { agent: a.agent, feature, method: r.method }, r.statistic);
          }
        }
      },
      onError,
      generation,
    ),
    feed(
      metrics.featureDriftDetected,
      (emit) => {
        for (const a of agents()) {
          const features = a.lastReport?.features ?? {};
          for (const feature in features) emit(`${a.agent}\0${feature}`, { agent: a.agent, feature }, features[feature]!.drifted ? 1 : 0);
        }
      },
      onError,
      generation,
    ),
    feed(
      metrics.datasetDriftShare,
      (emit) => {
        for (const a of agents()) if (a.lastReport) emit(a.agent, { agent: a.agent }, a.lastReport.share);
      },
      onError,
      generation,
    ),
    feed(
      metrics.datasetDriftDetected,
      (emit) => {
        for (const a of agents()) if (a.lastReport) emit(a.agent, { agent: a.agent }, a.drifting ? 1 : 0);
      },
      onError,
      generation,
    ),
    feed(
      metrics.featureFreshnessSeconds,
      (emit) => {
        for (const a of agents()) {
          const m = a.monitor;
          if (!m) continue;
          for (const feature in m.qualities()) {
            const s = a.freshnessSeconds(feature);
            if (s !== null) emit(`${a.agent}\0${feature}`, { agent: a.agent, feature }, s);
          }
        }
      },
      onError,
    ),
    feed(
      metrics.featureCompletenessRatio,
      (emit) => {
        for (const a of agents()) {
          // The last full window when there is one: a window that just opened says little.
          const qualities = a.lastQuality ?? a.monitor?.qualities() ?? {};
          for (const feature in qualities) emit(`${a.agent}\0${feature}`, { agent: a.agent, feature }, qualities[feature]!.completeness);
        }
      },
      onError,
      completenessGeneration,
    ),
  ];
  return () => {
    for (const d of disposers) d();
  };
}
