import { lnBeta, regularizedBeta } from '../internal/special-functions.js';
import { normalCdf, normalPdf, normalPpf } from './normal.js';

/**
 * Student's t distribution via the regularized incomplete beta function:
 * P(T > t) = ½·I_{df/(df+t²)}(df/2, ½) for t > 0. `df` may be fractional (Welch) and
 * `Infinity` (the normal limit).
 */

/** Density of t with `df` degrees of freedom. */
export function studentTPdf(t: number, df: number): number {
  if (df === Infinity) return normalPdf(t);
  return Math.exp(-lnBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** Upper tail P(T > |t|) for one side, computed without cancellation. */
function upperTail(absT: number, df: number): number {
  const t2 = absT * absT;
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return 0.5 * regularizedBeta(x, df / 2, 0.5, y);
}

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df === Infinity) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = upperTail(Math.abs(t), df);
  return t < 0 ? tail : 1 - tail;
}

/** P(T > t), accurate in the upper tail. */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

/**
 * Quantile of t: closed forms for df = 1 and 2, otherwise safeguarded Newton iteration on the
 * lower tail starting from a Cornish–Fisher expansion of the normal quantile.
 */
export function studentTPpf(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity) return normalPpf(p);
  const lower = Math.min(p, 1 - p);
  const sign = p < 0.5 ? 1 : -1; // result = sign * (negative root for the lower tail)
  const root = lowerTailQuantile(lower, df);
  return sign * root;
}

/** The t < 0 with P(T ≤ t) = q, for 0 < q < ½. */
function lowerTailQuantile(q: number, df: number): number {
  if (df === 1) return -1 / Math.tan(Math.PI * q);
  if (df === 2) return -(1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  const z = normalPpf(q);
  const z3 = z * z * z;
  const z5 = z3 * z * z;
  const z7 = z5 * z * z;
  let t = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df);
  if (!(t < 0) || !Number.isFinite(t)) t = z;
  // Bracket [lo, hi] with cdf(lo) ≤ q ≤ cdf(hi).
  let hi = 0;
  let lo = Math.min(1.25 * t, -1);
  while (studentTCdf(lo, df) > q) {
    hi = lo;
    lo *= 2;
    if (lo < -1e300) return -Infinity;
  }
  if (t <= lo || t >= hi) t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const f = studentTCdf(t, df) - q;
    if (f === 0) return t;
    if (f > 0) hi = t;
    else lo = t;
    let next = t - f / studentTPdf(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-14 * Math.abs(t)) return next;
    t = next;
  }
  return t;
}
