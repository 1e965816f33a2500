/** Why a pool task produced no value. */
export const PoolFailure = {
  /** The queue was full: shed, counted in `stats.dropped`. */
  DROPPED: 'DROPPED',
  /** The task ran over its timeout: its worker was terminated and replaced. */
  TIMEOUT: 'TIMEOUT',
  /** The caller's signal aborted it (queued: removed; running: worker terminated and replaced). */
  ABORTED: 'ABORTED',
  /** The worker died while running it (and was replaced). */
  CRASHED: 'CRASHED',
  /** The worker hit its heap limit (ERR_WORKER_OUT_OF_MEMORY) while running it (and was replaced). */
  OUT_OF_MEMORY: 'OUT_OF_MEMORY',
  /** The handler threw or rejected; the worker is fine. */
  TASK_ERROR: 'TASK_ERROR',
  /** The pool is closed, or cannot start workers (its handler module fails to load). */
  CLOSED: 'CLOSED',
} as const;
export type PoolFailure = (typeof PoolFailure)[keyof typeof PoolFailure];

export type PoolResult<R> =
  | { readonly ok: true; readonly value: R; readonly cpuMs: number }
  | { readonly ok: false; readonly reason: PoolFailure; readonly error?: { name: string; message: string } };

/** Monotonic counters (and two gauges) for metrics wiring. */
export interface PoolStats {
  submitted: number;
  completed: number;
  failed: number;
  dropped: number;
  timeouts: number;
  crashes: number;
  outOfMemory: number;
  restarts: number;
  /** Times dispatch was held back by the CPU budget. */
  paced: number;
  /** CPU-ms (event-loop active time) used by tasks. */
  cpuMs: number;
  queued: number;
  busy: number;
}
