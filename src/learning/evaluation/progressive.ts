import { ValidationError } from '../../core/index.js';
import { accuracy, f1, scoreFromCounts } from './classification.js';
import type { Label } from './internal/labels.js';
import { mae, mape, r2, r2FromSums, rmse } from './regression.js';

export interface ProgressiveEvaluatorOptions {
  /** Size of the rolling window, in samples; default 1000. */
  readonly window?: number;
}

export interface ClassificationScores {
  readonly count: number;
  /** `null` until the first sample. */
  readonly accuracy: number | null;
  readonly macroF1: number | null;
  /** Mean −ln P(truth) over the samples that reported it; `null` if none did. */
  readonly logLoss: number | null;
}

export interface RegressionScores {
  readonly count: number;
  readonly mae: number | null;
  readonly rmse: number | null;
  readonly mape: number | null;
  readonly r2: number | null;
}

export interface ProgressiveSnapshot<S> {
  readonly cumulative: S;
  readonly window: S;
}

/** Predict-then-learn (progressive validation) scores for a classifier or the rules it shadows. */
export interface ClassificationEvaluator {
  readonly task: 'classification';
  /** Record one prediction and the truth it is judged against; `probaOfTruth` is P(truth) if known. */
  update(prediction: Label, truth: Label, probaOfTruth?: number): void;
  snapshot(): ProgressiveSnapshot<ClassificationScores>;
  reset(): void;
}

export interface RegressionEvaluator {
  readonly task: 'regression';
  update(prediction: number, truth: number): void;
  snapshot(): ProgressiveSnapshot<RegressionScores>;
  reset(): void;
}

const DEFAULT_WINDOW = 1000;
const EPS = 2.220446049250313e-16;

/**
 * A streaming evaluator with cumulative scores and scores over the last `window` samples.
 * Feed the model's and the rules' answers for the same outcomes into two evaluators to
 * compare them.
 * @example
 * const model = createProgressiveEvaluator('regression', { window: 500 });
 * model.update(12.5, 14);
 * model.snapshot().window.mae; // 1.5
 */
export function createProgressiveEvaluator(
  task: 'classification',
  options?: ProgressiveEvaluatorOptions,
): ClassificationEvaluator;
export function createProgressiveEvaluator(
  task: 'regression',
  options?: ProgressiveEvaluatorOptions,
): RegressionEvaluator;
export function createProgressiveEvaluator(
  task: 'classification' | 'regression',
  options: ProgressiveEvaluatorOptions = {},
): ClassificationEvaluator | RegressionEvaluator {
  const size = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(size) || size < 1) {
    throw new ValidationError('window must be a positive integer', [
      { path: 'window', message: `got ${size}` },
    ]);
  }
  return task === 'classification' ? classificationEvaluator(size) : regressionEvaluator(size);
}

/** A fixed-size ring of the last `size` items. */
class Ring<T> {
  private items: T[] = [];
  private next = 0;
  constructor(private readonly size: number) {}
  push(item: T): void {
    if (this.items.length < this.size) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }
  values(): readonly T[] {
    return this.items;
  }
  clear(): void {
    this.items = [];
    this.next = 0;
  }
}

interface ClassSample {
  readonly prediction: Label;
  readonly truth: Label;
  readonly nll: number | undefined;
}

const nllOf = (p: number | undefined): number | undefined =>
  p === undefined ? undefined : -Math.log(Math.min(1 - EPS, Math.max(EPS, p)));

function classificationEvaluator(size: number): ClassificationEvaluator {
  const ring = new Ring<ClassSample>(size);
  // Cumulative per-label counts: [tp, predicted, actual].
  let counts = new Map<Label, [number, number, number]>();
  let n = 0;
  let hits = 0;
  let nllSum = 0;
  let nllCount = 0;
  const bump = (label: Label, slot: 0 | 1 | 2): void => {
    let c = counts.get(label);
    if (c === undefined) counts.set(label, (c = [0, 0, 0]));
    c[slot]++;
  };
  return {
    task: 'classification',
    update(prediction, truth, probaOfTruth) {
      const nll = nllOf(probaOfTruth);
      ring.push({ prediction, truth, nll });
      n++;
      bump(prediction, 1);
      bump(truth, 2);
      if (prediction === truth) {
        hits++;
        bump(truth, 0);
      }
      if (nll !== undefined) {
        nllSum += nll;
        nllCount++;
      }
    },
    snapshot() {
      const labels = [...counts.keys()];
      const cumulative: ClassificationScores = {
        count: n,
        accuracy: n === 0 ? null : hits / n,
        macroF1:
          n === 0
            ? null
            : scoreFromCounts('f1', {
                labels,
                tp: labels.map((l) => counts.get(l)![0]),
                predicted: labels.map((l) => counts.get(l)![1]),
                actual: labels.map((l) => counts.get(l)![2]),
              }),
        logLoss: nllCount === 0 ? null : nllSum / nllCount,
      };
      const w = ring.values();
      const truths = w.map((s) => s.truth);
      const preds = w.map((s) => s.prediction);
      const nlls = w.flatMap((s) => (s.nll === undefined ? [] : [s.nll]));
      const window: ClassificationScores = {
        count: w.length,
        accuracy: w.length === 0 ? null : accuracy(truths, preds),
        macroF1: w.length === 0 ? null : f1(truths, preds, { average: 'macro' }),
        logLoss: nlls.length === 0 ? null : nlls.reduce((a, b) => a + b, 0) / nlls.length,
      };
      return { cumulative, window };
    },
    reset() {
      ring.clear();
      counts = new Map();
      n = hits = nllSum = nllCount = 0;
    },
  };
}

function regressionEvaluator(size: number): RegressionEvaluator {
  const ring = new Ring<readonly [number, number]>(size);
  let n = 0;
  let absSum = 0;
  let sqSum = 0;
  let apeSum = 0;
  // Welford running mean and sum of squares of the truth, for a stable cumulative R².
  let mean = 0;
  let m2 = 0;
  return {
    task: 'regression',
    update(prediction, truth) {
      ring.push([prediction, truth]);
      const e = truth - prediction;
      n++;
      absSum += Math.abs(e);
      sqSum += e * e;
      apeSum += Math.abs(e) / Math.max(Math.abs(truth), EPS);
      const d = truth - mean;
      mean += d / n;
      m2 += d * (truth - mean);
    },
    snapshot() {
      const cumulative: RegressionScores =
        n === 0
          ? { count: 0, mae: null, rmse: null, mape: null, r2: null }
          : {
              count: n,
              mae: absSum / n,
              rmse: Math.sqrt(sqSum / n),
              mape: apeSum / n,
              r2: r2FromSums(sqSum, m2),
            };
      const w = ring.values();
      const p = w.map((s) => s[0]);
      const t = w.map((s) => s[1]);
      const window: RegressionScores =
        w.length === 0
          ? { count: 0, mae: null, rmse: null, mape: null, r2: null }
          : { count: w.length, mae: mae(t, p), rmse: rmse(t, p), mape: mape(t, p), r2: r2(t, p) };
      return { cumulative, window };
    },
    reset() {
      ring.clear();
      n = absSum = sqSum = apeSum = mean = m2 = 0;
    },
  };
}
