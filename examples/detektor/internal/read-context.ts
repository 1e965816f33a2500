/**
 * Total readers of an untrusted context: every rule goes through them, so a missing,
 * mistyped or non-finite field takes the fallback instead of throwing or yielding NaN.
 */
export type Ctx = Readonly<Record<string, unknown>>;

const EMPTY: Ctx = Object.freeze({});

export const asContext = (context: unknown): Ctx =>
  typeof context === 'object' && context !== null && !Array.isArray(context) ? (context as Ctx) : EMPTY;

export function num(ctx: Ctx, key: string, fallback: number): number {
  const v = ctx[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function bool(ctx: Ctx, key: string, fallback = false): boolean {
  const v = ctx[key];
  return typeof v === 'boolean' ? v : fallback;
}

export function str(ctx: Ctx, key: string, fallback = ''): string {
  const v = ctx[key];
  return typeof v === 'string' ? v : fallback;
}

/** Lower-cased word set of a text field (letters, digits, `_`, `-`). */
export function words(ctx: Ctx, key: string): ReadonlySet<string> {
  return new Set(str(ctx, key).toLowerCase().split(/[^a-z0-9_-]+/).filter((w) => w.length > 0));
}

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
