/**
 * Bench harness. Each `bench/*.bench.ts` default-exports a `BenchSuite`; `bench/run.ts`
 * runs them, prints every figure beside its target (and the ratio to a baseline measured
 * in the same run), and with `--json` ends with one JSON array line.
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable target, e.g. `<= 10`. */
  readonly target: string;
  readonly ok: boolean;
  readonly baseline?: number;
  /** value / baseline (or as documented by the figure). */
  readonly ratio?: number;
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  /** Figure names this suite produces (for `--only`). */
  readonly figures: readonly string[];
  run(only?: string): Promise<Figure[]>;
}

export interface LatencyStats {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly n: number;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: Float64Array | number[]): LatencyStats {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), mean: sum / s.length, n: s.length };
}

/**
 * Per-call latency in microseconds of a synchronous function. For sub-microsecond calls
 * each sample times a block of `inner` calls and divides (the clock costs ~30 ns).
 */
export function measureSync(
  fn: (i: number) => unknown,
  options: { iterations?: number; warmup?: number; inner?: number } = {},
): LatencyStats {
  const iterations = options.iterations ?? 20_000;
  const warmup = options.warmup ?? 5_000;
  const inner = options.inner ?? 1;
  for (let i = 0; i < warmup * inner; i++) fn(i);
  const samples = new Float64Array(iterations);
  let k = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) fn(k++);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000 / inner;
  }
  return summarize(samples);
}

/** Same as `measureSync` for async functions (one call per sample). */
export async function measureAsync(
  fn: (i: number) => Promise<unknown>,
  options: { iterations?: number; warmup?: number } = {},
): Promise<LatencyStats> {
  const iterations = options.iterations ?? 5_000;
  const warmup = options.warmup ?? 500;
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return summarize(samples);
}

export const fig = (f: Figure): Figure => f;
