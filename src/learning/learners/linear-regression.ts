import type { Features, RegressorLearner } from './learner.js';
import { checkFeatures, checkPositiveInt, checkTarget, checkWeight } from './internal/check.js';

export const RegressionLoss = { SQUARED: 'squared', HUBER: 'huber' } as const;
export type RegressionLoss = (typeof RegressionLoss)[keyof typeof RegressionLoss];
export type RegressionOptimizer = 'adagrad' | 'adam';

export interface LinearRegressionOptions {
  /** Length of the feature vector. Required. */
  readonly featureCount: number;
  /** `'squared'` (default) or `'huber'` (robust to outlying targets). */
  readonly loss?: RegressionLoss;
  /** Huber threshold, in standard deviations of the target; default 1.35 (as sklearn's HuberRegressor). */
  readonly huberDelta?: number;
  /** Default `'adagrad'`. */
  readonly optimizer?: RegressionOptimizer;
  /** Base step size; default 0.1 for AdaGrad, 0.001 for Adam. */
  readonly learningRate?: number;
  /** L2 penalty per sample (not applied to the intercept); default 1e-4. */
  readonly l2?: number;
}

export interface LinearRegressionJSON {
  readonly kind: 'linear-regression';
  readonly version: 1;
  readonly featureCount: number;
  readonly loss: RegressionLoss;
  readonly huberDelta: number;
  readonly optimizer: RegressionOptimizer;
  readonly learningRate: number;
  readonly l2: number;
  /** `featureCount` weights then the intercept, on the standardised target. */
  readonly weights: readonly number[];
  /** AdaGrad: sums of squared gradients; Adam: first then second moments. */
  readonly moments: readonly number[];
  readonly steps: number;
  /** Welford state of the target: count (weights), mean, sum of squared deviations. */
  readonly target: { readonly n: number; readonly mean: number; readonly m2: number };
  readonly samplesSeen: number;
}

const EPS = 1e-8;
const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Online linear regression by per-coordinate adaptive SGD (AdaGrad or Adam) with an L2
 * penalty. The target is standardised online (Welford) so the default step size works for
 * targets of any scale; predictions are mapped back to target units.
 */
export class LinearRegression implements RegressorLearner<LinearRegressionJSON> {
  readonly task = 'regression';
  readonly kind = 'linear-regression';
  readonly featureCount: number;
  private readonly loss: RegressionLoss;
  private readonly huberDelta: number;
  private readonly optimizer: RegressionOptimizer;
  private readonly learningRate: number;
  private readonly l2: number;
  private weights: Float64Array;
  private moments: Float64Array;
  private steps = 0;
  private tn = 0;
  private tMean = 0;
  private tM2 = 0;
  private seen = 0;

  constructor(options: LinearRegressionOptions) {
    checkPositiveInt(options.featureCount, 'featureCount');
    this.featureCount = options.featureCount;
    this.loss = options.loss ?? 'squared';
    this.huberDelta = options.huberDelta ?? 1.35;
    this.optimizer = options.optimizer ?? 'adagrad';
    this.learningRate = options.learningRate ?? (this.optimizer === 'adam' ? 0.001 : 0.1);
    this.l2 = options.l2 ?? 1e-4;
    this.weights = new Float64Array(this.featureCount + 1);
    this.moments = new Float64Array(this.weights.length * (this.optimizer === 'adam' ? 2 : 1));
  }

  get samplesSeen(): number {
    return this.seen;
  }

  partialFit(x: Features, y: number, weight = 1): void {
    checkFeatures(x, this.featureCount);
    checkWeight(weight);
    checkTarget(y);
    if (weight === 0) return;
    // Weighted Welford update of the target's mean and variance.
    this.tn += weight;
    const delta = y - this.tMean;
    this.tMean += (weight * delta) / this.tn;
    this.tM2 += weight * delta * (y - this.tMean);
    const scale = this.targetScale();
    const residual = this.raw(x) - (y - this.tMean) / scale;
    let err = residual;
    if (this.loss === 'huber' && Math.abs(residual) > this.huberDelta)
      err = Math.sign(residual) * this.huberDelta;
    err *= weight;
    this.steps++;
    const d = this.featureCount;
    for (let j = 0; j <= d; j++) {
      const g = j === d ? err : err * x[j]! + this.l2 * this.weights[j]!;
      this.weights[j]! -= this.step(j, g);
    }
    this.seen += weight;
  }

  predict(x: Features): number {
    checkFeatures(x, this.featureCount);
    return this.tMean + this.targetScale() * this.raw(x);
  }

  toJSON(): LinearRegressionJSON {
    return {
      kind: this.kind,
      version: 1,
      featureCount: this.featureCount,
      loss: this.loss,
      huberDelta: this.huberDelta,
      optimizer: this.optimizer,
      learningRate: this.learningRate,
      l2: this.l2,
      weights: Array.from(this.weights),
      moments: Array.from(this.moments),
      steps: this.steps,
      target: { n: this.tn, mean: this.tMean, m2: this.tM2 },
      samplesSeen: this.seen,
    };
  }

  static fromJSON(json: LinearRegressionJSON): LinearRegression {
    const m = new LinearRegression(json);
    m.weights.set(json.weights);
    m.moments.set(json.moments);
    m.steps = json.steps;
    m.tn = json.target.n;
    m.tMean = json.target.mean;
    m.tM2 = json.target.m2;
    m.seen = json.samplesSeen;
    return m;
  }

  private targetScale(): number {
    const sd = this.tn > 1 ? Math.sqrt(this.tM2 / this.tn) : 0;
    return sd > 0 ? sd : 1;
  }

  private raw(x: Features): number {
    const d = this.featureCount;
    let z = this.weights[d]!;
    for (let j = 0; j < d; j++) z += this.weights[j]! * x[j]!;
    return z;
  }

  private step(j: number, g: number): number {
    if (this.optimizer === 'adagrad') {
      this.moments[j]! += g * g;
      return (this.learningRate * g) / (Math.sqrt(this.moments[j]!) + EPS);
    }
    const n = this.weights.length;
    const m = (this.moments[j] = BETA1 * this.moments[j]! + (1 - BETA1) * g);
    const v = (this.moments[n + j] = BETA2 * this.moments[n + j]! + (1 - BETA2) * g * g);
    const mHat = m / (1 - BETA1 ** this.steps);
    const vHat = v / (1 - BETA2 ** this.steps);
    return (this.learningRate * mHat) / (Math.sqrt(vHat) + EPS);
  }
}

/**
 * @example
 * const model = createLinearRegression({ featureCount: 3, loss: 'huber' });
 * model.partialFit([1, 0, 2], 42);
 * model.predict([1, 0, 2]);
 */
export const createLinearRegression = (options: LinearRegressionOptions): LinearRegression =>
  new LinearRegression(options);
