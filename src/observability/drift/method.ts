import type { FeatureKind } from './internal/kind.js';

/** The stat tests apprentice uses, named as Evidently names them. */
export const DriftMethod = {
  KS: 'ks',
  CHI_SQUARE: 'chisquare',
  Z_TEST: 'z',
  WASSERSTEIN: 'wasserstein',
  JENSEN_SHANNON: 'jensenshannon',
} as const;
export type DriftMethod = (typeof DriftMethod)[keyof typeof DriftMethod];

/** Methods whose score is a p-value (drift when p ≤ threshold); the others are distances (drift when ≥ threshold). */
export const isPValueMethod = (m: DriftMethod): boolean =>
  m === DriftMethod.KS || m === DriftMethod.CHI_SQUARE || m === DriftMethod.Z_TEST;

/** Evidently's default thresholds: 0.05 for p-value tests, 0.1 for distances. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
};

/** Evidently: reference samples up to this size use statistical tests, larger ones distances. */
export const SMALL_REFERENCE_MAX = 1000;
/** Evidently: a numeric feature with at most this many unique values is treated as categorical. */
export const NUMERIC_AS_CATEGORICAL_MAX_UNIQUE = 5;

export interface MethodSelectionInput {
  readonly kind: FeatureKind;
  /** Non-missing reference values. */
  readonly referenceSize: number;
  /** Unique non-missing values over reference and current together. */
  readonly uniqueCount: number;
}

/**
 * Evidently's default stat test (`get_default_stattest`, Evidently ≥ 0.2):
 * - reference ≤ 1000 values:
 *   - numeric with > 5 unique values → KS (p ≤ 0.05);
 *   - categorical, or numeric with ≤ 5 unique values → chi-square when > 2 unique values,
 *     the two-proportion z-test otherwise (p ≤ 0.05);
 * - reference > 1000 values:
 *   - numeric with > 5 unique values → Wasserstein distance normed by the reference std (≥ 0.1);
 *   - categorical, or numeric with ≤ 5 unique values → Jensen–Shannon distance (≥ 0.1).
 *
 * @example
 * selectMethod({ kind: 'numeric', referenceSize: 500, uniqueCount: 480 }); // 'ks'
 */
export function selectMethod(input: MethodSelectionInput): DriftMethod {
  const categorical = input.kind === 'categorical' || input.uniqueCount <= NUMERIC_AS_CATEGORICAL_MAX_UNIQUE;
  if (input.referenceSize <= SMALL_REFERENCE_MAX) {
    if (!categorical) return DriftMethod.KS;
    return input.uniqueCount > 2 ? DriftMethod.CHI_SQUARE : DriftMethod.Z_TEST;
  }
  return categorical ? DriftMethod.JENSEN_SHANNON : DriftMethod.WASSERSTEIN;
}

/** One feature's drift verdict. */
export interface DriftResult {
  readonly method: DriftMethod;
  /** Test statistic (KS D, χ², z) or the distance for distance methods. */
  readonly statistic: number;
  /** Present for p-value methods. */
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly referenceSize: number;
  readonly currentSize: number;
}

export function verdict(
  method: DriftMethod,
  threshold: number,
  statistic: number,
  pValue: number | undefined,
  sizes: { referenceSize: number; currentSize: number },
): DriftResult {
  if (isPValueMethod(method)) {
    const p = pValue ?? NaN;
    return { method, statistic, pValue: p, threshold, drifted: p <= threshold, ...sizes };
  }
  return { method, statistic, threshold, drifted: statistic >= threshold, ...sizes };
}
