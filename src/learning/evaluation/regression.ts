import { assertSameLength } from './internal/labels.js';

/** float64 machine epsilon: sklearn's MAPE guard against division by zero. */
const EPS = 2.220446049250313e-16;

/** Mean absolute error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/** Root mean squared error. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/**
 * Mean absolute percentage error as a fraction (0.1 = 10%), as sklearn's
 * `mean_absolute_percentage_error`: |y − ŷ| / max(|y|, eps).
 */
export function mape(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++)
    s += Math.abs(yTrue[i]! - yPred[i]!) / Math.max(Math.abs(yTrue[i]!), EPS);
  return s / yTrue.length;
}

/**
 * Coefficient of determination, as sklearn's `r2_score` (constant `yTrue`: 1 for a perfect
 * prediction, else 0).
 * @example r2([1, 2, 3], [1, 2, 3]) // 1
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength(yTrue, yPred, ['yTrue', 'yPred']);
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    ssRes += (yTrue[i]! - yPred[i]!) ** 2;
    ssTot += (yTrue[i]! - mean) ** 2;
  }
  return r2FromSums(ssRes, ssTot);
}

export function r2FromSums(ssRes: number, ssTot: number): number {
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
