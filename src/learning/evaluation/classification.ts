import { ValidationError } from '../../core/index.js';
import { assertSameLength, uniqueLabels, type Label } from './internal/labels.js';

/** How per-class scores are combined, as in scikit-learn's `average` parameter. */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface ClassScoreOptions {
  /** Averaging; default `'macro'` (sklearn defaults to `'binary'`; we default to what works for any label set). */
  readonly average?: Average;
  /** Positive label for `average: 'binary'`; default `1`. */
  readonly posLabel?: Label;
}

/** Fraction of exact matches: `accuracy_score`. */
export function accuracy(yTrue: readonly Label[], yPred: readonly Label[]): number {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** Per-label true positives, predicted counts and true counts. */
export interface LabelCounts {
  readonly labels: readonly Label[];
  readonly tp: readonly number[];
  readonly predicted: readonly number[];
  readonly actual: readonly number[];
}

export function labelCounts(yTrue: readonly Label[], yPred: readonly Label[]): LabelCounts {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  const labels = uniqueLabels(yTrue, yPred);
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const tp = new Array<number>(labels.length).fill(0);
  const predicted = new Array<number>(labels.length).fill(0);
  const actual = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!)!;
    const p = index.get(yPred[i]!)!;
    actual[t]!++;
    predicted[p]!++;
    if (t === p) tp[t]!++;
  }
  return { labels, tp, predicted, actual };
}

type Which = 'precision' | 'recall' | 'f1';

// Division with sklearn's `zero_division=0`.
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function scoreOf(which: Which, tp: number, predicted: number, actual: number): number {
  if (which === 'precision') return ratio(tp, predicted);
  if (which === 'recall') return ratio(tp, actual);
  return ratio(2 * tp, predicted + actual); // F1 = 2tp / (2tp + fp + fn)
}

/** Scores from precomputed counts; used by the streaming evaluators too. */
export function scoreFromCounts(which: Which, c: LabelCounts, options: ClassScoreOptions = {}): number {
  const average = options.average ?? 'macro';
  switch (average) {
    case 'binary': {
      const pos = options.posLabel ?? 1;
      if (c.labels.length > 2) {
        throw new ValidationError(`average 'binary' needs at most two labels, got ${c.labels.length}`, [
          { path: 'average', message: "use 'macro', 'micro' or 'weighted'" },
        ]);
      }
      const i = c.labels.indexOf(pos);
      if (i < 0) {
        // sklearn: an absent positive label is an error only when two other labels are present.
        if (c.labels.length === 2) {
          throw new ValidationError(`posLabel ${String(pos)} is not a label`, [
            { path: 'posLabel', message: 'not present' },
          ]);
        }
        return 0;
      }
      return scoreOf(which, c.tp[i]!, c.predicted[i]!, c.actual[i]!);
    }
    case 'micro': {
      let tp = 0;
      let pr = 0;
      let ac = 0;
      for (let i = 0; i < c.labels.length; i++) {
        tp += c.tp[i]!;
        pr += c.predicted[i]!;
        ac += c.actual[i]!;
      }
      return scoreOf(which, tp, pr, ac);
    }
    case 'macro':
    case 'weighted': {
      let sum = 0;
      let weights = 0;
      for (let i = 0; i < c.labels.length; i++) {
        const w = average === 'macro' ? 1 : c.actual[i]!;
        sum += w * scoreOf(which, c.tp[i]!, c.predicted[i]!, c.actual[i]!);
        weights += w;
      }
      return ratio(sum, weights);
    }
  }
}

/**
 * Precision, as sklearn's `precision_score(..., zero_division=0)`.
 * @example precision([1, 0, 1], [1, 1, 1], { average: 'binary' }) // 2/3
 */
export function precision(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options?: ClassScoreOptions,
): number {
  return scoreFromCounts('precision', labelCounts(yTrue, yPred), options);
}

/** Recall, as sklearn's `recall_score(..., zero_division=0)`. */
export function recall(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options?: ClassScoreOptions,
): number {
  return scoreFromCounts('recall', labelCounts(yTrue, yPred), options);
}

/**
 * F1, as sklearn's `f1_score(..., zero_division=0)`.
 * @example f1(['a', 'b', 'b'], ['a', 'b', 'a']) // macro F1 = 2/3
 */
export function f1(yTrue: readonly Label[], yPred: readonly Label[], options?: ClassScoreOptions): number {
  return scoreFromCounts('f1', labelCounts(yTrue, yPred), options);
}
