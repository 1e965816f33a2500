import { ValidationError } from '../../core/index.js';
import { summarizeDrift, type DatasetDriftReport } from './detect-drift.js';
import { CategoricalWindow } from './internal/categorical-window.js';
import type { FeatureValue } from './internal/kind.js';
import { NumericWindow } from './internal/numeric-window.js';
import type { FeatureQuality, MonitorFeatureResult, WindowFootprint } from './internal/window-types.js';
import type { ReferenceSnapshot } from './reference.js';
import { xorshift32 } from './internal/xorshift.js';

export interface DriftMonitorOptions {
  /** Reference snapshot per feature (see `buildReference`). */
  readonly reference: Readonly<Record<string, ReferenceSnapshot>>;
  /**
   * Tumbling window by count: the window closes once some feature has this many
   * observations. Default 1000 when `windowMs` is not set, otherwise no count limit.
   */
  readonly windowSize?: number;
  /** Tumbling window by time (milliseconds of `now()`). Default: none. */
  readonly windowMs?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /** Reservoir sample size per numeric feature. Default 1000. */
  readonly reservoirSize?: number;
  /** Dataset drift when the share of drifted features is ≥ this. Default 0.5 (Evidently). */
  readonly driftShare?: number;
  /** Per-feature threshold overrides. Default: Evidently's (0.05 p-value, 0.1 distance). */
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Seed of the reservoir sampler. Default 0x5eed. */
  readonly seed?: number;
  /** Called when a listener throws (listeners never break `observe`). Default: ignore. */
  readonly onListenerError?: (error: unknown) => void;
}

/** A monitor window's verdict: per-feature results plus the dataset verdict. */
export interface MonitorReport extends DatasetDriftReport {
  readonly features: Readonly<Record<string, MonitorFeatureResult>>;
  readonly windowIndex: number;
  readonly windowStart: number;
  /** Time of evaluation (end of the window when it rolled). */
  readonly windowEnd: number;
  readonly observations: number;
}

/** Emitted when a closed window changes some feature's drift state or the dataset verdict. */
export interface DriftChange {
  readonly report: MonitorReport;
  readonly changed: readonly { readonly feature: string; readonly drifted: boolean; readonly result: MonitorFeatureResult }[];
  readonly datasetDrift: boolean;
  readonly datasetDriftChanged: boolean;
}

export interface DriftMonitor {
  /**
   * Records one value of a feature. Missing values (null, undefined, NaN, ±Infinity, or a
   * non-number for a numeric feature) count against completeness only. Unknown features
   * are counted in `ignored` and dropped. May close the window (and so call listeners).
   */
  observe(feature: string, value: FeatureValue): void;
  /** Records every field of a row. */
  observeRow(row: Readonly<Record<string, FeatureValue>>): void;
  /** Verdict on the current (possibly partial) window, without rolling it. */
  evaluate(): MonitorReport;
  /** Closes the current window now: evaluates it, notifies listeners, starts a new one. */
  roll(): MonitorReport;
  /** Rolls the window if its time is up (call from a timer when traffic may stop). */
  tick(): MonitorReport | undefined;
  /** Subscribes to drift changes; returns the disposer. */
  onDrift(listener: (change: DriftChange) => void): () => void;
  /** Feature quality over the current window. */
  quality(feature: string): FeatureQuality;
  qualities(): Record<string, FeatureQuality>;
  /** Report of the last closed window. */
  readonly lastReport: MonitorReport | undefined;
  /** Observations of features without a reference. */
  readonly ignored: number;
  /** Sketch sizes per feature (constant: they never grow with observations). */
  footprint(): Record<string, WindowFootprint>;
}

type Window = NumericWindow | CategoricalWindow;

/**
 * Streaming drift monitor for one agent's features, in constant memory per feature. Each
 * feature keeps a fixed-size sketch of the current window (numeric: reservoir sample +
 * reference-quantile bins + Welford moments; categorical: reference categories +
 * `__other__`). Windows tumble by count or time; a closed window is compared with the
 * reference using Evidently's default tests, and `onDrift` listeners hear of changes
 * (to emit events or metrics, or hold a rollout).
 *
 * @example
 * const monitor = createDriftMonitor({ reference: { latency: buildReference(trainLatency) }, windowSize: 500 });
 * monitor.onDrift((c) => { if (c.datasetDrift) rollout.hold(); });
 * monitor.observe('latency', 123);
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs;
  const windowSize = options.windowSize ?? (windowMs === undefined ? 1000 : Infinity);
  const reservoirSize = options.reservoirSize ?? 1000;
  const driftShare = options.driftShare ?? 0.5;
  const issues = [
    ...(windowSize === Infinity || (Number.isInteger(windowSize) && windowSize >= 1) ? [] : [{ path: 'windowSize', message: 'must be an integer ≥ 1' }]),
    ...(windowMs === undefined || windowMs > 0 ? [] : [{ path: 'windowMs', message: 'must be > 0' }]),
    ...(Number.isInteger(reservoirSize) && reservoirSize >= 1 ? [] : [{ path: 'reservoirSize', message: 'must be an integer ≥ 1' }]),
    ...(driftShare > 0 && driftShare <= 1 ? [] : [{ path: 'driftShare', message: 'must be in (0, 1]' }]),
    ...(Object.keys(options.reference).length > 0 ? [] : [{ path: 'reference', message: 'needs at least one feature' }]),
  ];
  if (issues.length > 0) throw new ValidationError('invalid drift monitor options', issues);

  const next = xorshift32(options.seed ?? 0x5eed);
  const random = (): number => next() / 4294967296;
  const windows = new Map<string, Window>();
  for (const [name, ref] of Object.entries(options.reference)) {
    const threshold = options.thresholds?.[name];
    windows.set(name, ref.kind === 'numeric' ? new NumericWindow(ref, reservoirSize, random, threshold) : new CategoricalWindow(ref, threshold));
  }
  const listeners = new Set<(change: DriftChange) => void>();
  const drifted = new Map<string, boolean>();
  let datasetDrift = false;
  let windowIndex = 0;
  let windowStart = now();
  let observations = 0;
  let maxCount = 0;
  let ignored = 0;
  let lastReport: MonitorReport | undefined;

  const report = (at: number): MonitorReport => {
    const features: Record<string, MonitorFeatureResult> = {};
    const skipped: string[] = [];
    for (const [name, w] of windows) {
      const r = w.evaluate();
      if (r) features[name] = r;
      else skipped.push(name);
    }
    return { ...summarizeDrift(features, skipped, driftShare), features, windowIndex, windowStart, windowEnd: at, observations };
  };

  const notify = (rep: MonitorReport): void => {
    const changed: DriftChange['changed'][number][] = [];
    for (const [feature, result] of Object.entries(rep.features)) {
      if ((drifted.get(feature) ?? false) !== result.drifted) changed.push({ feature, drifted: result.drifted, result });
      drifted.set(feature, result.drifted);
    }
    const datasetDriftChanged = rep.datasetDrift !== datasetDrift;
    datasetDrift = rep.datasetDrift;
    if (changed.length === 0 && !datasetDriftChanged) return;
    const change: DriftChange = { report: rep, changed, datasetDrift, datasetDriftChanged };
    for (const l of [...listeners]) {
      try {
        l(change);
      } catch (err) {
        options.onListenerError?.(err);
      }
    }
  };

  const roll = (at: number): MonitorReport => {
    const rep = report(at);
    lastReport = rep;
    for (const w of windows.values()) w.reset();
    windowIndex++;
    windowStart = at;
    observations = 0;
    maxCount = 0;
    notify(rep);
    return rep;
  };

  const observe = (feature: string, value: FeatureValue): void => {
    const w = windows.get(feature);
    if (w === undefined) {
      ignored++;
      return;
    }
    const t = now();
    if (windowMs !== undefined && t - windowStart >= windowMs) roll(t);
    w.observe(value, t);
    observations++;
    const c = w.count;
    if (c > maxCount) {
      maxCount = c;
      if (c >= windowSize) roll(t);
    }
  };

  const quality = (feature: string): FeatureQuality => {
    const w = windows.get(feature);
    if (!w) throw new ValidationError(`unknown feature ${feature}`, [{ path: 'feature', message: 'not in reference' }]);
    return w.quality(now());
  };

  return {
    observe,
    observeRow(row) {
      for (const name in row) observe(name, row[name]);
    },
    evaluate: () => report(now()),
    roll: () => roll(now()),
    tick() {
      const t = now();
      return windowMs !== undefined && t - windowStart >= windowMs ? roll(t) : undefined;
    },
    onDrift(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    quality,
    qualities: () => Object.fromEntries([...windows.keys()].map((f) => [f, quality(f)])),
    get lastReport() {
      return lastReport;
    },
    get ignored() {
      return ignored;
    },
    footprint: () => Object.fromEntries([...windows].map(([f, w]) => [f, w.footprint()])),
  };
}
