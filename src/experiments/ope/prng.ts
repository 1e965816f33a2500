/**
 * mulberry32 (Tommy Ettinger, public domain): a tiny 32-bit seeded PRNG. Not cryptographic;
 * period 2³², plenty for bootstrap resampling and simulations, and identical on every platform.
 *
 * @param seed any integer (taken modulo 2³²).
 * @returns a function giving the next uniform number in [0, 1).
 * @throws RangeError if `seed` is not an integer.
 * @example
 * const next = mulberry32(42);
 * next(); // 0.6011037519201636, the same on every run
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isInteger(seed))
    throw new RangeError(`mulberry32: seed must be an integer, got ${String(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
