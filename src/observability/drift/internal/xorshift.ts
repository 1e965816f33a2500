/** xorshift32 (Marsaglia 2003): a tiny seeded 32-bit generator; integer ops only, so Python can reproduce it. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
