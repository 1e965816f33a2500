/*
 * Coefficients of Wichura's AS241 (PPND16), highest degree first, at double precision
 * (the published 20-digit values rounded to the nearest double).
 */
const CENTRAL_NUM = [
  2509.0809287301227, 33430.57558358813, 67265.7709270087, 45921.95393154987, 13731.69376550946,
  1971.5909503065513, 133.14166789178438, 3.3871328727963665,
];
const CENTRAL_DEN = [
  5226.495278852854, 28729.085735721943, 39307.89580009271, 21213.794301586597, 5394.196021424751,
  687.1870074920579, 42.31333070160091, 1,
];
const NEAR_NUM = [
  0.0007745450142783414, 0.022723844989269184, 0.2417807251774506, 1.2704582524523684, 3.6478483247632045,
  5.769497221460691, 4.630337846156546, 1.4234371107496835,
];
const NEAR_DEN = [
  1.0507500716444169e-9, 0.0005475938084995345, 0.015198666563616457, 0.14810397642748008, 0.6897673349851,
  1.6763848301838038, 2.053191626637759, 1,
];
const TAIL_NUM = [
  2.0103343992922881e-7, 0.000027115555687434876, 0.0012426609473880784, 0.026532189526576124,
  0.29656057182850487, 1.7848265399172913, 5.463784911164114, 6.657904643501103,
];
const TAIL_DEN = [
  2.0442631033899397e-15, 1.421511758316446e-7, 0.000018463183175100548, 0.0007868691311456133,
  0.014875361290850615, 0.1369298809227358, 0.599832206555888, 1,
];

/** Σ cᵢ x^(n−1−i) by Horner's rule. */
function horner(coefficients: readonly number[], x: number): number {
  let acc = 0;
  for (const c of coefficients) acc = acc * x + c;
  return acc;
}

/**
 * Quantile function Φ⁻¹(p) of the standard normal distribution, by Wichura's algorithm AS241
 * (PPND16, 1988), accurate to about 1e-16 relative — the same rational approximations as
 * Python's `statistics.NormalDist.inv_cdf`. Returns ∓Infinity at p = 0 and 1.
 *
 * @throws RangeError if p is not in [0, 1].
 * @example
 * normalQuantile(0.975); // 1.9599639845400536
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${String(p)}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(CENTRAL_NUM, r)) / horner(CENTRAL_DEN, r);
  }
  const r = Math.sqrt(-Math.log(q <= 0 ? p : 1 - p));
  const x =
    r <= 5
      ? horner(NEAR_NUM, r - 1.6) / horner(NEAR_DEN, r - 1.6)
      : horner(TAIL_NUM, r - 5) / horner(TAIL_DEN, r - 5);
  return q < 0 ? -x : x;
}
