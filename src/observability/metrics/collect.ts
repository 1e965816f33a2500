import type { Gauge } from 'prom-client';
import { ValidationError } from '../../core/index.js';

/**
 * Gauges computed at scrape time. Every gauge made by `createMetrics` runs the callbacks
 * registered here when Prometheus scrapes, so components expose plain getters (queue
 * depth, breaker state, lag) and never hold a metric themselves.
 *
 * prom-client offers one `collect` function per metric, fixed at construction; this module
 * multiplexes it so several components can feed the same gauge and unsubscribe.
 */

type CollectCallback = () => void | Promise<void>;

const callbacks = new WeakMap<object, Set<CollectCallback>>();

/** Installed as the `collect` function of every gauge made by `createMetrics`. */
export async function runCollectCallbacks(this: object): Promise<void> {
  const set = callbacks.get(this);
  if (set === undefined) return;
  for (const cb of [...set]) await cb();
}

/** Marks a gauge as one whose `collect` runs the registered callbacks. */
export function enableCollectCallbacks(gauge: object): void {
  if (!callbacks.has(gauge)) callbacks.set(gauge, new Set());
}

/** Removes what was registered; calling it twice is harmless. */
export type Disposer = () => void;

/**
 * Runs `callback` before every scrape of `gauge`.
 *
 * @example
 * ```ts
 * const dispose = onCollect(metrics.shadowQueueDepth, () => metrics.shadowQueueDepth.set(pool.queued));
 * ```
 */
export function onCollect(gauge: Gauge<string>, callback: CollectCallback): Disposer {
  const set = callbacks.get(gauge);
  if (set === undefined) {
    throw new ValidationError('gauge does not run collect callbacks: create it with createMetrics', [
      { path: 'gauge', message: 'not created by createMetrics' },
    ]);
  }
  set.add(callback);
  return () => {
    set.delete(callback);
  };
}

/** One labelled value returned by a getter. */
export interface GaugeSample<L extends string> {
  readonly labels: Partial<Record<L, string | number>>;
  readonly value: number;
}

export type GaugeGetter<L extends string> = () =>
  number | readonly GaugeSample<L>[] | Promise<number | readonly GaugeSample<L>[]>;

export interface CollectFromOptions {
  /**
   * Called when the getter throws or rejects; the scrape still succeeds and the gauge keeps
   * the values of the previous scrape. Default: ignore the error.
   */
  readonly onError?: (error: unknown) => void;
}

const labelKey = (labels: Readonly<Record<string, string | number | undefined>>): string =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, String(labels[k])]),
  );

/**
 * Sets `gauge` from `getter` at every scrape. A number sets the unlabelled value; a list
 * of samples sets each label set and removes the label sets this getter reported before
 * but no longer does (label sets fed by other getters are untouched).
 *
 * @example
 * ```ts
 * collectFrom(metrics.breakerState, () =>
 *   breakers.list().map((b) => ({ labels: { agent: b.agent, kind: b.kind }, value: BreakerStateValue[b.state] })),
 * );
 * ```
 */
export function collectFrom<L extends string>(
  gauge: Gauge<L>,
  getter: GaugeGetter<L>,
  options: CollectFromOptions = {},
): Disposer {
  let previous = new Map<string, Partial<Record<L, string | number>>>();
  return onCollect(gauge as unknown as Gauge<string>, async () => {
    let result: number | readonly GaugeSample<L>[];
    try {
      result = await getter();
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (typeof result === 'number') {
      gauge.set(result);
      return;
    }
    const current = new Map<string, Partial<Record<L, string | number>>>();
    for (const sample of result) {
      gauge.set(sample.labels, sample.value);
      current.set(labelKey(sample.labels), sample.labels);
    }
    for (const [key, labels] of previous) if (!current.has(key)) gauge.remove(labels);
    previous = current;
  });
}
