import { ValidationError } from '../../core/index.js';
import { chiSquareFromCounts } from './chi-square.js';
import { binCategorical, binNumeric, countCategories } from './internal/binning.js';
import { inferKind, present, type FeatureKind, type FeatureValue } from './internal/kind.js';
import { jensenShannonFromProportions } from './jensen-shannon.js';
import { ks } from './ks.js';
import { DEFAULT_THRESHOLDS, DriftMethod, selectMethod, verdict, type DriftResult } from './method.js';
import { normedWasserstein } from './wasserstein.js';
import { zTestFromCounts } from './z-test.js';
import { assertNever } from '../../core/index.js';

export interface DetectDriftOptions {
  /** Feature kind. Default: numeric when every non-missing value is a finite number. */
  readonly kind?: FeatureKind;
  /** Force a method instead of Evidently's default choice. */
  readonly method?: DriftMethod;
  /** Drift threshold. Default: 0.05 for p-value methods, 0.1 for distances. */
  readonly threshold?: number;
}

/**
 * Drift of one feature between a reference and a current sample, choosing the stat test
 * as Evidently does by default (see {@link selectMethod}). Missing values (null,
 * undefined, NaN) are dropped first, as Evidently does.
 *
 * @example
 * const r = detectDrift(trainingLatencies, lastHourLatencies);
 * if (r.drifted) holdRollout(r);
 */
export function detectDrift(
  reference: readonly FeatureValue[],
  current: readonly FeatureValue[],
  options: DetectDriftOptions = {},
): DriftResult {
  const ref = present(reference);
  const cur = present(current);
  if (ref.length === 0 || cur.length === 0) {
    throw new ValidationError('detectDrift needs non-missing values in both samples', [
      { path: ref.length === 0 ? 'reference' : 'current', message: 'has no non-missing value' },
    ]);
  }
  const kind = options.kind ?? inferKind(ref, cur);
  const uniqueCount = new Set([...ref, ...cur]).size;
  const method = options.method ?? selectMethod({ kind, referenceSize: ref.length, uniqueCount });
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  const sizes = { referenceSize: ref.length, currentSize: cur.length };
  const numeric = kind === 'numeric';
  switch (method) {
    case DriftMethod.KS: {
      const r = ks(asNumbers(ref, 'ks'), asNumbers(cur, 'ks'));
      return verdict(method, threshold, r.statistic, r.pValue, sizes);
    }
    case DriftMethod.WASSERSTEIN:
      return verdict(method, threshold, normedWasserstein(asNumbers(ref, method), asNumbers(cur, method)), undefined, sizes);
    case DriftMethod.CHI_SQUARE: {
      const c = countCategories(ref, cur);
      const r = chiSquareFromCounts(c.reference, c.current);
      return verdict(method, threshold, r.statistic, r.pValue, sizes);
    }
    case DriftMethod.Z_TEST: {
      const c = countCategories(ref, cur);
      if (c.keys.length === 1) return verdict(method, threshold, 0, 1, sizes);
      const r = zTestFromCounts(c.reference[0]!, ref.length, c.current[0]!, cur.length);
      return verdict(method, threshold, r.statistic, r.pValue, sizes);
    }
    case DriftMethod.JENSEN_SHANNON: {
      const b = numeric ? binNumeric(ref as number[], cur as number[], false) : binCategorical(ref, cur, false);
      return verdict(method, threshold, jensenShannonFromProportions(b.reference, b.current), undefined, sizes);
    }
    default:
      return assertNever(method, 'drift method');
  }
}

function asNumbers(values: readonly unknown[], method: string): number[] {
  for (const v of values) {
    if (typeof v !== 'number') {
      throw new ValidationError(`${method} needs numeric values`, [{ path: 'values', message: `got ${typeof v}` }]);
    }
  }
  return values as number[];
}

export interface DatasetDriftOptions {
  /** Share of drifted features at which the dataset counts as drifted. Default 0.5 (Evidently). */
  readonly driftShare?: number;
  /** Per-feature options (kind, method, threshold). */
  readonly features?: Readonly<Record<string, DetectDriftOptions>>;
}

export interface DatasetDriftReport {
  readonly features: Readonly<Record<string, DriftResult>>;
  /** Features not evaluated because one side had no non-missing value. */
  readonly skipped: readonly string[];
  readonly driftedCount: number;
  readonly featureCount: number;
  /** driftedCount / featureCount (0 when nothing was evaluated). */
  readonly share: number;
  readonly driftShare: number;
  /** share ≥ driftShare. */
  readonly datasetDrift: boolean;
}

/** Dataset verdict from per-feature results (Evidently's `DatasetDriftMetric`). */
export function summarizeDrift(
  features: Record<string, DriftResult>,
  skipped: string[],
  driftShare: number,
): DatasetDriftReport {
  const results = Object.values(features);
  const driftedCount = results.filter((r) => r.drifted).length;
  const share = results.length === 0 ? 0 : driftedCount / results.length;
  return {
    features,
    skipped,
    driftedCount,
    featureCount: results.length,
    share,
    driftShare,
    datasetDrift: results.length > 0 && share >= driftShare,
  };
}

/**
 * Per-feature drift for every feature of the reference, plus the dataset verdict
 * `datasetDrift = share of drifted features ≥ 0.5`.
 *
 * @example
 * const report = detectDatasetDrift({ latency: refLat, tool: refTool }, { latency: curLat, tool: curTool });
 * report.datasetDrift; // boolean
 */
export function detectDatasetDrift(
  reference: Readonly<Record<string, readonly FeatureValue[]>>,
  current: Readonly<Record<string, readonly FeatureValue[]>>,
  options: DatasetDriftOptions = {},
): DatasetDriftReport {
  const driftShare = options.driftShare ?? 0.5;
  const missing = Object.keys(reference).filter((f) => !(f in current));
  if (missing.length > 0) {
    throw new ValidationError('current data lacks reference features', missing.map((f) => ({ path: `current.${f}`, message: 'missing' })));
  }
  const features: Record<string, DriftResult> = {};
  const skipped: string[] = [];
  for (const [name, ref] of Object.entries(reference)) {
    const cur = current[name]!;
    if (present(ref).length === 0 || present(cur).length === 0) {
      skipped.push(name);
      continue;
    }
    features[name] = detectDrift(ref, cur, options.features?.[name]);
  }
  return summarizeDrift(features, skipped, driftShare);
}
