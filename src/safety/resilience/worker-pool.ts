import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { CpuPacer } from './cpu-pacer.js';
import { check, isFraction, isNonNegative, isPositiveInt, withDefaults } from './internal/options.js';
import { PoolFailure, type PoolResult, type PoolStats } from './pool-result.js';
import { resolveWorkerEntry } from './worker-entry-location.js';
import type { WorkerReply } from './worker-messages.js';

export interface WorkerPoolOptions {
  /** URL (or file path) of a module exporting `handle(task)`; imported by every worker. Required. */
  readonly handlerModule: string | URL;
  /** Number of workers. Default 2. */
  readonly size?: number;
  /** Heap limit of the whole pool in MB, split evenly across workers. Default 4096. */
  readonly totalHeapMb?: number;
  /** Tasks waiting beyond this are dropped (shed) and counted. Default 1000. */
  readonly maxQueue?: number;
  /** Per-task timeout in ms; the worker is terminated and replaced. Default 60000. */
  readonly taskTimeoutMs?: number;
  /** Share of the whole machine's CPU the pool may use on average, in (0, 1]. Default 0.2. */
  readonly cpuBudget?: number;
  /** Cores of the machine. Default `os.availableParallelism()`. */
  readonly cores?: number;
  /** CPU burst the pacer allows, in wall-ms of budget (0 = no burst). Default 1000. */
  readonly burstMs?: number;
}

interface Job {
  readonly id: number;
  readonly task: unknown;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (r: PoolResult<unknown>) => void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
  elu?: EventLoopUtilization;
}

const defaults = {
  size: 2,
  totalHeapMb: 4096,
  maxQueue: 1000,
  taskTimeoutMs: 60_000,
  cpuBudget: 0.2,
  cores: availableParallelism(),
  burstMs: 1000,
};

/** Startup failures in a row after which the pool gives up restarting (a broken handler module). */
const MAX_STARTUP_FAILURES = 3;

/**
 * A bounded pool of worker threads for learning and shadow work: heap limits, a bounded
 * queue that sheds, per-task timeouts that kill, a CPU budget, and automatic restarts.
 * `run` never throws: failures are `{ ok: false, reason }`.
 *
 * @example
 * const pool = createWorkerPool({ handlerModule: new URL('./train-handler.js', import.meta.url) });
 * const r = await pool.run({ rows }, { timeoutMs: 5_000 });
 * if (!r.ok) log.warn(`training skipped: ${r.reason}`);
 * await pool.close();
 */
export class WorkerPool {
  readonly stats: PoolStats = {
    submitted: 0,
    paced: 0,
    completed: 0,
    failed: 0,
    dropped: 0,
    timeouts: 0,
    crashes: 0,
    outOfMemory: 0,
    restarts: 0,
    cpuMs: 0,
    queued: 0,
    busy: 0,
  };
  private readonly o: typeof defaults & { handlerModule: string };
  private readonly entry = resolveWorkerEntry(import.meta.url);
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly pacer: CpuPacer;
  private nextId = 1;
  private paceTimer: NodeJS.Timeout | undefined;
  private startupFailures = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: WorkerPoolOptions) {
    const o = withDefaults(defaults, options);
    check('worker pool options', [
      ['size', isPositiveInt(o.size), 'must be a positive integer'],
      [
        'totalHeapMb',
        isPositiveInt(o.totalHeapMb) && o.totalHeapMb / o.size >= 8,
        'must be an integer ≥ 8 MB per worker',
      ],
      ['maxQueue', Number.isSafeInteger(o.maxQueue) && o.maxQueue >= 0, 'must be a non-negative integer'],
      ['taskTimeoutMs', isNonNegative(o.taskTimeoutMs) && o.taskTimeoutMs > 0, 'must be a positive number'],
      ['cpuBudget', isFraction(o.cpuBudget) || o.cpuBudget === 1, 'must be in (0, 1]'],
      ['cores', isPositiveInt(o.cores), 'must be a positive integer'],
      ['burstMs', isNonNegative(o.burstMs), 'must be a non-negative number'],
    ]);
    const handlerModule =
      options.handlerModule instanceof URL ? options.handlerModule.href : options.handlerModule;
    this.o = {
      ...o,
      handlerModule: handlerModule.startsWith('file:') ? handlerModule : pathToFileURL(handlerModule).href,
    };
    this.pacer = new CpuPacer({
      budget: o.cpuBudget,
      cores: o.cores,
      burstMs: o.burstMs,
      now: performance.now(),
    });
    for (let i = 0; i < o.size; i++) this.slots.push(this.spawn());
  }

  /** Queues a task. Resolves with its result; never rejects. */
  run<R = unknown>(
    task: unknown,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<PoolResult<R>> {
    this.stats.submitted++;
    if (this.closed) return Promise.resolve({ ok: false, reason: PoolFailure.CLOSED });
    if (options?.signal?.aborted) return Promise.resolve({ ok: false, reason: PoolFailure.ABORTED });
    if (this.queue.length >= this.o.maxQueue) {
      this.stats.dropped++;
      return Promise.resolve({ ok: false, reason: PoolFailure.DROPPED });
    }
    return new Promise<PoolResult<R>>((resolve) => {
      const job: Job = {
        id: this.nextId++,
        task,
        timeoutMs: options?.timeoutMs ?? this.o.taskTimeoutMs,
        signal: options?.signal,
        resolve: resolve as (r: PoolResult<unknown>) => void,
      };
      if (job.signal) {
        job.onAbort = () => this.abort(job);
        job.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.stats.queued = this.queue.length;
      this.pump();
    });
  }

  /** Stops accepting tasks, fails queued ones with CLOSED, awaits running ones, stops workers. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      clearTimeout(this.paceTimer);
      for (const job of this.queue.splice(0)) this.settle(job, { ok: false, reason: PoolFailure.CLOSED });
      this.stats.queued = 0;
      while (this.slots.some((s) => s.job)) await new Promise((r) => setTimeout(r, 5));
      await Promise.all(this.slots.map((s) => s.worker.terminate()));
    })();
    return this.closing;
  }

  private spawn(): Slot {
    const worker = new Worker(this.entry.script, {
      eval: this.entry.eval,
      workerData: { handlerModule: this.o.handlerModule },
      resourceLimits: { maxOldGenerationSizeMb: Math.floor(this.o.totalHeapMb / this.o.size) },
    });
    const slot: Slot = { worker, ready: false };
    let lastError: unknown;
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (e) => {
      lastError = e;
    });
    worker.on('exit', () => this.onExit(slot, lastError));
    if (this.queue.length === 0 && this.stats.busy === 0) worker.unref();
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      this.startupFailures = 0;
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    const cpuMs = this.release(slot);
    if (msg.ok) this.settle(job, { ok: true, value: msg.value, cpuMs });
    else this.settle(job, { ok: false, reason: PoolFailure.TASK_ERROR, error: msg.error });
    this.pump();
  }

  private onExit(slot: Slot, error: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // already replaced (timeout/abort) or pool closed
    const job = slot.job;
    if (job) {
      const oom = (error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (oom) this.stats.outOfMemory++;
      else this.stats.crashes++;
      this.release(slot);
      const e =
        error instanceof Error
          ? { name: error.name, message: error.message }
          : { name: 'Error', message: 'worker exited' };
      this.settle(job, {
        ok: false,
        reason: oom ? PoolFailure.OUT_OF_MEMORY : PoolFailure.CRASHED,
        error: e,
      });
    }
    if (this.closed) return;
    if (!slot.ready && ++this.startupFailures >= MAX_STARTUP_FAILURES) {
      // The handler module itself is broken: stop restarting and fail everything.
      this.closed = true;
      for (const j of this.queue.splice(0))
        this.settle(j, { ok: false, reason: PoolFailure.CLOSED, error: describe(error) });
      this.stats.queued = 0;
      this.slots.splice(i, 1);
      return;
    }
    this.replace(slot);
  }

  /** Terminates a slot's worker (e.g. a hung task) and puts a fresh one in its place. */
  private replace(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots[i] = this.spawn();
    this.stats.restarts++;
    void slot.worker.terminate();
  }

  /** Frees a slot, charges its CPU time to the pacer, returns that time. */
  private release(slot: Slot): number {
    clearTimeout(slot.timer);
    let cpuMs = 0;
    if (slot.elu) {
      try {
        cpuMs = slot.worker.performance.eventLoopUtilization(slot.elu).active;
      } catch {
        cpuMs = 0; // the worker is gone; nothing to read
      }
    }
    slot.job = undefined;
    slot.timer = undefined;
    slot.elu = undefined;
    this.stats.busy = this.slots.filter((s) => s.job).length;
    this.stats.cpuMs += cpuMs;
    this.pacer.charge(cpuMs, performance.now());
    return cpuMs;
  }

  private settle(job: Job, result: PoolResult<unknown>): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (result.ok) this.stats.completed++;
    else this.stats.failed++;
    job.resolve(result);
  }

  private abort(job: Job): void {
    const q = this.queue.indexOf(job);
    if (q >= 0) {
      this.queue.splice(q, 1);
      this.stats.queued = this.queue.length;
      this.settle(job, { ok: false, reason: PoolFailure.ABORTED });
      this.updateRef();
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (!slot) return;
    this.release(slot);
    this.settle(job, { ok: false, reason: PoolFailure.ABORTED });
    this.replace(slot);
    this.pump();
  }

  private timeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.stats.timeouts++;
    this.release(slot);
    this.settle(job, {
      ok: false,
      reason: PoolFailure.TIMEOUT,
      error: { name: 'TimeoutError', message: `task exceeded ${job.timeoutMs} ms` },
    });
    this.replace(slot);
    this.pump();
  }

  /** Workers keep the process alive only while there is work; an idle pool does not. */
  private updateRef(): void {
    const active = this.queue.length > 0 || this.slots.some((s) => s.job);
    for (const s of this.slots) {
      if (active) s.worker.ref();
      else s.worker.unref();
    }
  }

  private pump(): void {
    this.dispatch();
    this.updateRef();
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.slots.find((s) => s.ready && !s.job);
      if (!slot) return;
      const now = performance.now();
      if (!this.pacer.canDispatch(now)) {
        if (!this.paceTimer) {
          this.stats.paced++;
          this.paceTimer = setTimeout(() => {
            this.paceTimer = undefined;
            this.pump();
          }, this.pacer.waitMs(now));
        }
        return;
      }
      const job = this.queue.shift()!;
      this.stats.queued = this.queue.length;
      slot.job = job;
      slot.elu = slot.worker.performance.eventLoopUtilization();
      slot.timer = setTimeout(() => this.timeout(slot, job), job.timeoutMs);
      this.stats.busy = this.slots.filter((s) => s.job).length;
      try {
        slot.worker.postMessage({ id: job.id, task: job.task });
      } catch (error) {
        // e.g. a task that cannot be cloned: the worker never saw it.
        this.release(slot);
        this.settle(job, { ok: false, reason: PoolFailure.TASK_ERROR, error: describe(error) });
      }
    }
  }
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

/** Creates a worker pool. See `WorkerPool`. */
export const createWorkerPool = (options: WorkerPoolOptions): WorkerPool => new WorkerPool(options);
