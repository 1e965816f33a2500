import { afterEach, describe, expect, it } from 'vitest';
import { resolveWorkerEntry } from './worker-entry-location.js';
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
import { pollUntil } from '../../../test/support/poll-until.js';

const handlers = new URL('./testing/pool-handlers.ts', import.meta.url);
const pools: WorkerPool[] = [];
function pool(o: Partial<WorkerPoolOptions> = {}): WorkerPool {
  const p = createWorkerPool({
    handlerModule: handlers,
    size: 1,
    totalHeapMb: 64,
    cpuBudget: 1,
    cores: 1,
    ...o,
  });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('worker entry resolution', () => {
  it('uses the .js entry file from compiled code, and a tsx bootstrap from source', () => {
    expect(resolveWorkerEntry('file:///app/dist/resilience/worker-pool.js')).toEqual({
      script: new URL('file:///app/dist/resilience/worker-entry.js'),
      eval: false,
    });
    const ts = resolveWorkerEntry(new URL('./worker-pool.ts', import.meta.url).href);
    expect(ts.eval).toBe(true);
    expect(String(ts.script)).toMatch(/tsx\/dist\/esm\/api\/index\.mjs.*worker-entry\.ts/);
  });
});

describe('WorkerPool (real worker threads from TS source)', () => {
  it('runs tasks through the handler module and reports CPU time', async () => {
    const p = pool({ size: 2 });
    const [a, b] = await Promise.all([p.run({ op: 'echo', value: { x: 1 } }), p.run({ op: 'spin', ms: 20 })]);
    expect(a).toMatchObject({ ok: true, value: { x: 1 } });
    expect(b.ok).toBe(true);
    expect(p.stats.cpuMs).toBeGreaterThan(0);
    expect(p.stats.completed).toBe(2);
  });

  it('a throwing handler is a TASK_ERROR and the worker keeps serving', async () => {
    const p = pool();
    expect(await p.run({ op: 'throw', message: 'bad row' })).toEqual({
      ok: false,
      reason: 'TASK_ERROR',
      error: { name: 'Error', message: 'bad row' },
    });
    expect(await p.run({ op: 'echo', value: 2 })).toMatchObject({ ok: true, value: 2 });
    expect(p.stats.restarts).toBe(0);
  });

  it('a task that allocates until OOM gets OUT_OF_MEMORY; the worker is restarted and later tasks succeed', async () => {
    const p = pool();
    const r = await p.run({ op: 'oom' });
    expect(r).toMatchObject({ ok: false, reason: 'OUT_OF_MEMORY' });
    expect(p.stats.outOfMemory).toBe(1);
    expect(p.stats.restarts).toBe(1);
    expect(await p.run({ op: 'echo', value: 'alive' })).toMatchObject({ ok: true, value: 'alive' });
  });

  it('a hanging task times out; its worker is terminated and replaced', async () => {
    const p = pool();
    expect(await p.run({ op: 'hang' }, { timeoutMs: 200 })).toMatchObject({ ok: false, reason: 'TIMEOUT' });
    expect(p.stats.timeouts).toBe(1);
    expect(p.stats.restarts).toBe(1);
    expect(await p.run({ op: 'echo', value: 3 })).toMatchObject({ ok: true, value: 3 });
  });

  it('a worker that exits mid-task gives CRASHED and is replaced', async () => {
    const p = pool();
    expect(await p.run({ op: 'exit' })).toMatchObject({ ok: false, reason: 'CRASHED' });
    expect(p.stats.crashes).toBe(1);
    expect(await p.run({ op: 'echo', value: 4 })).toMatchObject({ ok: true, value: 4 });
  });

  it('holds dispatch back when tasks use more CPU than the budget', async () => {
    // 5 % of one core and no burst: after a 50 ms CPU task the next one must wait ~1 s.
    const p = pool({ cpuBudget: 0.05, cores: 1, burstMs: 0 });
    const [a, b] = await Promise.all([p.run({ op: 'spin', ms: 50 }), p.run({ op: 'echo', value: 'after' })]);
    expect(a.ok && a.cpuMs).toBeGreaterThan(0);
    expect(b).toMatchObject({ ok: true, value: 'after' });
    expect(p.stats.paced).toBeGreaterThanOrEqual(1);
  });

  it('sheds tasks beyond the queue limit and counts them', async () => {
    const p = pool({ maxQueue: 2 });
    const running = p.run({ op: 'sleep', ms: 200 });
    await new Promise((r) => setTimeout(r, 0));
    const results = await Promise.all([running, ...[1, 2, 3, 4].map((v) => p.run({ op: 'echo', value: v }))]);
    const dropped = results.filter((r) => !r.ok && r.reason === 'DROPPED');
    // One task is running or queued first, so of the next four at least two are shed.
    expect(dropped.length).toBeGreaterThanOrEqual(2);
    expect(p.stats.dropped).toBe(dropped.length);
  });

  it("a caller's abort of a running CPU-bound task terminates its worker", async () => {
    const p = pool();
    await p.run({ op: 'echo', value: 0 }); // worker up
    const ac = new AbortController();
    const r = p.run({ op: 'hang' }, { signal: ac.signal });
    await pollUntil(() => p.stats.busy === 1, { timeoutMs: 10_000, intervalMs: 5, message: 'the worker to be busy' });
    ac.abort();
    expect(await r).toMatchObject({ ok: false, reason: 'ABORTED' });
    expect(p.stats.restarts).toBe(1);
    expect(await p.run({ op: 'echo', value: 5 })).toMatchObject({ ok: true, value: 5 });
  });

  it('an aborted queued task is removed without touching the worker', async () => {
    const p = pool();
    const ac = new AbortController();
    const running = p.run({ op: 'sleep', ms: 100 });
    const queued = p.run({ op: 'echo', value: 1 }, { signal: ac.signal });
    ac.abort();
    expect(await queued).toMatchObject({ ok: false, reason: 'ABORTED' });
    expect(await running).toMatchObject({ ok: true });
    expect(p.stats.restarts).toBe(0);
  });

  it('a handler module without handle() closes the pool instead of restarting forever', async () => {
    const p = pool({ handlerModule: new URL('./testing/bad-handler.ts', import.meta.url) });
    const r = await p.run({ op: 'echo', value: 1 });
    expect(r).toMatchObject({ ok: false, reason: 'CLOSED' });
    expect(r.ok ? '' : r.error?.message).toMatch(/does not export a handle/);
  });

  it('close() is idempotent and fails later tasks with CLOSED', async () => {
    const p = pool();
    await Promise.all([p.close(), p.close()]);
    expect(await p.run({ op: 'echo', value: 1 })).toMatchObject({ ok: false, reason: 'CLOSED' });
  });

  it('rejects bad options naming the field', () => {
    expect(() => createWorkerPool({ handlerModule: handlers, size: 0, cpuBudget: 2 })).toThrow(
      /size .*cpuBudget/,
    );
  });
});
