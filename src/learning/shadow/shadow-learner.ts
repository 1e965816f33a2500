import { uuidv7 } from '../../core/index.js';

/** What a ShadowLearner records with: `DecisionEngine` or an `Apprentice` both fit. */
export interface DecisionRecorder {
  decide(agent: string, unitId: string, context: unknown, deterministic: unknown): unknown;
}

export interface ShadowLearnerOptions {
  /** Records each decision (and, through the engine's shadow sink, schedules the model's prediction). Required. */
  readonly engine: DecisionRecorder;
  /** Method names to intercept. Default `['decide', 'execute_task']` (those the object has). */
  readonly methods?: readonly string[];
  /** The context recorded for a call. Default: the first argument when it is an object, else `{ args }`. */
  readonly context?: (args: readonly unknown[]) => unknown;
  /** The unit a call is about. Default: `unitId`/`id` of the first argument, else a fresh UUIDv7. */
  readonly unitId?: (args: readonly unknown[]) => string;
  /** Told when recording fails (bad unit id, closed writer...). The caller never is. */
  readonly onRecordError?: (error: unknown) => void;
}

export interface ShadowLearnerStats {
  calls: number;
  recorded: number;
  recordErrors: number;
  /** Calls where the agent itself threw or rejected: not recorded (no answer to compare). */
  agentErrors: number;
}

const DEFAULT_METHODS = ['decide', 'execute_task'] as const;

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as PromiseLike<unknown>).then === 'function';

function defaultContext(args: readonly unknown[]): unknown {
  const a = args[0];
  return a !== null && typeof a === 'object' && !Array.isArray(a) ? a : { args };
}

function defaultUnitId(args: readonly unknown[]): string {
  const a = args[0] as { unitId?: unknown; id?: unknown } | null | undefined;
  if (a !== null && typeof a === 'object') {
    if (typeof a.unitId === 'string' && a.unitId.length > 0) return a.unitId;
    if (typeof a.id === 'string' && a.id.length > 0) return a.id;
    if (typeof a.id === 'number') return String(a.id);
  }
  return uuidv7();
}

const statsOf = new WeakMap<object, ShadowLearnerStats>();

/** Counters of a wrapped agent (undefined for anything ShadowLearner did not create). */
export const shadowLearnerStats = (wrapped: object): ShadowLearnerStats | undefined => statsOf.get(wrapped);

/**
 * Wrap any agent object: calls to its decision method(s) return exactly what the agent
 * returns — the same value, the same exception, synchronous stays synchronous, a promise is
 * passed through as is — and, after the agent answered, the decision is recorded through
 * `engine.decide` whose shadow sink queues the model's prediction off the hot path (a worker
 * pool or a later tick). A slow or failing model cannot reach the caller: it runs after the
 * call returned. Other properties pass through untouched.
 *
 * Note: for an async method, recording hangs a handler on the agent's promise, so a
 * rejection the caller ignores no longer surfaces as an unhandled rejection.
 * @example
 * const reviewer = ShadowLearner('code-reviewer', new CodeReviewer(), { engine: apprentice });
 * const verdict = reviewer.decide({ id: 'pr-7', files: 3 }); // the CodeReviewer's own verdict
 */
export function ShadowLearner<T extends object>(agentName: string, agent: T, options: ShadowLearnerOptions): T {
  const methods = new Set(options.methods ?? DEFAULT_METHODS);
  const contextOf = options.context ?? defaultContext;
  const unitOf = options.unitId ?? defaultUnitId;
  const stats: ShadowLearnerStats = { calls: 0, recorded: 0, recordErrors: 0, agentErrors: 0 };
  const wrappers = new Map<string, { original: unknown; wrapper: (...args: unknown[]) => unknown }>();

  const record = (args: readonly unknown[], result: unknown): void => {
    try {
      options.engine.decide(agentName, unitOf(args), contextOf(args), result);
      stats.recorded++;
    } catch (e) {
      stats.recordErrors++;
      try {
        options.onRecordError?.(e);
      } catch {
        // the listener's problem, not the caller's
      }
    }
  };

  const wrap = (original: (...args: unknown[]) => unknown, target: T): ((...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]): unknown {
      stats.calls++;
      // Call the agent with the receiver it would have had (the proxy is replaced by the target).
      const self = this === proxy || this === undefined ? target : this;
      let result: unknown;
      try {
        result = Reflect.apply(original, self, args);
      } catch (e) {
        stats.agentErrors++;
        throw e;
      }
      if (isThenable(result)) {
        result.then(
          (v) => record(args, v),
          () => void stats.agentErrors++,
        );
        return result;
      }
      record(args, result);
      return result;
    };

  const proxy: T = new Proxy(agent, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !methods.has(prop) || typeof value !== 'function') return value;
      const cached = wrappers.get(prop);
      if (cached && cached.original === value) return cached.wrapper;
      const wrapper = wrap(value as (...args: unknown[]) => unknown, target);
      wrappers.set(prop, { original: value, wrapper });
      return wrapper;
    },
  });
  statsOf.set(proxy, stats);
  return proxy;
}
