import { performance } from 'node:perf_hooks';
import type { NewEvent } from '../../core/index.js';
import type { ShadowJob } from '../../decisions/index.js';
import type { ModelVersion } from '../registry/model-registry.js';
import type { ServingModel } from '../registry/serving-models.js';
import type { WorkerPool } from '../../safety/index.js';
import { agrees, answerOf, shadowEvent, type ShadowAnswer, type ShadowResultData } from './shadow-result.js';
import type { ShadowTask, ShadowTaskResult } from './shadow-worker.js';

export interface ShadowRunnerOptions {
  /** Which model predicts in shadow for an agent (see `ServingModels.shadow`). */
  readonly models: { shadow(agent: string): ServingModel | undefined };
  /** Where `ShadowPredicted` events go (the writer). */
  readonly sink: { record(event: NewEvent): void };
  /**
   * Run predictions in this worker pool (its handler module must be `shadow-worker`, see
   * `shadowWorkerModule`). Default: in this thread, after the decision has returned.
   */
  readonly pool?: WorkerPool;
  /** Path of a version's artifact, for pool workers (`registry.pathOf`). Required with `pool`. */
  readonly pathOf?: (v: ModelVersion) => string;
  /** While this returns true (the event loop is throttled), jobs are shed and counted. Default never. */
  readonly shed?: () => boolean;
  /** Jobs waiting beyond this are dropped and counted. Default 10,000. */
  readonly maxQueue?: number;
  /** Rows per prediction task. Default 64. */
  readonly batchSize?: number;
  /** Tasks in flight at once. Default 2. */
  readonly concurrency?: number;
  /** Pool task timeout (ms). Default 5,000. */
  readonly timeoutMs?: number;
  /** Called with every result (the stats aggregator). */
  readonly onResult?: (r: ShadowResultData) => void;
  /** Called for every job shed: `closed`, `queue_full` (this queue or the pool's), `throttled`. */
  readonly onDropped?: (agent: string, reason: ShadowDropReason, count: number) => void;
}

export type ShadowDropReason = 'closed' | 'queue_full' | 'throttled';

/** Counters for metrics wiring (monotonic, except `queued`/`inFlight`). */
export interface ShadowRunnerStats {
  submitted: number;
  /** Shed because the queue was full, or the pool dropped the task. */
  dropped: number;
  completed: number;
  /** Predictions that failed (model error, pool timeout/crash). */
  failed: number;
  /** Jobs for agents without a shadow model. */
  noModel: number;
  queued: number;
  inFlight: number;
}

/** URL of the worker-pool handler module for shadow predictions. */
export const shadowWorkerModule = (): URL => new URL(`./shadow-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/**
 * Runs shadow predictions off the decision path: `submit` is a bounded array push (jobs
 * beyond `maxQueue` are dropped and counted) and a drain is scheduled with `setImmediate`;
 * batches then predict in the worker pool or in this thread. Each result becomes a
 * `ShadowPredicted` event. Nothing here ever throws to the submitter.
 * @example
 * const shadow = new ShadowRunner({ models: serving, sink: apprentice.writer, pool, pathOf: (v) => registry.pathOf(v) });
 * const engine = new DecisionEngine({ writer, agents, shadow: (job) => shadow.submit(job) });
 */
export class ShadowRunner {
  readonly stats: ShadowRunnerStats = { submitted: 0, dropped: 0, completed: 0, failed: 0, noModel: 0, queued: 0, inFlight: 0 };
  readonly #o: ShadowRunnerOptions;
  readonly #maxQueue: number;
  readonly #shed: (() => boolean) | undefined;
  readonly #batchSize: number;
  readonly #concurrency: number;
  #queue: ShadowJob[] = [];
  #scheduled = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: ShadowRunnerOptions) {
    this.#o = options;
    this.#maxQueue = options.maxQueue ?? 10_000;
    this.#shed = options.shed;
    this.#batchSize = options.batchSize ?? 64;
    this.#concurrency = options.concurrency ?? 2;
  }

  /** Queue a job. Synchronous and cheap; returns false when it was dropped. */
  submit(job: ShadowJob): boolean {
    this.stats.submitted++;
    const drop: ShadowDropReason | undefined = this.#closed ? 'closed' : this.#queue.length >= this.#maxQueue ? 'queue_full' : this.#shed?.() === true ? 'throttled' : undefined;
    if (drop) {
      this.stats.dropped++;
      this.#o.onDropped?.(job.agent, drop, 1);
      return false;
    }
    this.#queue.push(job);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
    return true;
  }

  /** Resolves once the queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.stats.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  /** Stop taking jobs, finish those queued. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  #drain(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0 && this.stats.inFlight < this.#concurrency) {
      const batch = this.#queue.splice(0, this.#batchSize);
      const byAgent = new Map<string, ShadowJob[]>();
      for (const j of batch) {
        let g = byAgent.get(j.agent);
        if (!g) byAgent.set(j.agent, (g = []));
        g.push(j);
      }
      for (const [agent, jobs] of byAgent) {
        const model = this.#o.models.shadow(agent);
        if (!model) {
          this.stats.noModel += jobs.length;
          continue;
        }
        this.stats.inFlight++;
        void this.#run(model, jobs).finally(() => {
          this.stats.inFlight--;
          this.#after();
        });
      }
    }
    this.stats.queued = this.#queue.length;
    this.#after();
  }

  #after(): void {
    if (this.#queue.length > 0 && this.stats.inFlight < this.#concurrency && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
    if (this.#queue.length === 0 && this.stats.inFlight === 0) for (const r of this.#idle.splice(0)) r();
  }

  async #run(model: ServingModel, jobs: readonly ShadowJob[]): Promise<void> {
    let result: ShadowTaskResult;
    try {
      result = this.#o.pool ? await this.#inPool(model, jobs) : await inThread(model, jobs);
    } catch (e) {
      if (e instanceof DroppedError) {
        this.stats.dropped += jobs.length;
        const agent = jobs[0]?.agent;
        if (agent !== undefined) this.#o.onDropped?.(agent, 'queue_full', jobs.length);
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      result = { answers: jobs.map(() => ({ error: message })), latencies: jobs.map(() => 0) };
    }
    jobs.forEach((job, i) => {
      const a = result.answers[i] ?? { error: 'no answer' };
      const ok = 'value' in a;
      if (ok) this.stats.completed++;
      else this.stats.failed++;
      const data: ShadowResultData = {
        decisionId: job.decisionId,
        agent: job.agent,
        unitId: job.unitId,
        modelVersion: model.version.version,
        rulesValue: job.served,
        ...(ok ? { modelValue: a.value } : { error: a.error }),
        ...(ok && a.scores ? { modelScores: a.scores } : {}),
        agree: ok && agrees(a.value, job.served),
        latencyMs: result.latencies[i] ?? 0,
      };
      try {
        this.#o.sink.record(shadowEvent(data));
        this.#o.onResult?.(data);
      } catch {
        // closed writer or a listener bug: shadow is best effort
      }
    });
  }

  async #inPool(model: ServingModel, jobs: readonly ShadowJob[]): Promise<ShadowTaskResult> {
    const pathOf = this.#o.pathOf;
    if (!this.#o.pool || !pathOf) throw new Error('pool mode needs pathOf');
    const v = model.version;
    const task: ShadowTask = {
      path: pathOf(v),
      version: { agent: v.agent, version: v.version, format: v.format, sha256: v.sha256, ...(v.onnx ? { onnx: v.onnx } : {}) },
      rows: jobs.map((j) => j.features),
    };
    const r = await this.#o.pool.run<ShadowTaskResult>(task, { timeoutMs: this.#o.timeoutMs ?? 5000 });
    if (r.ok) return r.value;
    if (r.reason === 'DROPPED') throw new DroppedError();
    throw new Error(`shadow task ${r.reason}${r.error ? `: ${r.error.message}` : ''}`);
  }
}

class DroppedError extends Error {}

async function inThread(model: ServingModel, jobs: readonly ShadowJob[]): Promise<ShadowTaskResult> {
  const answers: ShadowAnswer[] = [];
  const latencies: number[] = [];
  for (const j of jobs) {
    const t = performance.now();
    try {
      answers.push(await answerOf(model, j.features));
    } catch (e) {
      answers.push({ error: e instanceof Error ? e.message : String(e) });
    }
    latencies.push(performance.now() - t);
  }
  return { answers, latencies };
}
