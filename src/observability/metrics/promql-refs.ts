import { describeMetrics } from './catalogue.js';

const METRIC_RE = /\bapprentice_[a-z0-9_]+/g;
const RECORDING_RE = /\bapprentice:[a-zA-Z0-9_:]+/g;
const HISTOGRAM_SERIES_SUFFIX = /_(bucket|sum|count)$/;

/** What a PromQL expression reads: catalogue families and recording rules. */
export interface PromqlRefs {
  /** Metric family names (`_bucket/_sum/_count` of histograms stripped). */
  readonly metrics: readonly string[];
  /** Recording rules (`apprentice:...`) the expression reads. */
  readonly recordingRules: readonly string[];
}

/**
 * The apprentice metric families and recording rules an expression references, so
 * rules, dashboards and docs can be checked against the catalogue (and a live /metrics).
 * A name is recognised by its `apprentice_` / `apprentice:` prefix; histogram series
 * suffixes are stripped only when the stripped name is a catalogue histogram.
 *
 * @example
 * ```ts
 * promqlRefs('rate(apprentice_decision_duration_seconds_bucket[5m])').metrics;
 * // ['apprentice_decision_duration_seconds']
 * ```
 */
export function promqlRefs(expr: string): PromqlRefs {
  const histograms = new Set(
    describeMetrics()
      .filter((m) => m.type === 'histogram')
      .map((m) => m.name),
  );
  const metrics = new Set<string>();
  for (const [raw] of expr.matchAll(METRIC_RE)) {
    const family = raw.replace(HISTOGRAM_SERIES_SUFFIX, '');
    metrics.add(family !== raw && histograms.has(family) ? family : raw);
  }
  const recordingRules = new Set([...expr.matchAll(RECORDING_RE)].map(([m]) => m));
  return { metrics: [...metrics].sort(), recordingRules: [...recordingRules].sort() };
}
