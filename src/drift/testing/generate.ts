/**
 * Deterministic sample generator shared with scripts/reference/drift_reference.py: an
 * xorshift32 stream (integer ops only) so that Python and JavaScript produce bit-identical
 * samples without storing large arrays in reference.json.
 */
export interface GenSpec {
  readonly n: number;
  readonly seed: number;
  readonly loc: number;
  readonly scale: number;
  /** Round down to this many decimals (creates ties); omit for none. */
  readonly decimals?: number;
}

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

/** loc + scale · (u1 + u2 + u3 − 1.5) · 2 with u from xorshift32 / 2^32 (roughly normal, sd ≈ scale). */
export function generate(spec: GenSpec): number[] {
  const next = xorshift32(spec.seed);
  const out: number[] = [];
  const f = spec.decimals === undefined ? 0 : 10 ** spec.decimals;
  for (let i = 0; i < spec.n; i++) {
    const u = next() / 4294967296 + next() / 4294967296 + next() / 4294967296;
    let x = spec.loc + spec.scale * (u - 1.5) * 2;
    if (f) x = Math.floor(x * f) / f;
    out.push(x);
  }
  return out;
}
