import { ValidationError } from '../../core/index.js';
import type { Category } from './internal/binning.js';
import { inferKind, present, type FeatureKind, type FeatureValue } from './internal/kind.js';
import { NUMERIC_AS_CATEGORICAL_MAX_UNIQUE } from './method.js';
import { populationStd } from './wasserstein.js';

/** Reference of a numeric feature: a bounded sorted sample plus exact moments and quantile bins. */
export interface NumericReference {
  readonly kind: 'numeric';
  /** Non-missing values the reference was built from. */
  readonly size: number;
  /** Sorted sample: every value when size ≤ maxSample, else evenly spaced order statistics. */
  readonly sample: readonly number[];
  readonly mean: number;
  /** Population standard deviation (np.std) of all values. */
  readonly std: number;
  /** Interior quantile cut points (deduplicated); bin i holds values in [cut[i−1], cut[i]). */
  readonly cutPoints: readonly number[];
  /** Share of reference values in each of the cutPoints.length + 1 bins. */
  readonly binProportions: readonly number[];
}

/** Reference of a categorical feature: the most frequent categories and an "other" count. */
export interface CategoricalReference {
  readonly kind: 'categorical';
  readonly size: number;
  /** Most frequent categories, descending by count (at most maxCategories). */
  readonly categories: readonly Category[];
  readonly counts: readonly number[];
  /** Values of every other category (the `__other__` bucket). */
  readonly otherCount: number;
}

export type ReferenceSnapshot = NumericReference | CategoricalReference;

export interface BuildReferenceOptions {
  /** Default: numeric when every non-missing value is a finite number. */
  readonly kind?: FeatureKind;
  /** Largest numeric sample kept. Default 2000 (≥ 1000 so the KS path uses the whole reference). */
  readonly maxSample?: number;
  /** Categories kept by name; the rest go to `__other__`. Default 50. */
  readonly maxCategories?: number;
  /** Quantile bins for the numeric current-window histogram. Default 10. */
  readonly bins?: number;
}

/** Name of the bucket that collects categories outside the reference's top categories. */
export const OTHER_CATEGORY = '__other__';

/**
 * Snapshot of a feature's training distribution for {@link createDriftMonitor}. A numeric
 * feature with at most 5 unique values becomes categorical (Evidently's rule, applied
 * here to the reference alone). The snapshot is plain JSON and can be stored with a model.
 *
 * @example
 * const ref = buildReference(trainingRows.map((r) => r.latencyMs));
 */
export function buildReference(values: readonly FeatureValue[], options: BuildReferenceOptions = {}): ReferenceSnapshot {
  const xs = present(values);
  if (xs.length === 0) {
    throw new ValidationError('reference has no non-missing value', [{ path: 'values', message: 'empty' }]);
  }
  const maxSample = options.maxSample ?? 2000;
  const maxCategories = options.maxCategories ?? 50;
  const bins = options.bins ?? 10;
  const issues = [
    ...(Number.isInteger(maxSample) && maxSample >= 1 ? [] : [{ path: 'maxSample', message: 'must be an integer ≥ 1' }]),
    ...(Number.isInteger(maxCategories) && maxCategories >= 1 ? [] : [{ path: 'maxCategories', message: 'must be an integer ≥ 1' }]),
    ...(Number.isInteger(bins) && bins >= 2 ? [] : [{ path: 'bins', message: 'must be an integer ≥ 2' }]),
  ];
  if (issues.length > 0) throw new ValidationError('invalid reference options', issues);
  const kind = options.kind ?? inferKind(xs);
  if (kind === 'numeric') {
    if (inferKind(xs) !== 'numeric') {
      throw new ValidationError('numeric reference has non-numeric values', [{ path: 'kind', message: 'numeric needs finite numbers' }]);
    }
    const sorted = Float64Array.from(xs as number[]).sort();
    if (new Set(sorted).size > NUMERIC_AS_CATEGORICAL_MAX_UNIQUE) return numericReference(sorted, maxSample, bins);
  }
  return categoricalReference(xs, maxCategories);
}

function numericReference(sorted: Float64Array, maxSample: number, bins: number): NumericReference {
  const n = sorted.length;
  let sample: number[];
  if (n <= maxSample) sample = Array.from(sorted);
  else sample = Array.from({ length: maxSample }, (_, i) => sorted[Math.floor(((i + 0.5) * n) / maxSample)]!);
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const c = sorted[Math.floor((b * n) / bins)]!;
    if (c > sorted[0]! && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
  }
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of sorted) counts[binIndex(cuts, v)]!++;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= n;
  return {
    kind: 'numeric',
    size: n,
    sample,
    mean,
    std: populationStd(sorted),
    cutPoints: cuts,
    binProportions: counts.map((c) => c / n),
  };
}

/** Bin of `v` among sorted cut points: number of cuts ≤ v. */
export function binIndex(cuts: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function categoricalReference(xs: readonly Category[], maxCategories: number): CategoricalReference {
  const tally = new Map<Category, number>();
  for (const v of xs) tally.set(v, (tally.get(v) ?? 0) + 1);
  const ranked = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  const kept = ranked.slice(0, maxCategories);
  const otherCount = ranked.slice(maxCategories).reduce((s, [, c]) => s + c, 0);
  return {
    kind: 'categorical',
    size: xs.length,
    categories: kept.map(([k]) => k),
    counts: kept.map(([, c]) => c),
    otherCount,
  };
}
