/** Small numeric helpers shared by the estimators (not exported from the folder). */

/** Σ xs with Neumaier's compensated summation. */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

export function mean(xs: ArrayLike<number>): number {
  return sum(xs) / xs.length;
}

/** Sample variance (ddof = 1) around a known mean `m`; NaN with fewer than 2 values. */
export function sampleVariance(xs: ArrayLike<number>, m: number): number {
  if (xs.length < 2) return Number.NaN;
  const sq = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) sq[i] = ((xs[i] as number) - m) ** 2;
  return sum(sq) / (xs.length - 1);
}

/** Mean of per-record terms and its standard error sd(ddof 1)/√n (Infinity for n = 1). */
export function meanWithStdErr(terms: ArrayLike<number>): { estimate: number; stdErr: number } {
  const estimate = mean(terms);
  const n = terms.length;
  const stdErr = n < 2 ? Number.POSITIVE_INFINITY : Math.sqrt(sampleVariance(terms, estimate) / n);
  return { estimate, stdErr };
}

/** Quantile of ascending-sorted values with linear interpolation (numpy's default, Hyndman–Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}
