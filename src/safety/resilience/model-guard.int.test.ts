import { afterAll, describe, expect, it } from 'vitest';
import { createModelGuard } from './model-guard.js';
import { pooledPrediction } from './pooled-prediction.js';
import { createWorkerPool } from './worker-pool.js';

// Real model functions and real timers: after the breaker opens the next calls fall back
// with the right reason. No durations are asserted.
const sleep = (ms: number): Promise<number> => new Promise((r) => setTimeout(() => r(1), ms));

describe('ModelGuard with real model functions', () => {
  it('a model that throws: MODEL_ERROR until the failure breaker opens, then BREAKER_OPEN', async () => {
    const guard = createModelGuard({ agent: 'pisarz', failureThreshold: 3 });
    const model = (): number => {
      throw new TypeError('weights missing');
    };
    const reasons = [];
    for (let i = 0; i < 5; i++) {
      const r = await guard.execute(model);
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons).toEqual(['MODEL_ERROR', 'MODEL_ERROR', 'MODEL_ERROR', 'BREAKER_OPEN', 'BREAKER_OPEN']);
  });

  it('a model that never resolves: TIMEOUT until the breaker opens, then BREAKER_OPEN', async () => {
    const guard = createModelGuard({ agent: 'debugger', failureThreshold: 2, budgetMs: 20 });
    const hang = (): Promise<number> => new Promise<number>(() => undefined);
    const reasons = [];
    for (let i = 0; i < 3; i++) {
      const r = await guard.execute(hang);
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons).toEqual(['TIMEOUT', 'TIMEOUT', 'BREAKER_OPEN']);
  });

  it('a model that sleeps past slowCallMs: served while slow, then BREAKER_OPEN', async () => {
    const guard = createModelGuard({ agent: 'code-reviewer', slowCallMs: 20, slowCalls: 2, budgetMs: 1_000 });
    const reasons = [];
    for (let i = 0; i < 3; i++) {
      const r = await guard.execute(() => sleep(40));
      reasons.push(r.ok ? 'ok' : r.reason);
    }
    expect(reasons).toEqual(['ok', 'ok', 'BREAKER_OPEN']);
    expect(guard.state.slow).toBe('open');
  });

  describe('a synchronous CPU-bound model in the worker pool', () => {
    const pool = createWorkerPool({
      handlerModule: new URL('./testing/pool-handlers.ts', import.meta.url),
      size: 1,
      totalHeapMb: 64,
      cpuBudget: 1,
      cores: 1,
    });
    afterAll(() => pool.close());

    it('times out, and the worker running it is terminated and replaced', async () => {
      expect(await pool.run({ op: 'echo', value: 0 })).toMatchObject({ ok: true }); // worker up
      const guard = createModelGuard({ agent: 'detektor-coder', budgetMs: 100, failureThreshold: 1 });
      const r = await guard.execute(pooledPrediction(pool, { op: 'hang' }));
      expect(r).toMatchObject({ ok: false, reason: 'TIMEOUT' });
      expect(pool.stats.restarts).toBe(1);
      expect(await guard.execute(pooledPrediction(pool, { op: 'echo', value: 7 }))).toMatchObject({
        ok: false,
        reason: 'BREAKER_OPEN',
      });
      guard.reset();
      expect(
        await guard.execute(pooledPrediction(pool, { op: 'echo', value: 7 }), { budgetMs: 10_000 }),
      ).toMatchObject({
        ok: true,
        value: 7,
      });
    });

    it('a task error in the worker is MODEL_ERROR', async () => {
      const guard = createModelGuard({ agent: 'detektor-coder', budgetMs: 10_000 });
      const r = await guard.execute(pooledPrediction(pool, { op: 'throw', message: 'nan' }));
      expect(r).toMatchObject({ ok: false, reason: 'MODEL_ERROR' });
    });
  });
});
