/**
 * Evaluation metrics (exposed by the package as `metrics`): pure functions equal to
 * scikit-learn's, and streaming evaluators for progressive validation.
 */
export { accuracy, precision, recall, f1, labelCounts, scoreFromCounts } from './classification.js';
export type { Average, ClassScoreOptions, LabelCounts } from './classification.js';
export { rocAuc, rocAucOvr, logLoss, brierScore } from './probabilistic.js';
export type { BinaryScoreOptions, MultiClassProbaOptions } from './probabilistic.js';
export { mae, rmse, mape, r2 } from './regression.js';
export { createProgressiveEvaluator } from './progressive.js';
export type {
  ClassificationEvaluator,
  ClassificationScores,
  ProgressiveEvaluatorOptions,
  ProgressiveSnapshot,
  ProgressiveState,
  RegressionEvaluator,
  RegressionScores,
} from './progressive.js';
export type { Label } from './internal/labels.js';
