import { assertNever } from '../../core/index.js';
import {
  buildReference,
  createDriftMonitor,
  type DriftMonitor,
  type FeatureQuality,
  type FeatureValue,
  type MonitorReport,
  type ReferenceSnapshot,
} from '../drift/index.js';
import { ReferenceSource, type AgentDriftStatus, type DriftReference } from './types.js';

/** Resolved settings shared by every agent of a service. */
export interface AgentDriftSettings {
  readonly windowSize: number;
  readonly reservoirSize: number;
  readonly driftShare: number;
  readonly maxFeatures: number;
  readonly now: () => number;
}

/**
 * An agent's drift state. `collecting`: no reference yet, the first window of decisions is
 * buffered (at most `windowSize` values per feature) to become the reference. `monitoring`:
 * a streaming monitor compares each closed window with the reference.
 */
type Phase =
  | { readonly kind: 'collecting'; readonly buffers: Map<string, FeatureValue[]> }
  | {
      readonly kind: 'monitoring';
      readonly source: typeof ReferenceSource.FIRST_WINDOW | typeof ReferenceSource.MODEL;
      readonly modelVersion: number | undefined;
      readonly monitor: DriftMonitor;
      /** Reference features, observed in this order for every decision (absent = missing). */
      readonly names: readonly string[];
    };

/** Numbers stay numeric, strings and booleans categorical; anything else counts as missing. */
const toValue = (v: unknown): FeatureValue =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;

const isPresent = (v: FeatureValue): boolean => v !== undefined && v !== null && (typeof v !== 'number' || Number.isFinite(v));

/** One agent's windows: the first-window reference, the monitor, and the dataset-drift state. */
export class AgentDrift {
  #phase: Phase = { kind: 'collecting', buffers: new Map() };
  #decisions = 0;
  #windowDecisions = 0;
  #drifting = false;
  #lastReport: MonitorReport | undefined;
  #lastQuality: Readonly<Record<string, FeatureQuality>> | undefined;
  #generation = 0;
  /** The monitor a new reference replaced: it still knows when each feature was last seen. */
  #retired: DriftMonitor | undefined;
  /** Model version in the last decision seen. */
  servedVersion: number | undefined;

  constructor(
    readonly agent: string,
    private readonly settings: AgentDriftSettings,
    /** Features never judged (see `DriftServiceOptions.unmonitored`). */
    private readonly unmonitored: ReadonlySet<string> = new Set(),
  ) {}

  /** Grows whenever the last report, last quality or reference changes (lets scrapes skip unchanged gauges). */
  get generation(): number {
    return this.#generation;
  }

  get drifting(): boolean {
    return this.#drifting;
  }

  get lastReport(): MonitorReport | undefined {
    return this.#lastReport;
  }

  /** Feature quality over the last closed window (completeness of a full window, not a just-opened one). */
  get lastQuality(): Readonly<Record<string, FeatureQuality>> | undefined {
    return this.#lastQuality;
  }

  /**
   * Seconds since `feature` last had a value, or null if never seen. Continuous across a new
   * reference (a new served version starts a new monitor): until the new monitor sees the
   * feature, the replaced one answers, so the freshness gauge never blinks out.
   */
  freshnessSeconds(feature: string): number | null {
    const of = (m: DriftMonitor | undefined): number | null => (m && feature in m.qualities() ? m.quality(feature).freshnessSeconds : null);
    return of(this.monitor) ?? of(this.#retired);
  }

  /** The monitor, once there is a reference. */
  get monitor(): DriftMonitor | undefined {
    return this.#phase.kind === 'monitoring' ? this.#phase.monitor : undefined;
  }

  /**
   * Records one decision's features. Returns the report when the decision closed a window
   * (not for the window that becomes the first-window reference).
   */
  observe(features: Readonly<Record<string, unknown>> | undefined): MonitorReport | undefined {
    this.#decisions++;
    const p = this.#phase;
    if (p.kind === 'collecting') {
      this.#collect(p.buffers, features);
      return undefined;
    }
    const { monitor, names } = p;
    if (features === undefined) for (const name of names) monitor.observe(name, undefined);
    else for (let i = 0; i < names.length; i++) monitor.observe(names[i]!, toValue(features[names[i]!]));
    if (++this.#windowDecisions < this.settings.windowSize) return undefined;
    this.#windowDecisions = 0;
    this.#lastQuality = monitor.qualities();
    const report = monitor.roll();
    this.#lastReport = report;
    this.#generation++;
    return report;
  }

  /** Whether `report` changes the dataset-drift state (and records the new state). */
  settle(report: MonitorReport): boolean {
    if (report.datasetDrift === this.#drifting) return false;
    this.#drifting = report.datasetDrift;
    this.#generation++;
    return true;
  }

  /**
   * Compares from now on with the training data of a model version. The current window and
   * the last report are dropped; the dataset-drift state stays until the next window closes.
   */
  setReference(reference: DriftReference): void {
    const features = this.unmonitored.size === 0 ? reference.features : Object.fromEntries(Object.entries(reference.features).filter(([name]) => !this.unmonitored.has(name)));
    if (Object.keys(features).length === 0) return; // nothing left to judge against: keep the current reference
    this.#monitor(features, ReferenceSource.MODEL, reference.modelVersion);
  }

  #collect(buffers: Map<string, FeatureValue[]>, features: Readonly<Record<string, unknown>> | undefined): void {
    if (features !== undefined) {
      for (const name in features) {
        if (this.unmonitored.has(name)) continue;
        let values = buffers.get(name);
        if (values === undefined) {
          if (buffers.size >= this.settings.maxFeatures) continue;
          buffers.set(name, (values = []));
        }
        values.push(toValue(features[name]));
      }
    }
    if (++this.#windowDecisions < this.settings.windowSize) return;
    const reference: Record<string, ReferenceSnapshot> = {};
    for (const [name, values] of buffers) {
      // A feature never present in the window has no distribution to compare with.
      if (values.some(isPresent)) {
        reference[name] = buildReference(values);
      }
    }
    if (Object.keys(reference).length > 0) this.#monitor(reference, ReferenceSource.FIRST_WINDOW, undefined);
    else {
      buffers.clear();
      this.#windowDecisions = 0;
    }
  }

  #monitor(
    reference: Readonly<Record<string, ReferenceSnapshot>>,
    source: typeof ReferenceSource.FIRST_WINDOW | typeof ReferenceSource.MODEL,
    modelVersion: number | undefined,
  ): void {
    const { reservoirSize, driftShare, now } = this.settings;
    // Windows close by decision count here (every feature sees every decision), never inside the monitor.
    const monitor = createDriftMonitor({ reference, windowSize: Infinity, reservoirSize, driftShare, now });
    if (this.#phase.kind === 'monitoring') this.#retired = this.#phase.monitor;
    this.#phase = { kind: 'monitoring', source, modelVersion, monitor, names: Object.keys(reference) };
    this.#windowDecisions = 0;
    // The last closed window's report stays until the new reference closes one, like `drifting`:
    // status and gauges never disagree (a drifting agent keeps its drift gauges).
    this.#lastQuality = undefined;
    this.#generation++;
  }

  status(): AgentDriftStatus {
    const p = this.#phase;
    const base = {
      agent: this.agent,
      drifting: this.#drifting,
      decisions: this.#decisions,
      windowDecisions: this.#windowDecisions,
      servedModelVersion: this.servedVersion ?? null,
      report: this.#lastReport ?? null,
    };
    const n = this.settings.windowSize;
    switch (p.kind) {
      case 'collecting':
        return {
          ...base,
          phase: 'collecting',
          reference: {
            source: ReferenceSource.NONE,
            modelVersion: null,
            features: 0,
            note: `no training reference yet: collecting the first ${n} decisions to use as the reference`,
          },
          quality: {},
        };
      case 'monitoring':
        return {
          ...base,
          phase: 'monitoring',
          reference: {
            source: p.source,
            modelVersion: p.modelVersion ?? null,
            features: p.names.length,
            note:
              p.source === ReferenceSource.MODEL
                ? 'training data of the served model version'
                : `no training reference from the model registry: the first ${n} decisions are the reference`,
          },
          quality: p.monitor.qualities() as Record<string, FeatureQuality>,
        };
      default:
        return assertNever(p);
    }
  }
}
