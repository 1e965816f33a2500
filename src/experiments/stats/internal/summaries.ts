import type { SampleSummary } from '../types.js';

/** Mean and sample variance (ddof = 1) by Welford's algorithm. */
export function summarize(values: readonly number[]): SampleSummary {
  let mean = 0;
  let m2 = 0;
  let n = 0;
  for (const v of values) {
    n += 1;
    const delta = v - mean;
    mean += delta / n;
    m2 += delta * (v - mean);
  }
  return { mean, variance: n > 1 ? m2 / (n - 1) : 0, count: n };
}

/** Accepts either a summary or raw samples. */
export function toSummary(input: SampleSummary | readonly number[]): SampleSummary {
  return Array.isArray(input) ? summarize(input as readonly number[]) : (input as SampleSummary);
}

/** Welch–Satterthwaite standard error and degrees of freedom of mean(B) − mean(A). */
export function welchParts(a: SampleSummary, b: SampleSummary): { standardError: number; degreesOfFreedom: number } {
  const va = a.variance / a.count;
  const vb = b.variance / b.count;
  const se2 = va + vb;
  const denominator = (va * va) / (a.count - 1) + (vb * vb) / (b.count - 1);
  const degreesOfFreedom = denominator > 0 ? (se2 * se2) / denominator : a.count + b.count - 2;
  return { standardError: Math.sqrt(se2), degreesOfFreedom };
}

/**
 * Delta-method variance of the relative lift mean(B)/mean(A) − 1, given the variances of the
 * two estimated means: Var ≈ Var(B̂)/A² + B²·Var(Â)/A⁴.
 */
export function relativeLiftVariance(meanA: number, meanB: number, varMeanA: number, varMeanB: number): number {
  const a2 = meanA * meanA;
  return varMeanB / a2 + (meanB * meanB * varMeanA) / (a2 * a2);
}
