import { learningCatalogue } from './catalogue-learning.js';
import { platformCatalogue } from './catalogue-platform.js';
import { MetricName, type MetricKey } from './metric-names.js';
import type { MetricSpec, MetricType } from './metric-spec.js';

/** Every metric spec, keyed like `MetricName`. */
export const catalogue = { ...learningCatalogue, ...platformCatalogue } as const satisfies Record<
  MetricKey,
  MetricSpec
>;

// Compile-time guard: no spec without a name in MetricName.
type ExtraKeys = Exclude<keyof typeof catalogue, MetricKey>;
const _noExtraKeys: [ExtraKeys] extends [never] ? true : ExtraKeys = true;
void _noExtraKeys;

/** One row of the catalogue, as documented in docs/metrics.md. */
export interface MetricDescription {
  readonly key: MetricKey;
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Histogram buckets (seconds), absent for counters and gauges. */
  readonly buckets?: readonly number[];
}

/**
 * The catalogue as a list, in declaration order.
 *
 * @example
 * ```ts
 * const histograms = describeMetrics().filter((m) => m.type === 'histogram');
 * ```
 */
export function describeMetrics(): MetricDescription[] {
  return (Object.keys(catalogue) as MetricKey[]).map((key) => {
    const spec: MetricSpec = catalogue[key];
    const base = {
      key,
      name: MetricName[key],
      type: spec.type,
      help: spec.help,
      labelNames: spec.labelNames,
    };
    return spec.type === 'histogram' ? { ...base, buckets: spec.buckets } : base;
  });
}
