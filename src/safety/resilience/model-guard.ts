import { performance } from 'node:perf_hooks';
import { ConsecutiveBreaker } from 'cockatiel';
import {
  AccuracyBreaker,
  accuracyDefaults,
  type ServedOutcome,
  type AccuracyOptions,
  type QualityReport,
} from './accuracy-breaker.js';
import {
  BreakerKind,
  FallbackReason,
  type BreakerListener,
  type BreakerStateChange,
  type Disposer,
} from './breaker-types.js';
import { Circuit } from './circuit.js';
import {
  CallContext,
  type BreakerSnapshot,
  type GuardCallOptions,
  type GuardResult,
  type GuardStats,
  type Prediction,
  type PredictionContext,
} from './guard-result.js';
import { check, isFraction, isNonNegative, isPositiveInt, withDefaults } from './internal/options.js';
import { SlowCallBreaker } from './slow-call-breaker.js';

export interface ModelGuardOptions {
  /** Agent name, copied into every state change. Required. */
  readonly agent: string;
  /** Consecutive failed calls (errors or timeouts) that open the failure breaker. Default 5. */
  readonly failureThreshold?: number;
  /** A successful call slower than this (ms) counts as slow. Default 100. */
  readonly slowCallMs?: number;
  /** Consecutive slow calls that open the slow-call breaker. Default 3. */
  readonly slowCalls?: number;
  /** Slow-call rate over the sliding window that opens the slow-call breaker. Default 0.5. */
  readonly slowRateThreshold?: number;
  /** Sliding window for the slow-call rate, in calls. Default 20. */
  readonly slowWindow?: number;
  /** Calls needed in the window before the slow rate is judged. Default 10. */
  readonly slowMinimumCalls?: number;
  /** Accuracy breaker settings (see `AccuracyOptions`; default 20 % drop, window 20, 5 reports). */
  readonly accuracy?: Partial<AccuracyOptions>;
  /** Time an opened breaker stays open before half-open trials (ms). Default 30000. */
  readonly cooldownMs?: number;
  /** Successful trial calls (or good quality reports) in half_open needed to close. Default 3. */
  readonly halfOpenTrials?: number;
  /**
   * Default time budget of one call (ms). Default 500, above `slowCallMs` so that calls
   * between the two are served but counted slow. A promise-returning prediction is abandoned
   * (and its signal aborted) when the budget runs out; a synchronous one cannot be
   * interrupted in-process (use `pooledPrediction`), but an overrun is still a `TIMEOUT`.
   */
  readonly budgetMs?: number;
  /** Epoch-ms clock for breaker timings. Default `Date.now`. */
  readonly now?: () => number;
  /** High-resolution ms clock for call latency. Default `performance.now`. */
  readonly latencyNow?: () => number;
}

type Resolved = Required<Omit<ModelGuardOptions, 'accuracy'>> & { accuracy: AccuracyOptions };

const defaults: Omit<Resolved, 'agent' | 'accuracy'> = {
  failureThreshold: 5,
  slowCallMs: 100,
  slowCalls: 3,
  slowRateThreshold: 0.5,
  slowWindow: 20,
  slowMinimumCalls: 10,
  cooldownMs: 30_000,
  halfOpenTrials: 3,
  budgetMs: 500,
  now: () => Date.now(),
  latencyNow: () => performance.now(),
};

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  x !== null &&
  (typeof x === 'object' || typeof x === 'function') &&
  typeof (x as PromiseLike<unknown>).then === 'function';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * All breakers of one agent's model in front of its predictions: failure, slow-call and
 * accuracy. `execute` returns data and never throws; on any `ok: false` the caller serves
 * the deterministic answer.
 *
 * @example
 * const guard = createModelGuard({ agent: 'debugger' });
 * guard.onStateChange((c) => events.push(c));
 * guard.onOpen((c) => { if (c.kind === 'accuracy') rollout.rollBack(c.agent, c.reason); });
 * const r = await guard.execute(({ signal }) => model.predict(features, { signal }), { budgetMs: 20 });
 * const value = r.ok ? r.value : rules(features); // r.reason: BREAKER_OPEN | TIMEOUT | MODEL_ERROR
 */
export class ModelGuard {
  readonly agent: string;
  readonly stats: GuardStats = { calls: 0, served: 0, slow: 0, breakerOpen: 0, timeout: 0, modelError: 0 };
  private readonly o: Resolved;
  private readonly failure: Circuit;
  private readonly slow: Circuit;
  private readonly accuracyCircuit: Circuit;
  private readonly accuracy: AccuracyBreaker;
  private listeners: BreakerListener[] = [];

  constructor(options: ModelGuardOptions) {
    const o: Resolved = {
      ...withDefaults({ ...defaults, agent: options.agent }, options),
      accuracy: withDefaults(accuracyDefaults, options.accuracy),
    };
    check('model guard options', [
      ['agent', typeof o.agent === 'string' && o.agent.length > 0, 'must be a non-empty string'],
      ['failureThreshold', isPositiveInt(o.failureThreshold), 'must be a positive integer'],
      ['slowCallMs', isNonNegative(o.slowCallMs), 'must be a non-negative number'],
      ['slowCalls', isPositiveInt(o.slowCalls), 'must be a positive integer'],
      ['slowRateThreshold', isFraction(o.slowRateThreshold), 'must be in (0, 1)'],
      ['slowWindow', isPositiveInt(o.slowWindow), 'must be a positive integer'],
      ['slowMinimumCalls', isPositiveInt(o.slowMinimumCalls), 'must be a positive integer'],
      ['cooldownMs', isNonNegative(o.cooldownMs), 'must be a non-negative number'],
      ['halfOpenTrials', isPositiveInt(o.halfOpenTrials), 'must be a positive integer'],
      ['budgetMs', Number.isFinite(o.budgetMs) && o.budgetMs > 0, 'must be a positive number'],
      ['accuracy.maxDrop', isFraction(o.accuracy.maxDrop), 'must be in (0, 1)'],
      [
        'accuracy.rulesMargin',
        o.accuracy.rulesMargin >= 0 && o.accuracy.rulesMargin < 1,
        'must be in [0, 1)',
      ],
      ['accuracy.window', isPositiveInt(o.accuracy.window), 'must be a positive integer'],
      ['accuracy.minReports', isPositiveInt(o.accuracy.minReports), 'must be a positive integer'],
    ]);
    this.o = o;
    this.agent = o.agent;
    const emit = (c: BreakerStateChange): void => this.emit(c);
    const base = {
      agent: o.agent,
      cooldownMs: o.cooldownMs,
      halfOpenTrials: o.halfOpenTrials,
      now: o.now,
      emit,
    };
    this.failure = new Circuit({
      ...base,
      kind: BreakerKind.FAILURE,
      gateTrials: true,
      counter: () => new ConsecutiveBreaker(o.failureThreshold),
    });
    this.slow = new Circuit({
      ...base,
      kind: BreakerKind.SLOW,
      gateTrials: true,
      counter: () =>
        new SlowCallBreaker({
          consecutive: o.slowCalls,
          rateThreshold: o.slowRateThreshold,
          windowSize: o.slowWindow,
          minimumCalls: o.slowMinimumCalls,
        }),
    });
    // The accuracy circuit never counts calls: its counter is unused, trips come from reports.
    this.accuracyCircuit = new Circuit({
      ...base,
      kind: BreakerKind.ACCURACY,
      gateTrials: false,
      counter: () => new ConsecutiveBreaker(Number.MAX_SAFE_INTEGER),
    });
    this.accuracy = new AccuracyBreaker(this.accuracyCircuit, o.accuracy);
  }

  /** Runs `fn` under the breakers and a time budget. Never throws, never rejects. */
  execute<T>(fn: Prediction<T>, options?: GuardCallOptions): Promise<GuardResult<T>> {
    this.stats.calls++;
    if (!this.admit()) {
      this.stats.breakerOpen++;
      return Promise.resolve({ ok: false, reason: FallbackReason.BREAKER_OPEN, latencyMs: 0 });
    }
    const callerSignal = options?.signal;
    if (callerSignal?.aborted) {
      this.releaseAll();
      this.stats.timeout++;
      return Promise.resolve({ ok: false, reason: FallbackReason.TIMEOUT, latencyMs: 0 });
    }
    const context = new CallContext();
    const t0 = this.o.latencyNow();
    let out: T | PromiseLike<T>;
    try {
      out = fn(context);
    } catch (error) {
      return Promise.resolve(this.failed(FallbackReason.MODEL_ERROR, this.o.latencyNow() - t0, error));
    }
    const budgetMs = options?.budgetMs ?? this.o.budgetMs;
    if (!isThenable(out)) {
      const latencyMs = this.o.latencyNow() - t0;
      if (latencyMs > budgetMs) return Promise.resolve(this.failed(FallbackReason.TIMEOUT, latencyMs));
      return Promise.resolve(this.succeeded(out, latencyMs));
    }
    return this.race(out, context, t0, budgetMs, callerSignal);
  }

  /**
   * The synchronous twin of `execute` for in-process models on a synchronous decision path:
   * no promise, no timer. The budget cannot interrupt the call, but an overrun is a
   * `TIMEOUT`. A prediction that returns a promise here is a `MODEL_ERROR` (use `execute`).
   */
  executeSync<T>(
    fn: (context: PredictionContext) => T,
    options?: { readonly budgetMs?: number },
  ): GuardResult<T> {
    this.stats.calls++;
    if (!this.admit()) {
      this.stats.breakerOpen++;
      return { ok: false, reason: FallbackReason.BREAKER_OPEN, latencyMs: 0 };
    }
    const t0 = this.o.latencyNow();
    let out: T;
    try {
      out = fn(new CallContext());
    } catch (error) {
      return this.failed(FallbackReason.MODEL_ERROR, this.o.latencyNow() - t0, error);
    }
    const latencyMs = this.o.latencyNow() - t0;
    if (isThenable(out)) {
      Promise.resolve(out).catch(() => undefined);
      return this.failed(
        FallbackReason.MODEL_ERROR,
        latencyMs,
        new TypeError('executeSync: the prediction returned a promise'),
      );
    }
    if (latencyMs > (options?.budgetMs ?? this.o.budgetMs))
      return this.failed(FallbackReason.TIMEOUT, latencyMs);
    return this.succeeded(out, latencyMs);
  }

  /** Feeds the accuracy breaker from the learning loop (higher is better). */
  reportQuality(report: QualityReport): void {
    this.accuracy.report(report);
  }

  /** Feeds the accuracy breaker one outcome of a decision the served model made, scored for it and the rules (see `AccuracyBreaker.reportServed`). */
  reportServed(outcome: ServedOutcome): void {
    this.accuracy.reportServed(outcome);
  }

  /** Every breaker's state (an elapsed cooldown shows as half_open). */
  get state(): BreakerSnapshot {
    return { failure: this.failure.state, slow: this.slow.state, accuracy: this.accuracyCircuit.state };
  }

  /** Paired window of served outcomes (model vs rules on the same outcomes). */
  get served(): AccuracyBreaker['served'] {
    return this.accuracy.served;
  }

  /** Rolling quality seen by the accuracy breaker. */
  get quality(): AccuracyBreaker['rolling'] {
    return this.accuracy.rolling;
  }

  /** Manual override: hold every breaker open (the rules answer) until `reset()`. */
  isolate(reason = 'manual isolate'): void {
    for (const c of this.circuits()) c.isolate(reason);
  }

  /** Manual override: close every breaker and forget their counts. */
  reset(reason = 'manual reset'): void {
    for (const c of this.circuits()) c.reset(reason);
  }

  /** Subscribes to every state change of every breaker. */
  onStateChange(listener: BreakerListener): Disposer {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Subscribes to openings only — the hook a rollout controller uses to roll back. */
  onOpen(listener: BreakerListener): Disposer {
    return this.onStateChange((c) => {
      if (c.to === 'open') listener(c);
    });
  }

  private circuits(): readonly Circuit[] {
    return [this.failure, this.slow, this.accuracyCircuit];
  }

  private admit(): boolean {
    // Fast path: all closed is three field reads.
    if (this.failure.isClosed && this.slow.isClosed && this.accuracyCircuit.isClosed) return true;
    if (!this.accuracyCircuit.tryAcquire()) return false;
    if (!this.failure.tryAcquire()) return false;
    if (!this.slow.tryAcquire()) {
      this.failure.release();
      return false;
    }
    return true;
  }

  private releaseAll(): void {
    this.failure.release();
    this.slow.release();
  }

  private succeeded<T>(value: T, latencyMs: number): GuardResult<T> {
    this.failure.success();
    if (latencyMs > this.o.slowCallMs) {
      this.stats.slow++;
      this.slow.failure(`slow call: ${latencyMs.toFixed(1)} ms > ${this.o.slowCallMs} ms`);
    } else {
      this.slow.success();
    }
    this.stats.served++;
    return { ok: true, value, latencyMs };
  }

  private failed(reason: FallbackReason, latencyMs: number, error?: unknown): GuardResult<never> {
    if (reason === FallbackReason.TIMEOUT) {
      this.stats.timeout++;
      this.failure.failure(`timeout after ${latencyMs.toFixed(1)} ms`);
    } else {
      this.stats.modelError++;
      this.failure.failure(`model error: ${errorMessage(error)}`);
    }
    if (latencyMs > this.o.slowCallMs) {
      // Slow and failed count for both breakers (resilience4j does the same).
      this.stats.slow++;
      this.slow.failure(`slow call: ${latencyMs.toFixed(1)} ms > ${this.o.slowCallMs} ms`);
    } else {
      // A quick failure says nothing about slowness: give back its slow-breaker trial permit.
      this.slow.release();
    }
    return error === undefined ? { ok: false, reason, latencyMs } : { ok: false, reason, latencyMs, error };
  }

  private race<T>(
    out: PromiseLike<T>,
    context: CallContext,
    t0: number,
    budgetMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<GuardResult<T>> {
    return new Promise<GuardResult<T>>((resolve) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
        return true;
      };
      const timer = setTimeout(() => {
        if (!finish()) return;
        context.abort(new Error(`time budget of ${budgetMs} ms exceeded`));
        resolve(this.failed(FallbackReason.TIMEOUT, this.o.latencyNow() - t0));
      }, budgetMs);
      const onCallerAbort = (): void => {
        if (!finish()) return;
        context.abort(callerSignal?.reason);
        // Cancelled by the caller, not the model's fault: no breaker counts.
        this.releaseAll();
        this.stats.timeout++;
        resolve({ ok: false, reason: FallbackReason.TIMEOUT, latencyMs: this.o.latencyNow() - t0 });
      };
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      out.then(
        (value) => {
          if (finish()) resolve(this.succeeded(value, this.o.latencyNow() - t0));
        },
        (error: unknown) => {
          if (finish())
            resolve(
              this.failed(
                FallbackReason.MODEL_ERROR,
                this.o.latencyNow() - t0,
                error ?? new Error('rejected'),
              ),
            );
        },
      );
    });
  }

  private emit(change: BreakerStateChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener's bug must never reach the decision path.
      }
    }
  }
}

/** Creates the guard for one agent's model. See `ModelGuard`. */
export const createModelGuard = (options: ModelGuardOptions): ModelGuard => new ModelGuard(options);
