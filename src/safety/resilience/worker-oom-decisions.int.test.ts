import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { AsyncLearningWriter } from '../../decisions/async-learning-writer.js';
import { DecisionEngine } from '../../decisions/decision-engine.js';
import { createWorkerPool, type WorkerPool } from './worker-pool.js';

const handlers = new URL('./testing/pool-handlers.ts', import.meta.url);
let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
});

// Learning work runs in worker threads with heap limits: a worker that runs out of memory is
// restarted by the pool, and the process keeps serving decisions the whole time.
describe('a worker exceeding its memory limit while decisions are served', () => {
  it('is restarted, and every decision meanwhile is answered', async () => {
    pool = createWorkerPool({ handlerModule: handlers, size: 1, totalHeapMb: 64, cpuBudget: 1, cores: 1 });
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    const engine = new DecisionEngine({ writer });
    const answers: unknown[] = [];
    const errors: unknown[] = [];
    let deciding = true;
    const loop = (async () => {
      let i = 0;
      while (deciding) {
        try {
          answers.push(engine.decide('debugger', `task-${i++}`, { stack: 'TypeError' }, 'flaky-test').value);
        } catch (e) {
          errors.push(e);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const oom = await pool.run({ op: 'oom' });
    deciding = false;
    await loop;
    expect(oom).toMatchObject({ ok: false, reason: 'OUT_OF_MEMORY' });
    expect(pool.stats.restarts).toBe(1);
    expect(errors).toEqual([]);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((v) => v === 'flaky-test')).toBe(true);
    expect(await pool.run({ op: 'echo', value: 'alive' })).toMatchObject({ ok: true, value: 'alive' });
    await writer.close();
  });
});
