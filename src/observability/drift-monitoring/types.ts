import type { NewEvent } from '../../core/index.js';
import type { FeatureQuality, MonitorReport, ReferenceSnapshot } from '../drift/index.js';
import type { Metrics } from '../metrics/index.js';

/** Training distribution of the model an agent serves: one snapshot per feature (see `buildReference`). */
export interface DriftReference {
  readonly features: Readonly<Record<string, ReferenceSnapshot>>;
  /** Model version whose training data this is (shown in the status and the events). */
  readonly modelVersion?: number;
}

/** Where an agent's reference came from. */
export const ReferenceSource = {
  /** Not known yet: the service is collecting the first window to use as the reference. */
  NONE: 'none',
  /** The first full window of decisions (no training reference was available). */
  FIRST_WINDOW: 'first-window',
  /** The training data of the served model version (`referenceFor` / `setReference`). */
  MODEL: 'model',
} as const;
export type ReferenceSource = (typeof ReferenceSource)[keyof typeof ReferenceSource];

/** The part of the writer the service needs: synchronous enqueue of an event. */
export interface EventSink {
  record(event: NewEvent): void;
}

/** The catalogue gauges the service feeds at scrape time. */
export type DriftMetrics = Pick<
  Metrics,
  | 'featureDriftScore'
  | 'featureDriftDetected'
  | 'datasetDriftShare'
  | 'datasetDriftDetected'
  | 'featureFreshnessSeconds'
  | 'featureCompletenessRatio'
>;

export interface DriftServiceOptions {
  /** Gauges to feed at scrape time (`apprentice.metrics`). */
  readonly metrics: DriftMetrics;
  /** Where `DriftDetected` events go (`apprentice.writer`). */
  readonly writer: EventSink;
  /**
   * Training reference of the model version an agent serves; `undefined` while there is none.
   * Called when an agent is first seen and again when its served model version changes.
   */
  readonly referenceFor: (agent: string) => Promise<DriftReference | undefined>;
  /** Called when an agent's dataset-drift state changes (both ways): hold / release a rollout. */
  readonly onDrift?: (agent: string, report: MonitorReport) => void;
  /** Clock in milliseconds (freshness, window times). Default `Date.now`. */
  readonly clock?: () => number;
  /** Decisions per window (and in the first-window reference). Default 1000. */
  readonly windowSize?: number;
  /** Reservoir sample per numeric feature. Default 1000. */
  readonly reservoirSize?: number;
  /** Dataset drift when at least this share of features drifts. Default 0.5 (Evidently). */
  readonly driftShare?: number;
  /** Most features collected per agent while building a first-window reference. Default 1000. */
  readonly maxFeatures?: number;
  /**
   * Features of `agent` not to judge: free text, where nearly every value is new, so any test of
   * its distribution calls it drifted in every window and drags the dataset verdict with it
   * (Evidently, too, judges text through descriptors, not as a category). Asked once per agent,
   * at its first decision. Default: every feature is judged.
   */
  readonly unmonitored?: (agent: string) => Iterable<string>;
  /** Errors of `referenceFor`, `onDrift` or a scrape getter. Default: ignore. */
  readonly onError?: (error: unknown) => void;
}

/** What `GET /api/v1/drift` shows for one agent. */
export interface AgentDriftStatus {
  readonly agent: string;
  readonly phase: 'collecting' | 'monitoring';
  readonly reference: {
    readonly source: ReferenceSource;
    readonly modelVersion: number | null;
    readonly features: number;
    readonly note: string;
  };
  /** Dataset drift on the last closed window. */
  readonly drifting: boolean;
  /** Decisions observed since the service started. */
  readonly decisions: number;
  /** Decisions in the current (open) window. */
  readonly windowDecisions: number;
  /** Model version in the last decision (null when the rules answered without one). */
  readonly servedModelVersion: number | null;
  /** Per-feature verdicts of the last closed window. */
  readonly report: MonitorReport | null;
  /** Freshness, completeness and distribution statistics over the current window. */
  readonly quality: Readonly<Record<string, FeatureQuality>>;
}
