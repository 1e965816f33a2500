/**
 * Exact two-sided p-value of the two-sample KS statistic, ported from scipy.stats
 * (`_compute_prob_outside_square`, `_compute_outer_prob_inside_method`,
 * `_attempt_exact_2kssamp`). Lattice-path counting (Hodges 1958) with a normalised
 * recurrence so that no binomial coefficient overflows.
 */

/** Pr(D_{n,n} ≥ h/n) for equal sample sizes. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm,
 * computed directly (not as 1 − Pr(inside)) so that tiny p-values keep their relative
 * precision, as scipy ≥ 1.8 does. q(x, y) = Pr(a random path to (x, y) has left the band)
 * obeys q(x, y) = (x·q(x−1, y) + y·q(x, y−1)) / (x + y), is 1 outside the band and 0 on the
 * first column inside it: a convex combination, so no cancellation.
 */
function outerProbOutside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  // Every cell outside the current window holds 1 (a path there has left the band).
  let prev = new Float64Array(n + 1).fill(1);
  let cur = new Float64Array(n + 1).fill(1);
  let lastMin = 0;
  let lastMax = Math.min(Math.ceil(h / mg), n + 1);
  prev.fill(0, 0, lastMax);
  // Multiplying by a tabled reciprocal instead of dividing halves the cost of this serial
  // loop; the extra rounding (≤ 1 ulp per step) stays many orders below 1e-6 relative.
  const inv = new Float64Array(m + n + 1);
  for (let k = 1; k <= m + n; k++) inv[k] = 1 / k;
  for (let i = 1; i <= m; i++) {
    const minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    const maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let j = minj; j < maxj; j++) {
      val = (prev[j]! * i + val * j) * inv[i + j]!;
      cur[j] = val;
    }
    prev.fill(1, lastMin, lastMax);
    [prev, cur] = [cur, prev];
    lastMin = minj;
    lastMax = maxj;
  }
  return n < lastMax && n >= lastMin ? prev[n]! : 1;
}

const gcd = (a: number, b: number): number => {
  while (b) [a, b] = [b, a % b];
  return a;
};

/** numpy's round-half-to-even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * scipy's `_attempt_exact_2kssamp` for the two-sided alternative: the statistic is snapped
 * to the lattice (h / lcm) and the probability computed exactly. `ok` is false when the
 * computation left [0, 1] (scipy then falls back to the asymptotic distribution).
 */
export function exactTwoSampleKs(n1: number, n2: number, d: number): { ok: boolean; d: number; p: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dSnapped = h / lcm;
  if (h === 0) return { ok: true, d: dSnapped, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbOutside(n1, n2, g, h);
  const ok = Number.isFinite(p) && p >= 0 && p <= 1;
  return { ok, d: dSnapped, p };
}

export { gcd };
