import type { Label } from '../evaluation/index.js';

export type { Label };

/** A feature vector: the `FeatureEncoder` output, or any numbers of the learner's `featureCount`. */
export type Features = Float64Array | readonly number[];

export type Task = 'classification' | 'regression';

/** Anything that answers for a feature vector, synchronously: every `Learner`. */
export interface Predictor<Y> {
  readonly task: Task;
  /** Which algorithm, e.g. `'logistic-regression'`; the discriminant of the model file. */
  readonly kind: string;
  readonly featureCount: number;
  predict(x: Features): Y;
}

export interface ClassPredictor extends Predictor<Label> {
  readonly task: 'classification';
  /** Known classes, in the order of `predictProba`'s output. */
  readonly classes: readonly Label[];
  /** One probability per entry of `classes`, summing to 1. */
  predictProba(x: Features): Float64Array;
}

export interface ValuePredictor extends Predictor<number> {
  readonly task: 'regression';
}

/**
 * An online learner: trained one sample at a time, serialisable, free of I/O so a worker
 * thread can host it. `weight` (default 1) is an importance weight; 0 skips the sample.
 */
export interface Learner<Y, J = unknown> extends Predictor<Y> {
  partialFit(x: Features, y: Y, weight?: number): void;
  /** Number of samples learned (sum of weights). */
  readonly samplesSeen: number;
  /** A plain-JSON model file, read back by `learnerFromJSON`. */
  toJSON(): J;
}

export type ClassifierLearner<J = unknown> = Learner<Label, J> & ClassPredictor;
export type RegressorLearner<J = unknown> = Learner<number, J> & ValuePredictor;

/**
 * The asynchronous face shared by in-process learners and ONNX models (whose runtime only
 * runs asynchronously). Lift a learner with `asAsyncPredictor`.
 */
export interface AsyncPredictor {
  readonly task: Task;
  readonly kind: string;
  readonly featureCount: number;
  /** Present for classifiers. */
  readonly classes?: readonly Label[];
  predict(x: Features): Promise<Label | number>;
  /** Present for classifiers. */
  predictProba?(x: Features): Promise<Float64Array>;
}

/**
 * Wrap a synchronous predictor so callers can treat learners and ONNX models alike.
 * @example
 * const p = asAsyncPredictor(createLogisticRegression({ featureCount: 3 }));
 * await p.predict([0.1, 2, 0]);
 */
export function asAsyncPredictor(p: ClassPredictor | ValuePredictor): AsyncPredictor {
  if (p.task === 'classification') {
    return {
      task: p.task,
      kind: p.kind,
      featureCount: p.featureCount,
      get classes() {
        return p.classes;
      },
      predict: async (x) => p.predict(x),
      predictProba: async (x) => p.predictProba(x),
    };
  }
  return { task: p.task, kind: p.kind, featureCount: p.featureCount, predict: async (x) => p.predict(x) };
}
