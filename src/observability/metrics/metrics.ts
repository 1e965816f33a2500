import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { assertNever } from '../../core/index.js';
import { ConflictError } from '../../core/index.js';
import { catalogue } from './catalogue.js';
import { enableCollectCallbacks, runCollectCallbacks } from './collect.js';
import { MetricName, type MetricKey } from './metric-names.js';
import type { CounterSpec, GaugeSpec, HistogramSpec, MetricSpec } from './metric-spec.js';

type Instrument<S> =
  S extends CounterSpec<infer L>
    ? Counter<L>
    : S extends GaugeSpec<infer L>
      ? Gauge<L>
      : S extends HistogramSpec<infer L>
        ? Histogram<L>
        : never;

/**
 * Every apprentice metric, typed by its label names:
 * `metrics.decisionsTotal.inc({ agent, source, variant, reason })`.
 */
export type Metrics = { readonly [K in MetricKey]: Instrument<(typeof catalogue)[K]> };

/** Label names of one metric, e.g. `MetricLabels<'decisionsTotal'>`. */
export type MetricLabels<K extends MetricKey> = (typeof catalogue)[K]['labelNames'][number];

export interface MetricsOptions {
  /** Value of the `version` label of `apprentice_build_info`. Default `'unknown'`. */
  readonly version?: string;
}

/**
 * Registers every apprentice metric family in `registry` (never the global one) and
 * returns them typed. Gauges run the callbacks registered with `onCollect`/`collectFrom`
 * at scrape time. Throws `ConflictError` if the registry already holds apprentice metrics.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * const metrics = createMetrics(registry, { version: '0.1.0' });
 * metrics.decisionsTotal.inc({ agent: 'debugger', source: 'ml', variant: 'ml', reason: 'MODEL' });
 * const stop = metrics.decisionDurationSeconds.startTimer({ agent: 'debugger' });
 * stop({ source: 'ml' });
 * const text = await registry.metrics();
 * ```
 */
export function createMetrics(registry: Registry, options: MetricsOptions = {}): Metrics {
  const clash = Object.values(MetricName).find((name) => registry.getSingleMetric(name) !== undefined);
  if (clash !== undefined) throw new ConflictError(`metric ${clash} is already registered in this registry`);

  // Every family's `collect` waits for one pass over every gauge's callbacks, shared by the
  // whole scrape: prom-client reads the families concurrently, and a callback that turns a
  // component's cumulative count into counter increments must run before that counter is
  // read, or the first scrape shows nothing and every later one lags by a scrape.
  const gauges: object[] = [];
  let pass: Promise<void> | undefined;
  const beforeRead = (): Promise<void> =>
    (pass ??= (async () => {
      try {
        for (const g of gauges) await runCollectCallbacks.call(g);
      } finally {
        // prom-client starts every family's `collect` synchronously in one loop, before this
        // async pass can settle: they all share it, and the next scrape starts a new one.
        pass = undefined;
      }
    })());
  const metrics: Partial<Record<MetricKey, unknown>> = {};
  for (const key of Object.keys(catalogue) as MetricKey[]) {
    const made = instrument(MetricName[key], catalogue[key], registry, beforeRead);
    if (catalogue[key].type === 'gauge') gauges.push(made as object);
    metrics[key] = made;
  }
  const result = metrics as Metrics;
  result.buildInfo.set({ version: options.version ?? 'unknown', node_version: process.version }, 1);
  return result;
}

function instrument(name: string, spec: MetricSpec, registry: Registry, collect: () => Promise<void>): unknown {
  const config = { name, help: spec.help, labelNames: spec.labelNames, registers: [registry], collect };
  switch (spec.type) {
    case 'counter':
      return new Counter(config);
    case 'gauge': {
      const gauge = new Gauge(config);
      enableCollectCallbacks(gauge);
      return gauge;
    }
    case 'histogram':
      return new Histogram({ ...config, buckets: [...spec.buckets] });
    default:
      return assertNever(spec, 'metric spec');
  }
}
