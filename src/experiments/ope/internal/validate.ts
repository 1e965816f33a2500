/**
 * Input checks shared by every OPE function. Each failure is a `RangeError` naming the
 * function, the record and the field, e.g. `doublyRobust: samples[3].propensity must be in (0, 1], got 0`.
 */
import type { OpeSample } from '../types.js';

/** How far Σ target may be from 1. */
export const TARGET_SUM_TOLERANCE = 1e-6;

const show = (x: unknown): string => (Array.isArray(x) ? `an array of length ${x.length}` : String(x));

/**
 * Checks `samples` and returns the number of actions K (the common length of `target`).
 * With `requireRewardHat`, every record must carry a `rewardHat` of length K.
 */
export function checkSamples(samples: readonly OpeSample[], who: string, requireRewardHat = false): number {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new RangeError(`${who}: samples must be a non-empty array`);
  }
  const first = samples[0] as OpeSample;
  const k = Array.isArray(first.target) ? first.target.length : 0;
  if (k === 0) throw new RangeError(`${who}: samples[0].target must be a non-empty probability vector`);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as OpeSample;
    const at = `${who}: samples[${i}]`;
    if (typeof s.propensity !== 'number' || !(s.propensity > 0 && s.propensity <= 1)) {
      throw new RangeError(`${at}.propensity must be in (0, 1], got ${show(s.propensity)}`);
    }
    if (typeof s.reward !== 'number' || !Number.isFinite(s.reward)) {
      throw new RangeError(`${at}.reward must be a finite number, got ${show(s.reward)}`);
    }
    if (!Array.isArray(s.target) || s.target.length !== k) {
      throw new RangeError(
        `${at}.target must have length ${k} (the length of samples[0].target), got ${show(s.target)}`,
      );
    }
    if (!Number.isInteger(s.action) || s.action < 0 || s.action >= k) {
      throw new RangeError(`${at}.action must be an integer in [0, ${k}), got ${show(s.action)}`);
    }
    let total = 0;
    for (let a = 0; a < k; a++) {
      const p = s.target[a];
      if (typeof p !== 'number' || !(p >= 0 && p <= 1))
        throw new RangeError(`${at}.target[${a}] must be a probability in [0, 1], got ${show(p)}`);
      total += p;
    }
    if (Math.abs(total - 1) > TARGET_SUM_TOLERANCE) {
      throw new RangeError(`${at}.target must sum to 1 (±${TARGET_SUM_TOLERANCE}), sums to ${total}`);
    }
    if (s.rewardHat === undefined) {
      if (requireRewardHat)
        throw new RangeError(`${at}.rewardHat is required (a reward prediction per action)`);
      continue;
    }
    if (!Array.isArray(s.rewardHat) || s.rewardHat.length !== k) {
      throw new RangeError(
        `${at}.rewardHat must have length ${k} (one prediction per action), got ${show(s.rewardHat)}`,
      );
    }
    for (let a = 0; a < k; a++) {
      const q = s.rewardHat[a];
      if (typeof q !== 'number' || !Number.isFinite(q)) {
        throw new RangeError(`${at}.rewardHat[${a}] must be a finite number, got ${show(q)}`);
      }
    }
  }
  return k;
}

/** `alpha` must be in (0, 1). */
export function checkAlpha(alpha: number, who: string): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${who}: alpha must be in (0, 1), got ${show(alpha)}`);
}

/** A threshold (λ, τ) must be ≥ 0; Infinity is allowed. */
export function checkThreshold(value: number, name: string, who: string): void {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new RangeError(`${who}: ${name} must be a number >= 0 (Infinity allowed), got ${show(value)}`);
  }
}
