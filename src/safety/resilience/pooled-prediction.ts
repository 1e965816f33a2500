import { UnavailableError } from '../../core/index.js';
import type { Prediction } from './guard-result.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Turns a pool task into a guard `Prediction`, for synchronous CPU-bound models that cannot
 * observe an AbortSignal: when the guard's budget runs out its signal aborts the pool task,
 * and the pool terminates (and replaces) the worker running it — the work really stops.
 *
 * @example
 * const r = await guard.execute(pooledPrediction(pool, { features }), { budgetMs: 20 });
 */
export function pooledPrediction<R>(pool: WorkerPool, task: unknown): Prediction<R> {
  return async ({ signal }) => {
    const r = await pool.run<R>(task, { signal });
    if (r.ok) return r.value;
    throw new UnavailableError(
      `model task failed in worker pool: ${r.reason}${r.error ? ` (${r.error.message})` : ''}`,
      {
        cause: r.error,
      },
    );
  };
}
