import type { Category } from './binning.js';
import type { FeatureKind } from './kind.js';
import type { DriftResult } from '../method.js';

/** A feature's drift verdict in a monitor window; `psi` over the reference quantile bins (numeric). */
export type MonitorFeatureResult = DriftResult & { readonly psi?: number };

/** Data quality of one feature over the current window (freshness spans windows). */
export interface FeatureQuality {
  readonly kind: FeatureKind;
  /** Observations in the window, missing included. */
  readonly total: number;
  /** Non-missing observations in the window. */
  readonly count: number;
  /** count / total (1 for an empty window). */
  readonly completeness: number;
  /** Seconds since the last non-missing value (null if none yet). */
  readonly freshnessSeconds: number | null;
  /** Welford mean of numeric values (null when none or categorical). */
  readonly mean: number | null;
  /** Population standard deviation (ddof 0). */
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Most frequent categories in the window, descending (categorical features). */
  readonly topCategories: readonly { readonly value: Category; readonly count: number }[];
}

/** Sizes of a feature's window sketch; bounded by construction. */
export interface WindowFootprint {
  readonly sampleValues: number;
  readonly sampleCapacity: number;
  readonly bins: number;
  readonly categories: number;
}
