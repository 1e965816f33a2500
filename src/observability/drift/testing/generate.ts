/**
 * Deterministic sample generator shared with scripts/reference/drift_reference.py: an
 * xorshift32 stream (integer ops only) so that Python and JavaScript produce bit-identical
 * samples without storing large arrays in reference.json.
 */
import { xorshift32 } from '../internal/xorshift.js';

export interface GenSpec {
  readonly n: number;
  readonly seed: number;
  readonly loc: number;
  readonly scale: number;
  /** Round down to this many decimals (creates ties); omit for none. */
  readonly decimals?: number;
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

/** Standard normal deviates (Box–Muller) from a seeded xorshift32 stream. */
export function normals(n: number, seed: number, mean = 0, sd = 1): number[] {
  const next = xorshift32(seed);
  const out: number[] = [];
  while (out.length < n) {
    const u1 = (next() + 1) / 4294967297;
    const u2 = next() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(mean + sd * r * Math.cos(2 * Math.PI * u2));
    if (out.length < n) out.push(mean + sd * r * Math.sin(2 * Math.PI * u2));
  }
  return out;
}
