/**
 * Drift detection: pure measures matching scipy (KS, chi-square, z-test, PSI, Wasserstein,
 * Jensen–Shannon), Evidently's default method selection, and a constant-memory streaming
 * monitor with feature quality.
 */
export { ks, ksSorted, KS_MAX_EXACT_N, type KsResult, type KsMethod } from './ks.js';
export { chiSquare, chiSquareFromCounts, type ChiSquareResult } from './chi-square.js';
export { zTestProportions, zTestFromCounts, type ZTestResult } from './z-test.js';
export { psi, psiFromProportions, type BinnedOptions } from './psi.js';
export { wassersteinDistance, normedWasserstein, populationStd } from './wasserstein.js';
export { jensenShannonDistance, jensenShannonFromProportions } from './jensen-shannon.js';
export { chiSquareSf, normalTwoSided } from './internal/special.js';
export { kolmogorovSf } from './internal/kolmogorov.js';
export {
  DriftMethod,
  DEFAULT_THRESHOLDS,
  SMALL_REFERENCE_MAX,
  NUMERIC_AS_CATEGORICAL_MAX_UNIQUE,
  selectMethod,
  isPValueMethod,
  type DriftResult,
  type MethodSelectionInput,
} from './method.js';
export {
  detectDrift,
  detectDatasetDrift,
  summarizeDrift,
  type DetectDriftOptions,
  type DatasetDriftOptions,
  type DatasetDriftReport,
} from './detect-drift.js';
export {
  buildReference,
  OTHER_CATEGORY,
  type BuildReferenceOptions,
  type ReferenceSnapshot,
  type NumericReference,
  type CategoricalReference,
} from './reference.js';
export {
  createDriftMonitor,
  type DriftMonitor,
  type DriftMonitorOptions,
  type MonitorReport,
  type DriftChange,
} from './monitor.js';
export type { FeatureQuality, MonitorFeatureResult, WindowFootprint } from './internal/window-types.js';
export type { FeatureKind, FeatureValue } from './internal/kind.js';
export type { Category } from './internal/binning.js';
