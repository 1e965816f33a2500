/**
 * Online learners, the feature pipeline and model files. Learners are pure in-memory state
 * (no I/O), so the main thread or a worker pool can host them; only `loadOnnxModel` reads a file.
 */
export { asAsyncPredictor } from './learner.js';
export type {
  AsyncPredictor,
  ClassifierLearner,
  ClassPredictor,
  Features,
  Label,
  Learner,
  Predictor,
  RegressorLearner,
  Task,
  ValuePredictor,
} from './learner.js';
export { ModelInvalidError, isModelInvalidError } from './model-invalid-error.js';
export { LabelEncoder } from './label-encoder.js';
export { LogisticRegression, createLogisticRegression } from './logistic-regression.js';
export type { LogisticRegressionJSON, LogisticRegressionOptions } from './logistic-regression.js';
export { LinearRegression, RegressionLoss, createLinearRegression } from './linear-regression.js';
export type {
  LinearRegressionJSON,
  LinearRegressionOptions,
  RegressionOptimizer,
} from './linear-regression.js';
export { HoeffdingTree, LeafPrediction, createHoeffdingTree } from './hoeffding-tree.js';
export type { HoeffdingTreeJSON, HoeffdingTreeOptions } from './hoeffding-tree.js';
export { OzaBagging, createOzaBagging } from './oza-bagging.js';
export type { OzaBaggingJSON, OzaBaggingOptions } from './oza-bagging.js';
export { learnerFromJSON, isClassifierLearner, isRegressorLearner } from './learner-json.js';
export type { AnyLearner, LearnerJSON } from './learner-json.js';
export { FeatureType, resolveFeatureSpec, specHash } from '../../decisions/index.js';
export type { FeatureField, FeatureSpec, ResolvedField } from '../../decisions/index.js';
export { FeatureEncoder, createFeatureEncoder } from './feature-encoder.js';
export type { FeatureEncoderJSON } from './feature-encoder.js';
export { OnnxModel, loadOnnxModel } from './onnx-model.js';
export { ONNX_RUNTIME_PACKAGE, loadOnnxRuntime } from './onnx-runtime.js';
export type { OnnxModelOptions } from './onnx-model.js';
