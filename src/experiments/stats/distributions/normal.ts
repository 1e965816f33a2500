import { regularizedGammaP, regularizedGammaQ } from '../internal/special-functions.js';

/**
 * Standard normal distribution. The CDF goes through the regularized incomplete gamma
 * function (Φ(z) = ½·Q(½, z²/2) for z < 0), which keeps full relative accuracy deep in the
 * tails; the quantile is Wichura's AS241 (PPND16, ~1e-16 relative), the same algorithm as
 * scipy's `ndtri` family and CPython's `statistics.NormalDist.inv_cdf`.
 */

const INV_SQRT_2PI = 0.3989422804014327;

/** Density φ(z). */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Φ(z) = P(Z ≤ z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const h = 0.5 * z * z;
  return z < 0 ? 0.5 * regularizedGammaQ(0.5, h) : 0.5 + 0.5 * regularizedGammaP(0.5, h);
}

/** 1 − Φ(z) = P(Z > z), accurate in the upper tail. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** Φ⁻¹(p): Wichura, "Algorithm AS241: The Percentage Points of the Normal Distribution" (1988). */
export function normalPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    const num =
      (((((((2509.0809287301227 * r + 33430.57558358813) * r + 67265.7709270087) * r +
        45921.95393154987) *
        r +
        13731.69376550946) *
        r +
        1971.5909503065513) *
        r +
        133.14166789178438) *
        r +
        3.3871328727963665) *
      q;
    const den =
      ((((((5226.495278852854 * r + 28729.085735721943) * r + 39307.89580009271) * r +
        21213.794301586597) *
        r +
        5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
      1;
    return num / den;
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    const num =
      ((((((0.0007745450142783414 * r + 0.022723844989269184) * r + 0.2417807251774506) * r +
        1.2704582524523684) *
        r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
      1.4234371107496835;
    const den =
      ((((((1.0507500716444169e-9 * r + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) *
        r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
      1;
    x = num / den;
  } else {
    r -= 5;
    const num =
      ((((((2.0103343992922881e-7 * r + 0.000027115555687434876) * r + 0.0012426609473880784) * r +
        0.026532189526576124) *
        r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
      6.657904643501103;
    const den =
      ((((((2.0442631033899397e-15 * r + 1.421511758316446e-7) * r + 0.000018463183175100548) * r +
        0.0007868691311456133) *
        r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
      1;
    x = num / den;
  }
  return q < 0 ? -x : x;
}

/** Φ⁻¹(1 − q), accurate for small upper-tail probabilities q. */
export function normalIsf(q: number): number {
  return -normalPpf(q);
}
