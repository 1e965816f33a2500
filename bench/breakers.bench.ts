import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { fig, measureAsync, measureSync, type BenchSuite, type Figure } from './harness.js';
import { createModelGuard } from '../src/safety/resilience/index.js';

/**
 * Breakers suite.
 * - breaker-detection-{10,1000}rps: a real run (real timers, no simulated clock) at a fixed
 *   request rate with the default guard (failure threshold 5). The model answers for a while,
 *   then starts throwing; the figure is the time from its first failure until the first call
 *   short-circuited by the open breaker (BREAKER_OPEN — rules served without calling the model).
 *   `-hang-` variant: the model stops answering instead; each call times out after its 50 ms budget.
 * - guard-overhead: µs per closed-state `guard.execute` of a synchronous model (awaited),
 *   beside cockatiel's `CircuitBreakerPolicy.execute` measured the same way as the baseline.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Breakage = 'throws' | 'hangs';

async function detection(
  rps: number,
  warmMs: number,
  breakage: Breakage,
): Promise<{ detectMs: number; openMs: number; calls: number }> {
  const guard = createModelGuard({ agent: 'bench', cooldownMs: 60_000, budgetMs: 50 });
  let failing = false;
  let failedAt = 0;
  let openedAt = 0;
  let detectedAt = 0;
  guard.onOpen(() => {
    openedAt ||= performance.now();
  });
  const model = (): number | Promise<number> => {
    if (!failing) return 1;
    failedAt ||= performance.now();
    if (breakage === 'hangs') return new Promise<number>(() => undefined);
    throw new Error('model broke');
  };
  const start = performance.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  const tickMs = Math.max(1, Math.floor(1000 / rps));
  while (detectedAt === 0 && performance.now() - start < 10_000) {
    const elapsed = performance.now() - start;
    if (!failing && elapsed >= warmMs) failing = true;
    const due = Math.floor((elapsed * rps) / 1000) + 1;
    for (; sent < due; sent++) {
      pending.push(
        guard.execute(model).then((r) => {
          if (!r.ok && r.reason === 'BREAKER_OPEN' && detectedAt === 0) detectedAt = performance.now();
        }),
      );
    }
    await sleep(tickMs);
  }
  await Promise.all(pending);
  return { detectMs: detectedAt - failedAt, openMs: openedAt - failedAt, calls: sent };
}

async function detectionFigure(
  name: string,
  rps: number,
  warmMs: number,
  breakage: Breakage,
): Promise<Figure> {
  const d = await detection(rps, warmMs, breakage);
  return fig({
    name,
    value: d.detectMs,
    unit: 'ms',
    target: '< 1000',
    ok: d.detectMs < 1000,
    note: `model ${breakage}; breaker opened ${d.openMs.toFixed(1)} ms after the first failure; ${d.calls} calls at ${rps} req/s${breakage === 'hangs' ? ', budget 50 ms' : ''}`,
  });
}

async function overhead(): Promise<Figure[]> {
  const model = (): number => 1;
  const guard = createModelGuard({ agent: 'bench' });
  const policy = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
  // Warm both paths (JIT, GC) before timing either: the first one timed otherwise pays the warm-up in its p99.
  for (let i = 0; i < 2; i++) {
    await measureAsync(() => guard.execute(model), { iterations: 50_000, warmup: 0 });
    await measureAsync(() => policy.execute(model), { iterations: 50_000, warmup: 0 });
  }
  const ours = await measureAsync(() => guard.execute(model), { iterations: 50_000, warmup: 10_000 });
  const theirs = await measureAsync(() => policy.execute(model), { iterations: 50_000, warmup: 10_000 });
  const bare = await measureAsync(() => Promise.resolve(model()), { iterations: 50_000, warmup: 10_000 });
  const sync = measureSync(() => guard.executeSync(model), { iterations: 50_000, warmup: 20_000 });
  const asyncModel = (): Promise<number> => Promise.resolve(1);
  const oursAsync = await measureAsync(() => guard.execute(asyncModel), {
    iterations: 20_000,
    warmup: 5_000,
  });
  return [
    fig({
      name: 'guard-overhead',
      value: ours.p99,
      unit: 'µs',
      target: '<= 5 (p99)',
      ok: ours.p99 <= 5,
      baseline: theirs.p99,
      ratio: ours.p99 / theirs.p99,
      note: `p50 ${ours.p50.toFixed(2)} µs; cockatiel CircuitBreakerPolicy p50/p99 ${theirs.p50.toFixed(2)}/${theirs.p99.toFixed(2)} µs; bare awaited call p50/p99 ${bare.p50.toFixed(2)}/${bare.p99.toFixed(2)} µs`,
    }),
    fig({
      name: 'guard-overhead-sync',
      value: sync.p99,
      unit: 'µs',
      target: '<= 5 (p99)',
      ok: sync.p99 <= 5,
      note: `p50 ${sync.p50.toFixed(2)} µs; executeSync, no promise (includes two clock reads for latency)`,
    }),
    fig({
      name: 'guard-overhead-async-model',
      value: oursAsync.p99,
      unit: 'µs',
      target: '<= 20 (p99)',
      ok: oursAsync.p99 <= 20,
      note: `p50 ${oursAsync.p50.toFixed(2)} µs; promise-returning model: budget timer + AbortController per call`,
    }),
  ];
}

const suite: BenchSuite = {
  name: 'breakers',
  figures: [
    'breaker-detection-10rps',
    'breaker-detection-1000rps',
    'breaker-detection-hang-1000rps',
    'guard-overhead',
    'guard-overhead-sync',
    'guard-overhead-async-model',
  ],
  async run(only) {
    const out: Figure[] = [];
    const want = (n: string): boolean => !only || only === n;
    if (want('breaker-detection-10rps'))
      out.push(await detectionFigure('breaker-detection-10rps', 10, 300, 'throws'));
    if (want('breaker-detection-1000rps'))
      out.push(await detectionFigure('breaker-detection-1000rps', 1000, 200, 'throws'));
    if (want('breaker-detection-hang-1000rps'))
      out.push(await detectionFigure('breaker-detection-hang-1000rps', 1000, 200, 'hangs'));
    if (want('guard-overhead') || want('guard-overhead-sync') || want('guard-overhead-async-model')) {
      const figs = await overhead();
      out.push(...figs.filter((f) => want(f.name)));
    }
    return out;
  },
};
export default suite;
