import { ValidationError } from '../../core/index.js';
import { assertSameLength, uniqueLabels, type Label } from './internal/labels.js';

export interface BinaryScoreOptions {
  /** The positive class; default the greater of the two labels (sklearn's convention, e.g. `1` for {0, 1}). */
  readonly posLabel?: Label;
}

export interface MultiClassProbaOptions {
  /** Column order of the probability rows; default the sorted distinct labels of `yTrue`. */
  readonly labels?: readonly Label[];
}

/** float64 machine epsilon: sklearn's `log_loss(eps='auto')` clip. */
const EPS = 2.220446049250313e-16;

function positiveLabel(yTrue: readonly Label[], posLabel: Label | undefined): Label {
  const labels = uniqueLabels(yTrue);
  if (posLabel !== undefined) return posLabel;
  if (labels.length > 2) {
    throw new ValidationError(`a binary metric got ${labels.length} labels`, [
      { path: 'yTrue', message: 'at most two labels' },
    ]);
  }
  return labels[labels.length - 1]!;
}

/** Area under the ROC curve for 0/1 targets: Mann-Whitney U with average ranks for ties. */
function binaryAuc(isPos: (i: number) => boolean, scores: (i: number) => number, n: number): number {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores(a) - scores(b));
  let nPos = 0;
  let rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores(order[end + 1]!) === scores(order[start]!)) end++;
    const avgRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (isPos(order[k]!)) {
        nPos++;
        rankSum += avgRank;
      }
    }
    start = end + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new ValidationError('ROC AUC is undefined when only one class is present in yTrue', [
      { path: 'yTrue', message: 'needs both classes' },
    ]);
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Binary ROC AUC, as sklearn's `roc_auc_score(y_true, y_score)`.
 * @example rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAuc(
  yTrue: readonly Label[],
  scores: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): number {
  assertSameLength(yTrue, scores, ['yTrue', 'scores']);
  const pos = positiveLabel(yTrue, options.posLabel);
  return binaryAuc(
    (i) => yTrue[i] === pos,
    (i) => scores[i]!,
    yTrue.length,
  );
}

/** One-vs-rest macro ROC AUC: sklearn's `roc_auc_score(..., multi_class='ovr', average='macro')`. */
export function rocAucOvr(
  yTrue: readonly Label[],
  proba: readonly ArrayLike<number>[],
  options: MultiClassProbaOptions = {},
): number {
  assertSameLength(yTrue, proba, ['yTrue', 'proba']);
  const labels = options.labels ?? uniqueLabels(yTrue);
  let sum = 0;
  for (let c = 0; c < labels.length; c++) {
    sum += binaryAuc(
      (i) => yTrue[i] === labels[c],
      (i) => proba[i]![c]!,
      yTrue.length,
    );
  }
  return sum / labels.length;
}

/**
 * Mean negative log-likelihood, as sklearn's `log_loss`: probabilities are clipped to
 * [eps, 1 − eps] and each row renormalised. `proba` is either P(positive) per sample
 * (binary; positive = greater label) or one row per sample in `labels` order.
 * @example logLoss(['a', 'b'], [[0.9, 0.1], [0.2, 0.8]]) // (−ln 0.9 − ln 0.8) / 2
 */
export function logLoss(
  yTrue: readonly Label[],
  proba: ArrayLike<number> | readonly ArrayLike<number>[],
  options: MultiClassProbaOptions = {},
): number {
  assertSameLength(yTrue, proba, ['yTrue', 'proba']);
  const labels = options.labels ?? uniqueLabels(yTrue);
  const index = new Map(labels.map((l, i) => [l, i] as const));
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const k = index.get(yTrue[i]!);
    if (k === undefined) {
      throw new ValidationError(`label ${String(yTrue[i])} is not among the probability columns`, [
        { path: `yTrue.${i}`, message: 'unknown label' },
      ]);
    }
    const row = proba[i]!;
    let pTrue: number;
    let sum: number;
    if (typeof row === 'number') {
      if (labels.length > 2)
        throw new ValidationError('1-D probabilities need two labels', [
          { path: 'proba', message: 'pass one row per sample' },
        ]);
      const p1 = clip(row);
      const p0 = clip(1 - row);
      pTrue = k === labels.length - 1 ? p1 : p0;
      sum = p0 + p1;
    } else {
      if (row.length !== labels.length) {
        throw new ValidationError(`row ${i} has ${row.length} probabilities for ${labels.length} labels`, [
          { path: `proba.${i}`, message: `expected length ${labels.length}` },
        ]);
      }
      sum = 0;
      for (let c = 0; c < row.length; c++) sum += clip(row[c]!);
      pTrue = clip(row[k]!);
    }
    total -= Math.log(pTrue / sum);
  }
  return total / yTrue.length;
}

const clip = (p: number): number => Math.min(1 - EPS, Math.max(EPS, p));

/**
 * Brier score for a binary target: mean squared difference between P(positive) and the
 * 0/1 outcome, as sklearn's `brier_score_loss`.
 */
export function brierScore(
  yTrue: readonly Label[],
  probPos: ArrayLike<number>,
  options: BinaryScoreOptions = {},
): number {
  assertSameLength(yTrue, probPos, ['yTrue', 'probPos']);
  const pos = positiveLabel(yTrue, options.posLabel);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = (yTrue[i] === pos ? 1 : 0) - probPos[i]!;
    total += d * d;
  }
  return total / yTrue.length;
}
