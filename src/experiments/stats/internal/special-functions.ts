/**
 * Special functions behind every distribution in `src/stats`: log-gamma, log-beta, and the
 * regularized incomplete gamma and beta functions.
 *
 * Why hand-written: no small, well-kept JavaScript library reaches scipy's accuracy here.
 * jStat (the usual choice) follows Numerical Recipes 2nd ed. with a loose convergence
 * tolerance and a fixed cap on continued-fraction terms, and a Lanczos log-gamma, so it falls
 * short of 1e-9 in the tails and at large parameters (not re-measured here); `@stdlib` is
 * accurate but pulls in hundreds of packages. These routines follow Numerical Recipes
 * (3rd ed., §6.1–6.4) with two changes for accuracy: log-gamma uses the Stirling series after
 * shifting the argument to ≥ 10, and log-beta / the beta prefactor are written with `log1p`
 * so large parameters do not cancel.
 *
 * Measured against mpmath (see testing/reference.json): Φ and χ² within ~1e-14 relative,
 * Student t within ~1e-12 for df ≤ 1e6. Above that the beta continued fraction loses about
 * df·1e-16 relative (3e-9 at df = 1e8), still far inside the 1e-6 promise.
 */

const HALF_LN_2PI = 0.9189385332046728;
const EPS = 1e-16;
const FPMIN = 1e-300;
const MAX_ITERATIONS = 1_000_000;

/** lnΓ(x) − Stirling's leading terms, for x ≥ 10 (error below 1e-17). */
function stirlingCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (
    (1 / 12 +
      x2 * (-1 / 360 + x2 * (1 / 1260 + x2 * (-1 / 1680 + x2 * (1 / 1188 + x2 * (-691 / 360360 + x2 / 156)))))) /
    x
  );
}

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 1;
  let y = x;
  while (y < 10) {
    shift *= y;
    y += 1;
  }
  const large = (y - 0.5) * Math.log(y) - y + HALF_LN_2PI + stirlingCorrection(y);
  return shift === 1 ? large : large - Math.log(shift);
}

/** ln B(a, b) for a, b > 0, written to avoid cancellation when either argument is large. */
export function lnBeta(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo >= 10) {
    return (
      HALF_LN_2PI +
      lo * Math.log(lo / (lo + hi)) -
      0.5 * Math.log(lo) -
      (hi - 0.5) * Math.log1p(lo / hi) +
      stirlingCorrection(lo) +
      stirlingCorrection(hi) -
      stirlingCorrection(lo + hi)
    );
  }
  if (hi >= 10) {
    return (
      lnGamma(lo) -
      (hi - 0.5) * Math.log1p(lo / hi) -
      lo * Math.log(hi + lo) +
      lo +
      stirlingCorrection(hi) -
      stirlingCorrection(hi + lo)
    );
  }
  return lnGamma(lo) + lnGamma(hi) - lnGamma(lo + hi);
}

/** e^{-x} x^a / Γ(a): the common prefactor of P(a, x) and Q(a, x). */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - lnGamma(a));
}

/** Series for P(a, x), good for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Continued fraction (modified Lentz) for Q(a, x), good for x ≥ a + 1. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return gammaPrefactor(a, x) * h;
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0) return Number.NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the upper tail. */
export function regularizedGammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/**
 * Continued fraction for I_x(a, b) (modified Lentz, NR `betacf`). `y = 1 − x` is passed in so
 * the first denominator, 1 − (a+b)x/(a+1), is formed without cancellation when x ≈ 1.
 */
function betaContinuedFraction(a: number, b: number, x: number, y: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = (1 - b + qab * y) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** ln(x^a y^b / B(a, b)) with x + y = 1, each logarithm taken from the more accurate side. */
function lnBetaPrefactor(a: number, b: number, x: number, y: number): number {
  const lnX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  return a * lnX + b * lnY - lnBeta(a, b);
}

/**
 * Regularized incomplete beta I_x(a, b). Pass `y = 1 − x` when it is known more precisely
 * than `1 − x` (e.g. `t²/(df + t²)`); it defaults to `1 − x`.
 */
export function regularizedBeta(x: number, a: number, b: number, y: number = 1 - x): number {
  if (Number.isNaN(x) || Number.isNaN(y) || !(a > 0) || !(b > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  if (x < (a + 1) / (a + b + 2)) {
    return (Math.exp(lnBetaPrefactor(a, b, x, y)) * betaContinuedFraction(a, b, x, y)) / a;
  }
  return 1 - (Math.exp(lnBetaPrefactor(a, b, x, y)) * betaContinuedFraction(b, a, y, x)) / b;
}

/** 1 − I_x(a, b) = I_{1−x}(b, a), accurate when it is small. */
export function regularizedBetaComplement(x: number, a: number, b: number, y: number = 1 - x): number {
  return regularizedBeta(y, b, a, x);
}
