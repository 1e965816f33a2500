import type { Metrics } from '../../observability/index.js';
import { collectFrom } from '../../observability/index.js';
import {
  createEventLoopThrottle,
  createImpactEstimator,
  type Disposer,
  type EventLoopThrottle,
  type ImpactEstimator,
  type ImpactOptions,
  type ThrottleChange,
  type ThrottleOptions,
} from '../resilience/index.js';

export interface LearningThrottleOptions {
  /** Event-loop throttle settings (see `ThrottleOptions`: 1 s interval, p99 50 ms / ELU 0.9). */
  readonly throttle?: ThrottleOptions;
  /** Impact probe settings (see `ImpactOptions`: a 5 s pause every 60 s); `false` turns the probes off. Default on. */
  readonly impact?: Omit<ImpactOptions, 'pause' | 'resume'> | false;
  /** Metrics to feed (`learnerThrottled`, `mlPerformanceImpactRatio`). Default: none. */
  readonly metrics?: Pick<Metrics, 'learnerThrottled' | 'mlPerformanceImpactRatio'>;
  /** `worker` label of `apprentice_learner_throttled`. Default `main`. */
  readonly worker?: string;
  /** Log sink for "learning throttled" / "learning resumed". Default `console.warn`. */
  readonly log?: (line: string) => void;
}

/** Why learning is held back right now. */
export type HoldReason = 'event_loop' | 'impact_probe';

/**
 * The one question learners and the shadow runner ask: may I work now?
 *
 * @example
 * if (throttle.isThrottled()) return shed('throttled');
 */
export interface LearningThrottle {
  /** True while learning and shadow work must pause or be shed (loop under pressure, or an impact probe). */
  isThrottled(): boolean;
  /** The reasons in force (empty when learning may run). */
  holds(): HoldReason[];
  /** Called on every change of `isThrottled()`. */
  onChange(listener: (throttled: boolean) => void): Disposer;
  /** Records one decision's latency (ms) for the impact estimate. */
  recordDecisionLatency(ms: number): void;
  readonly loop: EventLoopThrottle;
  readonly impact: ImpactEstimator | undefined;
  /** Stops sampling and probing, resumes learning. Idempotent. */
  stop(): void;
}

/**
 * Starts the event-loop throttle and the impact estimator, and feeds
 * `apprentice_learner_throttled` (1 while the loop is throttled) and
 * `apprentice_ml_performance_impact_ratio` (NaN, i.e. unknown, until the first complete probe
 * cycle; a label-less gauge cannot be absent).
 * The throttle logs "learning throttled: ..." on entry and "learning resumed: ..." on exit.
 *
 * @example
 * const t = startLearningThrottle({ metrics: apprentice.metrics });
 * trainer.shouldPause = () => t.isThrottled();
 * // on the decision path: t.recordDecisionLatency(ms)
 */
export function startLearningThrottle(options: LearningThrottleOptions = {}): LearningThrottle {
  const worker = options.worker ?? 'main';
  const loop = createEventLoopThrottle({ ...options.throttle, ...(options.log ? { log: options.log } : {}) });
  const active = new Set<HoldReason>();
  let listeners: ((throttled: boolean) => void)[] = [];
  const set = (reason: HoldReason, on: boolean): void => {
    const was = active.size > 0;
    if (on) active.add(reason);
    else active.delete(reason);
    const is = active.size > 0;
    if (was === is) return;
    for (const l of listeners) {
      try {
        l(is);
      } catch {
        // a listener's bug must not stop the monitor
      }
    }
  };

  const impact =
    options.impact === false
      ? undefined
      : createImpactEstimator({
          ...options.impact,
          pause: () => set('impact_probe', true),
          resume: () => set('impact_probe', false),
        });
  const offLoop = loop.onChange((c: ThrottleChange) => {
    const throttled = c.to === 'throttled';
    options.metrics?.learnerThrottled.set({ worker }, throttled ? 1 : 0);
    // Decisions made while the loop throttles learning measure the "learning off" side too.
    if (!active.has('impact_probe')) impact?.setLearningActive(!throttled);
    set('event_loop', throttled);
  });
  options.metrics?.learnerThrottled.set({ worker }, 0);
  const offRatio = options.metrics
    ? collectFrom(options.metrics.mlPerformanceImpactRatio, () => impact?.ratio ?? NaN)
    : undefined;
  loop.start();
  impact?.start();

  let stopped = false;
  return {
    isThrottled: () => active.size > 0,
    holds: () => [...active].sort(),
    onChange(listener) {
      listeners = [...listeners, listener];
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
    recordDecisionLatency: (ms) => impact?.record(ms),
    loop,
    impact,
    stop() {
      if (stopped) return;
      stopped = true;
      offLoop();
      offRatio?.();
      loop.close();
      impact?.close();
      listeners = [];
    },
  };
}
