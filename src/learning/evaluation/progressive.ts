import { ValidationError } from '../../core/index.js';
import { accuracy, f1, scoreFromCounts } from './classification.js';
import type { Label } from './internal/labels.js';
import { mae, mape, r2, r2FromSums, rmse } from './regression.js';

export interface ProgressiveEvaluatorOptions {
  /** Size of the rolling window, in samples; default 1000. */
  readonly window?: number;
  /** Resume from a state saved by `toJSON()` (a checkpoint), e.g. after a restart. */
  readonly state?: ProgressiveState;
}

/**
 * The whole state of an evaluator (window samples and cumulative sums), plain JSON: restoring
 * it (`options.state`) gives an evaluator whose later scores equal the uninterrupted one's.
 */
export type ProgressiveState =
  | {
      readonly task: 'classification';
      /** Window samples, oldest first: [prediction, truth, nll | null]. */
      readonly window: readonly (readonly [Label, Label, number | null])[];
      /** Cumulative per-label [tp, predicted, actual]. */
      readonly counts: readonly (readonly [Label, number, number, number])[];
      readonly sums: readonly [n: number, hits: number, nllSum: number, nllCount: number];
    }
  | {
      readonly task: 'regression';
      readonly window: readonly (readonly [number, number])[];
      readonly sums: readonly [n: number, absSum: number, sqSum: number, apeSum: number, mean: number, m2: number];
    };

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
  toJSON(): ProgressiveState;
}

export interface RegressionEvaluator {
  readonly task: 'regression';
  update(prediction: number, truth: number): void;
  snapshot(): ProgressiveSnapshot<RegressionScores>;
  reset(): void;
  toJSON(): ProgressiveState;
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
  if (options.state && options.state.task !== task) {
    throw new ValidationError('evaluator state is for another task', [{ path: 'state.task', message: `expected ${task}` }]);
  }
  return task === 'classification'
    ? classificationEvaluator(size, options.state as Extract<ProgressiveState, { task: 'classification' }> | undefined)
    : regressionEvaluator(size, options.state as Extract<ProgressiveState, { task: 'regression' }> | undefined);
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
  /** Items oldest first. */
  ordered(): T[] {
    return this.items.length < this.size ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
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

function classificationEvaluator(size: number, state?: Extract<ProgressiveState, { task: 'classification' }>): ClassificationEvaluator {
  const ring = new Ring<ClassSample>(size);
  // Cumulative per-label counts: [tp, predicted, actual].
  let counts = new Map<Label, [number, number, number]>();
  let n = 0;
  let hits = 0;
  let nllSum = 0;
  let nllCount = 0;
  if (state) {
    for (const [prediction, truth, nll] of state.window.slice(-size)) ring.push({ prediction, truth, nll: nll ?? undefined });
    counts = new Map(state.counts.map(([l, tp, p, a]) => [l, [tp, p, a]]));
    [n, hits, nllSum, nllCount] = state.sums;
  }
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
    toJSON() {
      return {
        task: 'classification',
        window: ring.ordered().map((s) => [s.prediction, s.truth, s.nll ?? null] as const),
        counts: [...counts].map(([l, c]) => [l, c[0], c[1], c[2]] as const),
        sums: [n, hits, nllSum, nllCount],
      };
    },
  };
}

function regressionEvaluator(size: number, state?: Extract<ProgressiveState, { task: 'regression' }>): RegressionEvaluator {
  const ring = new Ring<readonly [number, number]>(size);
  let n = 0;
  let absSum = 0;
  let sqSum = 0;
  let apeSum = 0;
  // Welford running mean and sum of squares of the truth, for a stable cumulative R².
  let mean = 0;
  let m2 = 0;
  if (state) {
    for (const [p, t] of state.window.slice(-size)) ring.push([p, t]);
    [n, absSum, sqSum, apeSum, mean, m2] = state.sums;
  }
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
    toJSON() {
      return { task: 'regression', window: ring.ordered().map(([p, t]) => [p, t] as const), sums: [n, absSum, sqSum, apeSum, mean, m2] };
    },
  };
}
