/**
 * Exact one-sided Smirnov survival function Pr(D_n^+ ≥ x) (scipy.special.smirnov), by the
 * Birnbaum–Tingey sum
 *   x · Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (1 − x − j/n)^(n−j) (x + j/n)^(j−1).
 * Every term is positive, so summing in log space is accurate; the log binomial is
 * accumulated term by term.
 */
export function smirnovSf(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (n === 1) return 1 - x;
  const last = Math.floor(n * (1 - x) + 1e-12 * n);
  let logBinom = 0;
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinom += Math.log((n - j + 1) / j);
    const a = 1 - x - j / n;
    if (a <= 0) continue;
    const b = x + j / n;
    sum += Math.exp(logBinom + (n - j) * Math.log(a) + (j - 1) * Math.log(b));
  }
  return Math.min(1, Math.max(0, x * sum));
}
