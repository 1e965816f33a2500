import { ValidationError } from '../../../core/index.js';
import type { Features } from '../learner.js';

/** Rejects a feature vector of the wrong length or with non-finite values. */
export function checkFeatures(x: Features, featureCount: number): void {
  if (x.length !== featureCount) {
    throw new ValidationError(`expected ${featureCount} features, got ${x.length}`, [
      { path: 'x', message: `length must be ${featureCount}` },
    ]);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new ValidationError(`feature ${i} is not a finite number`, [
        { path: `x.${i}`, message: 'must be finite' },
      ]);
    }
  }
}

/** A class label must be a string or a finite number. */
export function checkLabel(y: unknown): void {
  if (typeof y === 'string' || (typeof y === 'number' && Number.isFinite(y))) return;
  throw new ValidationError('label must be a string or a finite number', [
    { path: 'y', message: `got ${String(y)}` },
  ]);
}

/** A regression target must be a finite number. */
export function checkTarget(y: unknown): void {
  if (typeof y === 'number' && Number.isFinite(y)) return;
  throw new ValidationError('target must be a finite number', [{ path: 'y', message: `got ${String(y)}` }]);
}

export function checkWeight(weight: number): void {
  if (!(weight >= 0) || !Number.isFinite(weight)) {
    throw new ValidationError('weight must be a finite number >= 0', [
      { path: 'weight', message: `got ${weight}` },
    ]);
  }
}

export function checkPositiveInt(value: number, path: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${path} must be a positive integer`, [{ path, message: `got ${value}` }]);
  }
}

/** Numerically stable softmax of `z` into `out` (in place allowed). */
export function softmaxInto(z: Float64Array, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < z.length; i++) out[i]! /= sum;
  return out;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
