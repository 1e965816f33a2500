/**
 * Declarative metric specifications: the single source for `createMetrics`, the
 * `docs/metrics.md` table and the rule/dashboard reference checks.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

interface SpecBase<L extends string> {
  readonly help: string;
  readonly labelNames: readonly L[];
}
export interface CounterSpec<L extends string = string> extends SpecBase<L> {
  readonly type: 'counter';
}
export interface GaugeSpec<L extends string = string> extends SpecBase<L> {
  readonly type: 'gauge';
}
export interface HistogramSpec<L extends string = string> extends SpecBase<L> {
  readonly type: 'histogram';
  readonly buckets: readonly number[];
}
export type MetricSpec = CounterSpec | GaugeSpec | HistogramSpec;

/** Latency buckets (seconds) for the in-process hot path: 5 µs … 1 s. */
export const HOT_PATH_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
  0.25, 0.5, 1,
] as const;
/** Latency buckets (seconds) for I/O: 1 ms … 30 s. */
export const IO_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;
/** Duration buckets (seconds) for background work: 10 ms … 10 min. */
export const BACKGROUND_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600] as const;

export const counter = <const L extends string>(help: string, labelNames: readonly L[]): CounterSpec<L> => ({
  type: 'counter',
  help,
  labelNames,
});
export const gauge = <const L extends string>(help: string, labelNames: readonly L[]): GaugeSpec<L> => ({
  type: 'gauge',
  help,
  labelNames,
});
export const histogram = <const L extends string>(
  help: string,
  labelNames: readonly L[],
  buckets: readonly number[],
): HistogramSpec<L> => ({ type: 'histogram', help, labelNames, buckets });
